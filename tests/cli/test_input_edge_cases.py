"""Input edge cases: a plan whose base is itself or a folder, a UTF-8 BOM, a duplicate JSON key,
NaN in a value list, axis values naming one thing twice, -0.0 shown as 0."""

from __future__ import annotations

import json
from pathlib import Path

from tests.backends.a1111_helpers import app_toml
from tests.backends.comfyui_helpers import write_toml
from tests.servers import a1111_fixtures, comfyui_fixtures
from tests.servers.a1111_server import FakeA1111Server
from tests.servers.comfyui_server import FakeComfyUIServer
from typer.testing import CliRunner

from stablenew.adapters.records import read_records
from stablenew.cli import app

a1111_server = a1111_fixtures.a1111_server
comfyui_server = comfyui_fixtures.comfyui_server
runner = CliRunner()
AXES = '[[axes]]\nvariable = "{variable}"\nvalues = {values}\n'
INLINE_BASE = '[base]\nprompt = "a fox"\n[base.txt2img]\nwidth = 64\nheight = 64\n'


def _plan(axes: str, base: str = INLINE_BASE, name: str = "edge") -> str:
    Path("plan.toml").write_text(f'[plan]\nname = "{name}"\n{axes}{base}', encoding="utf-8")
    return "plan.toml"


def _learn(*args: str):
    return runner.invoke(app, ["learn", "run", *args, "--output", "out", "--no-grid"])


def _one_error(result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.output == f"error: {expected}\n"
    assert not Path("out").exists()


def test_a_plan_whose_base_is_itself_or_a_folder_is_refused_by_name() -> None:
    axes = AXES.format(variable="steps", values='"2, 3"')
    Path("plan.toml").write_text(f'[plan]\nbase = "plan.toml"\n{axes}', encoding="utf-8")
    itself = "names the plan file itself ('plan.toml'); expected a pipeline config file"
    _one_error(_learn("plan.toml"), f"plan.toml: plan.base: {itself}")
    Path("configs").mkdir()
    Path("plan.toml").write_text(f'[plan]\nbase = "configs"\n{axes}', encoding="utf-8")
    folder = "configs is a folder; expected a pipeline config file"
    _one_error(_learn("plan.toml"), f"plan.toml: plan.base: {folder}")


def test_a_toml_or_json_with_a_utf8_bom_is_read() -> None:
    text = Path(_plan(AXES.format(variable="steps", values='"2"'))).read_bytes()
    Path("plan.toml").write_bytes(b"\xef\xbb\xbf" + text)
    assert _learn("plan.toml").exit_code == 0
    Path("config.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(
        {"prompt": "a fox", "txt2img": {"width": 64, "height": 64}}).encode())
    assert runner.invoke(app, ["run", "config.json", "--output", "out"]).exit_code == 0


def test_a_duplicate_key_in_a_json_config_is_refused_as_toml_does() -> None:
    text = '{"prompt": "a fox", "txt2img": {"steps": 20, "steps": 30}}'
    Path("config.json").write_text(text, encoding="utf-8")
    _one_error(runner.invoke(app, ["run", "config.json", "--output", "out"]),
               "config.json: is not valid JSON (the key 'steps' appears twice in one object)")


def test_nan_in_a_value_list_is_not_a_number() -> None:
    _one_error(_learn(_plan(AXES.format(variable="cfg_scale", values="[4.0, nan]"))),
               'plan.toml: axes[0].values: "nan" is not a number')
    _one_error(_learn(_plan(AXES.format(variable="cfg_scale", values="[4.0, inf]"))),
               'plan.toml: axes[0].values: "inf" has a number out of range')


def test_minus_zero_is_zero_everywhere() -> None:
    _one_error(_learn(_plan(AXES.format(variable="denoising_strength", values='"-0.0, 0"'),
                            base=INLINE_BASE + "[base.img2img]\n")),
               "plan.toml: axes[0].values: 0.0 appears twice (each step must differ)")
    result = _learn(_plan(AXES.format(variable="denoising_strength", values="[-0.0, 0.5]"),
                          base=INLINE_BASE + "[base.img2img]\n"))
    assert result.exit_code == 0, result.output
    assert "step 1/2 ok: img2img.denoising_strength=0.0" in result.output and "=-0" not in result.output
    records = read_records(Path("out/learning/learning_records.jsonl")).records
    assert records[0].learning["variables"]["img2img.denoising_strength"] == 0.0
    assert '": -0.0' not in Path("out/learning/learning_records.jsonl").read_text(encoding="utf-8")


def test_sampler_aliases_are_one_sampler_on_every_backend(
    a1111_server: FakeA1111Server, comfyui_server: FakeComfyUIServer, tmp_path: Path
) -> None:
    plan = _plan(AXES.format(variable="sampler_name", values='"Euler a, k_euler_a"'))
    expected = ('plan.toml: axes[0].values: "Euler a" and "k_euler_a" are the same sampler_name on this '
                "backend ({same}); each step must differ")
    _one_error(_learn(plan), expected.format(same="Euler a"))
    a1111 = app_toml(tmp_path / "a1111.toml", a1111_server.base_url)
    _one_error(_learn(plan, "--config", str(a1111)), expected.format(same="Euler a"))
    comfy = f'backend = "comfyui"\n[comfyui]\nbase_url = "{comfyui_server.base_url}"\n'
    write_toml(Path("comfy.toml"), comfy)
    _one_error(_learn(plan, "--config", "comfy.toml"), expected.format(same="euler_ancestral, normal"))
    assert _learn(_plan(AXES.format(variable="sampler_name", values='"Euler a, Euler"'))).exit_code == 0
