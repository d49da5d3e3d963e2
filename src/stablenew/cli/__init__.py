"""The `stablenew` command line (Typer)."""

from stablenew.cli.app import app, main

__all__ = ["app", "main"]
