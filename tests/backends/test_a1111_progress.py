"""A1111 /sdapi/v1/progress reaches the port's progress listener as StageProgress values."""

from __future__ import annotations

from pathlib import Path

from tests.backends.a1111_helpers import a1111_container, pipeline
from tests.servers import a1111_fixtures
from tests.servers.a1111_server import FakeA1111Server

from stablenew.adapters.backends.a1111.watch import stage_progress
from stablenew.domain.run.generation import StageProgress

a1111_server = a1111_fixtures.a1111_server  # the fixture, by name


def test_each_stage_reports_rising_fractions_with_its_sampling_steps(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    a1111_server.generation_delay_s = 0.8
    seen: list[StageProgress] = []
    container = a1111_container(a1111_server, tmp_path)
    result = container.pipeline_controller().run(
        pipeline(txt2img={"steps": 20}, img2img={"steps": 10, "denoising_strength": 0.5}),
        progress=seen.append,
    )
    assert result.success, result.error
    for stage, steps in (("txt2img", 20), ("img2img", 10)):
        running = [p for p in seen if p.stage == stage and p.total is not None]
        assert len(running) >= 3, seen
        assert {p.total for p in running} == {steps}
        fractions = [p.fraction for p in running]
        assert fractions == sorted(fractions) and 0 < fractions[-1] <= 1
        steps_seen = [p.step or 0 for p in running]
        assert steps_seen == sorted(steps_seen) and steps_seen[-1] <= steps
        assert running[-1].detail == f"scripts_{stage}"


def test_a_progress_answer_without_numbers_still_reads() -> None:
    idle = stage_progress("txt2img", {"progress": 0, "state": {"job": "", "sampling_step": 0,
                                                                 "sampling_steps": 0}})
    assert (idle.fraction, idle.step, idle.total, idle.detail) == (0.0, None, None, "")
    odd = stage_progress("img2img", {"progress": "soon", "state": "busy"})
    assert (odd.fraction, odd.step, odd.total) == (0.0, None, None)
    assert stage_progress("txt2img", {"progress": 0.5, "state": {"sampling_step": 6, "sampling_steps": 12,
                                                                 "job": "Batch 1 out of 2"}}) == (
        StageProgress("txt2img", 0.5, step=6, total=12, detail="Batch 1 out of 2"))
