"""rustpro: a senior Rust engineer's judgement, as a tool."""

from rustpro._startup import collector_paused

# Loading the caches below makes thousands of long-lived objects (code, the tables): the cycle
# collector, walking them every few hundred allocations, was a thirtieth of a one-file audit,
# and its first collection after them, a seventieth. They are frozen with what they imported
# (`rustpro._startup`).
with collector_paused():
    from rustpro import _codecache

    # `@dataclass` compiles the methods it writes and `re` the patterns it is given: both are
    # kept between runs like bytecode.
    _codecache.install()

__version__ = "0.1.0"
