"""PillowContactSheetWriter: an X/Y grid of a plan's images with labels, like A1111's X/Y/Z plot."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from stablenew.domain.plan.grid_layout import ContactSheet, ContactSheetReport
from stablenew.domain.ports.contact_sheet import ContactSheetWriter

log = logging.getLogger("stablenew.grid")
_MISSING = (200, 200, 200)


def _cell_size(sheet: ContactSheet) -> tuple[int, int] | None:
    """The size of the first readable image (header only), or None when no cell has one."""
    for path in (p for row in sheet.cells for p in row if p):
        try:
            with Image.open(path) as image:
                return image.size
        except OSError:
            continue
    return None


def _font_size(cell: tuple[int, int]) -> int:
    """Label text grows with the cells so it stays readable when the sheet is scaled down."""
    return max(14, min(cell) // 24)


def _margins(sheet: ContactSheet, font_size: int) -> tuple[int, int]:
    """Left margin for the Y labels, top margin for the title and the X labels."""
    longest = max((len(v) for v in sheet.y_values), default=0)
    left = font_size + (font_size * 6 * longest) // 10 if sheet.y_label else 0
    return left, 3 * (font_size + 6) + 8


class PillowContactSheetWriter(ContactSheetWriter):
    """Full-size cells; a missing or unreadable image is a grey cell marked "missing"."""

    def write(
        self, sheets: tuple[ContactSheet, ...], out_dir: str, *, max_megapixels: float
    ) -> ContactSheetReport:
        """Write every sheet that has images and fits under `max_megapixels`."""
        written: list[str] = []
        skipped: list[str] = []
        failed: list[str] = []
        for sheet in sheets:
            size = _cell_size(sheet)
            if size is None:
                skipped.append(f"{sheet.name}: no images to show")
                continue
            left, top = _margins(sheet, _font_size(size))
            width = left + size[0] * len(sheet.x_values)
            height = top + size[1] * len(sheet.y_values)
            megapixels = width * height / 1_000_000
            if megapixels > max_megapixels:
                note = (
                    f"{sheet.name}: skipped, {megapixels:.3g} MP is above the {max_megapixels:g} MP limit "
                    f"([grid] max_megapixels)"
                )
                log.warning("contact sheet %s", note)
                skipped.append(note)
                continue
            try:
                written.append(self._compose(sheet, size, (left, top), (width, height), Path(out_dir)))
            except OSError as exc:  # full disk, no permission, a file where the folder should be
                log.warning("contact sheet %s not written: %s", sheet.name, exc)
                failed.append(f"{sheet.name}: not written ({exc})")
        return ContactSheetReport(written=tuple(written), skipped=tuple(skipped), failed=tuple(failed))

    def _compose(
        self,
        sheet: ContactSheet,
        cell: tuple[int, int],
        margins: tuple[int, int],
        size: tuple[int, int],
        out_dir: Path,
    ) -> str:
        font_size = _font_size(cell)
        font, line = ImageFont.load_default(size=font_size), font_size + 6
        canvas = Image.new("RGB", size, (255, 255, 255))
        draw = ImageDraw.Draw(canvas)
        left, top = margins
        draw.text((left + 4, 4), sheet.title, fill=(0, 0, 0), font=font)
        draw.text(
            (left + 4, 4 + line),
            sheet.x_label + (f"  (rows: {sheet.y_label})" if sheet.y_label else ""),
            fill=(80, 80, 80),
            font=font,
        )
        for col, value in enumerate(sheet.x_values):
            draw.text((left + col * cell[0] + 4, 4 + 2 * line), value, fill=(0, 0, 0), font=font)
        for row, (label, paths) in enumerate(zip(sheet.y_values, sheet.cells, strict=True)):
            y = top + row * cell[1]
            draw.text((6, y + cell[1] // 2 - line // 2), label, fill=(0, 0, 0), font=font)
            for col, path in enumerate(paths):
                self._paste(canvas, draw, path, (left + col * cell[0], y), cell, font)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{sheet.name}.png"
        # A temp name of this writer's own: two processes drawing the same sheet never share one.
        handle, partial_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=out_dir)
        try:
            os.fchmod(handle, 0o644)  # mkstemp's 0600 would make the sheet private
            with os.fdopen(handle, "wb") as partial:
                canvas.save(partial, format="PNG", compress_level=1)
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
        font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
    ) -> None:
        try:
            if path is None:
                raise OSError("no image")
            with Image.open(path) as image:
                canvas.paste(image.convert("RGB").resize(cell), at)
        except OSError:
            draw.rectangle((*at, at[0] + cell[0] - 1, at[1] + cell[1] - 1), fill=_MISSING)
            draw.text((at[0] + 6, at[1] + 6), "missing", fill=(90, 90, 90), font=font)
