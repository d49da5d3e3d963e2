"""Every stage's PNG carries an infotext A1111 reads back as the run ran (procedural and ComfyUI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests.backends.comfyui_helpers import write_toml
from tests.servers import comfyui_fixtures
from tests.servers.comfyui_server import FakeComfyUIServer
from typer.testing import CliRunner

from stablenew.adapters.pipeline.png_files import JSON_CHUNK, read_png_text
from stablenew.adapters.records import read_records
from stablenew.cli import app
from stablenew.domain.records.infotext import parse_infotext

comfyui_server = comfyui_fixtures.comfyui_server

PROMPT = 'a "quiet" harbour, dusk: oil\\paint'
CONFIG = f"""prompt = {json.dumps(PROMPT)}
negative_prompt = "blurry, low: quality"
[metadata]
session = "s-1"
[txt2img]
model = "{{model}}"
sampler_name = "k_dpmpp_2m"
scheduler = "karras"
cfg_scale = 5.3333333333
steps = 3
width = 64
height = 64
seed = 77
[img2img]
denoising_strength = 0.35
{{adetailer}}
[upscale]
upscaler = "Lanczos"
upscaling_resize = 1.5
"""
ADETAILER = '[adetailer]\nad_prompt = "a face, smiling"\nad_confidence = 0.5\n'


def _run(tmp_path: Path, config: str, *extra: str) -> list[dict[str, Any]]:
    path = tmp_path / "p.toml"
    path.write_text(config, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["run", str(path), "--learning", "--output", str(tmp_path / "out"), *extra]
    )
    assert result.exit_code == 0, result.output
    (record,) = read_records(tmp_path / "out" / "learning" / "learning_records.jsonl").records
    return list(record.data["stage_events"])


def _check(events: list[dict[str, Any]], model: str) -> None:
    for event in events:
        (image,) = event["images"]
        text = read_png_text(image["path"])
        parsed = parse_infotext(text["parameters"])
        assert (parsed.prompt, parsed.negative_prompt) == (PROMPT, "blurry, low: quality"), event["stage"]
        assert parsed.get("Steps") == "3" and parsed.get("CFG scale") == "5.3333333333"
        assert (parsed.get("Sampler"), parsed.get("Schedule type")) == ("DPM++ 2M", "Karras")
        assert parsed.get("Seed") == "77" and parsed.get("Model") == model
        assert json.loads(text[JSON_CHUNK])["metadata"] == {"session": "s-1"}
        with Image.open(image["path"]) as png:
            size = png.size
        if event["stage"] == "upscale":
            assert parsed.size() == (64, 64) and size == (96, 96)
            assert (parsed.get("Postprocess upscale by"), parsed.get("Postprocess upscaler")) == (
                "1.5",
                "Lanczos",
            )
            assert text["postprocessing"] == "Postprocess upscale by: 1.5, Postprocess upscaler: Lanczos"
        else:
            assert parsed.size() == size == (64, 64), event["stage"]
        if event["stage"] == "img2img":
            assert parsed.get("Denoising strength") == "0.35"
        if event["stage"] == "adetailer":
            assert (
                parsed.get("ADetailer prompt") == "a face, smiling"
                and parsed.get("ADetailer confidence") == "0.5"
            )


def test_procedural_every_stage_round_trips(tmp_path: Path) -> None:
    events = _run(tmp_path, CONFIG.format(model="models/sd15.safetensors", adetailer=ADETAILER))
    assert [e["stage"] for e in events] == ["txt2img", "img2img", "adetailer", "upscale"]
    _check(events, "sd15")


@pytest.mark.parametrize("comfyui_server", [{"checkpoints": ("sd15.safetensors",)}], indirect=True)
def test_comfyui_every_stage_round_trips(comfyui_server: FakeComfyUIServer, tmp_path: Path) -> None:
    settings = write_toml(
        tmp_path / "stablenew.toml",
        f'backend = "comfyui"\n[comfyui]\nbase_url = '
        f'"{comfyui_server.base_url}"\npoll_interval_s = 0.05\nretry_backoff_s = 0.0\n',
    )
    events = _run(tmp_path, CONFIG.format(model="sd15", adetailer=""), "--config", str(settings))
    assert [e["stage"] for e in events] == ["txt2img", "img2img", "upscale"]
    _check(events, "sd15")
