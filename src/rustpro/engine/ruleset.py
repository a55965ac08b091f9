"""Which rules an audit runs: those whose findings its configuration can report.

Every rule used to run on every file and the findings of rules nobody selected were dropped at
the end: with the default selection, the pedantic rules cost up to two thirds of the file pass
(openssl: 1.36 s of 1.36 s -> 0.44 s) for findings no one sees. Skipping them changes nothing
the report says, because:

- a rule reads the facts of another rule only when it names it in `reads_facts_of`, and
  then that rule runs too (tests/test_ruleset.py checks every fact read against the rule
  that wrote it);
- suppression comments count the findings they silence, of any rule: a file holding one runs
  every rule (`filepass`), and so do the crate and workspace passes when any file holds one;
- in full mode, clippy's and rustc's findings merge into their rustpro twin, whose absence
  would let them stand: rules with twins (the catalog's `tool-twin`) always run there.
"""

from __future__ import annotations

from rustpro.catalog import DEFAULT_GROUP, GROUPS, catalog
from rustpro.config import AuditConfig
from rustpro.model import Finding
from rustpro.rules import registry

# Every group a finding can be reported in: its rule's (""), or an opt-in one it names for its
# less certain findings (`pedantic`: `FileContext.report`); never the default group.
FINDING_GROUPS = ("", *(group for group in GROUPS if group != DEFAULT_GROUP))


def reportable_rules(config: AuditConfig, *, full_mode: bool) -> frozenset[str] | None:
    """The names of the rules to run; None when that is every rule. In static mode only
    their modules are imported (`registry.load`)."""
    specs = catalog()
    wanted = {
        name
        for name, spec in specs.items()
        if any(
            config.may_keep(Finding.probe(spec.name, spec.checkpoint, spec.severity, group=group))
            for group in FINDING_GROUPS
        )
    }
    if full_mode:  # the rules with tool twins, as the catalog says (no rule module imported)
        wanted |= {name for name, spec in specs.items() if spec.tool_twin}
    pending = list(wanted)
    while pending:  # and the rules whose facts they read, and theirs
        cls = registry.loaded_class(pending.pop())
        for source in cls.reads_facts_of if cls is not None else ():
            if source not in wanted:
                wanted.add(source)
                pending.append(source)
    return None if wanted >= specs.keys() else frozenset(wanted)
