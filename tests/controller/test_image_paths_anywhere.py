"""Recorded image paths resolve from anywhere (issue 8 item 8): new records hold absolute paths, so a
resume and its contact sheets from another working directory find every image; an old record's
relative path is found from the folder it was made in, or from the record log's folder or a parent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers

from stablenew.adapters.files import load_plan
from stablenew.adapters.files.image_paths import locate_image, log_search_dirs
from stablenew.adapters.records import read_records
from stablenew.container import Container, build_container
from stablenew.domain.plan.grid_layout import ContactSheet, ContactSheetReport
from stablenew.domain.ports.contact_sheet import ContactSheetWriter
from stablenew.domain.run.cancel import CancelToken
from stablenew.settings import load_app_config

PLAN = """[plan]
name = "anywhere"
seed = 4

[[axes]]
stage = "txt2img"
variable = "steps"
values = "2, 3, 4"

[base]
prompt = "a heron"

[base.txt2img]
width = 64
height = 64
"""


class _CellRecorder(ContactSheetWriter):
    """Notes every cell path the sheets were given, and whether it opens from here."""

    def __init__(self) -> None:
        self.cells: list[tuple[str, bool]] = []

    def write(self, sheets: tuple[ContactSheet, ...], out_dir: str, *, max_megapixels: float,
              cancel: CancelToken | None = None) -> ContactSheetReport:
        self.cells = [(p, Path(p).is_file()) for s in sheets for row in s.cells for p in row if p]
        return ContactSheetReport()


def _container(output: str) -> Container:
    return build_container(load_app_config(None, output_dir=Path(output)))


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    first, second = tmp_path / "studio", tmp_path / "elsewhere"
    first.mkdir()
    second.mkdir()
    (first / "plan.toml").write_text(PLAN, encoding="utf-8")
    monkeypatch.chdir(first)
    yield first, second


def test_a_resume_from_another_folder_draws_every_earlier_image(
    folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = folders
    plan = load_plan(first / "plan.toml")
    _container("out").learning_execution_controller().run_learning_plan(plan, max_steps=2, grid=False)
    log = first / "out" / "learning" / "learning_records.jsonl"
    for image in (i for r in read_records(log).records for i in r.images):
        assert Path(image).is_absolute() and Path(image).is_file()
    monkeypatch.chdir(second)
    built, sheets = _container("../studio/out"), _CellRecorder()
    with built.contact_sheet_writer.override(providers.Object(sheets)):
        result = built.learning_execution_controller().run_learning_plan(plan, resume=True)
    assert result.summary.already_done == 2 and result.summary.executed == 1
    assert len(sheets.cells) == 3 and all(found for _, found in sheets.cells), sheets.cells


def test_an_old_record_with_a_relative_path_is_found_from_another_folder(
    folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = folders
    plan = load_plan(first / "plan.toml")
    _container("out").learning_execution_controller().run_learning_plan(plan, max_steps=1, grid=False)
    log = first / "out" / "learning" / "learning_records.jsonl"
    (record,) = read_records(log).records
    old = {k: v for k, v in record.data.items() if k != "crc32c"}  # as an older version wrote it
    old["images"] = [str(Path(p).relative_to(first)) for p in old["images"]]
    assert old["images"][0].startswith("out/runs/")
    log.write_text(json.dumps(old, separators=(",", ":")) + "\n", encoding="utf-8")
    monkeypatch.chdir(second)
    built, sheets = _container("../studio/out"), _CellRecorder()
    with built.contact_sheet_writer.override(providers.Object(sheets)):
        built.learning_execution_controller().run_learning_plan(plan, resume=True)
    found = {str(Path(p).resolve()): ok for p, ok in sheets.cells}
    assert found[str(first / old["images"][0])] is True  # found from the log's folder's parent


def test_locate_image_tries_here_then_each_search_folder(tmp_path: Path) -> None:
    (tmp_path / "a" / "out").mkdir(parents=True)
    (tmp_path / "a" / "out" / "x.png").write_bytes(b"png")
    assert locate_image("/abs/never.png", [tmp_path]) == "/abs/never.png"
    assert locate_image("out/x.png", [tmp_path, tmp_path / "a"]) == str(tmp_path / "a" / "out" / "x.png")
    assert locate_image("out/gone.png", [tmp_path / "a"]) == "out/gone.png"
    dirs = log_search_dirs(Path("logs/records.jsonl"))
    assert dirs[0] == Path.cwd() / "logs" and dirs[1] == Path.cwd() and dirs[-1] == Path("/")
