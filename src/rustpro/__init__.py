"""rustpro: a senior Rust engineer's judgement, as a tool."""

from rustpro._startup import collector_paused, imports_deferred

# Loading the caches below makes thousands of long-lived objects (code, the tables): the cycle
# collector, walking them every few hundred allocations, was a thirtieth of a one-file audit,
# and its first collection after them, a seventieth. They are frozen with what they imported
# (`rustpro._startup`).
# `dataclasses` and `pathlib` (through `urllib.parse`) import `inspect` and `ipaddress`, which
# an audit never reads: they are imported if and when read (`imports_deferred`). So are
# `pathlib`'s `ntpath` (read only by Windows paths; importing it on POSIX looks for `nt`,
# `_winapi` and others on the whole path, six failed finds) and `dataclasses`' `copy` (read
# only by `asdict`/`astuple`; it imports `weakref` and looks for `org.python.core`).
with collector_paused(), imports_deferred("inspect", "ipaddress", "ntpath", "copy"):
    import pathlib  # noqa: F401

    from rustpro import _codecache

    # `@dataclass` compiles the methods it writes and `re` the patterns it is given: both are
    # kept between runs like bytecode.
    _codecache.install()

__version__ = "0.1.0"
