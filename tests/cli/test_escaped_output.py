"""Text from servers, configs and files is printed as it is: never read as rich markup, control
characters escaped; usage errors are one `error:` line; PNG text chunks hold no raw controls."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from tests.backends.a1111_helpers import app_toml
from tests.servers import a1111_fixtures
from tests.servers.a1111_catalog import model_entry
from typer.testing import CliRunner

from stablenew.adapters.pipeline.png_files import read_png_text
from stablenew.adapters.records import read_records
from stablenew.cli import app
from stablenew.cli.errors import EscapingFormatter

a1111_server_factory = a1111_fixtures.a1111_server_factory
runner = CliRunner()
ESC = "\x1b"


def test_model_names_with_a_bracketed_hash_are_printed_whole(a1111_server_factory, tmp_path: Path) -> None:
    server = a1111_server_factory(models=[model_entry("juggernaut.safetensors", "bold" + "0" * 60)])
    config = app_toml(tmp_path / "app.toml", server.base_url)
    result = runner.invoke(app, ["backends", "check", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "juggernaut.safetensors [bold000000]" in result.output


def test_bracketed_text_in_a_stage_error_is_not_eaten_as_markup() -> None:
    Path("config.toml").write_text('prompt = "a fox"\n[txt2img]\nwidth = 64\nheight = 64\n', encoding="utf-8")
    Path("out[a1111]").mkdir()
    Path("out[a1111]/runs").write_text("a file where the image folder should be", encoding="utf-8")
    result = runner.invoke(app, ["run", "config.toml", "--output", "out[a1111]"], env={"COLUMNS": "500"})
    assert result.exit_code == 1
    assert "out[a1111]/runs" in result.output.replace("\n", "").replace("│", "").replace(" ", "")


def test_control_characters_from_a_plan_are_shown_escaped() -> None:
    Path("plan.toml").write_text(
        '[plan]\nname = "evil\\u001b[2J\\u0000 [bold]x[/bold] :rocket:\\nline"\n'
        '[[axes]]\nvariable = "steps"\nvalues = "2, 3"\n'
        '[base]\nprompt = "a fox"\n[base.txt2img]\nwidth = 64\nheight = 64\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["learn", "run", "plan.toml", "--output", "out", "--no-grid"])
    assert result.exit_code == 0, result.output
    assert ESC not in result.output and "\x00" not in result.output
    assert "plan evil\\x1b[2J\\x00 [bold]x[/bold] :rocket:\\nline (plan-" in result.output
    status = runner.invoke(app, ["learn", "status", "plan.toml", "--output", "out"])
    assert ESC not in status.output
    assert "plan evil\\x1b[2J\\x00 [bold]x[/bold] :rocket:\\nline (plan-" in status.output


def test_an_error_naming_a_value_with_controls_is_one_escaped_line() -> None:
    Path("config.toml").write_text('prompt = "a fox"\n[txt2img]\nsampler_name = "Eu\\u001b[31mler\\nx"\n',
                                   encoding="utf-8")
    result = runner.invoke(app, ["run", "config.toml", "--output", "out"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and ESC not in result.output
    assert result.output.startswith("error: config.toml: txt2img.sampler_name: ")
    assert '"Eu\\x1b[31mler\\nx"' in result.output


def test_usage_errors_are_one_error_line_with_exit_2() -> None:
    bad_option = runner.invoke(app, ["learn", "run", "plan.toml", "--bogus"])
    assert bad_option.exit_code == 2
    assert bad_option.output == "error: stablenew learn run: No such option: --bogus (see --help)\n"
    missing = runner.invoke(app, ["learn", "run"])
    assert missing.exit_code == 2
    assert missing.output == "error: stablenew learn run: Missing argument 'PLAN' (see --help)\n"
    bad_value = runner.invoke(app, ["learn", "run", "plan.toml", "--max-steps", "0"])
    assert bad_value.exit_code == 2 and bad_value.output.count("\n") == 1
    assert bad_value.output.startswith("error: stablenew learn run: Invalid value for '--max-steps'")
    unknown = runner.invoke(app, ["nosuch"])
    assert unknown.exit_code == 2
    assert unknown.output == "error: stablenew: No such command 'nosuch' (see --help)\n"
    assert runner.invoke(app, ["--version"]).exit_code == 0
    assert runner.invoke(app, ["learn", "--help"]).exit_code == 0
    assert runner.invoke(app, ["learn"]).exit_code == 2  # no arguments: the help


def test_png_text_chunks_hold_no_raw_control_characters() -> None:
    Path("config.toml").write_text(
        'prompt = "a fox\\u001b[31m in\\u0000 snow\\u009b"\nnegative_prompt = "blur\\nry"\n'
        "[txt2img]\nwidth = 64\nheight = 64\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", "config.toml", "--output", "out", "--learning"])
    assert result.exit_code == 0, result.output
    (record,) = read_records(Path("out/learning/learning_records.jsonl")).records
    assert record.data["prompt"] == "a fox\x1b[31m in\x00 snow\x9b"  # the record keeps what was asked
    chunks = read_png_text(record.data["images"][0])
    for text in chunks.values():
        assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in text), text
    expected = "a fox\\u001b[31m in\\u0000 snow\\u009b\nNegative prompt: blur\nry"
    assert chunks["parameters"].startswith(expected)
    assert json.loads(chunks["stablenew"])["prompt"] == "a fox\x1b[31m in\x00 snow\x9b"


def test_log_lines_are_escaped_too() -> None:
    record = logging.LogRecord("x", logging.WARNING, "f", 1, "server said %s", ("\x1b[2Jhi\nthere",), None)
    line = EscapingFormatter("%(levelname)s: %(message)s").format(record)
    assert line == "WARNING: server said \\x1b[2Jhi\\nthere"
