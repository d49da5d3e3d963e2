"""The composition root: real adapters by default, fakes override only the edges."""

from __future__ import annotations

from pathlib import Path

from dependency_injector import providers

from stablenew.adapters.backends.procedural import ProceduralBackend
from stablenew.adapters.clock import SystemClock
from stablenew.adapters.pipeline import PipelineRunner
from stablenew.adapters.records import LearningRecordWriter
from stablenew.container import Container, build_container
from stablenew.controller.pipeline_controller import PipelineController
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.settings import load_app_config
from tests.fakes import FakeClock, FakeImageBackend, FakePipelineRun, MemoryRecordSink

CONFIG = parse_pipeline_config({"prompt": "p", "txt2img": {"seed": 1}})


def test_default_wiring_uses_the_real_adapters(tmp_path: Path) -> None:
    built = build_container(load_app_config(None, output_dir=tmp_path / "o"))
    assert isinstance(built.clock(), SystemClock) and isinstance(built.backend(), ProceduralBackend)
    runner = built.pipeline_runner()
    assert isinstance(runner, PipelineRunner) and runner is built.pipeline_runner()  # a singleton
    assert runner.output_dir == tmp_path / "o"
    writer = built.record_sink_factory(tmp_path / "r.jsonl")
    assert isinstance(writer, LearningRecordWriter) and writer.path == tmp_path / "r.jsonl"
    controller = built.pipeline_controller()
    assert isinstance(controller, PipelineController) and controller.learning_enabled is False
    assert controller.records_path == tmp_path / "o" / "learning" / "learning_records.jsonl"
    assert built.app_config().output_dir == tmp_path / "o"


def test_the_fixture_container_has_fake_edges(
    container: Container, fake_backend: FakeImageBackend, fake_clock: FakeClock
) -> None:
    result = container.pipeline_controller().run(CONFIG)
    assert result.success and result.backend == "fake" and len(fake_backend.requests) == 1
    assert result.started_at.year == 2026 and fake_clock.now() > result.started_at


def test_overriding_the_runner_and_the_sink_factory(tmp_path: Path) -> None:
    built = build_container(load_app_config(None, output_dir=tmp_path))
    built.config.learning.enabled.from_value(True)
    run, sink = FakePipelineRun(), MemoryRecordSink()
    with (
        built.pipeline_runner.override(run),
        built.record_sink_factory.override(providers.Callable(lambda path: sink)),
    ):
        built.pipeline_controller().run(CONFIG)
    assert len(run.calls) == 1 and run.calls[0].record_sink is sink and len(sink.records) == 1
    assert not list(tmp_path.rglob("*.jsonl"))
