"""Pytest fixtures for the fake AUTOMATIC1111 server; import them from a conftest::

    from tests.servers.a1111_fixtures import a1111_server, a1111_server_factory  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .a1111_server import FakeA1111Server


@pytest.fixture
def a1111_server() -> Iterator[FakeA1111Server]:
    """A started fake A1111 WebUI (no auth, default catalog) on 127.0.0.1; stopped after the test."""
    with FakeA1111Server() as server:
        yield server


@pytest.fixture
def a1111_server_factory() -> Iterator[Callable[..., FakeA1111Server]]:
    """Start fake servers with custom arguments (auth, catalog...); all are stopped after the test."""
    started: list[FakeA1111Server] = []

    def make(**kwargs: Any) -> FakeA1111Server:
        server = FakeA1111Server(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
