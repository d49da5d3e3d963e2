"""`stablenew run`: records when learning is on and none when off, exit codes, and bad input → exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from stablenew.adapters.pipeline.png_files import read_png_text
from stablenew.adapters.records import read_records
from stablenew.cli import app
from stablenew.cli.errors import cli_errors
from stablenew.domain.run.failures import BackendError, FailureKind

GOOD = """prompt = "a lighthouse at dusk, oil painting"
negative_prompt = "blurry"
prompt_pack = "coast"
prompt_id = "lighthouse-01"

[txt2img]
steps = 8
width = 128
height = 128
seed = 42

[img2img]
denoising_strength = 0.35
"""
RECORDS = Path("output/learning/learning_records.jsonl")
runner = CliRunner()


def _write(name: str, text: str) -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


def _run(*args: str) -> object:
    return runner.invoke(app, ["run", *args])


def _records(path: Path = RECORDS) -> list:
    report = read_records(path)
    assert report.clean and report.torn_tail is None
    return list(report.records)


def test_run_with_learning_writes_one_record_and_prints_the_run() -> None:
    result = _run(_write("p.toml", GOOD), "--learning")
    assert result.exit_code == 0, result.output
    (record,) = _records()
    out = result.stdout
    assert f"run {record.run_id} on procedural: ok" in out
    assert "txt2img" in out and "img2img" in out and "seconds" in out
    for event in record.stage_events:
        assert f"{event['duration_s']:.3f}" in out
        assert f"image ({event['stage']}): {event['images'][0]['path']}" in out
        assert Path(event["images"][0]["path"]).is_file()
    assert f"record: {RECORDS}" in out
    assert record.success is True and record.config["txt2img"]["seed"] == 42 and record.prompt_pack == "coast"
    shown = runner.invoke(app, ["records", "show", record.run_id])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["run_id"] == record.run_id


def test_no_record_without_learning_and_with_no_learning() -> None:
    config = _write("p.toml", GOOD)
    assert _run(config).exit_code == 0
    assert _run(config, "--no-learning").exit_code == 0
    assert not RECORDS.exists() and not list(Path(".").rglob("*.jsonl"))
    assert len(list(Path("output/runs").iterdir())) == 2


def test_app_config_turns_learning_on_and_the_flag_wins() -> None:
    _write("stablenew.toml", '[learning]\nenabled = true\nrecords_path = "logs/records.jsonl"\n')
    config = _write("p.toml", GOOD)
    assert _run(config).exit_code == 0
    assert len(_records(Path("logs/records.jsonl"))) == 1
    assert _run(config, "--no-learning").exit_code == 0
    assert len(_records(Path("logs/records.jsonl"))) == 1
    assert _run(config, "--records", "other.jsonl").exit_code == 0
    assert len(_records(Path("other.jsonl"))) == 1


def test_config_option_env_and_output_option(monkeypatch: pytest.MonkeyPatch) -> None:
    _write("app.toml", 'output_dir = "from-file"\n')
    monkeypatch.setenv("STABLENEW_LEARNING__ENABLED", "true")
    result = _run(_write("p.toml", GOOD), "--config", "app.toml")
    assert result.exit_code == 0 and len(_records(Path("from-file/learning/learning_records.jsonl"))) == 1
    result = _run("p.toml", "--config", "app.toml", "--output", "elsewhere", "--backend", "procedural")
    assert result.exit_code == 0 and len(_records(Path("elsewhere/learning/learning_records.jsonl"))) == 1


def test_a_failed_run_exits_1_and_its_record_is_still_written() -> None:
    Path("out").mkdir()  # the output folder passes the preflight; the run folder inside cannot be made
    Path("out/runs").write_text("a regular file where the image directory should be")
    result = _run(_write("p.toml", GOOD), "--learning", "--output", "out", "--records", "r.jsonl")
    assert result.exit_code == 1
    assert "FAILED" in result.stdout and "record: r.jsonl" in result.stdout
    (record,) = _records(Path("r.jsonl"))
    assert record.success is False and record.error.startswith("txt2img: NotADirectoryError")
    event = record.stage_events[0]
    assert event["outcome"] == "failed" and event["error_kind"] == "io_error"
    assert len(record.stage_events) == 1  # img2img never ran


def test_an_unwritable_record_path_does_not_fail_the_run() -> None:
    result = _run(_write("p.toml", GOOD), "--learning", "--records", "/dev/full")  # passes the preflight
    assert result.exit_code == 0
    assert "record NOT written: [Errno 28] No space left on device" in result.stdout


def test_records_and_pngs_hold_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STABLENEW_A1111__PASSWORD", "hunter2-secret")
    monkeypatch.setenv("STABLENEW_A1111__USERNAME", "alice")
    result = _run(_write("p.toml", GOOD), "--learning")
    assert result.exit_code == 0
    assert "hunter2" not in RECORDS.read_text() and "hunter2" not in result.output
    (record,) = _records()
    for paths in record.outputs.values():
        texts = read_png_text(paths[0])
        assert texts and not any("hunter2" in value for value in texts.values())
        assert b"hunter2" not in Path(paths[0]).read_bytes()


BAD_INPUT = [
    ("missing.toml", None, "missing.toml: file not found"),
    ("bad.toml", "prompt = \n", "bad.toml: is not valid TOML (Invalid value (at line 1, column 10))"),
    (
        "stage.toml",
        'prompt = "x"\n[txt2imgx]\n',
        "stage.toml: txt2imgx: unknown field (did you mean txt2img? expected one of: prompt, "
        "negative_prompt, prompt_pack, prompt_id, txt2img, img2img, adetailer, upscale, metadata)",
    ),
    (
        "field.toml",
        'prompt = "x"\n[txt2img]\nstepz = 3\n',
        "field.toml: txt2img.stepz: unknown field (did you mean steps? expected one of: model, vae, "
        "sampler_name, scheduler, steps, cfg_scale, seed, clip_skip, width, height, batch_size, enable_hr, "
        "hr_scale, hr_upscaler, hr_second_pass_steps, hr_denoising_strength)",
    ),
    (
        "type.toml",
        'prompt = "x"\n[txt2img]\nsteps = "twenty"\n',
        "type.toml: txt2img.steps: expected an integer, got 'twenty'",
    ),
    (
        "range.toml",
        'prompt = "x"\n[txt2img]\n[img2img]\ndenoising_strength = 1.5\n',
        "range.toml: img2img.denoising_strength: 1.5 is out of range (expected 0–1)",
    ),
    ("noprompt.toml", "[txt2img]\nsteps = 3\n", "noprompt.toml: prompt: is required (a non-empty string)"),
    (
        "nostage.toml",
        'prompt = "x"\n[txt2img]\nenabled = false\n',
        "nostage.toml: no enabled stage (expected at least one of: txt2img, img2img, adetailer, upscale)",
    ),
    (
        "noinput.toml",
        'prompt = "x"\n[upscale]\nupscaler = "Lanczos"\n',
        "noinput.toml: upscale: needs an input image, so an enabled stage that produces one must come "
        "before it (stage order: txt2img → img2img → adetailer → upscale)",
    ),
    (
        "meta.toml",
        'prompt = "x"\n[txt2img]\n[metadata]\nratio = nan\n',
        "meta.toml: metadata.ratio: expected a finite number, got nan",
    ),
]


def _nothing_written() -> None:
    assert not Path("output").exists() and not list(Path(".").rglob("*.jsonl"))
    assert not list(Path(".").rglob("*.png"))


@pytest.mark.parametrize(("name", "text", "line"), BAD_INPUT, ids=[case[0] for case in BAD_INPUT])
def test_bad_input_exits_2_with_one_line_naming_file_and_field(
    name: str, text: str | None, line: str
) -> None:
    if text is not None:
        _write(name, text)
    result = _run(name, "--learning")
    assert result.exit_code == 2
    assert result.stderr == f"error: {line}\n"
    assert result.stdout == ""
    _nothing_written()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--backend", "nope"], "command line: backend: Input should be 'procedural', 'a1111' or 'comfyui'"),
        (["--config", "app.toml"], "app.toml: learning.enabeld: unknown field"),
        (["--config", "absent.toml"], "absent.toml: file not found"),
    ],
)
def test_bad_app_config_exits_2(args: list[str], line: str) -> None:
    _write("app.toml", "[learning]\nenabeld = true\n")
    result = _run(_write("p.toml", GOOD), "--learning", *args)
    assert result.exit_code == 2 and result.stderr == f"error: {line}\n"
    _nothing_written()


def test_debug_reraises_for_a_traceback() -> None:
    result = _run("missing.toml", "--debug")
    assert result.exit_code == 1 and type(result.exception).__name__ == "ConfigError"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STABLENEW_")}
    return subprocess.run(
        [sys.executable, "-m", "stablenew", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_real_process_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    _write("p.toml", GOOD)
    _write("bad.toml", 'prompt = "x"\n[txt2img]\nsteps = 0\n')
    bad = _cli("run", "bad.toml", "--learning", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == "error: bad.toml: txt2img.steps: 0 is out of range (expected 1–150)\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "p.toml"]  # nothing written
    debug = _cli("run", "bad.toml", "--debug", cwd=tmp_path)
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "ConfigError" in debug.stderr
    good = _cli("run", "p.toml", "--learning", cwd=tmp_path)
    assert good.returncode == 0 and "Traceback" not in good.stderr and len(_records()) == 1
    Path("blocked").mkdir()
    Path("blocked/runs").write_text("file")  # past the preflight, the run folder cannot be made
    failed = _cli("run", "p.toml", "--learning", "--output", "blocked", "--records", "f.jsonl", cwd=tmp_path)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert _records(Path("f.jsonl"))[0].success is False


def test_cli_errors_maps_other_errors_to_exit_1_and_debug_reraises() -> None:
    with pytest.raises(typer.Exit) as caught, cli_errors(debug=False):
        raise BackendError("a1111 is not reachable", kind=FailureKind.CONNECTION_REFUSED)
    assert caught.value.exit_code == 1
    with pytest.raises(BackendError), cli_errors(debug=True):
        raise BackendError("a1111 is not reachable")
