"""Two processes drawing the same contact sheet at once never share a temp file: both succeed, the
sheet is a whole PNG, no temp file is left behind (real processes)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from PIL import Image

CHILD = """
import sys
from PIL import Image
from stablenew.adapters.grid import PillowContactSheetWriter
from stablenew.domain.plan.grid_layout import ContactSheet

Image.new("RGB", (256, 256), (200, 40, 40)).save("cell.png")
sheet = ContactSheet(name="grid", title="plan", x_label="x", x_values=("1", "2", "3"), y_label="y",
                     y_values=("a", "b"), cells=(("cell.png",) * 3,) * 2)
for _ in range(int(sys.argv[1])):
    report = PillowContactSheetWriter().write((sheet,), "sheets", max_megapixels=200)
    assert report.written == ("sheets/grid.png",), report
"""


def test_two_processes_writing_one_sheet_do_not_race_on_a_temp_name(tmp_path: Path) -> None:
    children = [subprocess.Popen([sys.executable, "-c", CHILD, "40"], stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
    errors = [child.communicate(timeout=240)[1] for child in children]
    assert [child.returncode for child in children] == [0, 0], errors
    with Image.open("sheets/grid.png") as sheet:
        sheet.load()
        assert sheet.size[0] >= 3 * 256
    assert os.listdir("sheets") == ["grid.png"]  # no temp file left
    assert stat.S_IMODE(os.stat("sheets/grid.png").st_mode) == 0o644
