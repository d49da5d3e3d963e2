"""`records check` for the feedback log: good events, a torn last line, corrupt lines."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from stablenew.cli.consoles import stderr_console
from stablenew.domain.ports.feedback_log import FeedbackReadReport, FeedbackSource


def check_feedback_log(console: Console, log: FeedbackSource) -> bool:
    """Print what the feedback log holds; False when a line before the last is corrupt."""
    report = log.read_events()
    console.print(f"{log.location}: {len(report.events)} good feedback events", markup=False)
    torn = report.torn_tail
    if torn:
        console.print(f"torn last line {torn.line_number}: {torn.reason}", markup=False)
    for defect in report.corrupt:
        console.print(f"corrupt line {defect.line_number}: {defect.reason}", markup=False)
    console.print(f"{len(report.corrupt)} corrupt, {1 if report.torn_tail else 0} torn", markup=False)
    return report.clean


def warn_if_corrupt(path: object) -> Callable[[FeedbackReadReport], None]:
    """A callback printing one warning line on stderr when the feedback log has corrupt lines."""

    def warn(report: FeedbackReadReport) -> None:
        if report.corrupt:
            numbers = ", ".join(str(d.line_number) for d in report.corrupt[:10])
            more = f" and {len(report.corrupt) - 10} more" if len(report.corrupt) > 10 else ""
            stderr_console().print(f"warning: {path}: corrupt line(s) {numbers}{more} (unreadable events are "
                              f"skipped): run `stablenew records check {path}`", markup=False)

    return warn
