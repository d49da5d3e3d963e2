"""PipelineController: the sink factory is asked for a writer only when learning is on."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.fakes import FakeClock, FakeImageBackend, FakePipelineRun, MemoryRecordSink

from stablenew.container import Container, build_container
from stablenew.controller.pipeline_controller import PipelineController
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.errors import InputError
from stablenew.domain.ports.record_sink import RecordSink
from stablenew.domain.run.cancel import CancelToken
from stablenew.settings import load_app_config

CONFIG = parse_pipeline_config({"prompt": "a red fox", "txt2img": {"seed": 3}})


class RecordingSinkFactory:
    """Stands in for the container's writer factory; remembers every path it was asked for."""

    def __init__(self) -> None:
        self.paths: list[Path] = []
        self.sinks: list[MemoryRecordSink] = []

    def __call__(self, path: Path) -> RecordSink:
        self.paths.append(path)
        self.sinks.append(MemoryRecordSink())
        return self.sinks[-1]


def _controller(enabled: bool) -> tuple[PipelineController, FakePipelineRun, RecordingSinkFactory]:
    run, factory = FakePipelineRun(), RecordingSinkFactory()
    controller = PipelineController(
        pipeline_run=run, sink_factory=factory, records_path="rec/log.jsonl", learning_enabled=enabled
    )
    return controller, run, factory


def test_pipeline_controller_respects_learning_toggle() -> None:
    controller, run, factory = _controller(enabled=False)
    controller.run(CONFIG)
    assert factory.paths == [] and run.calls[0].record_sink is None
    controller.set_learning_enabled(True)
    controller.run(CONFIG)
    assert factory.paths == [Path("rec/log.jsonl")]
    assert run.calls[1].record_sink is factory.sinks[0]
    assert len(factory.sinks[0].records) == 1  # the writer's append_record was called once
    controller.set_learning_enabled(False)
    controller.run(CONFIG)
    assert len(factory.paths) == 1 and run.calls[2].record_sink is None


def test_learning_is_off_by_default() -> None:
    assert load_app_config().learning.enabled is False
    run = FakePipelineRun()
    controller = PipelineController(pipeline_run=run, sink_factory=RecordingSinkFactory(), records_path="x")
    assert controller.learning_enabled is False


def test_a_failed_run_still_gets_its_record_and_the_cancel_token_is_passed_on() -> None:
    controller, run, factory = _controller(enabled=True)
    run.fail_when = lambda config: True
    token = CancelToken()
    result = controller.run(CONFIG, cancel=token)
    assert not result.success and run.calls[0].cancel is token
    assert factory.sinks[0].records[0].success is False


def _container(tmp_path: Path) -> Container:
    return build_container(load_app_config(None, output_dir=tmp_path / "out"))


def test_through_the_container_records_appear_when_on_and_none_when_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    off = _container(tmp_path)
    with off.clock.override(FakeClock()), off.backend.override(FakeImageBackend()):
        assert off.pipeline_controller().run(CONFIG).success
    assert not list(tmp_path.rglob("*.jsonl"))
    monkeypatch.setenv("STABLENEW_LEARNING__ENABLED", "true")
    on = _container(tmp_path)
    with on.clock.override(FakeClock()), on.backend.override(FakeImageBackend()):
        controller = on.pipeline_controller()
        result = controller.run(CONFIG)
    assert controller.records_path == tmp_path / "out" / "learning" / "learning_records.jsonl"
    (record,) = on.record_sink_factory(controller.records_path).read().records
    assert record.run_id == result.run_id


def test_a_record_that_cannot_be_written_is_a_warning_and_the_run_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("STABLENEW_LEARNING__ENABLED", "1")
    monkeypatch.setenv("STABLENEW_LEARNING__RECORDS_PATH", "/dev/full")  # opens for append, holds nothing
    built = _container(tmp_path)
    with built.clock.override(FakeClock()), built.backend.override(FakeImageBackend()):
        result = built.pipeline_controller().run(CONFIG)
    assert result.success and result.record_error
    assert "was not written" in caplog.text


def test_a_record_directory_under_a_regular_file_fails_the_preflight_and_nothing_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a regular file: nothing can be created under it, not even by root")
    monkeypatch.setenv("STABLENEW_LEARNING__ENABLED", "1")
    monkeypatch.setenv("STABLENEW_LEARNING__RECORDS_PATH", str(blocker / "learning" / "records.jsonl"))
    built = _container(tmp_path)
    backend = FakeImageBackend()
    with built.clock.override(FakeClock()), built.backend.override(backend), \
            pytest.raises(InputError, match="record log is under a regular file"):
        built.pipeline_controller().run(CONFIG)
    assert blocker.read_text().startswith("a regular file") and backend.requests == []  # nothing ran
