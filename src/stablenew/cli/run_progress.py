"""Live progress of the running stage for `stablenew run`: a transient rich bar, on a terminal only."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from stablenew.cli.escape import shown
from stablenew.domain.run.generation import ProgressListener, StageProgress


class StageBar:
    """A run's stage progress listener: one bar per stage (`txt2img 12/20`) while inside, gone when
    the run ends. Prints nothing when the console is not a terminal, so piped output stays the same.
    Rich's Progress locks every update, so the listener may be called from any thread."""

    def __init__(self, console: Console) -> None:
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._stage: str | None = None
        if console.is_terminal:
            self._bar = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[detail]}", markup=False),
                console=console,
                transient=True,
            )

    def __enter__(self) -> StageBar:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    @property
    def listener(self) -> ProgressListener | None:
        """What to pass as the run's progress listener: `on_progress` on a terminal, else None."""
        return self.on_progress if self._bar is not None else None

    def on_progress(self, progress: StageProgress) -> None:
        """Move the current stage's bar; a new stage replaces the previous stage's bar."""
        if self._bar is None:
            return
        if self._task is None or progress.stage != self._stage:
            if self._task is not None:
                self._bar.remove_task(self._task)
            self._task = self._bar.add_task("", total=1.0, detail="")
            self._stage = progress.stage
        self._bar.update(self._task, completed=progress.fraction, description=shown(progress.describe()),
                         detail=shown(progress.detail))
