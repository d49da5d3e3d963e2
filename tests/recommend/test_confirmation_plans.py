"""Confirmation plans and presets: pure functions over a plan and the model's candidates."""

from __future__ import annotations

import pytest

from stablenew.domain.config.pipeline import PipelineConfig, StageConfig
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.errors import PlanError
from stablenew.domain.feedback.recommendation import Candidate
from stablenew.domain.plan.rules import build_plan
from stablenew.domain.plan.steps import derive_step_config, expand_plan
from stablenew.domain.services.confirmation import apply_values, confirmation_plans, seed_stage

BASE = {"prompt": "a fox", "txt2img": {"width": 64, "height": 64, "seed": 7},
        "img2img": {"denoising_strength": 0.3}}


def _plan() -> object:
    return build_plan(
        name="sweep", base=parse_pipeline_config(BASE), images_per_step=2, seed=5,
        axes=[{"stage": "txt2img", "variable": "cfg_scale", "values": "4, 8"},
              {"stage": "txt2img", "variable": "sampler_name", "values": "Euler a, DDIM"}],
    )


def test_one_plan_per_candidate_with_its_values_fixed_and_fresh_seeds_as_steps() -> None:
    plan = _plan()
    first = Candidate({"txt2img.cfg_scale": 8.0, "txt2img.sampler_name": "DDIM"}, 4.1)
    second = Candidate({"txt2img.cfg_scale": 4.0, "txt2img.sampler_name": "DDIM"}, 3.9)
    plans = confirmation_plans(plan, [first, second], [[11, 12, 13], [21, 22, 23]])  # type: ignore[arg-type]
    assert len(plans) == 2
    one = plans[0]
    assert one.name.startswith("sweep confirm #1 ") and one.id != plan.id  # type: ignore[attr-defined]
    assert one.metadata["confirmation_of"] == plan.id  # type: ignore[attr-defined]
    assert one.metadata["candidate"] == {"txt2img.cfg_scale": 8.0, "txt2img.sampler_name": "DDIM"}
    assert one.images_per_step == 1 and one.seed is None and one.seed_is_axis
    steps = expand_plan(one)
    assert [s.variables for s in steps] == [
        {"txt2img.cfg_scale": 8.0, "txt2img.sampler_name": "DDIM", "txt2img.seed": seed}
        for seed in (11, 12, 13)
    ]
    config = derive_step_config(one.base, steps[0], one)
    txt2img, img2img = config.stage("txt2img"), config.stage("img2img")
    assert txt2img is not None and img2img is not None
    assert txt2img.params["seed"] == 11 and txt2img.params["cfg_scale"] == 8.0
    assert "seed" not in img2img.params  # inherits the fresh seed
    assert plans[1].name != one.name


def test_the_seed_goes_on_the_first_stage_that_takes_one() -> None:
    assert seed_stage(parse_pipeline_config(BASE)) == "txt2img"
    upscale_only = PipelineConfig(prompt="x", stages=(StageConfig("upscale", {"upscaler": "Lanczos"}),))
    with pytest.raises(PlanError, match="no enabled stage takes a seed"):
        seed_stage(upscale_only)


def test_a_preset_is_the_base_with_the_pick() -> None:
    plan = _plan()
    config = apply_values(plan.base, {"txt2img.cfg_scale": 8.0, "img2img.steps": 12})  # type: ignore[attr-defined]
    assert config.to_dict()["txt2img"]["cfg_scale"] == 8.0 and config.to_dict()["img2img"]["steps"] == 12
    assert "cfg_scale" not in plan.base.to_dict()["txt2img"]  # type: ignore[attr-defined]  # untouched
    with pytest.raises(PlanError, match=r"no \[upscale\] stage"):
        apply_values(plan.base, {"upscale.upscaler": "Lanczos"})  # type: ignore[attr-defined]
