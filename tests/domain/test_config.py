"""StageConfig / PipelineConfig values, effective_stages (defaults + inheritance) and resolve."""

from __future__ import annotations

import pytest

from stablenew.domain.config.pipeline import PipelineConfig, StageConfig, effective_stages, resolve
from stablenew.domain.config.stage_fields import STAGE_DEFAULTS


def _config() -> PipelineConfig:
    return PipelineConfig(
        prompt="p",
        stages=(
            StageConfig("upscale", {"upscaler": "Lanczos"}),
            StageConfig("img2img", {"steps": 30}),
            StageConfig("adetailer", {}, enabled=False),
            StageConfig("txt2img", {"model": "m.safetensors", "seed": 9, "cfg_scale": 5.0}),
        ),
        metadata={"k": "v"},
    )


def test_stages_are_ordered_and_read_by_typed_accessors() -> None:
    config = _config()
    assert [s.stage for s in config.stages] == ["txt2img", "img2img", "adetailer", "upscale"]
    assert config.txt2img.get("seed") == 9 and config.txt2img.get("steps") is None
    assert config.txt2img.get("steps", 1) == 1
    assert config.adetailer.enabled is False and config.stage("nope") is None
    assert config.img2img is not None and config.upscale is not None
    assert config.txt2img.get("upscaler") is None  # not a txt2img field: never set
    with pytest.raises(AttributeError):
        _ = config.txt2img.seed  # type: ignore[attr-defined]  # fields are read with get()
    with pytest.raises(AttributeError):
        _ = config.not_a_stage  # type: ignore[attr-defined]


def test_values_are_immutable_and_with_helpers_copy() -> None:
    config = _config()
    with pytest.raises(TypeError):
        config.txt2img.params["seed"] = 1  # type: ignore[index]
    changed = config.with_stage(config.txt2img.with_params(seed=10))
    assert changed.txt2img.get("seed") == 10 and config.txt2img.get("seed") == 9
    assert [s.stage for s in changed.stages] == ["txt2img", "img2img", "adetailer", "upscale"]


def test_to_dict_is_the_file_shape() -> None:
    body = PipelineConfig(
        prompt="p", prompt_pack="pk", prompt_id="id", stages=_config().stages, metadata={"k": "v"}
    ).to_dict()
    assert body["prompt_pack"] == "pk" and body["prompt_id"] == "id" and body["metadata"] == {"k": "v"}
    assert body["adetailer"] == {"enabled": False} and body["upscale"] == {"upscaler": "Lanczos"}
    bare = PipelineConfig(prompt="p", stages=(StageConfig("txt2img"),)).to_dict()
    assert bare == {"prompt": "p", "negative_prompt": "", "txt2img": {}}


def test_effective_stages_fill_defaults_and_inherit_from_the_stage_before() -> None:
    txt, img, up = effective_stages(_config())
    assert txt.params == {**STAGE_DEFAULTS["txt2img"], "model": "m.safetensors", "seed": 9, "cfg_scale": 5.0}
    assert img.params["steps"] == 30  # its own value wins
    assert (
        img.params["seed"] == 9 and img.params["model"] == "m.safetensors" and img.params["cfg_scale"] == 5.0
    )
    assert img.params["denoising_strength"] == 0.75 and "width" not in img.params  # size is not inherited
    assert up.params == {"upscaling_resize": 2.0, "upscaler": "Lanczos"}  # upscale takes no sampling field


def test_resolve_drops_disabled_stages() -> None:
    resolved = resolve(_config())
    assert [s.stage for s in resolved.stages] == ["txt2img", "img2img", "upscale"]
    assert resolved.img2img.get("steps") == 30 and resolved.metadata == {"k": "v"}
