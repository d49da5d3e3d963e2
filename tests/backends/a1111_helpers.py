"""Helpers for the A1111 backend tests: app configs pointing at the fake server, pipelines, records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.servers.a1111_server import FakeA1111Server

from stablenew.container import Container, build_container
from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.settings import load_app_config

TXT2IMG = "/sdapi/v1/txt2img"
IMG2IMG = "/sdapi/v1/img2img"
EXTRAS = "/sdapi/v1/extra-single-image"
GENERATION_PATHS = (TXT2IMG, IMG2IMG, EXTRAS)
# Fast but real: tiny backoff, quick polling, short timeouts.
FAST = {"retry_backoff_s": 0.01, "progress_interval_s": 0.05, "stage_timeout_s": 5.0, "retries": 2,
        "interrupt_grace_s": 2.0}


def a1111_container(server: FakeA1111Server | str, tmp_path: Path, *, learning: bool = True,
                    **a1111: Any) -> Container:
    """The real container with backend = "a1111" at the fake server (or a URL), records on."""
    base_url = server if isinstance(server, str) else server.base_url
    app = load_app_config(None, backend="a1111", output_dir=tmp_path / "output",
                          learning={"enabled": learning}, a1111={"base_url": base_url, **FAST, **a1111})
    return build_container(app)


def app_toml(path: Path, base_url: str, *, learning: bool = True, **a1111: Any) -> Path:
    """A stablenew.toml selecting the a1111 backend, with [a1111] keys."""
    lines = ['backend = "a1111"', f'output_dir = "{(path.parent / "output").as_posix()}"',
             "[learning]", f"enabled = {str(learning).lower()}", "[a1111]", f'base_url = "{base_url}"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in {**FAST, **a1111}.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def pipeline(**stages: Any) -> PipelineConfig:
    """A pipeline config with a prompt and the given stage tables (txt2img by default)."""
    data: dict[str, Any] = {"prompt": "a lighthouse at dusk", "negative_prompt": "blurry"}
    data.update(stages or {"txt2img": {"steps": 4}})
    return parse_pipeline_config(data)


def pipeline_toml(path: Path, body: str) -> Path:
    """Write a pipeline config file (TOML text after the prompt lines)."""
    path.write_text('prompt = "a lighthouse at dusk"\nnegative_prompt = "blurry"\n' + body, encoding="utf-8")
    return path


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every record of a JSONL log."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def generation_requests(server: FakeA1111Server) -> int:
    """How many generation (and upscale) requests the server received."""
    return sum(server.count(path) for path in GENERATION_PATHS)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
