"""`python -m cnncalc`: the same command line as `cnncalc`."""

from .cli import main

main()
