"""`stablenew run` and `stablenew backends check` against the fake A1111; env overrides; no secret leaks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from tests.backends.a1111_helpers import TXT2IMG, app_toml, closed_port_url, pipeline_toml, read_records
from tests.servers import a1111_fixtures
from tests.servers.a1111_server import FakeA1111Server, Fault
from typer.testing import CliRunner

from stablenew.adapters.pipeline.png_files import read_png_text
from stablenew.cli import app

a1111_server = a1111_fixtures.a1111_server  # the fixtures, by name
a1111_server_factory = a1111_fixtures.a1111_server_factory

runner = CliRunner()
SECRET = "Zq9-very-S3CRET-pa55word"
PIPE = '[txt2img]\nmodel = "sd15"\nsteps = 3\nseed = -1\n[img2img]\ndenoising_strength = 0.3\n'


def test_run_through_a1111_writes_images_and_a_record(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    config = app_toml(tmp_path / "app.toml", a1111_server.base_url)
    plan = pipeline_toml(tmp_path / "pipe.toml", PIPE)
    result = runner.invoke(app, ["run", str(plan), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "on a1111: ok" in result.stdout
    (record,) = read_records(tmp_path / "output" / "learning" / "learning_records.jsonl")
    assert record["backend"] == "a1111" and record["success"] is True
    assert a1111_server.payloads(TXT2IMG)[0]["seed"] == -1
    assert record["config"]["txt2img"]["seed"] == record["stage_events"][0]["params"]["seed"] != -1


def test_failed_run_exits_1_with_its_record_written(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    a1111_server.add_fault("/sdapi/v1/img2img", Fault("oom"))
    config = app_toml(tmp_path / "app.toml", a1111_server.base_url)
    plan = pipeline_toml(tmp_path / "pipe.toml", PIPE)
    result = runner.invoke(app, ["run", str(plan), "--config", str(config)])
    assert result.exit_code == 1, result.output
    (record,) = read_records(tmp_path / "output" / "learning" / "learning_records.jsonl")
    assert record["success"] is False
    assert [e["outcome"] for e in record["stage_events"]] == ["success", "failed"]
    assert record["stage_events"][1]["error_kind"] == "out_of_memory"


def test_environment_overrides_the_config_file(
    a1111_server_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = a1111_server_factory(username="bob", password=SECRET)
    config = app_toml(tmp_path / "app.toml", closed_port_url(), username="bob")
    config.write_text(config.read_text().replace('backend = "a1111"', 'backend = "procedural"'))
    monkeypatch.setenv("STABLENEW_BACKEND", "a1111")
    monkeypatch.setenv("STABLENEW_A1111__BASE_URL", server.base_url)
    monkeypatch.setenv("STABLENEW_A1111__PASSWORD", SECRET)
    plan = pipeline_toml(tmp_path / "pipe.toml", PIPE)
    result = runner.invoke(app, ["run", str(plan), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert server.count(TXT2IMG) == 1


def test_the_password_never_reaches_records_png_output_or_logs(
    a1111_server_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = a1111_server_factory(username="bob", password=SECRET)
    server.add_fault("/sdapi/v1/img2img", Fault("status", status=503))
    config = app_toml(tmp_path / "app.toml", server.base_url, username="bob")
    monkeypatch.setenv("STABLENEW_A1111__PASSWORD", SECRET)
    plan = pipeline_toml(tmp_path / "pipe.toml", PIPE + "[upscale]\nupscaler = \"Lanczos\"\n")
    ok = runner.invoke(app, ["run", str(plan), "--config", str(config), "--debug"])
    assert ok.exit_code == 0, ok.output
    checked = runner.invoke(app, ["backends", "check", "--config", str(config)])
    assert checked.exit_code == 0, checked.output
    monkeypatch.setenv("STABLENEW_A1111__PASSWORD", SECRET + "-wrong")
    bad = runner.invoke(app, ["run", str(plan), "--config", str(config)])
    bad_check = runner.invoke(app, ["backends", "check", "--config", str(config)])
    assert bad.exit_code == 1 and bad_check.exit_code == 1
    assert "401" in bad.stderr and "401" in bad_check.stderr
    outputs = [r.stdout + r.stderr for r in (ok, checked, bad, bad_check)] + [caplog.text]
    outputs += [p.read_text(encoding="utf-8") for p in (tmp_path / "output").rglob("*.jsonl")]
    for png in (tmp_path / "output").rglob("*.png"):
        outputs += list(read_png_text(png).values())
        outputs.append(png.read_bytes().decode("latin-1"))
    assert len(outputs) > 8
    assert not [text for text in outputs if SECRET in text]


def test_backends_check_prints_what_the_server_offers(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    config = app_toml(tmp_path / "app.toml", a1111_server.base_url)
    result = runner.invoke(app, ["backends", "check", "--config", str(config)])
    assert result.exit_code == 0, result.output
    for text in ("a1111", "usable", "yes", "sd15.safetensors [6ce0161689]", "DPM++ 2M", "Karras",
                 "R-ESRGAN 4x+"):
        assert text in result.stdout, text
    assert "v1.10.1" in result.stdout  # from /internal/sysinfo
    assert a1111_server.count(TXT2IMG) == 0


def test_backends_check_fails_with_a_reason_when_unreachable(tmp_path: Path) -> None:
    config = app_toml(tmp_path / "app.toml", closed_port_url())
    result = runner.invoke(app, ["backends", "check", "--config", str(config)])
    assert result.exit_code == 1
    assert "backend a1111 is not usable" in result.stderr and "connection refused" in result.stderr


def test_backends_check_unusable_without_checkpoints(a1111_server_factory, tmp_path: Path) -> None:
    from tests.servers.a1111_catalog import DEFAULT_MODELS

    server = a1111_server_factory(models=DEFAULT_MODELS)
    server.models.clear()
    config = app_toml(tmp_path / "app.toml", server.base_url)
    result = runner.invoke(app, ["backends", "check", "--config", str(config)])
    assert result.exit_code == 1 and "no checkpoints" in result.stderr


def test_backends_check_of_the_procedural_backend(tmp_path: Path) -> None:
    result = runner.invoke(app, ["backends", "check", "--backend", "procedural"])
    assert result.exit_code == 0, result.output
    assert "procedural" in result.stdout and "Euler a" in result.stdout
