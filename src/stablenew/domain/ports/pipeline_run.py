"""PipelineRun port: run one pipeline config, optionally writing its record."""

from __future__ import annotations

from abc import ABC, abstractmethod

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.ports.record_sink import RecordSink
from stablenew.domain.records.record import LearningContext
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.generation import ProgressListener
from stablenew.domain.run.results import PipelineRunResult


class PipelineRun(ABC):
    """Runs the enabled stages of a config in order; never raises for a failed stage."""

    @abstractmethod
    def run(
        self,
        config: PipelineConfig,
        *,
        record_sink: RecordSink | None = None,
        learning_context: LearningContext | None = None,
        cancel: CancelToken | None = None,
        progress: ProgressListener | None = None,
    ) -> PipelineRunResult:
        """Run once; when `record_sink` is given, write exactly one record for this run to it.

        `progress` is handed to the backend with each stage of this run only (never kept)."""
        raise NotImplementedError
