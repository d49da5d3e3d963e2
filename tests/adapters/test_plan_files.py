"""Plan files: base relative to the plan or inline, and errors that name the file and field path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stablenew.adapters.files import load_plan
from stablenew.domain.errors import ConfigError, InputError, PlanError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "plans"
BASE = 'prompt = "p"\n[txt2img]\nseed = 3\n'
AXIS = '[[axes]]\nstage = "txt2img"\nvariable = "cfg_scale"\nvalues = "4-8 (+2)"\n'


def _write(path: str, text: str) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def _error(text: str, name: str = "plans/p.toml") -> InputError:
    with pytest.raises(InputError) as caught:
        load_plan(_write(name, text))
    return caught.value


def test_every_example_plan_loads() -> None:
    plans = {path.name: load_plan(path) for path in sorted(EXAMPLES.glob("*.toml"))}
    assert len(plans) >= 3
    assert plans["cfg-vs-sampler.toml"].base.prompt == "a lighthouse at dusk, oil painting"
    assert [a.label for a in plans["denoise-cfg-upscaler.toml"].axes][-1] == "upscale.upscaler"


def test_base_relative_to_the_plan_file_and_metadata() -> None:
    _write("configs/base.toml", BASE)
    plan = load_plan(
        _write(
            "plans/p.toml",
            '[plan]\nname = "n"\nbase = "../configs/base.toml"\n'
            'experiment_name = "e"\none_click_action_id = "c"\nseed = 8\n'
            'images_per_step = 2\n[plan.metadata]\nowner = "me"\n' + AXIS,
        )
    )
    assert (plan.name, plan.experiment_name, plan.one_click_action_id, plan.seed) == ("n", "e", "c", 8)
    assert plan.metadata["owner"] == "me" and plan.images_per_step == 2 and plan.source == "plans/p.toml"
    assert plan.base.txt2img.get("seed") == 3 and plan.axes[0].values == (4.0, 6.0, 8.0)


def test_inline_base_and_json_plans_and_the_default_name() -> None:
    plan = load_plan(_write("sweep.toml", AXIS + '[base]\nprompt = "q"\n[base.txt2img]\n'))
    assert plan.name == "sweep" and plan.base.prompt == "q"
    data = {
        "plan": {"name": "j"},
        "base": {"prompt": "q", "txt2img": {}},
        "axes": [{"variable": "steps", "values": [5, 6]}],
    }
    assert load_plan(_write("j.json", json.dumps(data))).axes[0].values == (5, 6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[plan]\nname = "n"\n' + AXIS, "plans/p.toml: plan.base: is required"),
        ('[plan]\nbase = "nope.toml"\n' + AXIS, "plans/p.toml: plan.base: file not found: plans/nope.toml"),
        ("[plan]\nbase = 3\n" + AXIS, "plans/p.toml: plan.base: expected a file path, got 3"),
        (
            '[plan]\nbase = "b.toml"\n' + AXIS + '[base]\nprompt = "q"\n[base.txt2img]\n',
            "plans/p.toml: plan.base: give either [plan] base or an inline [base] table, not both",
        ),
        (AXIS + '[base]\nprompt = "q"\n', "plans/p.toml: base: no enabled stage"),
        (
            AXIS + '[base]\nprompt = "q"\n[base.txt2img]\nsteps = 500\n',
            "plans/p.toml: base.txt2img.steps: 500 is out of range (expected 1–150)",
        ),
        ('[plan]\nname = "n"\nbse = "x"\n', "plans/p.toml: plan.bse: unknown field"),
        ("plan = 3\n", "plans/p.toml: plan: expected a [plan] table"),
        ("[plan]\nmetadata = 3\n", "plans/p.toml: plan.metadata: expected a table"),
        ("[plan]\nexperiment_name = 3\n", "plans/p.toml: plan.experiment_name: expected a string, got 3"),
        (
            "[axis]\n",
            "plans/p.toml: axis: unknown field (did you mean axes? expected one of: plan, axes, base)",
        ),
        (
            '[[axes]]\nstage = "txt2img"\nvariable = "cfg_scale"\nvalues = "4-x"\n'
            '[base]\nprompt = "q"\n[base.txt2img]\n',
            'plans/p.toml: axes[0].values: "4-x" is not a number range',
        ),
        ("[plan\n", "plans/p.toml: is not valid TOML"),
    ],
)
def test_bad_plans_name_the_plan_file_and_field(text: str, message: str) -> None:
    error = _error(text)
    assert isinstance(error, PlanError | ConfigError)
    assert str(error).startswith(message)


def test_errors_inside_the_base_file_name_the_base_file() -> None:
    _write("plans/b.toml", 'prompt = "p"\n[txt2img]\ncfg_scale = 99\n')
    error = _error('[plan]\nbase = "b.toml"\n' + AXIS)
    assert isinstance(error, ConfigError)
    assert str(error) == "plans/b.toml: txt2img.cfg_scale: 99.0 is out of range (expected 1–30)"


def test_a_missing_plan_file() -> None:
    with pytest.raises(PlanError, match=r"missing\.toml: file not found"):
        load_plan("missing.toml")
