"""rustpro: a senior Rust engineer's judgement, as a tool."""

__version__ = "0.1.0"
