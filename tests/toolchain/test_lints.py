"""The lint profile and the lint -> checkpoint table."""

from __future__ import annotations

from rustpro.model import Checkpoint
from rustpro.toolchain.lints import PROFILE, rule_checkpoint, warn_flags

REQUIRED = {
    "unwrap_used", "expect_used", "panic", "todo", "unimplemented", "undocumented_unsafe_blocks",
    "missing_safety_doc", "missing_errors_doc", "missing_panics_doc", "ptr_arg", "redundant_clone",
    "needless_pass_by_value", "await_holding_lock", "await_holding_refcell_ref", "large_futures",
    "arc_with_non_send_sync", "let_underscore_future", "let_underscore_must_use", "rc_buffer",
    "mutex_atomic", "unused_async", "incompatible_msrv",
}  # fmt: skip


def test_profile_covers_the_required_lints() -> None:
    assert set(PROFILE) >= REQUIRED


def test_warn_flags_leave_project_configured_lints_alone() -> None:
    flags = warn_flags({"unwrap_used"})
    assert "clippy::unwrap_used" not in flags
    assert flags[:2] == ["-W", "clippy::expect_used"]
    assert len(flags) == 2 * (len(PROFILE) - 1)


def test_checkpoints_of_tool_rules() -> None:
    assert rule_checkpoint("clippy::await_holding_lock") is Checkpoint.THREADS
    assert rule_checkpoint("clippy::needless_range_loop") is Checkpoint.PROJECT
    assert rule_checkpoint("rustc::E0499") is Checkpoint.MEMORY
    assert rule_checkpoint("rustc::unused_must_use") is Checkpoint.ERRORS
    assert rule_checkpoint("rustdoc::broken_intra_doc_links") is Checkpoint.DOCS
