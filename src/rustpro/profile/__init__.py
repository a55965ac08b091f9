"""`rustpro profile`: the expert's sixteen questions answered from the code, with evidence."""

from rustpro.profile.builder import build_profile
from rustpro.profile.model import Answer, Confidence, Evidence, Profile, SubjectProfile

__all__ = ["Answer", "Confidence", "Evidence", "Profile", "SubjectProfile", "build_profile"]
