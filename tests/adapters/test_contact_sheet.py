"""PillowContactSheetWriter: images in their cells, labels around them, a megapixel limit."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PIL import Image

from stablenew.adapters.grid import PillowContactSheetWriter
from stablenew.domain.plan.grid_layout import ContactSheet

RED, BLUE, GREY = (255, 0, 0), (0, 0, 255), (200, 200, 200)


def _png(name: str, colour: tuple[int, int, int], size: tuple[int, int] = (96, 64)) -> str:
    Image.new("RGB", size, colour).save(name)
    return name


def _sheet(cells, name: str = "grid", y_label: str = "txt2img.steps") -> ContactSheet:
    return ContactSheet(
        name=name,
        title="plan",
        x_label="txt2img.cfg_scale",
        x_values=("4", "8"),
        y_label=y_label,
        y_values=("10", "20") if y_label else ("",),
        cells=cells,
    )


def test_cells_hold_their_images_and_missing_ones_are_grey() -> None:
    Path("broken.png").write_bytes(b"not a png")
    cells = ((_png("a.png", RED), None), ("broken.png", _png("b.png", BLUE, (48, 32))))
    report = PillowContactSheetWriter().write((_sheet(cells),), "sheets", max_megapixels=200)

    assert report.written == ("sheets/grid.png",) and report.skipped == ()
    with Image.open("sheets/grid.png") as sheet:
        sheet = sheet.convert("RGB")
        right, bottom = sheet.size
        cell_w, cell_h = 96, 64
        left, top = right - 2 * cell_w, bottom - 2 * cell_h
        assert left > 0 and top > 0  # room for the Y labels and the title/X labels
        assert sheet.getpixel((left + cell_w // 2, top + cell_h - 2)) == RED
        assert sheet.getpixel((left + cell_w + cell_w // 2, top + cell_h - 2)) == GREY
        assert sheet.getpixel((left + cell_w // 2, bottom - 2)) == GREY
        assert sheet.getpixel((left + cell_w + cell_w // 2, bottom - 2)) == BLUE  # resized to the cell
        assert sheet.getpixel((2, 2)) == (255, 255, 255)
    assert not list(Path("sheets").glob(".*partial"))


def test_a_sheet_without_a_y_axis_has_no_left_margin() -> None:
    report = PillowContactSheetWriter().write(
        (_sheet(((_png("a.png", RED), None),), y_label=""),), "out", max_megapixels=200
    )
    with Image.open(report.written[0]) as sheet:
        assert sheet.width == 2 * 96 and sheet.convert("RGB").getpixel((10, sheet.height - 2)) == RED


def test_a_sheet_above_the_limit_is_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    cells = ((_png("a.png", RED), None), (None, None))
    with caplog.at_level(logging.WARNING, logger="stablenew.grid"):
        report = PillowContactSheetWriter().write(
            (_sheet(cells, "big"), _sheet(((None, None), (None, None)), "empty")), "out", max_megapixels=0.01
        )
    assert report.written == ()
    assert (
        report.skipped[0].startswith("big: skipped, 0.0") and "above the 0.01 MP limit" in report.skipped[0]
    )
    assert report.skipped[1] == "empty: no images to show"
    assert "above the 0.01 MP limit" in caplog.text and not Path("out").exists()


def test_the_cell_size_comes_from_the_first_readable_image() -> None:
    Path("broken.png").write_bytes(b"not a png")
    cells = (("broken.png", _png("a.png", RED, (40, 30))),)
    report = PillowContactSheetWriter().write((_sheet(cells, y_label=""),), "out", max_megapixels=1)
    with Image.open(report.written[0]) as sheet:
        assert sheet.width == 80


def test_a_sheet_that_cannot_be_written_is_reported_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    Path("sheets").write_text("a file where the folder should be", encoding="utf-8")
    cells = ((_png("a.png", RED), _png("b.png", BLUE)), (None, None))
    report = PillowContactSheetWriter().write((_sheet(cells),), "sheets", max_megapixels=200)

    assert report.written == () and report.skipped == ()
    (failed,) = report.failed
    assert failed.startswith("grid: not written (") and "sheets" in failed
    assert "contact sheet grid not written" in caplog.text


def test_a_sheet_whose_file_cannot_be_saved_leaves_no_partial_file() -> None:
    Path("sheets/grid.png").mkdir(parents=True)  # a folder where the sheet should go
    cells = ((_png("a.png", RED), _png("b.png", BLUE)), (None, None))
    report = PillowContactSheetWriter().write((_sheet(cells),), "sheets", max_megapixels=200)

    assert report.written == () and len(report.failed) == 1
    assert sorted(p.name for p in Path("sheets").iterdir()) == ["grid.png"]
