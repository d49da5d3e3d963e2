"""Contact-sheet text is never cut (wrapped, margins grown) for small images; the sheet PNG carries
the plan and axes; a cancelled run draws nothing more."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from stablenew.adapters.grid import PillowContactSheetWriter
from stablenew.adapters.grid.sheet_layout import PAD, layout, wrap
from stablenew.domain.plan.grid_layout import SHEET_CHUNK, ContactSheet
from stablenew.domain.run.cancel import CancelToken

WHITE = (255, 255, 255)
LONG_TITLE = "a plan with a rather long name | txt2img.scheduler=Karras, upscale.upscaler=R-ESRGAN 4x+"


def _png(name: str, size: tuple[int, int] = (64, 64)) -> str:
    Image.new("RGB", size, (0, 120, 0)).save(name)
    return name


def _sheet(cells, **changes) -> ContactSheet:
    values = dict(
        name="grid", title=LONG_TITLE, x_label="txt2img.sampler_name",
        x_values=("DPM++ 2M SDE Heun", "Euler a"),
        y_label="txt2img.scheduler", y_values=("Exponential (Karras-like)", "SGM Uniform"), cells=cells,
        metadata={"plan_id": "plan-x", "x": {"axis": "txt2img.sampler_name"}},
    )
    values.update(changes)
    return ContactSheet(**values)


def test_every_text_is_wrapped_to_its_room_and_nothing_is_lost() -> None:
    plan = layout(_sheet(((None, None), (None, None))), (64, 64))
    font = plan.font
    assert len(plan.title) > 1 and " ".join(plan.title) == LONG_TITLE
    assert all(font.getlength(line) <= plan.size[0] - 2 * PAD for line in (*plan.title, *plan.axes))
    assert all(font.getlength(line) <= 64 - 2 * PAD for lines in plan.x_labels for line in lines)
    assert "".join(plan.x_labels[0]).replace(" ", "") == "DPM++2MSDEHeun"
    assert all(font.getlength(line) <= plan.left - 2 * PAD for lines in plan.y_labels for line in lines)
    lines = len(plan.title) + len(plan.axes) + len(plan.x_labels[0])
    assert plan.row >= 64 and plan.top >= lines * plan.line
    assert wrap("Supercalifragilistic", font, 30)[0] != "Supercalifragilistic"  # a long word is broken


def test_small_images_get_a_sheet_whose_text_stays_inside_and_carries_the_plan() -> None:
    cells = ((_png("a.png"), _png("b.png")), (None, _png("c.png")))
    report = PillowContactSheetWriter().write((_sheet(cells),), "sheets", max_megapixels=200)
    (path,) = report.written
    with Image.open(path) as sheet:
        text = dict(sheet.text)
        rgb = sheet.convert("RGB")
        width, height = rgb.size
        header = layout(_sheet(cells), (64, 64)).top
        edge = [rgb.getpixel((x, y)) for x in range(width - PAD + 1, width) for y in range(header)]
        assert set(edge) == {WHITE}  # no header text runs off the right edge
        assert rgb.getpixel((width - 32, height - 32)) == (0, 120, 0)
    assert text["Title"] == LONG_TITLE
    assert json.loads(text[SHEET_CHUNK]) == {"plan_id": "plan-x", "x": {"axis": "txt2img.sampler_name"}}


def test_a_cancelled_run_draws_no_sheet() -> None:
    token = CancelToken()
    token.cancel("interrupted (Ctrl-C)")
    report = PillowContactSheetWriter().write((_sheet(((_png("a.png"), None), (None, None))),), "out",
                                              max_megapixels=200, cancel=token)
    assert report.written == () and report.skipped == ("grid: not drawn, interrupted",)
    assert not Path("out").exists()
