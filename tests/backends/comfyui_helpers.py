"""Shared helpers for the ComfyUI backend tests: a backend on a fake server, configs, tiny PNGs."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from stablenew.adapters.backends.comfyui import (
    ComfyUIBackend,
    ComfyUIClient,
    Templates,
    Timing,
    comfyui_retry_policy,
)
from stablenew.domain.config.pipeline import PipelineConfig, StageConfig

_DEFAULTS: dict[str, Any] = {
    "retries": 2,
    "retry_backoff_s": 0.0,
    "poll_interval_s": 0.05,
    "stall_timeout_s": 5.0,
    "stage_timeout_s": 20.0,
    "connect_timeout_s": 2.0,
}


def make_backend(base_url: str, **kwargs: Any) -> ComfyUIBackend:
    """A backend with fast timings against `base_url` (the real httpx client, no mocks)."""
    timeout = kwargs.pop("request_timeout_s", 5.0)
    options: dict[str, Any] = {**_DEFAULTS, "seed_source": random.Random(7)}
    options.update(kwargs)
    unknown = set(options) - {*_DEFAULTS, "seed_source", "workflows", "mappings"}
    assert not unknown, f"make_backend does not know {sorted(unknown)}"
    http = httpx.Client(base_url=base_url, timeout=httpx.Timeout(timeout, connect=2.0))
    client = ComfyUIClient(http, policy=comfyui_retry_policy(options["retries"], options["retry_backoff_s"]),
                           connect_timeout_s=options["connect_timeout_s"])
    return ComfyUIBackend(
        client,
        base_url=base_url,
        templates=Templates(options.get("workflows") or {}, options.get("mappings") or {}),
        timing=Timing(options["stage_timeout_s"], options["stall_timeout_s"], options["poll_interval_s"]),
        connect_timeout_s=options["connect_timeout_s"],
        seed_source=options["seed_source"],
    )


def config(**stages: dict[str, Any]) -> PipelineConfig:
    """A pipeline config with the given stage tables (txt2img 64x64 by default)."""
    tables = stages or {"txt2img": {}}
    built = []
    for name, params in tables.items():
        base = {"width": 64, "height": 64, "steps": 3} if name == "txt2img" else {}
        built.append(StageConfig(name, {**base, **params}))
    return PipelineConfig(prompt="a lighthouse at dusk", negative_prompt="blurry", stages=tuple(built))


def png(size: tuple[int, int] = (32, 32), colour: tuple[int, int, int] = (200, 10, 10)) -> bytes:
    """PNG bytes of one flat colour."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def write_toml(path: Path, text: str) -> Path:
    """Write `text` to `path` and return it."""
    path.write_text(text, encoding="utf-8")
    return path


def comfy_container(folder: Path, base_url: str, extra: str = "", *, retries: int = 2) -> Any:
    """The real container from a stablenew.toml that selects ComfyUI at `base_url` with fast timings."""
    from stablenew.container import build_container
    from stablenew.settings import load_app_config

    path = write_toml(
        folder / "stablenew.toml",
        f"""backend = "comfyui"
output_dir = "{(folder / "output").as_posix()}"
[comfyui]
base_url = "{base_url}"
retries = {retries}
retry_backoff_s = 0.0
poll_interval_s = 0.05
request_timeout_s = 0.5
connect_timeout_s = 1.0
{extra}
""",
    )
    return build_container(load_app_config(path))


_HELD_PORTS: list[Any] = []


def free_port() -> int:
    """A port nothing listens on: bound but never listening, and held for the whole test session.

    Held, so no server of a parallel test worker can take the port in between: a connection to it
    is refused, every time.
    """
    import atexit
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _HELD_PORTS.append(sock)
    atexit.register(sock.close)
    return int(sock.getsockname()[1])
