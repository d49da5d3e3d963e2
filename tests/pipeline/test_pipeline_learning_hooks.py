"""PipelineRunner's learning hook: one record per run when given a sink, none without, never a crash."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from tests.fakes import FailingRecordSink, FakeClock, FakeImageBackend, MemoryRecordSink

from stablenew.adapters.pipeline import PipelineRunner
from stablenew.adapters.pipeline.png_files import read_png_text
from stablenew.adapters.records import LearningRecordWriter
from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.records.record import LearningContext
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError, FailureKind
from stablenew.domain.run.generation import StageOutput

CONFIG = {
    "prompt": "a red fox",
    "negative_prompt": "blurry",
    "prompt_pack": "animals",
    "prompt_id": "fox-1",
    "txt2img": {"steps": 12, "seed": -1},
    "img2img": {"denoising_strength": 0.4},
}


def _config(data: dict | None = None) -> PipelineConfig:
    return parse_pipeline_config(data or CONFIG)


def _runner(tmp_path: Path, backend: FakeImageBackend | None = None) -> PipelineRunner:
    return PipelineRunner(
        backend=backend or FakeImageBackend(seed=99),
        clock=FakeClock(tick_s=0.25),
        output_dir=tmp_path / "out",
    )


def test_pipeline_runner_emits_learning_record_when_enabled(tmp_path: Path) -> None:
    sink = MemoryRecordSink()
    result = _runner(tmp_path).run(_config(), record_sink=sink)
    assert result.success and result.record_error is None
    (record,) = sink.records
    assert record.run_id == result.run_id and record.success is True
    assert record.prompt_pack == "animals" and record.prompt_id == "fox-1"
    assert record.stages == ["txt2img", "img2img"]
    assert record.config["txt2img"]["seed"] == 99  # the random seed the backend drew
    assert record.config["img2img"]["steps"] == 12  # inherited
    assert [e["stage"] for e in record.stage_events] == ["txt2img", "img2img"]
    assert all(Path(path).is_file() for paths in record.outputs.values() for path in paths)


def test_no_sink_means_no_record_and_a_learning_context_is_carried(tmp_path: Path) -> None:
    runner = _runner(tmp_path)
    result = runner.run(_config(), record_sink=None)
    assert result.success and not list(tmp_path.rglob("*.jsonl"))
    sink = MemoryRecordSink()
    context = LearningContext(plan_id="p", plan_name="n", step_key="k", step_index=0, variables={"x": 1})
    runner.run(_config(), record_sink=sink, learning_context=context)
    assert sink.records[0].learning["step_key"] == "k" and sink.records[0].run_type == "learning"


def test_each_stage_gets_the_previous_image_and_is_timed(tmp_path: Path) -> None:
    backend = FakeImageBackend(seed=5)
    data = {**CONFIG, "txt2img": {"seed": 7, "batch_size": 2}, "upscale": {"upscaler": "Lanczos"}}
    result = _runner(tmp_path, backend).run(_config(data))
    stages = [r.stage for r in backend.requests]
    assert stages == ["txt2img", "img2img", "img2img", "upscale", "upscale"]  # one request per input image
    assert backend.requests[0].input_image is None
    assert all(r.input_image is not None for r in backend.requests[1:])
    assert [len(e.images) for e in result.events] == [2, 2, 2]
    assert all(e.duration_s >= 0 and e.ended_at >= e.started_at for e in result.events)
    assert [i.seed for i in result.events[0].images] == [7, 8]
    names = sorted(p.name for p in (tmp_path / "out" / "runs" / result.run_id).iterdir())
    assert names == [
        "01-txt2img-000.png",
        "01-txt2img-001.png",
        "02-img2img-000.png",
        "02-img2img-001.png",
        "03-upscale-000.png",
        "03-upscale-001.png",
    ]


def test_every_png_carries_a1111_infotext_and_a_json_chunk(tmp_path: Path) -> None:
    result = _runner(tmp_path).run(_config())
    text = read_png_text(result.events[0].images[0].path)
    lines = text["parameters"].split("\n")
    assert lines[0] == "a red fox" and lines[1] == "Negative prompt: blurry"
    assert "Steps: 12" in lines[2] and "Seed: 99" in lines[2] and "Version: StableNew" in lines[2]
    meta = json.loads(text["stablenew"])
    assert meta["run_id"] == result.run_id and meta["stage"] == "txt2img" and meta["params"]["seed"] == 99


def test_a_failing_stage_ends_the_run_and_its_record_says_why(tmp_path: Path) -> None:
    backend = FakeImageBackend(fail_stages={"img2img": "server said no"})
    data = {**CONFIG, "upscale": {"upscaler": "Lanczos"}}
    sink = MemoryRecordSink()
    result = _runner(tmp_path, backend).run(_config(data), record_sink=sink)
    assert not result.success and result.error == "img2img: server said no" and not result.cancelled
    assert [e.outcome for e in result.events] == ["success", "failed"]  # upscale never started
    (record,) = sink.records
    assert record.success is False and record.error == "img2img: server said no"
    failed = record.stage_events[1]
    assert failed["error"] == "server said no" and failed["error_kind"] == "execution_error"


class _ExplodingBackend(FakeImageBackend):
    def __init__(self, error: Exception, *, empty: bool = False) -> None:
        super().__init__()
        self.error, self.empty = error, empty

    def generate(self, request, cancel=None, progress=None):
        if self.empty:
            return StageOutput(images=())
        raise self.error


@pytest.mark.parametrize(
    ("error", "kind"),
    [(RuntimeError("bug"), "internal_error"), (OSError(28, "No space left on device"), "io_error")],
)
def test_an_unexpected_exception_is_a_failed_stage_not_a_crash(
    tmp_path: Path, error: Exception, kind: str
) -> None:
    sink = MemoryRecordSink()
    result = _runner(tmp_path, _ExplodingBackend(error)).run(_config(), record_sink=sink)
    assert not result.success and result.events[0].error_kind == kind
    assert type(error).__name__ in result.events[0].error
    assert sink.records[0].success is False


def test_a_backend_returning_no_image_fails_the_stage(tmp_path: Path) -> None:
    result = _runner(tmp_path, _ExplodingBackend(RuntimeError(), empty=True)).run(_config())
    assert not result.success and result.events[0].error_kind == "no_images"


def test_a_retried_backend_error_records_its_retries(tmp_path: Path) -> None:
    error = BackendError("timed out", kind=FailureKind.TIMEOUT, retries=3)
    result = _runner(tmp_path, _ExplodingBackend(error)).run(
        _config()
    )
    assert result.events[0].params["retries"] == 3 and result.events[0].error_kind == "timeout"


def test_a_cancelled_run_is_recorded_as_cancelled(tmp_path: Path) -> None:
    token = CancelToken()
    token.cancel("user pressed stop")
    sink = MemoryRecordSink()
    result = _runner(tmp_path).run(_config(), record_sink=sink, cancel=token)
    assert result.cancelled and not result.success
    assert result.events[0].outcome == "cancelled" and result.events[0].error == "user pressed stop"
    assert sink.records[0].cancelled is True


def test_a_record_that_cannot_be_written_is_a_warning_and_the_run_still_succeeds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sink = FailingRecordSink()
    with caplog.at_level(logging.WARNING, logger="stablenew.pipeline"):
        result = _runner(tmp_path).run(_config(), record_sink=sink)
    assert result.success and sink.attempts == 1
    assert "No space left on device" in result.record_error
    assert "was not written" in caplog.text


@pytest.mark.parametrize("error", [RuntimeError("sink bug"), KeyError("run_id"), MemoryError()])
def test_a_sink_raising_anything_else_fails_that_record_never_the_run(
    tmp_path: Path, error: Exception
) -> None:
    sink = FailingRecordSink(error)
    result = _runner(tmp_path).run(_config(), record_sink=sink)
    assert result.success and all(e.images for e in result.events)
    assert result.record_error is not None and result.record_error.startswith(type(error).__name__)


def test_a_real_writer_under_a_file_instead_of_a_directory_does_not_fail_the_run(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a regular file where the record directory should be")  # fails as root too
    result = _runner(tmp_path).run(_config(), record_sink=LearningRecordWriter(blocker / "learning.jsonl"))
    assert result.success and result.record_error and all(e.images for e in result.events)


def test_a_record_json_cannot_encode_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    config = PipelineConfig(prompt="x", stages=_config().stages, metadata={"ratio": float("inf")})
    result = _runner(tmp_path).run(config, record_sink=LearningRecordWriter(tmp_path / "r.jsonl"))
    assert result.success and "cannot be encoded as JSON" in result.record_error
