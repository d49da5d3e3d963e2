"""PipelineController: runs one pipeline, writing a learning record only when learning is on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.ports.image_backend import ImageBackend
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.ports.preflight import Preflight
from stablenew.domain.ports.record_scan import LogHealth
from stablenew.domain.ports.record_sink import RecordSink, RecordSource
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.generation import ProgressListener
from stablenew.domain.run.results import PipelineRunResult

SinkFactory = Callable[[Path], RecordSink]
SourceFactory = Callable[[Path], RecordSource]


class PipelineController:
    """The single-run entry point; `learning_enabled` starts from app config and may be toggled."""

    def __init__(
        self, *, pipeline_run: PipelineRun, sink_factory: SinkFactory, records_path: Path | str,
        learning_enabled: bool = False, image_backend: ImageBackend | None = None,
        source_factory: SourceFactory | None = None, preflight: Preflight | None = None,
        output_dir: Path | str | None = None, extra_logs: Sequence[Path | str] = (),
    ) -> None:
        self._pipeline_run = pipeline_run
        self._preflight = preflight
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.extra_logs = [Path(p) for p in extra_logs]  # other logs a run appends to (feedback)
        self._sink_factory = sink_factory
        self.records_path = Path(records_path)
        self.learning_enabled = learning_enabled
        self._backend = image_backend
        self._source_factory = source_factory

    def log_health(self) -> LogHealth | None:
        """The record log's defects when learning is on (the plan index makes this cheap), else None."""
        if not self.learning_enabled or self._source_factory is None:
            return None
        return self._source_factory(self.records_path).health()

    def validate(self, config: PipelineConfig, *, source: str | None = None) -> None:
        """Ask the backend to check the names the config uses before anything runs (ConfigError)."""
        if self._backend is not None:
            self._backend.validate([config], source=source)

    def set_learning_enabled(self, enabled: bool) -> None:
        """Turn passive learning records on or off for later runs."""
        self.learning_enabled = enabled

    def preflight(self) -> None:
        """Before the first image: the record log (when learning is on) opens for append and the
        output folder can be written; InputError (exit 2) naming the first that cannot."""
        if self._preflight is None:
            return
        logs = [self.records_path, *self.extra_logs] if self.learning_enabled else []
        folders = [self.output_dir] if self.output_dir is not None else []
        self._preflight.check(logs=logs, folders=folders)

    def run(
        self, config: PipelineConfig, *, cancel: CancelToken | None = None,
        progress: ProgressListener | None = None,
    ) -> PipelineRunResult:
        """Run once after the preflight; the sink is asked for only when learning is on, else the
        runner gets None. `progress` hears how far each stage of this run is."""
        self.preflight()
        sink = self._sink_factory(self.records_path) if self.learning_enabled else None
        return self._pipeline_run.run(config, record_sink=sink, cancel=cancel, progress=progress)
