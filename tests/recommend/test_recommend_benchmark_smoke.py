"""The recommend benchmark runs end to end on a small log and prints its three lines."""

from __future__ import annotations

import pytest
from benchmarks.bench_recommend import main


def test_the_benchmark_runs_on_a_small_log(capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    main(records=800, ratings=400)
    out = capsys.readouterr().out
    assert "recommend: 800 records" in out and "DuckDB read_json scan (baseline)" in out
    assert "recommend --plan --json" in out and "ratings of 16 steps" in out
