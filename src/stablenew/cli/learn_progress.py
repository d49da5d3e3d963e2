"""Progress of a learning run: a rich bar on a terminal, one line per step otherwise."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from stablenew.domain.plan.learning_results import LearningRunResult
from stablenew.domain.plan.plan import LearningRunStep
from stablenew.domain.ports.image_backend import ImageBackend
from stablenew.domain.run.generation import StageProgress


class StepProgress:
    """The on_step callback of the runner (step i/N, the current values, an ETA); while inside, also
    the backend's progress listener (`txt2img 12/20` for the running stage, terminal only)."""

    def __init__(self, console: Console, backend: ImageBackend | None = None) -> None:
        self.console = console
        self.backend = backend
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        if console.is_terminal:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.fields[values]}"),
                TextColumn("{task.fields[stage]}", markup=False),
                console=console,
                transient=True,
            )

    def __enter__(self) -> StepProgress:
        if self._bar is not None:
            self._bar.start()
            if self.backend is not None:
                self.backend.set_progress_listener(self.on_stage)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            if self.backend is not None:
                self.backend.set_progress_listener(None)
            self._bar.stop()

    def on_step(
        self, step: LearningRunStep, position: int, total: int, result: LearningRunResult | None
    ) -> None:
        """Before a step: show it; after it: advance the bar (or print one line when not a terminal)."""
        if self._bar is None:
            if result is not None:
                outcome = "ok" if result.success else "cancelled" if result.cancelled else "FAILED"
                self.console.print(f"step {position}/{total} {outcome}: {step.describe()}", markup=False)
            return
        if self._task is None:
            self._task = self._bar.add_task("", total=total, values="", stage="")
        if result is None:
            self._bar.update(self._task, description=f"step {position}/{total}", values=step.describe())
        else:
            self._bar.update(self._task, advance=1, stage="")

    def on_stage(self, progress: StageProgress) -> None:
        """Show how far the running step's current stage is (terminal only)."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, stage=progress.describe())
