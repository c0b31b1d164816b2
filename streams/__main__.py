"""`python -m streams`: the logwarden command line."""

from streams.cli import main

main()
