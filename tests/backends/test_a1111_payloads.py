"""What the A1111 adapter sends (asserted on the fake server's side) and what it records."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

from PIL import Image
from tests.backends.a1111_helpers import EXTRAS, IMG2IMG, TXT2IMG, a1111_container, pipeline, read_records
from tests.servers import a1111_fixtures
from tests.servers.a1111_server import FakeA1111Server

from stablenew.adapters.backends.a1111.response import infotext_params
from stablenew.adapters.pipeline.png_files import read_png_text

a1111_server = a1111_fixtures.a1111_server  # the fixtures, by name

SD15 = "sd15.safetensors [6ce0161689]"
FOUR = {
    "txt2img": {"model": "sd15.safetensors", "vae": "vae-ft-mse-840000-ema-pruned", "sampler_name": "Euler a",
                "scheduler": "karras", "steps": 6, "cfg_scale": 6.5, "width": 320, "height": 256, "seed": -1,
                "clip_skip": 2},
    "img2img": {"denoising_strength": 0.35},
    "adetailer": {"ad_model": "face_yolov8n.pt", "ad_confidence": 0.5, "ad_prompt": "detailed face"},
    "upscale": {"upscaler": "R-ESRGAN 4x+", "upscaling_resize": 1.5},
}


def _run_four(server: FakeA1111Server, tmp_path: Path) -> dict:
    container = a1111_container(server, tmp_path)
    result = container.pipeline_controller().run(pipeline(**FOUR))
    assert result.success, result.error
    (record,) = read_records(tmp_path / "output" / "learning" / "learning_records.jsonl")
    return record


def test_txt2img_pins_model_and_vae_per_request_and_sends_seed_minus_one(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    record = _run_four(a1111_server, tmp_path)
    (body,) = a1111_server.payloads(TXT2IMG)
    assert body["override_settings"] == {"sd_model_checkpoint": SD15,
                                         "sd_vae": "vae-ft-mse-840000-ema-pruned.safetensors",
                                         "CLIP_stop_at_last_layers": 2}
    assert body["override_settings_restore_afterwards"] is True
    assert (body["sampler_name"], body["scheduler"]) == ("Euler a", "Karras")
    assert (body["seed"], body["steps"], body["cfg_scale"]) == (-1, 6, 6.5)
    assert (body["width"], body["height"], body["batch_size"]) == (320, 256, 1)
    assert not [r for r in a1111_server.requests if r.method == "POST" and r.path == "/sdapi/v1/options"]
    txt = record["stage_events"][0]["params"]
    assert txt["seed"] != -1 and txt["all_seeds"] == [txt["seed"]]
    assert record["config"]["txt2img"]["seed"] == txt["seed"]
    assert (txt["model"], txt["model_hash"], txt["vae"]) == ("sd15", "6ce0161689",
                                                            "vae-ft-mse-840000-ema-pruned.safetensors")
    assert (txt["sampler_name"], txt["scheduler"], txt["version"]) == ("Euler a", "Karras", "v1.10.1")
    png = read_png_text(record["stage_events"][0]["images"][0]["path"])
    assert infotext_params(png["parameters"])["Seed"] == str(txt["seed"])
    assert json.loads(png["stablenew"])["params"]["seed"] == txt["seed"]


def test_img2img_adetailer_and_upscale_chain_the_previous_image(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    record = _run_four(a1111_server, tmp_path)
    img2img, adetailer = a1111_server.payloads(IMG2IMG)
    (extras,) = a1111_server.payloads(EXTRAS)
    first_png = Path(record["stage_events"][0]["images"][0]["path"])
    with Image.open(io.BytesIO(base64.b64decode(img2img["init_images"][0]))) as init:
        assert init.size == (320, 256)
        with Image.open(first_png) as saved:
            assert init.convert("RGB").tobytes() == saved.convert("RGB").tobytes()
    assert (img2img["denoising_strength"], img2img["width"], img2img["height"]) == (0.35, 320, 256)
    assert img2img["override_settings"]["sd_model_checkpoint"] == SD15  # inherited, still pinned
    assert img2img["sampler_name"] == "Euler a" and "alwayson_scripts" not in img2img
    assert adetailer["alwayson_scripts"] == {"ADetailer": {"args": [True, True, {
        "ad_model": "face_yolov8n.pt", "ad_prompt": "detailed face", "ad_confidence": 0.5,
        "ad_denoising_strength": 0.4}]}}
    assert (extras["upscaler_1"], extras["upscaling_resize"], extras["upscaler_2"]) == ("R-ESRGAN 4x+", 1.5,
                                                                                        "None")
    ad_params = record["stage_events"][2]["params"]
    assert ad_params["extra_generation_params"]["ADetailer model"] == "face_yolov8n.pt"
    up = record["stage_events"][3]
    assert (up["params"]["upscaler"], up["params"]["upscaling_resize"]) == ("R-ESRGAN 4x+", 1.5)
    assert (up["images"][0]["width"], up["images"][0]["height"]) == (480, 384)
    text = infotext_params(read_png_text(up["images"][0]["path"])["parameters"])
    assert text["Postprocess upscaler"] == "R-ESRGAN 4x+" and text["Postprocess upscale by"] == "1.5"
    assert text["ADetailer model"] == "face_yolov8n.pt"


def test_names_are_sent_as_the_server_lists_them(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    container = a1111_container(a1111_server, tmp_path)
    runs = [
        {"model": "31e35c80fc", "sampler_name": "k_euler", "scheduler": "Exponential"},  # short hash, alias
        {"model": "sdxl_base", "sampler_name": "DPM++ 2M Karras"},  # model name, legacy combined sampler
        {"model": "SD15.SAFETENSORS", "sampler_name": "euler a", "scheduler": "sgm_uniform"},  # any case
        {"model": "6ce0161689b3853acaa03779ec93eafe75a02f4ced659bee03f50797806fa2fa"},  # sha256
    ]
    for stage in runs:
        assert container.pipeline_controller().run(pipeline(txt2img={**stage, "steps": 2})).success
    sent = [(b["override_settings"]["sd_model_checkpoint"], b["sampler_name"], b["scheduler"])
            for b in a1111_server.payloads(TXT2IMG)]
    assert sent == [("sdxl_base.safetensors [31e35c80fc]", "Euler", "Exponential"),
                    ("sdxl_base.safetensors [31e35c80fc]", "DPM++ 2M", "Karras"),
                    (SD15, "Euler a", "SGM Uniform"),
                    (SD15, "Euler a", "Automatic")]


def test_explicit_seed_and_batch_record_every_seed_and_drop_the_grid(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    a1111_server.return_grid = True
    container = a1111_container(a1111_server, tmp_path)
    result = container.pipeline_controller().run(pipeline(txt2img={"seed": 77, "batch_size": 3, "steps": 2}))
    assert result.success
    (body,) = a1111_server.payloads(TXT2IMG)
    assert (body["seed"], body["batch_size"]) == (77, 3)
    event = result.events[0]
    assert [image.seed for image in event.images] == [77, 78, 79]
    assert event.params["all_seeds"] == [77, 78, 79]
    assert "override_settings" in body and "sd_model_checkpoint" not in body["override_settings"]
    texts = [infotext_params(read_png_text(image.path)["parameters"])["Seed"] for image in event.images]
    assert texts == ["77", "78", "79"]


def test_upscale_with_a_second_upscaler(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    container = a1111_container(a1111_server, tmp_path)
    config = pipeline(txt2img={"steps": 2, "width": 64, "height": 64},
                      upscale={"upscaler": "lanczos", "upscaler_2": "ESRGAN_4x",
                               "extras_upscaler_2_visibility": 0.5, "upscaling_resize": 2})
    result = container.pipeline_controller().run(config)
    assert result.success
    (extras,) = a1111_server.payloads(EXTRAS)
    assert (extras["upscaler_1"], extras["upscaler_2"], extras["extras_upscaler_2_visibility"]) == (
        "Lanczos", "ESRGAN_4x", 0.5)
    assert result.events[1].params["upscaler_2"] == "ESRGAN_4x"
    text = read_png_text(result.events[1].images[0].path)["parameters"]
    assert "Postprocess upscaler 2: ESRGAN_4x" in text
