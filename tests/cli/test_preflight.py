"""Preflight (issue 8 item 9): before the first image, `run --learning`, `learn run` and `learn resume`
check that the record log opens for append and the output folder can be written. A bad path is
exit 2, one line naming it, and nothing is generated."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stablenew.adapters.files.preflight import check_folder, check_log
from stablenew.cli import app
from stablenew.domain.errors import InputError

runner = CliRunner()
PIPE = 'prompt = "a newt"\n[txt2img]\nwidth = 64\nheight = 64\n'
PLAN = '[plan]\nname = "pre"\nseed = 2\n[[axes]]\nstage = "txt2img"\nvariable = "steps"\nvalues = "2, 3"\n' \
       '[base]\nprompt = "a newt"\n[base.txt2img]\nwidth = 64\nheight = 64\n'


@pytest.fixture(autouse=True)
def _files() -> None:
    Path("pipe.toml").write_text(PIPE, encoding="utf-8")
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    Path("afile").write_text("a regular file")
    os.symlink("loop", "loop")


COMMANDS = [
    ["run", "pipe.toml", "--learning"], ["learn", "run", "plan.toml"], ["learn", "resume", "plan.toml"]
]
BAD_RECORDS = [
    ("logs", "error: logs: cannot be read as a record log (Is a directory)"),
    ("afile/records.jsonl", "error: afile/records.jsonl: record log is under a regular file, not a folder"),
    ("afile/deeper/records.jsonl",
     "error: afile/deeper/records.jsonl: record log is under a regular file, not a folder"),
    ("loop", "error: loop: record log is a symlink loop"),
    ("loop/records.jsonl", "error: loop/records.jsonl: record log is a symlink loop"),
]


def _nothing_generated() -> None:
    assert not Path("out").exists()
    assert sorted(os.listdir(".")) == sorted(["pipe.toml", "plan.toml", "afile", "loop", *(
        ["logs"] if Path("logs").exists() else [])])


@pytest.mark.parametrize("command", COMMANDS, ids=["run", "learn-run", "learn-resume"])
@pytest.mark.parametrize(("records", "line"), BAD_RECORDS, ids=[r for r, _ in BAD_RECORDS])
def test_a_record_log_that_cannot_be_appended_to_is_one_line_and_nothing_runs(
    command: list[str], records: str, line: str
) -> None:
    if records == "logs":
        Path("logs").mkdir()
    result = runner.invoke(app, [*command, "--records", records, "--output", "out"])
    assert result.exit_code == 2, result.output
    assert result.stderr == line + "\n" and result.stdout == ""
    _nothing_generated()


@pytest.mark.parametrize("command", COMMANDS, ids=["run", "learn-run", "learn-resume"])
@pytest.mark.parametrize(("output", "line"), [
    ("afile", "error: afile: output folder is a file, not a folder"),
    ("afile/out", "error: afile/out: output folder is under a regular file, not a folder"),
    ("loop/out", "error: loop/out: output folder is a symlink loop"),
])
def test_an_output_path_that_cannot_be_a_folder_is_one_line_and_nothing_runs(
    command: list[str], output: str, line: str
) -> None:
    result = runner.invoke(app, [*command, "--records", "r.jsonl", "--output", output])
    assert result.exit_code == 2, result.output
    assert result.stderr == line + "\n" and result.stdout == ""
    assert not Path("r.jsonl").exists()


def test_run_without_learning_checks_only_the_output_folder() -> None:
    result = runner.invoke(app, ["run", "pipe.toml", "--no-learning", "--records", "afile/x.jsonl",
                                 "--output", "out"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(app, ["run", "pipe.toml", "--no-learning", "--output", "afile"])
    assert bad.exit_code == 2 and bad.stderr == "error: afile: output folder is a file, not a folder\n"


@pytest.mark.parametrize("option", ["--records", "--output"])
def test_an_empty_path_option_is_refused(option: str) -> None:
    result = runner.invoke(app, ["learn", "run", "plan.toml", option, ""])
    assert result.exit_code == 2 and "is empty" in result.output
    assert not Path("output").exists()


def test_an_empty_records_path_in_the_app_config_is_refused() -> None:
    Path("stablenew.toml").write_text('[learning]\nrecords_path = ""\n', encoding="utf-8")
    result = runner.invoke(app, ["run", "pipe.toml", "--learning", "--output", "out"])
    assert result.exit_code == 2
    assert result.stderr == "error: stablenew.toml: learning.records_path: is empty (give a file path)\n"


def test_good_paths_pass_without_creating_anything(tmp_path: Path) -> None:
    tmp_path = tmp_path / "checks"
    tmp_path.mkdir()
    check_log(tmp_path / "new" / "deeper" / "records.jsonl")
    check_folder(tmp_path / "new" / "out")
    (tmp_path / "existing.jsonl").write_bytes(b"")
    check_log(tmp_path / "existing.jsonl")
    os.mkfifo(tmp_path / "fifo")  # a FIFO without a reader must not hang the check
    with pytest.raises(InputError, match="cannot be opened for append"):
        check_log(tmp_path / "fifo")
    os.symlink(tmp_path / "gone" / "x", tmp_path / "dangling")
    with pytest.raises(InputError, match="is a symlink to a missing place"):
        check_log(tmp_path / "dangling")
    assert sorted(os.listdir(tmp_path)) == ["dangling", "existing.jsonl", "fifo"]  # nothing created


# "Unwritable" for root does not exist: root writes through permission bits. So, run as root, the
# test runs the CLI as the unprivileged user `nobody` (uid 65534) in a folder it may not write;
# run as another user it needs no switch. A read-only file system cannot be made without mounting.
@pytest.fixture
def locked_folder() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="stablenew-preflight-", dir="/tmp"))
    os.chmod(base, 0o777)  # nobody may write here, not in ro/
    (base / "ro").mkdir()
    Path(base / "ro" / "records.jsonl").write_bytes(b"")
    os.chmod(base / "ro" / "records.jsonl", 0o444)
    os.chmod(base / "ro", 0o555)
    (base / "pipe.toml").write_text(PIPE, encoding="utf-8")
    yield base
    os.chmod(base / "ro", 0o755)
    shutil.rmtree(base)


def _run_unprivileged(cwd: Path, *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the CLI run in a child process as `nobody` when we are root.

    The interpreter lives where `nobody` may not read, so the child is a fork of this process (the
    CLI's modules are imported beforehand) that drops to uid 65534 and runs the CLI in-process."""
    if os.geteuid() != 0:
        done = subprocess.run([sys.executable, "-m", "stablenew", *args], cwd=cwd, capture_output=True,
                              text=True, timeout=120)
        return done.returncode, done.stdout, done.stderr
    runner.invoke(app, ["run", "pipe.toml", "--learning", "--output", "afile"])  # import what the child needs
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe, not to coverage
        try:
            os.chdir(cwd)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            result = runner.invoke(app, list(args))
            os.write(write_end, json.dumps([result.exit_code, result.stdout, result.stderr]).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    code, stdout, stderr = json.loads(data)
    return int(code), str(stdout), str(stderr)


@pytest.mark.parametrize(("records", "output", "line"), [
    ("ro/new.jsonl", "out", "error: ro/new.jsonl: record log cannot be created: ro is not writable"),
    ("ro/records.jsonl", "out", "error: ro/records.jsonl: record log cannot be opened for append "
                                "(Permission denied)"),
    ("r.jsonl", "ro/out", "error: ro/out: output folder cannot be created: ro is not writable"),
    ("r.jsonl", "ro", "error: ro: output folder is not writable"),
])
def test_an_unwritable_place_is_one_line_and_nothing_runs(
    locked_folder: Path, records: str, output: str, line: str
) -> None:
    code, stdout, stderr = _run_unprivileged(locked_folder, "run", "pipe.toml", "--learning", "--records",
                                             records, "--output", output)
    assert code == 2, stdout + stderr
    assert stderr == line + "\n" and stdout == ""
    assert sorted(os.listdir(locked_folder)) == ["pipe.toml", "ro"]
    assert os.listdir(locked_folder / "ro") == ["records.jsonl"]
