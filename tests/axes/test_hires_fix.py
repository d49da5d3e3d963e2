"""Hires fix on txt2img: config fields and axes, checked, recorded, and run by every backend."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from stablenew.adapters.records import read_records
from stablenew.cli import app
from stablenew.domain.config.pipeline import resolve
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.errors import ConfigError, PlanError
from stablenew.domain.plan.rules import build_plan
from stablenew.domain.run.generation import StageRequest
from tests.backends.a1111_helpers import TXT2IMG, a1111_container, app_toml, pipeline_toml
from tests.backends.comfyui_helpers import comfy_container, config, make_backend, write_toml
from tests.servers import a1111_fixtures, comfyui_fixtures
from tests.servers.a1111_server import FakeA1111Server
from tests.servers.comfyui_server import FakeComfyUIServer

a1111_server = a1111_fixtures.a1111_server
comfyui_server = comfyui_fixtures.comfyui_server
HIRES = {
    "width": 64,
    "height": 80,
    "steps": 3,
    "seed": 9,
    "enable_hr": True,
    "hr_scale": 2.0,
    "hr_upscaler": "Latent",
    "hr_second_pass_steps": 2,
    "hr_denoising_strength": 0.45,
}


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_hires_fields_are_checked_like_other_fields() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_pipeline_config({"prompt": "x", "txt2img": {"enable_hr": True, "hr_scale": 9}})
    assert caught.value.field == "txt2img.hr_scale"
    assert caught.value.message == "9.0 is out of range (expected 1–8)"
    with pytest.raises(ConfigError) as caught:
        parse_pipeline_config({"prompt": "x", "txt2img": {"enable_hr": "yes"}})
    assert caught.value.field == "txt2img.enable_hr"
    with pytest.raises(ConfigError) as caught:
        parse_pipeline_config({"prompt": "x", "txt2img": {}, "img2img": {"enable_hr": True}})
    assert caught.value.field == "img2img.enable_hr"


def test_hires_on_gets_a1111_defaults_and_off_adds_nothing() -> None:
    on = resolve(parse_pipeline_config({"prompt": "x", "txt2img": {"enable_hr": True}})).stage("txt2img")
    assert on is not None and {
        k: on.params[k] for k in ("hr_scale", "hr_upscaler", "hr_second_pass_steps", "hr_denoising_strength")
    } == {"hr_scale": 2.0, "hr_upscaler": "Latent", "hr_second_pass_steps": 0, "hr_denoising_strength": 0.7}
    off = resolve(parse_pipeline_config({"prompt": "x", "txt2img": {}})).stage("txt2img")
    assert off is not None and not any(k.startswith("hr_") for k in off.params)


def test_a_hires_axis_needs_hires_on_in_the_base_or_swept() -> None:
    base = parse_pipeline_config({"prompt": "x", "txt2img": {}})
    with pytest.raises(PlanError) as caught:
        build_plan(name="h", base=base, axes=[{"variable": "hr_scale", "values": "1.5, 2"}])
    assert caught.value.field == "axes[0].variable" and "enable_hr = true" in caught.value.message
    swept = build_plan(
        name="h",
        base=base,
        axes=[
            {"variable": "hr_scale", "values": "1.5, 2"},
            {"variable": "enable_hr", "values": "true, false"},
        ],
    )
    assert [a.label for a in swept.axes] == ["txt2img.hr_scale", "txt2img.enable_hr"]


def test_procedural_hires_doubles_the_image_and_records_the_settings(tmp_path: Path) -> None:
    cfg = tmp_path / "hires.toml"
    cfg.write_text(
        'prompt = "a fox"\n[txt2img]\n'
        + "\n".join(f"{k} = {json.dumps(v)}" for k, v in HIRES.items())
        + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["run", str(cfg), "--learning", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    (record,) = read_records(tmp_path / "out" / "learning" / "learning_records.jsonl").records
    image = record.data["stage_events"][0]["images"][0]
    assert (image["width"], image["height"]) == (128, 160)
    assert record.data["config"]["txt2img"]["hr_denoising_strength"] == 0.45
    assert record.data["config"]["txt2img"]["enable_hr"] is True


def test_procedural_refuses_an_unknown_hires_upscaler_with_exit_2(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('prompt = "a fox"\n[txt2img]\nenable_hr = true\nhr_upscaler = "Latnt"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(cfg), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f'error: {cfg}: txt2img.hr_upscaler: unknown hires upscaler "Latnt"')


def test_a1111_gets_hires_in_its_own_payload_names(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    from stablenew.domain.config.rules import parse_pipeline_config as parse

    container = a1111_container(a1111_server, tmp_path)
    run = container.pipeline_controller().run(
        parse({"prompt": "p", "txt2img": {**HIRES, "hr_upscaler": "r-esrgan 4x+"}})
    )
    assert run.success, run.error
    (body,) = a1111_server.payloads(TXT2IMG)
    assert {
        k: body[k]
        for k in ("enable_hr", "hr_scale", "hr_upscaler", "hr_second_pass_steps", "denoising_strength")
    } == {
        "enable_hr": True,
        "hr_scale": 2.0,
        "hr_upscaler": "R-ESRGAN 4x+",
        "hr_second_pass_steps": 2,
        "denoising_strength": 0.45,
    }
    assert "hr_denoising_strength" not in body
    assert (run.images[0].width, run.images[0].height) == (128, 160)


def test_a1111_without_hires_sends_no_hires_fields(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    run = (
        a1111_container(a1111_server, tmp_path)
        .pipeline_controller()
        .run(parse_pipeline_config({"prompt": "p", "txt2img": {"steps": 2, "width": 64, "height": 64}}))
    )
    assert run.success
    (body,) = a1111_server.payloads(TXT2IMG)
    assert not [k for k in body if k.startswith(("hr_", "enable_hr"))] and "denoising_strength" not in body


def test_a1111_unknown_hires_upscaler_exits_2_before_any_request(
    a1111_server: FakeA1111Server,
    tmp_path: Path,
) -> None:
    settings = app_toml(tmp_path / "stablenew.toml", a1111_server.base_url)
    cfg = pipeline_toml(tmp_path / "p.toml", '[txt2img]\nenable_hr = true\nhr_upscaler = "4x-NoSuch"\n')
    result = CliRunner().invoke(app, ["run", str(cfg), "--config", str(settings)])
    assert result.exit_code == 2
    assert "txt2img.hr_upscaler: unknown hires upscaler" in result.stderr
    assert a1111_server.count(TXT2IMG) == 0


@pytest.mark.parametrize("comfyui_server", [{"upscale_models": ("RealESRGAN_x4plus.pth",)}], indirect=True)
@pytest.mark.parametrize(
    ("upscaler", "classes", "scale_by"),
    [
        ("Latent (bicubic)", {"LatentUpscaleBy"}, 2.0),
        (
            "R-ESRGAN 4x+",
            {"VAEDecode", "UpscaleModelLoader", "ImageUpscaleWithModel", "ImageScaleBy", "VAEEncode"},
            0.5,
        ),
        ("Lanczos", {"VAEDecode", "ImageScaleBy", "VAEEncode"}, 2.0),
    ],
    ids=["latent", "model", "lanczos"],
)
def test_comfyui_hires_is_an_upscale_and_a_second_sampler_pass(
    comfyui_server: FakeComfyUIServer,
    upscaler: str,
    classes: set[str],
    scale_by: float,
) -> None:
    params = {**HIRES, "hr_upscaler": upscaler, "sampler_name": "DPM++ 2M", "scheduler": "Karras"}
    output = make_backend(comfyui_server.base_url).generate(
        StageRequest(stage="txt2img", params=params, prompt="p", negative_prompt="n")
    )
    graph = comfyui_server.prompts[-1]["prompt"]
    samplers = [n["inputs"] for n in graph.values() if n["class_type"] == "KSampler"]
    assert [(s["steps"], s["denoise"]) for s in samplers] == [(3, 1.0), (2, 0.45)]
    assert {(s["seed"], s["sampler_name"], s["scheduler"]) for s in samplers} == {(9, "dpmpp_2m", "karras")}
    assert classes <= {n["class_type"] for n in graph.values()}
    scales = [n["inputs"]["scale_by"] for n in graph.values() if "scale_by" in n["inputs"]]
    assert scales == [scale_by]
    assert _size(output.images[0].data) == (128, 160)


def test_comfyui_hires_with_a_user_workflow_exits_2(
    comfyui_server: FakeComfyUIServer,
    tmp_path: Path,
) -> None:
    from stablenew.adapters.backends.comfyui.workflow import txt2img_graph

    flow = write_toml(tmp_path / "flow.json", json.dumps(txt2img_graph()))
    container = comfy_container(tmp_path, comfyui_server.base_url, f'workflow = "{flow.as_posix()}"')
    with pytest.raises(ConfigError) as caught:
        container.backend().validate([config(txt2img={"enable_hr": True})])
    assert caught.value.field == "txt2img.enable_hr" and "own workflow" in caught.value.message
