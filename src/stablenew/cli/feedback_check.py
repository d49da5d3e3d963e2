"""`records check` for the feedback log: good events, a torn last line, corrupt lines."""

from __future__ import annotations

from rich.console import Console

from stablenew.domain.ports.feedback_log import FeedbackSource


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
