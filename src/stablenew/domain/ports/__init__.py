"""The abstract interfaces the core needs; adapters implement them."""

from stablenew.domain.ports.clock import Clock
from stablenew.domain.ports.image_backend import ImageBackend
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.ports.plan_lock import PlanLocks
from stablenew.domain.ports.record_scan import LineDefect, LogHealth, RecordScan
from stablenew.domain.ports.record_sink import RecordLog, RecordReadReport, RecordSink, RecordSource

__all__ = [
    "Clock",
    "ImageBackend",
    "LineDefect",
    "LogHealth",
    "PipelineRun",
    "PlanLocks",
    "RecordLog",
    "RecordReadReport",
    "RecordScan",
    "RecordSink",
    "RecordSource",
]
