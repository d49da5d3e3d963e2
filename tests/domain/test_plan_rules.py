"""Plan rules: axes checked against the base config, with errors naming the field path."""

from __future__ import annotations

import pytest

from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.errors import PlanError
from stablenew.domain.plan.learning_adapter import as_pipeline_config, build_single_variable_plan
from stablenew.domain.plan.rules import build_plan, first_stage_seed

BASE = parse_pipeline_config(
    {
        "prompt": "p",
        "txt2img": {"seed": 42},
        "img2img": {},
        "adetailer": {},
        "upscale": {"upscaler": "Lanczos"},
    }
)


def _axis(values, variable="cfg_scale", stage="txt2img") -> dict:
    axis = {"variable": variable, "values": values}
    if stage is not None:
        axis["stage"] = stage
    return axis


def _error(axes, **kwargs) -> str:
    with pytest.raises(PlanError) as caught:
        build_plan(name=kwargs.pop("name", "p"), base=kwargs.pop("base", BASE), axes=axes, **kwargs)
    return str(caught.value)


def test_values_are_parsed_typed_and_kept_in_order() -> None:
    plan = build_plan(
        name=" sweep ",
        base=BASE,
        axes=[
            _axis("4-8 (+2), 11"),
            _axis('Euler a, "DPM++ 2M, odd"', "sampler_name"),
            _axis([0.2, 1], "denoising_strength", "img2img"),
            _axis("true, False", "ad_inpaint_only_masked", "adetailer"),
            _axis("2.5", "upscaling_resize", "upscale"),
            _axis("1-10 [3]", "steps"),
        ],
    )
    assert plan.name == "sweep"
    assert [a.values for a in plan.axes] == [
        (4.0, 6.0, 8.0, 11.0),
        ("Euler a", "DPM++ 2M, odd"),
        (0.2, 1.0),
        (True, False),
        (2.5,),
        (1, 5, 10),
    ]


@pytest.mark.parametrize(
    ("axes", "message"),
    [
        ([_axis("4-x")], 'axes[0].values: "4-x" is not a number range'),
        ([_axis("7"), _axis("0.5-40 [2]")], "axes[1].values: 0.5 is out of range (expected 1–30)"),
        ([_axis("1-200", "steps")], "axes[0].values: 151 is out of range (expected 1–150)"),
        (
            [_axis([1.5], "denoising_strength", "img2img")],
            "axes[0].values: 1.5 is out of range (expected 0–1)",
        ),
        (
            [_axis("7", "cfg")],
            "axes[0].variable: txt2img has no sweepable field 'cfg' (expected one of: model",
        ),
        (
            [_axis("2", "batch_size")],
            "axes[0].variable: txt2img has no sweepable field 'batch_size' (set images_per",
        ),
        ([_axis("7", stage="txt3img")], "axes[0].stage: unknown stage 'txt3img' (expected one of: txt2img"),
        (
            [_axis("7", "cfg_scale", None), _axis("x", "nothing", None)],
            'axes[1].variable: no enabled stage of the base config accepts "nothing"',
        ),
        ([_axis("7"), _axis("8")], "axes[1].variable: txt2img.cfg_scale is already swept by axes[0]"),
        ([_axis("7, 7.0")], "axes[0].values: 7.0 appears twice (each step must differ)"),
        (
            [_axis("maybe", "ad_inpaint_only_masked", "adetailer")],
            'axes[0].values: "maybe" is not true or false',
        ),
        ([_axis([], "ad_inpaint_only_masked", "adetailer")], "axes[0].values: no values"),
        ([{"variable": "steps"}], "axes[0].values: is required"),
        ([{"stage": "txt2img", "values": "1"}], "axes[0].variable: is required"),
        ([{"variable": "steps", "values": "1", "step": 2}], "axes[0].step: unknown field"),
        (["steps"], "axes[0]: expected a table"),
        ([], "axes: at least one [[axes]] table is required"),
        (
            [_axis("1-150", "steps", None), _axis("1-1000", "seed"), _axis("1-30", "cfg_scale")],
            "axes: the axes give 4500000 steps (at most 1000000)",
        ),
    ],
)
def test_bad_axes_name_the_field_path(axes, message: str) -> None:
    assert _error(axes).startswith(message)


def test_an_axis_on_a_stage_the_base_does_not_enable_is_an_error() -> None:
    base = parse_pipeline_config({"prompt": "p", "txt2img": {}, "img2img": {"enabled": False}})
    assert _error([_axis("0.3", "denoising_strength", "img2img")], base=base).startswith(
        "axes[0].stage: stage 'img2img' is not enabled in the base config (enabled: txt2img)"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"images_per_step": 0}, "plan.images_per_step: expected an integer 1–64, got 0"),
        ({"images_per_step": True}, "plan.images_per_step: expected an integer 1–64, got True"),
        ({"seed": -1}, "plan.seed: expected an integer 0–4294967295, got -1"),
        ({"name": ""}, "plan.name: expected a non-empty string"),
    ],
)
def test_bad_plan_fields(kwargs: dict, message: str) -> None:
    assert _error([_axis("7")], where="plan", **kwargs) == message


def test_adapter_builds_a_single_variable_plan_from_dict_or_config() -> None:
    plan = build_single_variable_plan(
        {"prompt": "p", "txt2img": {}},
        stage=None,
        variable="steps",
        values="10, 20",
        images_per_step=2,
        seed=5,
        metadata={"one_click_action_id": "x"},
    )
    assert plan.name == "steps sweep" and plan.axes[0].label == "txt2img.steps"
    assert (plan.images_per_step, plan.seed, plan.one_click_action_id) == (2, 5, "x")
    assert as_pipeline_config(BASE) is BASE
    with pytest.raises(PlanError) as caught:
        build_single_variable_plan(BASE, stage="txt2img", variable="", values="1")
    assert str(caught.value) == "axes[0].variable: expected a stage field name such as cfg_scale"
    with pytest.raises(PlanError, match=r"axes\[0\].values: \"x\" is not an integer"):
        build_single_variable_plan(BASE, stage="txt2img", variable="steps", values="x")


def test_first_stage_seed_is_the_fixed_txt2img_seed_only() -> None:
    assert first_stage_seed(BASE) == 42
    assert first_stage_seed(parse_pipeline_config({"prompt": "p", "txt2img": {"seed": -1}})) is None
    assert first_stage_seed(parse_pipeline_config({"prompt": "p", "txt2img": {}})) is None
