"""`python -m stablenew` runs the CLI."""

from stablenew.cli import main

main()
