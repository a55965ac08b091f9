"""rustpro: a senior Rust engineer's judgement, as a tool."""

from rustpro._startup import collector_paused, imports_deferred

# Loading the caches below makes thousands of long-lived objects (code, the tables): the cycle
# collector, walking them every few hundred allocations, was a thirtieth of a one-file audit,
# and its first collection after them, a seventieth. They are frozen with what they imported
# (`rustpro._startup`).
# `dataclasses` and `pathlib` import modules that an audit never reads: they are imported if and
# when read (`imports_deferred`). `dataclasses` reads `inspect` (with `ast`, `dis`,
# `tokenize`...) only for a class without a docstring and `copy` (which imports `weakref` and
# looks for `org.python.core`) only in `asdict`/`astuple`; `pathlib` reads `ntpath` only for
# Windows paths (importing it on POSIX looked for `nt`, `_winapi`... on the whole path: six
# failed finds) and `fnmatch` only for `glob` and `match`, and takes one function of
# `urllib.parse`, for `as_uri` (importing it made a dozen named tuples and imported
# `ipaddress`).
with (
    collector_paused(),
    imports_deferred(
        "inspect",
        "ntpath",
        "copy",
        "fnmatch",
        functions={"urllib.parse": ("quote_from_bytes",)},
    ),
):
    import pathlib  # noqa: F401

    from rustpro import _codecache

    # `@dataclass` compiles the methods it writes and `re` the patterns it is given: both are
    # kept between runs like bytecode.
    _codecache.install()

__version__ = "0.1.0"
