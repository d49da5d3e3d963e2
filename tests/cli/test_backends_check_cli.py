"""`backends check`: every name, a --json form, the A1111 version of an API-only (--nowebui) server;
the ADetailer-on-ComfyUI refusal names the file like every other exit-2 message."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from tests.backends.a1111_helpers import app_toml, closed_port_url
from tests.backends.comfyui_helpers import write_toml
from tests.servers import a1111_fixtures, comfyui_fixtures
from tests.servers.a1111_catalog import model_entry
from tests.servers.comfyui_server import FakeComfyUIServer
from typer.testing import CliRunner

from stablenew.cli import app

a1111_server_factory = a1111_fixtures.a1111_server_factory
comfyui_server = comfyui_fixtures.comfyui_server
runner = CliRunner()
RECORDED = Path(__file__).parents[1] / "fixtures" / "recorded" / "a1111-1.10.1"
MODELS = [model_entry(f"model{i:02d}.safetensors", f"{i:02d}" + "a" * 62) for i in range(12)]


def _check(config: Path, *extra: str):
    return runner.invoke(app, ["backends", "check", "--config", str(config), *extra])


def test_every_name_is_listed_and_json_holds_the_same(a1111_server_factory, tmp_path: Path) -> None:
    server = a1111_server_factory(models=MODELS)
    config = app_toml(tmp_path / "app.toml", server.base_url)
    text = _check(config)
    assert text.exit_code == 0, text.output
    assert "models     │ 12: model00.safetensors [00aaaaaaaa]" in text.output
    assert all(f"model{i:02d}.safetensors" in text.output for i in range(12)) and "(+" not in text.output

    as_json = _check(config, "--json")
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert (data["name"], data["usable"], data["version"]) == ("a1111", True, "v1.10.1")
    assert data["models"] == [m["title"] for m in MODELS] and "Euler a" in data["samplers"]
    assert set(data) == {"name", "usable", "reason", "version", "models", "samplers", "schedulers",
                         "upscalers", "vaes"}


def test_json_of_an_unusable_backend_exits_1_with_the_reason(tmp_path: Path) -> None:
    config = app_toml(tmp_path / "app.toml", closed_port_url())
    result = _check(config, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["usable"] is False and data["reason"] and data["models"] == []
    assert result.stderr.startswith("error: backend a1111 is not usable:")


def test_an_api_only_a1111_still_shows_what_version_it_is(a1111_server_factory, tmp_path: Path) -> None:
    recorded = json.loads((RECORDED / "get-internal-sysinfo-nowebui.json").read_text(encoding="utf-8"))
    flags = json.loads((RECORDED / "get-cmd-flags.json").read_text(encoding="utf-8"))
    server = a1111_server_factory()
    server.nowebui = True
    answer = httpx.get(f"{server.base_url}/internal/sysinfo")
    assert answer.status_code == recorded["response"]["status"] == 404
    assert answer.json() == recorded["response"]["json"]
    nowebui = httpx.get(f"{server.base_url}/sdapi/v1/cmd-flags").json()["nowebui"]
    assert nowebui is flags["response"]["json"]["nowebui"] is True

    result = _check(app_toml(tmp_path / "app.toml", server.base_url), "--json")
    assert json.loads(result.stdout)["version"] == "1.9+ (API only)"
    old = a1111_server_factory(schedulers_route=False)
    old.nowebui = True
    result = _check(app_toml(tmp_path / "old.toml", old.base_url), "--json")
    assert json.loads(result.stdout)["version"] == "before 1.9 (API only)"


def test_adetailer_on_stock_comfyui_names_the_config_file(comfyui_server: FakeComfyUIServer) -> None:
    app_config = f'backend = "comfyui"\n[comfyui]\nbase_url = "{comfyui_server.base_url}"\n'
    write_toml(Path("stablenew.toml"), app_config)
    write_toml(Path("face.toml"), 'prompt = "a face"\n[txt2img]\nmodel = "sd15"\n[adetailer]\n')
    result = runner.invoke(app, ["run", "face.toml", "--config", "stablenew.toml"])
    assert result.exit_code == 2
    assert result.output.startswith("error: face.toml: adetailer: stock ComfyUI has no ADetailer;")
    assert result.output.count("\n") == 1
