"""Shared fixtures: the real container with fakes at its edges, and a working directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stablenew.container import Container, build_container
from stablenew.settings import load_app_config
from tests.fakes import FakeClock, FakeImageBackend


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No STABLENEW_* variable or ./stablenew.toml of the developer's leaks into a test."""
    import os

    for key in list(os.environ):
        if key.startswith("STABLENEW_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(tick_s=0.25)


@pytest.fixture
def fake_backend() -> FakeImageBackend:
    return FakeImageBackend()


@pytest.fixture
def container(tmp_path: Path, fake_clock: FakeClock, fake_backend: FakeImageBackend) -> Iterator[Container]:
    """The real container (procedural backend, JSONL writer) with the clock and backend faked."""
    built = build_container(load_app_config(None, output_dir=tmp_path / "output"))
    with built.clock.override(fake_clock), built.backend.override(fake_backend):
        yield built
