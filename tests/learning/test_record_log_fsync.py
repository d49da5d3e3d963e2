"""A failed fsync or write is not a written record: the writer cuts the line back under the lock, so
the log holds only acknowledged records and a resumed plan runs the step again (issue 8 items 2, 3)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from dependency_injector import providers
from tests.learning.records_helpers import record

from stablenew.adapters.files import load_plan
from stablenew.adapters.records import LearningRecordWriter, read_records
from stablenew.adapters.records.jsonl_writer import encode_record
from stablenew.container import Container


def _failing_fsync(fail_on: set[int]) -> Callable[[int], None]:
    """An fsync that raises EIO on the given calls (1-based) and really syncs on the others."""
    calls = [0]

    def fsync(fd: int) -> None:
        calls[0] += 1
        if calls[0] in fail_on:
            raise OSError(errno.EIO, "Input/output error")
        os.fsync(fd)

    return fsync


def _short_then_full(fd: int, data: bytes) -> int:
    """A write that stores half the line, then finds the disk full (ENOSPC) for the rest."""
    if len(data) > 40 and os.fstat(fd).st_size % 2 == 0:
        return os.write(fd, data[: len(data) // 2 | 1])  # an odd count, so the next call fails
    raise OSError(errno.ENOSPC, "No space left on device")


def _interrupting_fsync(fd: int) -> None:
    raise KeyboardInterrupt


def test_a_record_whose_fsync_fails_is_cut_back_out_of_the_log(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    writer = LearningRecordWriter(path, fsync=_failing_fsync({2}))
    writer.append_record(record("run-1"))
    with pytest.raises(OSError, match="Input/output error"):
        writer.append_record(record("run-2"))
    assert path.read_bytes() == encode_record(record("run-1"))
    writer.append_record(record("run-3"))
    assert [r.run_id for r in read_records(path).records] == ["run-1", "run-3"]


def test_a_failed_first_append_leaves_an_empty_log(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    with pytest.raises(OSError):
        LearningRecordWriter(path, fsync=_failing_fsync({1})).append_record(record("run-1"))
    assert path.read_bytes() == b""


def test_a_short_write_that_then_fails_leaves_no_partial_line(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    LearningRecordWriter(path).append_record(record("run-1"))
    with pytest.raises(OSError, match="No space left"):
        LearningRecordWriter(path, write=_short_then_full).append_record(record("run-2"))
    assert path.read_bytes() == encode_record(record("run-1"))


def test_ctrl_c_during_the_fsync_leaves_no_unacknowledged_record(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    LearningRecordWriter(path).append_record(record("run-1"))
    with pytest.raises(KeyboardInterrupt):
        LearningRecordWriter(path, fsync=_interrupting_fsync).append_record(record("run-2"))
    assert path.read_bytes() == encode_record(record("run-1"))


PLAN = """[plan]
name = "fsync"
seed = 3

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "4, 6, 8"

[base]
prompt = "a heron"

[base.txt2img]
width = 64
height = 64
"""


def test_a_step_whose_record_fsync_failed_is_not_done_and_runs_again_on_resume(
    tmp_path: Path, container: Container
) -> None:
    (tmp_path / "plan.toml").write_text(PLAN, encoding="utf-8")
    plan = load_plan(tmp_path / "plan.toml")
    log = Path(container.config.records_path())
    flaky = providers.Factory(LearningRecordWriter, fsync=_failing_fsync({2}))  # the 2nd step's record
    with container.record_sink_factory.override(flaky):
        first = container.learning_execution_controller().run_learning_plan(plan, grid=False)
    assert [r.success for r in first.step_results] == [True, False, True]
    assert "record NOT written: [Errno 5] Input/output error" in (first.step_results[1].error or "")
    assert len(read_records(log).records) == 2  # what the tool said is what the log holds
    controller = container.learning_execution_controller()
    assert [s.key for s in controller.plan_status(plan).pending] == [first.step_results[1].step.key]
    again = controller.run_learning_plan(plan, resume=True, grid=False)
    assert (again.summary.already_done, again.summary.executed, again.failures) == (2, 1, ())
    keys = [r.learning["step_key"] for r in read_records(log).records]
    assert sorted(keys) == sorted(r.step.key for r in first.step_results)  # one record per step
