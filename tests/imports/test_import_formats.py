"""`stablenew import` reads A1111/Forge infotext (PNG, JPEG, WebP), ComfyUI graphs and our own PNGs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stablenew.adapters.records import read_records
from stablenew.cli import app
from stablenew.domain.records.infotext import format_infotext
from tests.imports.images import a1111_infotext, comfy_graph, exif_image, png

LOG = "records.jsonl"


def _import(*args: str) -> Any:
    return CliRunner().invoke(app, ["import", *args, "--records", LOG])


def _records() -> list[dict[str, Any]]:
    return [dict(r.data) for r in read_records(Path(LOG)).records]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a1111_infotext_becomes_a_record_in_our_config_shape(tmp_path: Path, fmt: str) -> None:
    text = a1111_infotext()
    path = (
        png(tmp_path / "a.png", parameters=text)
        if fmt == "PNG"
        else exif_image(tmp_path / f"a.{fmt.lower()}", text, fmt)
    )
    result = _import(str(path))
    assert result.exit_code == 0, result.output
    (record,) = _records()
    assert record["run_type"] == "imported" and record["backend"] == "a1111"
    assert record["prompt"] == "a small red house by a lake" and record["negative_prompt"] == "blurry"
    assert record["config"]["txt2img"] == {
        "steps": 2,
        "cfg_scale": 7.0,
        "seed": 8473384,
        "model": "tiny",
        "sampler_name": "Euler",
        "scheduler": "Automatic",
        "width": 64,
        "height": 64,
    }
    imported = record["imported"]
    assert imported["path"] == str(path.resolve()) and imported["format"] == fmt
    assert imported["size_bytes"] == path.stat().st_size and len(imported["sha256"]) == 64
    assert imported["file_time"].endswith("+00:00") and imported["extra"]["Model hash"] == "6d338e2388"
    assert record["images"] == [str(path.resolve())]
    assert record["stage_events"][0]["images"][0]["sha256"] == imported["sha256"]


def test_old_combined_sampler_names_forge_and_hires_are_read(tmp_path: Path) -> None:
    old = "a cat\nSteps: 30, Sampler: DPM++ 2M Karras, CFG scale: 6.5, Seed: 7, Size: 512x768, Model: m"
    forge = (
        "a dog\nSteps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 1, Size: 64x64, "
        "Denoising strength: 0.4, Hires upscale: 2, Hires steps: 10, Hires upscaler: Latent, "
        "Version: f2.0.1v1.10.1-previous-313-g8a042934"
    )
    png(tmp_path / "old.png", parameters=old)
    png(tmp_path / "forge.png", (1, 2, 3), parameters=forge)
    assert _import(str(tmp_path)).exit_code == 0
    by_prompt = {r["prompt"]: r for r in _records()}
    assert by_prompt["a cat"]["config"]["txt2img"]["sampler_name"] == "DPM++ 2M"
    assert by_prompt["a cat"]["config"]["txt2img"]["scheduler"] == "Karras"
    dog = by_prompt["a dog"]
    assert dog["backend"] == "forge"
    assert {
        k: dog["config"]["txt2img"][k]
        for k in ("enable_hr", "hr_scale", "hr_second_pass_steps", "hr_upscaler", "hr_denoising_strength")
    } == {
        "enable_hr": True,
        "hr_scale": 2.0,
        "hr_second_pass_steps": 10,
        "hr_upscaler": "Latent",
        "hr_denoising_strength": 0.4,
    }


@pytest.mark.parametrize(
    "prompt",
    ['a "quoted", comma: colon', "line one\nline two", "ünïcödé ☃ 🦊, 漢字", 'back\\slash "x", y'],
    ids=["quotes-commas-colons", "newlines", "unicode", "backslash"],
)
def test_tricky_prompts_come_back_exactly(tmp_path: Path, prompt: str) -> None:
    params = {
        "steps": 4,
        "sampler_name": "Euler",
        "cfg_scale": 5.5,
        "seed": 3,
        "width": 64,
        "height": 64,
        "model": 'we"ird, name.safetensors',
    }
    text = format_infotext(prompt, "neg, with: comma", params, "1.10.1")
    png(tmp_path / "t.png", parameters=text)
    exif_image(tmp_path / "t.jpg", text, "JPEG")
    assert _import(str(tmp_path)).exit_code == 0
    records = _records()
    assert len(records) == 2
    for record in records:
        assert (record["prompt"], record["negative_prompt"]) == (prompt, "neg, with: comma")
        assert record["config"]["txt2img"]["model"] == 'we"ird, name'


def test_comfyui_graphs_are_followed_from_the_saved_image(tmp_path: Path) -> None:
    graph = comfy_graph("post-prompt-txt2img")
    shuffled = dict(reversed(list(graph.items())))  # node order must not matter
    shuffled["99"] = {
        "class_type": "KSampler",
        "inputs": {
            "seed": 1,
            "steps": 99,
            "cfg": 1.0,
            "sampler_name": "lms",
            "scheduler": "karras",
            "denoise": 1.0,
        },
    }  # feeds nothing
    png(tmp_path / "c.png", prompt=json.dumps(shuffled), workflow="{}")
    png(tmp_path / "i2i.png", (5, 5, 5), prompt=json.dumps(comfy_graph("post-prompt-img2img")))
    result = _import(str(tmp_path))
    assert result.exit_code == 0, result.output
    records = {Path(r["imported"]["path"]).name: r for r in _records()}
    txt = records["c.png"]
    assert txt["backend"] == "comfyui" and txt["imported"]["partial"] is False
    assert (txt["prompt"], txt["negative_prompt"]) == ("a small red house by a lake", "blurry")
    assert txt["config"]["txt2img"] == {
        "steps": 2,
        "cfg_scale": 7.0,
        "sampler_name": "Euler",
        "scheduler": "Normal",
        "seed": 42,
        "model": "tiny_sd15.safetensors",
        "width": 64,
        "height": 64,
    }
    assert records["i2i.png"]["config"]["img2img"]["denoising_strength"] == 0.5


def test_a_graph_it_cannot_interpret_is_imported_with_what_it_read_and_says_so(tmp_path: Path) -> None:
    png(tmp_path / "up.png", prompt=json.dumps(comfy_graph("post-prompt-upscale-model")))
    graph = comfy_graph("post-prompt-txt2img")
    del graph["7"]  # the negative prompt node is gone
    png(tmp_path / "noneg.png", (9, 9, 9), prompt=json.dumps(graph))
    result = _import(str(tmp_path))
    assert result.exit_code == 0
    assert "2 partial (imported with what could be read)" in result.output
    assert "up.png: could not read: a KSampler feeding the saved image" in result.output
    assert "noneg.png: could not read: negative_prompt" in result.output
    records = {Path(r["imported"]["path"]).name: r for r in _records()}
    assert records["noneg.png"]["imported"]["missing"] == ["negative_prompt"]
    assert records["noneg.png"]["config"]["txt2img"]["steps"] == 2
    assert records["up.png"]["imported"]["partial"] is True


def test_our_own_pngs_link_to_their_run_and_are_not_duplicated(tmp_path: Path) -> None:
    config = tmp_path / "p.toml"
    config.write_text('prompt = "a fox"\n[txt2img]\nwidth = 64\nheight = 64\nsteps = 2\n', encoding="utf-8")
    run = CliRunner().invoke(app, ["run", str(config), "--learning", "--output", "out", "--records", LOG])
    assert run.exit_code == 0, run.output
    (made,) = _records()
    ours = Path(made["images"][0])
    from PIL import Image

    with Image.open(ours) as image:  # the same run's image, saved again: other bytes, same chunks
        png(tmp_path / "copy" / "resaved.png", (1, 1, 1), **{k: str(v) for k, v in image.text.items()})
    result = _import("out", str(tmp_path / "copy"), "--recursive")
    assert result.exit_code == 0, result.output
    assert "1 already in the log" in result.output and "1 made by runs already in the log" in result.output
    assert len(_records()) == 1
