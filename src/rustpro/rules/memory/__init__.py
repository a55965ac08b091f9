"""Rules of the `memory` checkpoint."""
