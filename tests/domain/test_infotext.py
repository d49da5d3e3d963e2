"""The A1111 infotext writer and parser against A1111 1.10.1's own recorded infotexts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stablenew.domain.records.infotext import format_infotext, parse_infotext, postprocess_infotext, quote

RECORDED = Path(__file__).parents[1] / "fixtures" / "recorded" / "a1111-1.10.1"


def _recorded(name: str) -> tuple[dict, dict]:
    exchange = json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))
    return exchange["request"]["json"], json.loads(exchange["response"]["json"]["info"])


@pytest.mark.parametrize(
    "name", ["post-txt2img", "post-img2img", "post-txt2img-combined-sampler-name", "post-txt2img-batch2"]
)
def test_we_write_what_a1111_wrote_for_the_same_run(name: str) -> None:
    request, info = _recorded(name)
    params = {
        "steps": request["steps"],
        "sampler_name": request["sampler_name"],
        "scheduler": request.get("scheduler") or "Automatic",
        "cfg_scale": float(request["cfg_scale"]),
        "seed": info["seed"],
        "width": request["width"],
        "height": request["height"],
        "model": "tiny.safetensors [6d338e2388]",
        "denoising_strength": request.get("denoising_strength"),
    }
    assert (
        format_infotext(request["prompt"], request["negative_prompt"], params, "1.10.1")
        == info["infotexts"][0]
    )


@pytest.mark.parametrize("name", ["post-txt2img", "post-img2img", "post-txt2img-combined-sampler-name"])
def test_recorded_infotexts_parse_into_prompts_and_keys(name: str) -> None:
    request, info = _recorded(name)
    parsed = parse_infotext(info["infotexts"][0])
    assert (parsed.prompt, parsed.negative_prompt) == (request["prompt"], request["negative_prompt"])
    assert parsed.get("Seed") == str(info["seed"]) and parsed.get("Model hash") == "6d338e2388"
    assert parsed.size() == (64, 64) and parsed.get("Version") == "1.10.1"
    assert parsed.sampler_pair() == (info["sampler_name"], parsed.get("Schedule type"))


def test_the_recorded_extras_info_parses_as_postprocess_keys() -> None:
    exchange = json.loads((RECORDED / "post-extra-single-image.json").read_text(encoding="utf-8"))
    html = exchange["response"]["json"]["html_info"]
    text = html.removeprefix("<p>").removesuffix("</p>")
    assert postprocess_infotext(None, {"upscaling_resize": 2.0, "upscaler": "Lanczos"}) == (None, text)


def test_old_combined_sampler_names_are_split_as_a1111_pastes_them() -> None:
    parsed = parse_infotext(
        "a cat\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1, Size: 512x768"
    )
    assert parsed.sampler_pair() == ("DPM++ 2M", "Karras") and parsed.size() == (512, 768)


@pytest.mark.parametrize(
    ("typed", "scheduler", "pair"),
    [
        ("k_euler_a", None, "Sampler: Euler a, CFG"),
        ("euler a", "karras", "Sampler: Euler a, Schedule type: Karras"),
        ("DPM++ 2M Karras", "Automatic", "Sampler: DPM++ 2M, Schedule type: Karras"),
        ("k_dpmpp_2m", "sgm_uniform", "Sampler: DPM++ 2M, Schedule type: SGM Uniform"),
        ("my sampler", "odd", "Sampler: my sampler, Schedule type: odd"),
    ],
)
def test_sampler_aliases_are_written_as_the_canonical_pair(
    typed: str, scheduler: str | None, pair: str
) -> None:
    params = {"steps": 4, "sampler_name": typed, "scheduler": scheduler, "cfg_scale": 7.0}
    assert pair in format_infotext("p", "", params, "v")


def test_values_are_quoted_with_json_rules_and_come_back_exactly() -> None:
    tricky = 'a "b", c\\d: e\nf'
    params = {
        "steps": 4,
        "cfg_scale": 5.3333333333,
        "seed": 1,
        "model": "dir/my, model.safetensors",
        "vae": tricky,
        "ad_prompt": 'say "hi"',
    }
    text = format_infotext("p, with: commas", "n", params, "v")
    assert "CFG scale: 5.3333333333," in text and 'Model: "my, model"' in text
    parsed = parse_infotext(text)
    assert parsed.get("VAE") == tricky and parsed.get("ADetailer prompt") == 'say "hi"'
    assert parsed.get("Model") == "my, model" and parsed.prompt == "p, with: commas"
    assert quote("plain") == "plain" and quote('x"y') == '"x\\"y"'


def test_model_hash_from_a_title_or_the_params_and_no_extension() -> None:
    assert "Model hash: abcdef1234, Model: sd15," in format_infotext(
        "p", "", {"model": "sd15.ckpt", "model_hash": "abcdef1234"}, "v"
    )
    assert "Model hash" not in format_infotext("p", "", {"model": "sd15.safetensors"}, "v")


def test_size_from_width_and_height_else_from_the_image() -> None:
    assert "Size: 64x80" in format_infotext("p", "", {"width": 64, "height": 80}, "v", size=(1, 1))
    assert "Size: 32x48" in format_infotext("p", "", {"denoising_strength": 0.5}, "v", size=(32, 48))


def test_hires_keys_as_a1111_writes_them_only_when_on() -> None:
    on = {
        "steps": 4,
        "enable_hr": True,
        "hr_scale": 2.0,
        "hr_upscaler": "Latent",
        "hr_second_pass_steps": 0,
        "hr_denoising_strength": 0.45,
        "clip_skip": 1,
    }
    text = format_infotext("p", "", on, "v")
    assert "Denoising strength: 0.45, Hires upscale: 2.0, Hires upscaler: Latent, Version" in text
    assert "Clip skip" not in text and "Hires steps" not in text
    assert "Hires" not in format_infotext("p", "", {**on, "enable_hr": False}, "v")


@pytest.mark.parametrize(
    ("text", "prompt", "negative", "keys"),
    [
        ("only a prompt", "only a prompt", "", {}),
        ("two: keys, only: here", "two: keys, only: here", "", {}),
        (
            "line one\nline two\nNegative prompt: bad\nworse\nSteps: 1, Seed: 2, Size: 8x8",
            "line one\nline two",
            "bad\nworse",
            {"Steps": "1", "Seed": "2", "Size": "8x8"},
        ),
        (
            'ünïcode ☃\nSteps: 1, Sampler: Euler, Lora hashes: "a: 1, b: 2"',
            "ünïcode ☃",
            "",
            {"Steps": "1", "Sampler": "Euler", "Lora hashes": "a: 1, b: 2"},
        ),
    ],
    ids=["prompt-only", "too-few-pairs", "multi-line", "quoted-commas"],
)
def test_parse_follows_a1111_line_rules(text: str, prompt: str, negative: str, keys: dict[str, str]) -> None:
    parsed = parse_infotext(text)
    assert (parsed.prompt, parsed.negative_prompt, dict(parsed.params)) == (prompt, negative, keys)


def test_an_upscale_keeps_the_source_and_adds_postprocess_keys() -> None:
    source = format_infotext("p", "n", {"steps": 4, "seed": 3}, "v")
    kept, extra = postprocess_infotext(
        source, {"upscaling_resize": 1.5, "upscaler": "R-ESRGAN 4x+", "upscaler_2": "Lanczos"}
    )
    assert (
        extra
        == "Postprocess upscale by: 1.5, Postprocess upscaler: R-ESRGAN 4x+, Postprocess upscaler 2: Lanczos"
    )
    assert kept == f"{source}, {extra}"
    assert parse_infotext(kept or "").get("Seed") == "3"
