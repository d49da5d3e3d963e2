"""StageProgress values and the ImageBackend port's progress listener: optional, never fatal."""

from __future__ import annotations

import logging

import pytest

from stablenew.domain.run.generation import StageProgress
from tests.fakes.fake_backend import FakeImageBackend


def test_describe_shows_the_step_when_known_else_the_percentage() -> None:
    assert StageProgress("txt2img", 0.6, step=12, total=20).describe() == "txt2img 12/20"
    assert StageProgress("upscale", 0.456).describe() == "upscale 46%"
    assert StageProgress("img2img", 0.0, step=0, total=0).describe() == "img2img 0%"


def test_the_fraction_is_clamped_to_0_1() -> None:
    assert StageProgress("txt2img", 1.7).fraction == 1.0
    assert StageProgress("txt2img", -0.2).fraction == 0.0


def test_without_a_listener_reporting_does_nothing() -> None:
    backend = FakeImageBackend()
    backend._report_progress(StageProgress("txt2img", 0.5))  # no listener set: a no-op
    seen: list[StageProgress] = []
    backend.set_progress_listener(seen.append)
    backend._report_progress(StageProgress("txt2img", 0.5, step=10, total=20))
    backend.set_progress_listener(None)
    backend._report_progress(StageProgress("txt2img", 0.9))
    assert seen == [StageProgress("txt2img", 0.5, step=10, total=20)]


def test_a_failing_listener_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def broken(progress: StageProgress) -> None:
        raise RuntimeError("display gone")

    backend = FakeImageBackend()
    backend.set_progress_listener(broken)
    with caplog.at_level(logging.DEBUG, logger="stablenew.backend"):
        backend._report_progress(StageProgress("txt2img", 0.5))
    assert "progress listener failed" in caplog.text and "display gone" in caplog.text
