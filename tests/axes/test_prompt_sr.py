"""Prompt S/R axis: A1111's semantics in plan checks, step configs, records and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stablenew.adapters.records import read_records
from stablenew.cli import app
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.errors import PlanError
from stablenew.domain.plan.prompt_sr import plan_prompts
from stablenew.domain.plan.rules import build_plan
from stablenew.domain.plan.steps import derive_step_config, expand_plan

BASE = parse_pipeline_config(
    {
        "prompt": "a dog in a dog house",
        "negative_prompt": "ugly dog",
        "txt2img": {"width": 64, "height": 64, "steps": 2},
    }
)


def _plan(values: object, **axis: object) -> object:
    return build_plan(name="sr", base=BASE, axes=[{"variable": "prompt_sr", "values": values, **axis}])


def test_every_value_replaces_the_first_in_prompt_and_negative_prompt_and_the_first_is_unchanged() -> None:
    plan = _plan('dog, cat, "fox, red"')
    configs = [derive_step_config(BASE, step, plan) for step in expand_plan(plan)]
    assert [(c.prompt, c.negative_prompt) for c in configs] == [
        ("a dog in a dog house", "ugly dog"),
        ("a cat in a cat house", "ugly cat"),
        ("a fox, red in a fox, red house", "ugly fox, red"),
    ]
    assert [step.variables for step in expand_plan(plan)] == [
        {"prompt_sr": "dog"},
        {"prompt_sr": "cat"},
        {"prompt_sr": "fox, red"},
    ]
    assert BASE.prompt == "a dog in a dog house"


def test_a_search_text_only_in_the_negative_prompt_is_found_like_a1111() -> None:
    plan = _plan(["ugly", "pretty"])
    configs = [derive_step_config(BASE, step, plan) for step in expand_plan(plan)]
    assert configs[1].negative_prompt == "pretty dog" and configs[1].prompt == BASE.prompt


def test_a_replacement_may_be_empty_text() -> None:
    plan = _plan(["dog ", ""])
    assert derive_step_config(BASE, expand_plan(plan)[1], plan).prompt == "a in a house"


@pytest.mark.parametrize(
    ("values", "axis", "field", "message"),
    [
        ("cow, cat", {}, "axes[0].values", 'the search text "cow" is not in the prompt or negative prompt'),
        ("dog, cat, dog", {}, "axes[0].values", "'dog' appears twice"),
        ("dog, cat", {"stage": "txt2img"}, "axes[0].stage", "leave stage out"),
        (["", "x"], {}, "axes[0].values", "cannot be empty"),
        ([1, 2], {}, "axes[0].values", "is not a string"),
    ],
    ids=["absent", "twice", "stage", "empty-search", "not-text"],
)
def test_bad_prompt_sr_axes_name_the_field(
    values: object, axis: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(PlanError) as caught:
        _plan(values, **axis)
    assert caught.value.field == field and message in caught.value.message


def test_plan_prompts_lists_every_variant() -> None:
    assert plan_prompts(_plan("dog, cat")) == {
        ("a dog in a dog house", "ugly dog"),
        ("a cat in a cat house", "ugly cat"),
    }


PLAN = """[plan]
name = "sr-cli"
seed = 3
[[axes]]
variable = "prompt_sr"
values = "{values}"
[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "4, 8"
[base]
prompt = "a red lighthouse"
negative_prompt = "red blur"
[base.txt2img]
width = 64
height = 64
steps = 2
"""


def test_learn_run_records_each_replacement_and_resumes(tmp_path: Path) -> None:
    plan = tmp_path / "sr.toml"
    plan.write_text(PLAN.format(values="red, blue"), encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["learn", "run", str(plan), "--output", str(tmp_path / "out")])
    assert first.exit_code == 0, first.output
    records = read_records(tmp_path / "out" / "learning" / "learning_records.jsonl").records
    seen = {
        (r.data["prompt"], r.data["negative_prompt"], r.data["learning"]["variables"]["prompt_sr"])
        for r in records
    }
    assert seen == {("a red lighthouse", "red blur", "red"), ("a blue lighthouse", "blue blur", "blue")}
    assert len(records) == 4
    again = runner.invoke(app, ["learn", "resume", str(plan), "--output", str(tmp_path / "out")])
    assert again.exit_code == 0, again.output
    assert len(read_records(tmp_path / "out" / "learning" / "learning_records.jsonl").records) == 4


def test_learn_run_with_an_absent_search_text_exits_2_naming_the_field(tmp_path: Path) -> None:
    plan = tmp_path / "sr.toml"
    plan.write_text(PLAN.format(values="green, blue"), encoding="utf-8")
    result = CliRunner().invoke(app, ["learn", "run", str(plan), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f'error: {plan}: axes[0].values: the search text "green" is not in the prompt or negative prompt'
    ]
    assert not (tmp_path / "out").exists()
