"""Live progress of the running stage for `stablenew run`: a transient rich bar, on a terminal only."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from stablenew.cli.escape import shown
from stablenew.domain.run.generation import ProgressListener, StageProgress


class StageBar:
    """While inside, one live line: `running txt2img → upscale` with the elapsed time from the start,
    then — as the run's stage progress listener — the running stage's bar (`txt2img 12/20`); gone
    when the run ends. Never an empty line: a backend that reports nothing (procedural) keeps the
    first. Prints nothing when the console is not a terminal, so piped output stays the same.
    Rich's Progress locks every update, so the listener may be called from any thread."""

    def __init__(self, console: Console, stages: tuple[str, ...] = ()) -> None:
        self.label = shown("running " + " → ".join(stages)) if stages else "running"
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
            self._task = self._bar.add_task(self.label, total=None, detail="")
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
        """Move the line's bar to the running stage's progress; a new stage starts it from 0."""
        if self._bar is None or self._task is None:
            return
        if progress.stage != self._stage:
            self._bar.reset(self._task, total=1.0)
            self._stage = progress.stage
        self._bar.update(self._task, completed=progress.fraction, description=shown(progress.describe()),
                         detail=shown(progress.detail))
