"""A1111 → ComfyUI name translation (pure): samplers, schedulers, Automatic, checkpoints, upscalers."""

from __future__ import annotations

import pytest
from tests.servers.comfyui_catalog import DEFAULT_SAMPLERS, DEFAULT_SCHEDULERS

from stablenew.adapters.backends.comfyui.names import resolve_file, translate_sampler, upscale_method
from stablenew.adapters.backends.comfyui.workflow import model_factor
from stablenew.domain.errors import ConfigError

LISTS = {"samplers": DEFAULT_SAMPLERS, "schedulers": DEFAULT_SCHEDULERS}


@pytest.mark.parametrize(
    ("sampler", "scheduler", "expected"),
    [
        ("DPM++ 2M", "Karras", ("dpmpp_2m", "karras")),
        ("Euler a", None, ("euler_ancestral", "normal")),
        ("DPM++ 2M", "Automatic", ("dpmpp_2m", "karras")),
        ("DPM++ 2M SDE", "automatic", ("dpmpp_2m_sde", "exponential")),
        ("DPM++ 2M Karras", "Automatic", ("dpmpp_2m", "karras")),
        ("k_dpmpp_sde", "SGM Uniform", ("dpmpp_sde", "sgm_uniform")),
        ("UniPC", "Uniform", ("uni_pc", "normal")),
        ("DDIM", "DDIM", ("ddim", "ddim_uniform")),
        ("dpmpp_3m_sde", "beta", ("dpmpp_3m_sde", "beta")),
    ],
)
def test_translation(sampler: str, scheduler: str | None, expected: tuple[str, str]) -> None:
    names = translate_sampler(sampler, scheduler, **LISTS)
    assert (names.sampler, names.scheduler) == expected


def test_a_name_comfyui_does_not_list_is_refused_with_the_list() -> None:
    with pytest.raises(ConfigError) as caught:
        translate_sampler(
            "DPM++ 2M",
            "Karras",
            samplers=("euler",),
            schedulers=DEFAULT_SCHEDULERS,
            field="img2img.sampler_name",
            source="c.toml",
        )
    assert caught.value.field == "img2img.sampler_name" and "ComfyUI lists: euler" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        translate_sampler("Euler", "Align Your Steps", field="img2img.sampler_name", **LISTS)
    assert caught.value.field == "img2img.scheduler"


def test_files_match_by_name_title_stem_or_subfolder() -> None:
    available = ("sd15.safetensors", "SDXL/juggernaut.safetensors", "RealESRGAN_x4plus.pth")
    assert (
        resolve_file("checkpoint", "sd15.safetensors [cc6cb27103]", available, field="f")
        == "sd15.safetensors"
    )
    assert resolve_file("checkpoint", "juggernaut", available, field="f") == "SDXL/juggernaut.safetensors"
    assert (
        resolve_file("checkpoint", "juggernaut.safetensors", available, field="f")
        == "SDXL/juggernaut.safetensors"
    )
    assert resolve_file("upscale model", "R-ESRGAN 4x+", available, field="f") == "RealESRGAN_x4plus.pth"
    with pytest.raises(ConfigError, match=r"did you mean 'sd15\.safetensors'"):
        resolve_file("checkpoint", "sd16.safetensors", available, field="f")


def test_plain_upscalers_and_model_factors() -> None:
    assert upscale_method("Lanczos") == "lanczos" and upscale_method("None") == "lanczos"
    assert upscale_method("Nearest") == "nearest-exact" and upscale_method("R-ESRGAN 4x+") is None
    assert model_factor("RealESRGAN_x2plus.pth") == 2 and model_factor("4x-UltraSharp") == 4
    assert model_factor("mystery.pth") == 4


def test_a_long_catalogue_is_capped_in_the_error_like_the_shared_rule() -> None:
    from tests.backends.comfyui_helpers import config, make_backend
    from tests.servers.comfyui_server import FakeComfyUIServer

    checkpoints = tuple(f"model_{i:02d}.safetensors" for i in range(40))
    with FakeComfyUIServer(checkpoints=checkpoints) as server, pytest.raises(ConfigError) as caught:
        make_backend(server.base_url).validate([config(txt2img={"model": "qqq"})], source="c.toml")
    message = str(caught.value)
    assert "model_11.safetensors, ... (40 in all)" in message and "model_12" not in message
    assert caught.value.field == "txt2img.model"
