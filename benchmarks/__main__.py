"""Run the benchmarks: all `bench_*` modules in turn, or only those named (`record_writer`)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

PREFIX = "bench_"


def available() -> list[str]:
    """The benchmark names (module names without the `bench_` prefix), sorted."""
    here = [str(Path(__file__).parent)]
    return sorted(
        m.name.removeprefix(PREFIX) for m in pkgutil.iter_modules(here) if m.name.startswith(PREFIX)
    )


def run(names: list[str]) -> int:
    """Run the named benchmarks (all when none is named); 0 when every target was met, 1 if one was missed."""
    known = available()
    unknown = [name for name in names if name.removeprefix(PREFIX) not in known]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)} (available: {', '.join(known)})", file=sys.stderr)
        return 2
    missed = 0
    for name in names or known:
        module = importlib.import_module(f"benchmarks.{PREFIX}{name.removeprefix(PREFIX)}")
        missed += module.main() is False
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
