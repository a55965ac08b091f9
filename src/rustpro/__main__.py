"""`python -m rustpro` is the same as the `rustpro` command."""

from rustpro.cli import main

main()
