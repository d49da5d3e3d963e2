"""Hand-written fakes of the core's ports: they keep state in memory and expose what they recorded."""

from tests.fakes.fake_backend import FakeImageBackend
from tests.fakes.fake_clock import FakeClock
from tests.fakes.fake_observations import FakeObservationSource
from tests.fakes.fake_pipeline_run import FakePipelineRun
from tests.fakes.memory_sink import FailingRecordSink, MemoryRecordSink

__all__ = [
    "FailingRecordSink",
    "FakeClock",
    "FakeImageBackend",
    "FakeObservationSource",
    "FakePipelineRun",
    "MemoryRecordSink",
]
