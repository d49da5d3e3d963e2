"""`stablenew run|learn run|backends check --config stablenew.toml` with backend = "comfyui" end to end."""

from __future__ import annotations

import json
from pathlib import Path

from tests.backends.comfyui_helpers import write_toml
from tests.servers import comfyui_fixtures
from tests.servers.comfyui_server import ComfyFault, FakeComfyUIServer
from typer.testing import CliRunner

from stablenew.adapters.pipeline.png_files import read_png_text
from stablenew.adapters.records import read_records
from stablenew.cli import app

comfyui_server = comfyui_fixtures.comfyui_server  # the fixture, by name

runner = CliRunner()
PIPELINE = """prompt = "a lighthouse at dusk"
negative_prompt = "blurry"
[txt2img]
model = "sd15"
sampler_name = "DPM++ 2M"
scheduler = "Karras"
steps = 3
width = 64
height = 64
seed = {seed}
[upscale]
upscaler = "Lanczos"
upscaling_resize = 2.0
"""


def _app_config(server: FakeComfyUIServer, extra: str = "") -> str:
    write_toml(
        Path("stablenew.toml"),
        f"""backend = "comfyui"
[learning]
enabled = true
[comfyui]
base_url = "{server.base_url}"
retries = 1
retry_backoff_s = 0
poll_interval_s = 0.05
{extra}""",
    )
    return "stablenew.toml"


def _records() -> list:
    return list(read_records(Path("output/learning/learning_records.jsonl")).records)


def test_run_records_what_ran_and_writes_all_three_png_chunks(comfyui_server: FakeComfyUIServer) -> None:
    write_toml(Path("p.toml"), PIPELINE.format(seed=-1))
    result = runner.invoke(app, ["run", "p.toml", "--config", _app_config(comfyui_server)])
    assert result.exit_code == 0, result.output
    (record,) = _records()
    txt2img, upscale = record.stage_events
    sent_seed = comfyui_server.prompts[0]["prompt"]["3"]["inputs"]["seed"]
    assert txt2img["params"]["seed"] == sent_seed == txt2img["images"][0]["seed"]
    assert txt2img["params"]["comfyui_sampler_name"] == "dpmpp_2m" and record.backend == "comfyui"
    assert upscale["images"][0]["width"] == 128
    chunks = read_png_text(txt2img["images"][0]["path"])
    assert f"Seed: {sent_seed}" in chunks["parameters"] and "Sampler: DPM++ 2M" in chunks["parameters"]
    assert (
        "Schedule type: Karras" in chunks["parameters"] and "Model: sd15," in chunks["parameters"]
    )
    assert json.loads(chunks["stablenew"])["params"]["comfyui_scheduler"] == "karras"
    assert json.loads(chunks["prompt"])["3"]["inputs"]["seed"] == sent_seed


def test_unknown_sampler_exits_2_with_close_matches_and_sends_nothing(
    comfyui_server: FakeComfyUIServer,
) -> None:
    write_toml(Path("p.toml"), PIPELINE.format(seed=1).replace("DPM++ 2M", "DPM++ 2N"))
    result = runner.invoke(app, ["run", "p.toml", "--config", _app_config(comfyui_server)])
    assert result.exit_code == 2
    assert "p.toml: txt2img.sampler_name: sampler 'DPM++ 2N'" in result.stderr and "dpmpp_2m" in result.stderr
    assert (
        comfyui_server.count("/prompt") == 0 and not Path("output/learning/learning_records.jsonl").exists()
    )


def test_a_failed_run_exits_1_with_its_record(comfyui_server: FakeComfyUIServer) -> None:
    comfyui_server.add_fault("/prompt", ComfyFault("status", status=503, times=5))
    write_toml(Path("p.toml"), PIPELINE.format(seed=1))
    result = runner.invoke(app, ["run", "p.toml", "--config", _app_config(comfyui_server)])
    assert result.exit_code == 1
    (record,) = _records()
    assert record.success is False and record.stage_events[0]["error_kind"] == "server_error"
    assert record.stage_events[0]["params"]["retries"] == 1 and comfyui_server.count("/prompt") == 2


def test_workflow_path_is_relative_to_the_config_file_and_env_overrides(
    comfyui_server: FakeComfyUIServer,
    tmp_path: Path,
    monkeypatch: object,
) -> None:
    from tests.servers.comfyui_graphs import txt2img_graph

    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "txt2img_api.json").write_text(json.dumps(txt2img_graph()), encoding="utf-8")
    write_toml(
        folder / "stablenew.toml",
        'backend = "comfyui"\n[comfyui]\nbase_url = "http://127.0.0.1:1"\n'
        'workflow = "txt2img_api.json"\n[comfyui.mapping]\nseed = "3.seed"\n',
    )
    monkeypatch.setenv("STABLENEW_COMFYUI__BASE_URL", comfyui_server.base_url)  # type: ignore[attr-defined]
    write_toml(Path("p.toml"), PIPELINE.format(seed=5))
    result = runner.invoke(app, ["run", "p.toml", "--config", str(folder / "stablenew.toml"), "--learning"])
    assert result.exit_code == 0, result.output
    (record,) = _records()
    assert record.stage_events[0]["params"]["comfyui_workflow"] == str(folder / "txt2img_api.json")


def test_backends_check_lists_the_comfyui_catalog(comfyui_server: FakeComfyUIServer) -> None:
    result = runner.invoke(app, ["backends", "check", "--config", _app_config(comfyui_server)])
    assert result.exit_code == 0, result.output
    assert "0.3.40" in result.stdout and "sd15.safetensors" in result.stdout


def test_a_learning_plan_runs_on_comfyui_and_goes_on_after_a_failed_step(
    comfyui_server: FakeComfyUIServer,
) -> None:
    write_toml(Path("base.toml"), PIPELINE.format(seed=7))
    write_toml(
        Path("plan.toml"),
        '[plan]\nname = "cfg"\nbase = "base.toml"\n\n[[axes]]\nstage = "txt2img"\n'
        'variable = "cfg_scale"\nvalues = "5, 7"\n',
    )
    comfyui_server.add_fault("/prompt", ComfyFault("status", status=500))
    result = runner.invoke(
        app, ["learn", "run", "plan.toml", "--no-grid", "--config", _app_config(comfyui_server)]
    )
    assert result.exit_code == 1, result.output
    records = _records()
    assert [r.success for r in records] == [False, True]
    sampled = [p["prompt"]["3"]["inputs"]["cfg"] for p in comfyui_server.prompts if "3" in p["prompt"]]
    assert sampled == [5.0, 7.0]
    assert records[0].stage_events[0]["error_kind"] == "server_error"
