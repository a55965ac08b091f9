"""rustpro: a senior Rust engineer's judgement, as a tool."""

from rustpro import _codecache

__version__ = "0.1.0"

# `@dataclass` compiles the methods it writes; their code is kept between runs like bytecode.
_codecache.install()
