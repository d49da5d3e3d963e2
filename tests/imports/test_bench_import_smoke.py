"""The import benchmark runs end to end (small size) and reports its figures."""

from __future__ import annotations

import pytest
from benchmarks.bench_import import main


def test_the_import_benchmark_runs_on_a_small_library(capsys: pytest.CaptureFixture[str]) -> None:
    main(files=40)
    out = capsys.readouterr().out
    assert out.startswith("import: 40 PNGs in ") and "bare Pillow loop (image.text)" in out
    assert "peak Python memory" in out
