"""What a learning run produced: one LearningRunResult per step run, and the run's aggregate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stablenew.domain.plan.plan import LearningPlan, LearningRunStep
from stablenew.domain.run.results import PipelineRunResult

STOP_CANCELLED, STOP_TIMEOUT, STOP_MAX_STEPS = "cancelled", "timeout", "max_steps"
STOP_NO_SERVER = "no_server"  # every server was taken out by its circuit breaker


@dataclass(frozen=True, slots=True)
class LearningRunResult:
    """One executed step: its run id(s), outcome, values, durations and images."""

    step: LearningRunStep
    run_ids: tuple[str, ...]
    success: bool
    error: str | None = None
    cancelled: bool = False
    duration_s: float = 0.0  # the stages' own time
    elapsed_s: float = 0.0  # the whole step, as the executor saw it
    images: tuple[str, ...] = ()
    record_error: str | None = None
    server: str = ""  # the server that ran it (URL without credentials) when a plan uses several

    @classmethod
    def from_run(cls, step: LearningRunStep, run: PipelineRunResult, elapsed_s: float) -> LearningRunResult:
        """The result of `step` from its pipeline run. A step whose record could not be written
        failed: resume and the contact sheets know only what the log holds."""
        error = run.error
        if run.record_error is not None:
            unwritten = f"record NOT written: {run.record_error}"
            error = f"{error}; {unwritten}" if error else unwritten
        return cls(
            step=step,
            run_ids=(run.run_id,),
            success=run.success and run.record_error is None,
            error=error,
            cancelled=run.cancelled,
            duration_s=run.duration_s,
            elapsed_s=elapsed_s,
            images=tuple(image.path for image in run.images),
            record_error=run.record_error,
        )

    @property
    def step_index(self) -> int:
        """The step's position in the plan."""
        return self.step.index

    @property
    def step_key(self) -> str:
        """The step's key (what resume matches on)."""
        return self.step.key

    @property
    def variables(self) -> dict[str, Any]:
        """``{"stage.variable": value}`` for the step."""
        return self.step.variables

    @property
    def variable(self) -> str:
        """The first axis's variable."""
        return self.step.variable

    @property
    def value(self) -> Any:
        """The first axis's value."""
        return self.step.value

    def to_row(self, plan: LearningPlan) -> dict[str, Any]:
        """One flat row (plan, step, values, outcome, run id) for datasets and feedback joins."""
        return {
            "plan_id": plan.id,
            "plan_name": plan.name,
            "experiment_name": plan.experiment_name,
            "one_click_action_id": plan.one_click_action_id,
            "step_index": self.step_index,
            "step_key": self.step_key,
            "run_id": self.run_ids[-1] if self.run_ids else None,
            "run_ids": list(self.run_ids),
            "success": self.success,
            "cancelled": self.cancelled,
            "error": self.error,
            "duration_s": round(self.duration_s, 6),
            "elapsed_s": round(self.elapsed_s, 6),
            "images": list(self.images),
            "variables": self.variables,
        }


@dataclass(frozen=True, slots=True)
class LearningExecutionSummary:
    """Counts, elapsed time and why the run stopped early (None when it ran to the end)."""

    total_steps: int
    already_done: int
    executed: int
    succeeded: int
    failed: int
    not_run: int
    elapsed_s: float
    stop_reason: str | None = None
    cancelled_steps: int = 0  # steps that ran and were cancelled (Ctrl-C, timeout); not in `failed`

    @property
    def cancelled(self) -> bool:
        """True when the run was cancelled or timed out before finishing (see also cancelled_steps)."""
        return self.stop_reason in (STOP_CANCELLED, STOP_TIMEOUT)

    @property
    def gave_up(self) -> bool:
        """True when the run stopped because no server was left to run the remaining steps."""
        return self.stop_reason == STOP_NO_SERVER

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "total_steps": self.total_steps,
            "already_done": self.already_done,
            "executed": self.executed,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "not_run": self.not_run,
            "elapsed_s": round(self.elapsed_s, 6),
            "cancelled": self.cancelled,
            "cancelled_steps": self.cancelled_steps,
            "stop_reason": self.stop_reason,
        }


@dataclass(frozen=True, slots=True)
class LearningExecutionResult:
    """The plan, the result of every step run this time, and a summary."""

    plan: LearningPlan
    step_results: tuple[LearningRunResult, ...]
    summary: LearningExecutionSummary

    @property
    def failures(self) -> tuple[LearningRunResult, ...]:
        """The steps that ran and did not succeed (cancelled ones included)."""
        return tuple(result for result in self.step_results if not result.success)

    @property
    def run_ids(self) -> tuple[str, ...]:
        """Every run id of this execution, in order (to join records and ratings)."""
        return tuple(run_id for result in self.step_results for run_id in result.run_ids)

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat row per step result."""
        return [result.to_row(self.plan) for result in self.step_results]

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data: the plan, the step rows and the summary."""
        return {"plan": self.plan.to_dict(), "steps": self.to_rows(), "summary": self.summary.to_dict()}
