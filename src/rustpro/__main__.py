"""`python -m rustpro` is the same as the `rustpro` command."""

from rustpro._entry import main

main()
