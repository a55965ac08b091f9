"""rustpro: a senior Rust engineer's judgement, as a tool."""

import gc

# Loading the caches below makes thousands of long-lived objects (code, the tables): the cycle
# collector, walking them every few hundred allocations, was a thirtieth of a one-file audit.
_collecting = gc.isenabled()
gc.disable()
try:
    from rustpro import _codecache

    # `@dataclass` compiles the methods it writes and `re` the patterns it is given: both are
    # kept between runs like bytecode.
    _codecache.install()
finally:
    if _collecting:
        gc.enable()

__version__ = "0.1.0"
