"""Pytest fixture for the fake ComfyUI server.

Use it from a test module (this form keeps ruff's F811 quiet) or from a conftest::

    from tests.servers import comfyui_fixtures

    comfyui_server = comfyui_fixtures.comfyui_server

The fixture yields a started :class:`FakeComfyUIServer` (fresh per test, default catalog,
``step_delay_s=0``) and stops it afterwards. Parametrize it indirectly to change the constructor
arguments::

    @pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 0.05}], indirect=True)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .comfyui_server import FakeComfyUIServer


@pytest.fixture
def comfyui_server(request: pytest.FixtureRequest) -> Iterator[FakeComfyUIServer]:
    kwargs = getattr(request, "param", None) or {}
    with FakeComfyUIServer(**kwargs) as server:
        yield server
