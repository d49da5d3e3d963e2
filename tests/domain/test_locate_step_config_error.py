"""An error found in a step's config is blamed on the axis, base file or inline base that set the value."""

from __future__ import annotations

from dataclasses import replace

from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.errors import ConfigError, PlanError
from stablenew.domain.plan.rules import build_plan, locate_step_config_error

BASE = parse_pipeline_config(
    {"prompt": "a fox", "txt2img": {"sampler_name": "Euler"}, "img2img": {"denoising_strength": 0.3}}
)
PLAN = build_plan(
    name="p", base=BASE, source="plan.toml",
    axes=[{"stage": "txt2img", "variable": "cfg_scale", "values": "4, 8"},
          {"stage": "txt2img", "variable": "scheduler", "values": "Karras, Karas"}],
)


def _error(field: str, source: str = "plan.toml") -> ConfigError:
    return ConfigError('unknown scheduler "Karas"', source=source, field=field)


def test_a_value_set_by_an_axis_is_blamed_on_that_axis() -> None:
    located = locate_step_config_error(PLAN, _error("txt2img.scheduler"))
    assert isinstance(located, PlanError)
    assert str(located) == 'plan.toml: axes[1].values: unknown scheduler "Karas"'


def test_a_value_a_later_stage_inherits_from_an_axis_is_blamed_on_the_axis() -> None:
    assert locate_step_config_error(PLAN, _error("img2img.scheduler")).field == "axes[1].values"


def test_a_value_from_the_base_is_blamed_on_the_base_file_or_the_inline_table() -> None:
    error = _error("txt2img.sampler_name")
    assert str(locate_step_config_error(PLAN, error)) == (
        'plan.toml: base.txt2img.sampler_name: unknown scheduler "Karas"'
    )
    on_file = replace(PLAN, base_source="portrait.toml")
    assert str(locate_step_config_error(on_file, error)) == (
        'portrait.toml: txt2img.sampler_name: unknown scheduler "Karas"'
    )


def test_an_error_about_another_file_or_no_stage_field_is_left_alone() -> None:
    workflow = ConfigError("this is ComfyUI's UI format", source="ui.json", field="comfyui.workflow")
    assert locate_step_config_error(PLAN, workflow) is workflow
    unstaged = _error("adetailer_workflow")
    assert locate_step_config_error(PLAN, unstaged) is unstaged
