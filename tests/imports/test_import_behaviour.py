"""`stablenew import`: dedupe by sha256, dry run, pack, failures counted and listed, exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from stablenew.adapters.records import read_records
from stablenew.cli import app
from tests.imports.images import a1111_infotext, png

LOG = "records.jsonl"


def _import(*args: str) -> Any:
    return CliRunner().invoke(app, ["import", *args, "--records", LOG])


def _count() -> int:
    return len(read_records(Path(LOG)).records) if Path(LOG).exists() else 0


def _library(root: Path, n: int = 3, start: int = 0) -> list[Path]:
    return [
        png(root / f"img{i}.png", (i, i, i), parameters=a1111_infotext()) for i in range(start, start + n)
    ]


def test_importing_again_or_after_a_move_adds_nothing(tmp_path: Path) -> None:
    files = _library(tmp_path / "lib")
    first = _import(str(tmp_path / "lib"))
    assert first.exit_code == 0 and "added 3 records" in first.output and _count() == 3
    again = _import(str(tmp_path / "lib"))
    assert (
        again.exit_code == 0 and "added 0 records" in again.output and "3 already in the log" in again.output
    )
    moved = tmp_path / "elsewhere" / "renamed.png"
    moved.parent.mkdir()
    shutil.move(files[0], moved)
    shutil.copy(files[1], tmp_path / "elsewhere" / "copy.png")
    after = _import(str(tmp_path / "elsewhere"))
    assert after.exit_code == 0 and "2 already in the log" in after.output
    assert _count() == 3
    paths = {r.data["imported"]["path"] for r in read_records(Path(LOG)).records}
    assert str(files[0].resolve()) in paths  # a moved file updates nothing


def test_a_duplicate_within_one_import_is_added_once(tmp_path: Path) -> None:
    (one,) = _library(tmp_path / "a", 1)
    shutil.copy(one, tmp_path / "a" / "twin.png")
    result = _import(str(tmp_path / "a"))
    assert "added 1 records" in result.output and "1 already in the log" in result.output and _count() == 1


def test_dry_run_prints_what_would_be_added_and_writes_nothing(tmp_path: Path) -> None:
    files = _library(tmp_path)
    result = _import(str(tmp_path), "--dry-run")
    assert result.exit_code == 0
    assert [line for line in result.output.splitlines() if line.startswith("would add:")] == [
        f"would add: {f.resolve()} (a1111)" for f in files
    ]
    assert "would add 3 records" in result.output and not Path(LOG).exists()


def test_pack_names_the_prompt_pack_of_every_record(tmp_path: Path) -> None:
    _library(tmp_path, 2)
    assert _import(str(tmp_path), "--pack", "coast").exit_code == 0
    records = read_records(Path(LOG)).records
    assert {r.data["prompt_pack"] for r in records} == {"coast"}
    assert {r.data["config"]["prompt_pack"] for r in records} == {"coast"}


def test_folders_are_walked_only_when_recursive(tmp_path: Path) -> None:
    _library(tmp_path / "top", 1)
    _library(tmp_path / "top" / "sub", 2, start=10)
    assert "added 1 records" in _import(str(tmp_path / "top")).output
    assert "added 2 records" in _import(str(tmp_path / "top"), "--recursive").output


def test_failures_are_counted_listed_and_never_a_traceback(tmp_path: Path) -> None:
    _library(tmp_path, 1)
    png(tmp_path / "plain.png", (200, 0, 0))
    good = png(tmp_path / "cut.png", (0, 200, 0), parameters=a1111_infotext()).read_bytes()
    (tmp_path / "cut.png").write_bytes(good[: len(good) - 40])  # the end of the image data is gone
    (tmp_path / "junk.png").write_bytes(b"not an image at all")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    result = _import(str(tmp_path), str(notes))
    assert result.exit_code == 0, result.output
    assert "5 files: added 1 records" in result.output
    assert (
        "1 without settings\n  " in result.output
        and "plain.png: PNG without generation settings" in result.output
    )
    assert "1 corrupt\n  " in result.output and "cut.png" in result.output
    assert (
        "2 unknown format" in result.output and "junk.png" in result.output and "notes.txt" in result.output
    )
    assert "Traceback" not in result.output and _count() == 1


def test_only_the_first_few_are_listed_unless_verbose(tmp_path: Path) -> None:
    for i in range(7):
        (tmp_path / f"junk{i}.png").write_bytes(b"junk")
    short = _import(str(tmp_path))
    assert short.exit_code == 1  # nothing could be read
    assert "7 unknown format" in short.output and "… and 2 more (--verbose lists them all)" in short.output
    full = _import(str(tmp_path), "--verbose")
    assert sum(line.startswith("unknown format: ") for line in full.output.splitlines()) == 7


def test_nothing_readable_exits_1_and_a_bad_path_exits_2_writing_nothing(tmp_path: Path) -> None:
    png(tmp_path / "plain.png")
    nothing = _import(str(tmp_path))
    assert nothing.exit_code == 1 and "1 without settings" in nothing.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _import(str(empty)).exit_code == 1
    bad = _import(str(tmp_path / "plain.png"), str(tmp_path / "missing"))
    assert bad.exit_code == 2
    assert bad.stderr == f"error: {tmp_path / 'missing'}: no such file or folder\n"
    assert not Path(LOG).exists()
