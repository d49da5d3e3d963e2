"""The CLI's consoles, made when a command runs (never at import), so whether stdout or stderr is a
terminal is decided then, and tests that swap the streams get what the command printed."""

from __future__ import annotations

from rich.console import Console


def stdout_console() -> Console:
    """Where a command prints its results: no highlighting, long lines wrap softly."""
    return Console(highlight=False, soft_wrap=True, emoji=False)


def stderr_console() -> Console:
    """Where a command prints errors and warnings: one line each."""
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
