"""StageProgress values and the per-call progress listener: optional, never fatal, never shared."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from stablenew.adapters.pipeline import PipelineRunner
from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.ports.image_backend import ImageBackend
from stablenew.domain.run.generation import StageProgress, guarded_progress
from tests.fakes.fake_backend import FakeImageBackend
from tests.fakes.fake_clock import FakeClock


def test_describe_shows_the_step_when_known_else_the_percentage() -> None:
    assert StageProgress("txt2img", 0.6, step=12, total=20).describe() == "txt2img 12/20"
    assert StageProgress("upscale", 0.456).describe() == "upscale 46%"
    assert StageProgress("img2img", 0.0, step=0, total=0).describe() == "img2img 0%"


def test_the_fraction_is_clamped_to_0_1() -> None:
    assert StageProgress("txt2img", 1.7).fraction == 1.0
    assert StageProgress("txt2img", -0.2).fraction == 0.0


def test_a_guarded_listener_passes_progress_on_and_none_does_nothing() -> None:
    guarded_progress(None)(StageProgress("txt2img", 0.5))  # no listener: a no-op
    seen: list[StageProgress] = []
    guarded_progress(seen.append)(StageProgress("txt2img", 0.5, step=10, total=20))
    assert seen == [StageProgress("txt2img", 0.5, step=10, total=20)]


def test_a_failing_listener_goes_to_on_error_never_to_the_caller() -> None:
    def broken(progress: StageProgress) -> None:
        raise RuntimeError("display gone")

    errors: list[Exception] = []
    guarded_progress(broken, errors.append)(StageProgress("txt2img", 0.5))
    guarded_progress(broken)(StageProgress("txt2img", 0.5))  # default: swallowed
    assert [str(e) for e in errors] == ["display gone"]


def _runner(tmp_path: Path, backend: ImageBackend) -> PipelineRunner:
    return PipelineRunner(backend=backend, clock=FakeClock(tick_s=0.25), output_dir=tmp_path / "out")


def _config(*stages: str) -> PipelineConfig:
    return parse_pipeline_config({"prompt": "a fox", **{stage: {} for stage in stages}})


def test_a_failing_listener_is_logged_by_the_runner_and_the_run_succeeds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(progress: StageProgress) -> None:
        raise RuntimeError("display gone")

    runner = _runner(tmp_path, FakeImageBackend(progress_steps=2))
    with caplog.at_level(logging.DEBUG, logger="stablenew.pipeline"):
        assert runner.run(_config("txt2img"), progress=broken).success
    assert "progress listener failed" in caplog.text and "display gone" in caplog.text


def test_two_runs_sharing_one_backend_each_hear_only_their_own_stages(tmp_path: Path) -> None:
    backend = FakeImageBackend(progress_steps=3)  # one instance, as the container shares it
    both_running = threading.Barrier(2, timeout=5)
    heard: dict[str, list[str]] = {"one": [], "two": []}

    def listener(name: str) -> object:
        def hear(progress: StageProgress) -> None:
            if not heard[name]:
                both_running.wait()  # the first report of each run waits for the other run to start
            heard[name].append(progress.describe())

        return hear

    runs = {"one": _config("txt2img"), "two": _config("txt2img", "img2img")}
    threads = [
        threading.Thread(target=_runner(tmp_path / name, backend).run, args=(config,),
                         kwargs={"progress": listener(name)})
        for name, config in runs.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert heard["one"] == ["txt2img 1/3", "txt2img 2/3", "txt2img 3/3"]
    assert heard["two"] == [*heard["one"], "img2img 1/3", "img2img 2/3", "img2img 3/3"]


def test_validate_is_abstract_so_a_backend_says_what_it_checks() -> None:
    class Silent(ImageBackend):
        def generate(self, request, cancel=None, progress=None):  # type: ignore[no-untyped-def]
            raise NotImplementedError

        def check(self):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    with pytest.raises(TypeError, match="validate"):
        Silent()  # type: ignore[abstract]
