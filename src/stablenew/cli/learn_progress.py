"""Progress of a learning run: a rich bar on a terminal, one line per step otherwise."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from stablenew.cli.escape import shown
from stablenew.domain.plan.learning_results import LearningRunResult
from stablenew.domain.plan.plan import LearningRunStep
from stablenew.domain.ports.step_dispatcher import DispatchEvent
from stablenew.domain.run.generation import ProgressListener, StageProgress


class StepProgress:
    """The on_step callback of the runner (step i/N, the current values, an ETA); on a terminal also
    the stage progress listener (`txt2img 12/20` for the running stage), passed with the run."""

    def __init__(self, console: Console, *, plan_steps: int | None = None) -> None:
        self.console = console
        self.plan_steps = plan_steps  # steps are numbered in the plan (1-based), as in status and failures
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._busy: dict[str, str] = {}  # server → "step i" it runs now (plans on several servers)
        if console.is_terminal:
            self._bar = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.fields[values]}", markup=False),
                TextColumn("{task.fields[stage]}", markup=False),
                TextColumn("{task.fields[servers]}", markup=False),
                console=console,
                transient=True,
            )

    def __enter__(self) -> StepProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    @property
    def stage_listener(self) -> ProgressListener | None:
        """What to pass as the run's stage progress listener: `on_stage` on a terminal, else None."""
        return self.on_stage if self._bar is not None else None

    def on_step(
        self, step: LearningRunStep, position: int, total: int, result: LearningRunResult | None
    ) -> None:
        """Before a step: show it; after it: advance the bar (or print one line when not a terminal).
        The step is named by its number in the plan (`step 7/12`, 1-based); the bar counts this run's
        steps (`position` of `total`)."""
        name = f"step {step.number}/{self.plan_steps or total}"
        if self._bar is None:
            if result is not None:
                outcome = "ok" if result.success else "cancelled" if result.cancelled else "FAILED"
                where = f" on {result.server}" if result.server else ""
                self.console.print(shown(f"{name} {outcome}{where}: {step.describe()}"), markup=False)
            return
        if self._task is None:
            self._task = self._bar.add_task("", total=total, values="", stage="", servers="")
        if result is None:
            self._bar.update(self._task, description=name, values=shown(step.describe()))
        else:
            self._bar.update(self._task, advance=1, stage="")

    def on_dispatch(self, event: DispatchEvent) -> None:
        """Which server runs which step (a plan on several servers): shown beside the bar."""
        if not event.worker:
            return
        if event.attempt is None:
            self._busy[event.worker] = f"step {event.step.number}"
        else:
            self._busy.pop(event.worker, None)
        if self._bar is not None and self._task is not None:
            busy = shown(" · ".join(f"{server} {step}" for server, step in sorted(self._busy.items())))
            self._bar.update(self._task, servers=busy)

    def on_stage(self, progress: StageProgress) -> None:
        """Show how far the running step's current stage is (terminal only)."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, stage=shown(progress.describe()))
