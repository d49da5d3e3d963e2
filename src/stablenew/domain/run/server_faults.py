"""Which failures belong to the server rather than to the step, and a per-server circuit breaker."""

from __future__ import annotations

from dataclasses import dataclass

from stablenew.domain.run.failures import FailureKind
from stablenew.domain.run.results import PipelineRunResult

# The server could not be reached, is not the expected API, did not answer in time, or failed
# internally (5xx): another server may well run the same step. Out of memory, a rejected request or
# a bad image are the step's.
SERVER_FAULT_KINDS = frozenset({
    FailureKind.CONNECTION_REFUSED, FailureKind.CONNECTION_ERROR, FailureKind.NOT_API,
    FailureKind.TIMEOUT, FailureKind.STALLED, FailureKind.SERVER_ERROR,
})


def is_server_fault_kind(kind: str | None) -> bool:
    """True for a failure kind (older tags too) that says the server, not the step, failed."""
    return FailureKind.parse(kind) in SERVER_FAULT_KINDS


def run_failure_kind(run: PipelineRunResult) -> FailureKind | None:
    """The kind of the stage that failed `run` (None when it succeeded)."""
    if run.success:
        return None
    failed = next((event for event in run.events if event.outcome != "success"), None)
    return (failed.error_kind or FailureKind.UNKNOWN) if failed is not None else FailureKind.UNKNOWN


def run_server_fault(run: PipelineRunResult) -> bool:
    """True when `run` failed (not cancelled) because its server failed."""
    if run.success or run.cancelled:
        return False
    failed = next((event for event in run.events if event.outcome != "success"), None)
    return failed is not None and is_server_fault_kind(failed.error_kind)


@dataclass(slots=True)
class ServerBreaker:
    """Closed while the server works; open for `cooldown_s` after `threshold` server faults in a row;
    then half-open: the next step is a probe — a success closes it, a fault opens it again.

    One breaker per server. With several servers an open breaker takes its server out for a while;
    with one server there is nowhere else to go, so an open breaker stops the plan (`tripped`)."""

    threshold: int = 3
    cooldown_s: float = 30.0
    faults_in_a_row: int = 0
    open_until: float | None = None

    def available(self, now: float) -> bool:
        """True when the server may take a step now (closed, or its cool-down is over)."""
        return self.open_until is None or now >= self.open_until

    @property
    def is_open(self) -> bool:
        """True while the breaker has taken the server out (a probe may still be due)."""
        return self.open_until is not None

    def record(self, *, fault: bool, now: float) -> None:
        """Count one finished step on this server."""
        if not fault:
            self.faults_in_a_row, self.open_until = 0, None
            return
        self.faults_in_a_row += 1
        if self.faults_in_a_row >= self.threshold or self.open_until is not None:
            self.open_until = now + self.cooldown_s

    @property
    def tripped(self) -> bool:
        """True once `threshold` faults came in a row (the breaker opened at least once since a success)."""
        return self.faults_in_a_row >= self.threshold
