"""Small syntax questions several rules share."""

from __future__ import annotations

# The free functions of `std::fs`: all of them block on the file system and return
# `io::Result`, which is why both blocking-in-async and discarded-result know them.
STD_FS_FUNCTIONS = frozenset(
    {
        "canonicalize",
        "copy",
        "create_dir",
        "create_dir_all",
        "exists",
        "hard_link",
        "metadata",
        "read",
        "read_dir",
        "read_link",
        "read_to_string",
        "remove_dir",
        "remove_dir_all",
        "remove_file",
        "rename",
        "set_permissions",
        "soft_link",
        "symlink_metadata",
        "write",
    }
)

ASSERT_MACROS = frozenset(
    {
        "assert",
        "assert_eq",
        "assert_ne",
        "debug_assert",
        "debug_assert_eq",
        "debug_assert_ne",
        "assert_matches",
        "debug_assert_matches",
    }
)
