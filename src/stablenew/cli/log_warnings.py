"""The one-line warning every command that reads the record log prints when lines are corrupt."""

from __future__ import annotations

from pathlib import Path

from stablenew.cli.consoles import stderr_console
from stablenew.cli.escape import shown
from stablenew.domain.ports.record_scan import LogHealth


def corrupt_log_warning(path: Path, health: LogHealth | None, consequence: str = "") -> str | None:
    """The warning text, or None when no complete line is corrupt."""
    if health is None or health.clean:
        return None
    lines = "line" if health.corrupt_count == 1 else "lines"
    tail = f"; {consequence}" if consequence else ""
    return (f"warning: {path}: corrupt {lines} {health.corrupt_lines_text()} (unreadable records are "
            f"skipped{tail}): run `stablenew records check {path}`")


def warn_if_corrupt(path: Path, health: LogHealth | None, consequence: str = "") -> None:
    """Print the warning on stderr, one line, when the log has corrupt lines."""
    text = corrupt_log_warning(path, health, consequence)
    if text is not None:
        stderr_console().print(shown(text), markup=False)
