"""StageBar and StepProgress.on_stage on a forced terminal: fed from another thread, as a backend may."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

from rich.console import Console

from stablenew.cli.learn_progress import StepProgress
from stablenew.cli.run_progress import StageBar
from stablenew.domain.plan.plan import LearningRunStep
from stablenew.domain.run.generation import StageProgress


def _terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=120)


def _feed(listener: Callable[[StageProgress], None], stage: str, steps: int) -> None:
    """Report every step of `stage` from a worker thread while rich's refresh thread renders."""

    def report() -> None:
        for i in range(steps + 1):
            listener(StageProgress(stage, i / steps, step=i, total=steps))

    worker = threading.Thread(target=report)
    worker.start()
    worker.join(5)


def test_the_run_bar_follows_one_stage_at_a_time() -> None:
    with StageBar(_terminal()) as bar:
        assert bar.listener == bar.on_progress
        _feed(bar.on_progress, "txt2img", 200)
        progress = bar._bar
        assert progress is not None and [t.description for t in progress.tasks] == ["txt2img 200/200"]
        _feed(bar.on_progress, "img2img", 5)
        assert [(t.description, t.completed) for t in progress.tasks] == [("img2img 5/5", 1.0)]


def test_the_learn_bar_shows_the_stage_of_the_running_step() -> None:
    step = LearningRunStep(index=0, key="k", assignments=(("txt2img", "steps", 20),))
    with StepProgress(_terminal()) as progress:
        assert progress.stage_listener == progress.on_stage
        progress.on_stage(StageProgress("txt2img", 0.1))  # before any step: nothing to show
        progress.on_step(step, 1, 1, None)
        _feed(progress.on_stage, "txt2img", 20)
        bar = progress._bar
        assert bar is not None and bar.tasks[0].fields["stage"] == "txt2img 20/20"


def test_off_a_terminal_nothing_listens_and_nothing_is_drawn() -> None:
    buffer = io.StringIO()
    plain = Console(file=buffer, force_terminal=False)
    with StageBar(plain) as bar, StepProgress(plain) as steps:
        assert bar.listener is None and steps.stage_listener is None
        bar.on_progress(StageProgress("txt2img", 0.5))
        steps.on_stage(StageProgress("txt2img", 0.5))
    assert buffer.getvalue() == ""
