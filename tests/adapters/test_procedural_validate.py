"""The procedural backend checks sampler, scheduler and upscaler names as A1111 would; any model passes."""

from __future__ import annotations

from typing import Any

import pytest

from stablenew.adapters.backends.procedural import ProceduralBackend
from stablenew.domain.config.pipeline import PipelineConfig, StageConfig
from stablenew.domain.errors import ConfigError


def _config(**stages: dict[str, Any]) -> PipelineConfig:
    tables = stages or {"txt2img": {}}
    return PipelineConfig(prompt="a fox", stages=tuple(StageConfig(name, p) for name, p in tables.items()))


def _error(*configs: PipelineConfig) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        ProceduralBackend().validate(list(configs), source="cfg.toml")
    return caught.value


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sampler_name": "Euler a", "scheduler": "Karras"},
        {"sampler_name": "k_euler_a", "scheduler": "karras"},  # alias, scheduler name
        {"sampler_name": "EULER A", "scheduler": "sgm uniform"},  # any case
        {"sampler_name": "DPM++ 2M Karras"},  # A1111's old combined name
        {"sampler_name": "UniPC", "scheduler": "SGMUniform"},
        {"model": "anything-v5.safetensors [abc123]", "vae": "whatever.pt"},  # no checkpoints: free
        {"sampler_name": "", "scheduler": "Align Your Steps"},
    ],
)
def test_names_a1111_accepts_pass(params: dict[str, Any]) -> None:
    ProceduralBackend().validate([_config(txt2img=params)], source="cfg.toml")


def test_upscalers_pass_by_any_case_and_both_slots_are_checked() -> None:
    good = _config(txt2img={}, upscale={"upscaler": "r-esrgan 4x+", "upscaler_2": "Lanczos"})
    ProceduralBackend().validate([good])
    error = _error(_config(txt2img={}, upscale={"upscaler": "None", "upscaler_2": "R-ESRGAN 8x+"}))
    assert error.field == "upscale.upscaler_2" and error.source == "cfg.toml"
    assert error.message.startswith('unknown upscaler "R-ESRGAN 8x+" (close matches: R-ESRGAN 4x+')


def test_a_typo_names_the_file_the_field_and_close_matches() -> None:
    error = _error(_config(txt2img={"sampler_name": "Eular a"}))
    assert str(error) == (
        'cfg.toml: txt2img.sampler_name: unknown sampler "Eular a" (close matches: Euler a, Euler)'
    )
    error = _error(_config(txt2img={"scheduler": "Karas"}))
    assert str(error) == 'cfg.toml: txt2img.scheduler: unknown scheduler "Karas" (close matches: Karras)'


def test_with_no_close_match_the_message_lists_what_the_backend_has() -> None:
    error = _error(_config(txt2img={"sampler_name": "Zebra"}))
    assert error.message.startswith('unknown sampler "Zebra" (the procedural backend has: DPM++ 2M, ')
    assert error.message.endswith(", ...)")


def test_each_config_and_each_stage_is_checked_later_stages_by_their_own_field() -> None:
    good = _config(txt2img={})
    bad = _config(txt2img={}, img2img={"sampler_name": "Euler b"})
    error = _error(good, bad)
    assert error.field == "img2img.sampler_name"
    inherited = _error(_config(txt2img={"scheduler": "Karass"}, img2img={}))
    assert inherited.field == "txt2img.scheduler"
    off = StageConfig("img2img", {"sampler_name": "Euler b"}, enabled=False)
    ProceduralBackend().validate([PipelineConfig(prompt="a fox", stages=(StageConfig("txt2img"), off))])


def test_check_lists_the_catalogue_validate_uses() -> None:
    status = ProceduralBackend().check()
    assert status.usable and status.models == ("procedural-v1",)
    assert status.samplers[:2] == ("DPM++ 2M", "DPM++ SDE") and "Euler a" in status.samplers
    assert "Karras" in status.schedulers and "SGM Uniform" in status.schedulers
    assert {"None", "Lanczos", "Nearest", "R-ESRGAN 4x+", "4x-UltraSharp"} <= set(status.upscalers)
    for sampler in status.samplers:
        ProceduralBackend().validate([_config(txt2img={"sampler_name": sampler})])
