"""The learning-plan benchmark runs end to end (small size) and reports a rate."""

from __future__ import annotations

import pytest
from benchmarks.bench_learning_plan import main


def test_the_benchmark_runs_a_small_plan(capsys: pytest.CaptureFixture[str]) -> None:
    rate = main(steps=200)
    assert rate > 0
    assert "learning plan: 200 steps, 200 records in" in capsys.readouterr().out
