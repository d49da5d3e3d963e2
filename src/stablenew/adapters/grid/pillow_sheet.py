"""PillowContactSheetWriter: an X/Y grid of a plan's images with labels, like A1111's X/Y/Z plot."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, PngImagePlugin

from stablenew.adapters.grid.sheet_layout import PAD, Font, SheetLayout, layout
from stablenew.domain.plan.grid_layout import SHEET_CHUNK, ContactSheet, ContactSheetReport
from stablenew.domain.ports.contact_sheet import ContactSheetWriter
from stablenew.domain.records.escaping import escape_controls_as_json
from stablenew.domain.run.cancel import CancelToken

log = logging.getLogger("stablenew.grid")
_MISSING = (200, 200, 200)


class SheetInterrupted(Exception):
    """Drawing stopped because the run was cancelled (Ctrl-C)."""


def _cell_size(sheet: ContactSheet) -> tuple[int, int] | None:
    """The size of the first readable image (header only), or None when no cell has one."""
    for path in (p for row in sheet.cells for p in row if p):
        try:
            with Image.open(path) as image:
                return image.size
        except OSError:
            continue
    return None


def _png_text(sheet: ContactSheet) -> PngImagePlugin.PngInfo:
    """The sheet's plan and axes as PNG text: `Title`, and `stablenew-sheet` (JSON)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", escape_controls_as_json(sheet.title, keep=""))
    info.add_text(SHEET_CHUNK, escape_controls_as_json(json.dumps(dict(sheet.metadata), ensure_ascii=False)))
    return info


class PillowContactSheetWriter(ContactSheetWriter):
    """Full-size cells; a missing or unreadable image is a grey cell marked "missing"."""

    def write(
        self, sheets: tuple[ContactSheet, ...], out_dir: str, *, max_megapixels: float,
        cancel: CancelToken | None = None,
    ) -> ContactSheetReport:
        """Write every sheet that has images and fits under `max_megapixels`; the size is known from
        one image header and the text, so a sheet over the limit is skipped before anything is drawn.
        A cancelled `cancel` stops at once: the sheet being drawn and the rest are skipped."""
        written: list[str] = []
        skipped: list[str] = []
        failed: list[str] = []
        for sheet in sheets:
            if cancel is not None and cancel.cancelled:
                skipped.append(f"{sheet.name}: not drawn, interrupted")
                continue
            size = _cell_size(sheet)
            if size is None:
                skipped.append(f"{sheet.name}: no images to show")
                continue
            plan = layout(sheet, size)
            if plan.megapixels > max_megapixels:
                note = (
                    f"{sheet.name}: skipped, {plan.megapixels:.3g} MP is above the {max_megapixels:g} MP "
                    f"limit ([grid] max_megapixels)"
                )
                log.warning("contact sheet %s", note)
                skipped.append(note)
                continue
            try:
                written.append(self._compose(sheet, plan, Path(out_dir), cancel))
            except SheetInterrupted:
                skipped.append(f"{sheet.name}: not drawn, interrupted")
            except OSError as exc:  # full disk, no permission, a file where the folder should be
                log.warning("contact sheet %s not written: %s", sheet.name, exc)
                failed.append(f"{sheet.name}: not written ({exc})")
        return ContactSheetReport(written=tuple(written), skipped=tuple(skipped), failed=tuple(failed))

    def _compose(
        self, sheet: ContactSheet, plan: SheetLayout, out_dir: Path, cancel: CancelToken | None
    ) -> str:
        font, line, cell, left, top = plan.font, plan.line, plan.cell, plan.left, plan.top
        canvas = Image.new("RGB", plan.size, (255, 255, 255))
        draw = ImageDraw.Draw(canvas)
        y = PAD
        for text, colour in [*((t, (0, 0, 0)) for t in plan.title), *((t, (80, 80, 80)) for t in plan.axes)]:
            draw.text((PAD, y), text, fill=colour, font=font)
            y += line
        for col, lines in enumerate(plan.x_labels):
            for number, text in enumerate(lines):
                draw.text((left + col * cell[0] + PAD, y + number * line), text, fill=(0, 0, 0), font=font)
        for row, (labels, paths) in enumerate(zip(plan.y_labels, sheet.cells, strict=True)):
            if cancel is not None and cancel.cancelled:
                raise SheetInterrupted
            at_y = top + row * plan.row
            first = at_y + max(PAD, (cell[1] - len(labels) * line) // 2)
            for number, text in enumerate(labels):
                draw.text((PAD, first + number * line), text, fill=(0, 0, 0), font=font)
            for col, path in enumerate(paths):
                self._paste(canvas, draw, path, (left + col * cell[0], at_y), cell, font)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{sheet.name}.png"
        # A temp name of this writer's own: two processes drawing the same sheet never share one.
        handle, partial_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=out_dir)
        try:
            os.fchmod(handle, 0o644)  # mkstemp's 0600 would make the sheet private
            with os.fdopen(handle, "wb") as partial:
                canvas.save(partial, format="PNG", compress_level=1, pnginfo=_png_text(sheet))
            os.replace(partial_name, target)
        except BaseException:
            Path(partial_name).unlink(missing_ok=True)
            raise
        return str(target)

    @staticmethod
    def _paste(
        canvas: Image.Image,
        draw: ImageDraw.ImageDraw,
        path: str | None,
        at: tuple[int, int],
        cell: tuple[int, int],
        font: Font,
    ) -> None:
        try:
            if path is None:
                raise OSError("no image")
            with Image.open(path) as image:
                canvas.paste(image.convert("RGB").resize(cell), at)
        except OSError:
            draw.rectangle((*at, at[0] + cell[0] - 1, at[1] + cell[1] - 1), fill=_MISSING)
            draw.text((at[0] + 6, at[1] + 6), "missing", fill=(90, 90, 90), font=font)
