"""rustpro's clippy lint profile, and which checkpoint each tool diagnostic belongs to.

The profile is passed to clippy as `-W` flags; lints the project configures itself (in a
`[lints]` table) are left to the project, because a later command-line flag would override it.
"""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.model import Checkpoint

# The curated profile: lints rustpro turns on, with the checkpoint their findings count against.
PROFILE: dict[str, Checkpoint] = {
    "unwrap_used": Checkpoint.ERRORS,
    "expect_used": Checkpoint.ERRORS,
    "panic": Checkpoint.ERRORS,
    "todo": Checkpoint.ERRORS,
    "unimplemented": Checkpoint.ERRORS,
    "let_underscore_must_use": Checkpoint.ERRORS,
    "undocumented_unsafe_blocks": Checkpoint.MEMORY,
    "missing_safety_doc": Checkpoint.MEMORY,
    "rc_buffer": Checkpoint.MEMORY,
    "missing_errors_doc": Checkpoint.DOCS,
    "missing_panics_doc": Checkpoint.DOCS,
    "ptr_arg": Checkpoint.PERF,
    "redundant_clone": Checkpoint.PERF,
    "needless_pass_by_value": Checkpoint.PERF,
    "large_futures": Checkpoint.ASYNC,
    "let_underscore_future": Checkpoint.ASYNC,
    "unused_async": Checkpoint.ASYNC,
    "await_holding_lock": Checkpoint.THREADS,
    "await_holding_refcell_ref": Checkpoint.THREADS,
    "arc_with_non_send_sync": Checkpoint.THREADS,
    "mutex_atomic": Checkpoint.THREADS,
    "incompatible_msrv": Checkpoint.PROJECT,
}

# Lints clippy or rustc enable by default that belong somewhere other than `project`.
_DEFAULT_LINTS: dict[str, Checkpoint] = {
    "clippy::missing_const_for_thread_local": Checkpoint.PERF,
    "clippy::large_enum_variant": Checkpoint.PERF,
    "clippy::box_collection": Checkpoint.PERF,
    "clippy::vec_box": Checkpoint.PERF,
    "clippy::needless_collect": Checkpoint.PERF,
    "clippy::manual_memcpy": Checkpoint.PERF,
    "clippy::result_unit_err": Checkpoint.ERRORS,
    "clippy::result_large_err": Checkpoint.ERRORS,
    "clippy::unused_io_amount": Checkpoint.ERRORS,
    "clippy::not_unsafe_ptr_arg_deref": Checkpoint.MEMORY,
    "clippy::mut_from_ref": Checkpoint.MEMORY,
    "clippy::uninit_vec": Checkpoint.MEMORY,
    "clippy::non_send_fields_in_send_ty": Checkpoint.THREADS,
    "clippy::future_not_send": Checkpoint.ASYNC,
    "clippy::let_underscore_lock": Checkpoint.THREADS,
    "rustc::unused_must_use": Checkpoint.ERRORS,
    "rustc::unused_variables": Checkpoint.PROJECT,
    "rustc::dead_code": Checkpoint.PROJECT,
    "rustc::static_mut_refs": Checkpoint.MEMORY,
    "rustc::unsafe_op_in_unsafe_fn": Checkpoint.MEMORY,
    "rustc::missing_docs": Checkpoint.DOCS,
    "rustc::deprecated": Checkpoint.PROJECT,
    "rustc::async_fn_in_trait": Checkpoint.ASYNC,
}

# Lints whose point is production code; rustpro's twins skip tests, benches, examples and
# build scripts, and so do these (clippy itself still flags helpers outside `#[test]`).
PRODUCTION_ONLY = frozenset(
    {
        "clippy::unwrap_used",
        "clippy::expect_used",
        "clippy::panic",
        "clippy::todo",
        "clippy::unimplemented",
    }
)


def rule_checkpoint(rule: str) -> Checkpoint:
    """The checkpoint a tool finding counts against (`clippy::ptr_arg` -> perf).

    Compile errors are the borrow checker's and the type checker's verdict: memory. rustdoc
    findings are docs. Anything else unmapped is project hygiene ("clippy is clean").
    """
    tool, _, name = rule.partition("::")
    if tool == "clippy" and name in PROFILE:
        return PROFILE[name]
    if rule in _DEFAULT_LINTS:
        return _DEFAULT_LINTS[rule]
    if tool == "rustdoc":
        return Checkpoint.DOCS
    if tool == "rustc" and ((name.startswith("E") and name[1:].isdigit()) or name == "error"):
        return Checkpoint.MEMORY
    return Checkpoint.PROJECT


def known_tool_rules() -> dict[str, Checkpoint]:
    """The tool rules mapped by name above (the profile's and the default lints'), with
    their checkpoints."""
    rules = {f"clippy::{name}": checkpoint for name, checkpoint in PROFILE.items()}
    rules.update(_DEFAULT_LINTS)
    return rules


def warn_flags(configured: Iterable[str] = ()) -> list[str]:
    """`-W clippy::NAME` for each profile lint the project does not configure itself.

    `configured` holds lint names as the project's `[lints.clippy]` table spells them.
    """
    skip = set(configured)
    flags: list[str] = []
    for name in PROFILE:
        if name not in skip:
            flags += ["-W", f"clippy::{name}"]
    return flags
