"""The one composition root: only this module builds adapters; a Selector picks the backend."""

from __future__ import annotations

from dependency_injector import containers, providers

from stablenew.adapters.backends.procedural import ProceduralBackend
from stablenew.adapters.clock import SystemClock
from stablenew.adapters.pipeline import PipelineRunner
from stablenew.adapters.records import LearningRecordWriter
from stablenew.controller.pipeline_controller import PipelineController
from stablenew.settings import AppConfig


class Container(containers.DeclarativeContainer):
    """Wires ports to adapters from AppConfig; tests override the edges with fakes."""

    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)
    backend = providers.Selector(
        config.backend,
        procedural=providers.Singleton(ProceduralBackend),
    )
    record_sink_factory = providers.Factory(LearningRecordWriter)
    pipeline_runner = providers.Singleton(
        PipelineRunner, backend=backend, clock=clock, output_dir=config.output_dir
    )
    pipeline_controller = providers.Factory(
        PipelineController,
        pipeline_run=pipeline_runner,
        sink_factory=record_sink_factory.provider,
        records_path=config.records_path,
        learning_enabled=config.learning.enabled,
    )


def build_container(app_config: AppConfig) -> Container:
    """A container configured from `app_config` (secrets stay SecretStr until an adapter needs them)."""
    container = Container()
    values = app_config.model_dump()
    values["records_path"] = app_config.records_path
    container.config.from_dict(values)
    container.app_config = providers.Object(app_config)
    return container
