"""Where a contact sheet's text goes: every header and label wrapped to its room, margins grown to fit."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import ImageFont

from stablenew.domain.plan.grid_layout import ContactSheet

Font = ImageFont.ImageFont | ImageFont.FreeTypeFont
PAD = 4
_MAX_LEFT = 320  # Y labels wrap past this width rather than push the images further right


def font_for(cell: tuple[int, int]) -> Font:
    """Label text grows with the cells so it stays readable when the sheet is scaled down."""
    return ImageFont.load_default(size=max(14, min(cell) // 24))


def wrap(text: str, font: Font, width: int) -> list[str]:
    """`text` in lines no wider than `width` pixels: broken between words, and inside a word only when
    the word alone is too wide. Nothing is cut."""
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:
                if line and font.getlength(line + char) > width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """The canvas size, the margins, the row pitch and every wrapped text block of one sheet."""

    font: Font
    line: int  # line height
    cell: tuple[int, int]
    left: int  # width of the Y label column
    top: int  # height of the header (title, axis names, X labels)
    row: int  # distance between rows: the cell height, or more when a Y label needs more lines
    title: tuple[str, ...]
    axes: tuple[str, ...]
    x_labels: tuple[tuple[str, ...], ...]
    y_labels: tuple[tuple[str, ...], ...]
    size: tuple[int, int]

    @property
    def megapixels(self) -> float:
        """The canvas size in megapixels (what the megapixel guard compares)."""
        return self.size[0] * self.size[1] / 1_000_000


def layout(sheet: ContactSheet, cell: tuple[int, int]) -> SheetLayout:
    """Measure and wrap every text of `sheet` for cells of `cell` pixels (no image is opened)."""
    font = font_for(cell)
    line = int(font.size) + 6 if isinstance(font, ImageFont.FreeTypeFont) else 20
    columns, rows = len(sheet.x_values), len(sheet.y_values)
    left = 0
    y_labels: list[tuple[str, ...]] = [() for _ in sheet.y_values]
    if sheet.y_label:
        widest = max((font.getlength(value) for value in sheet.y_values), default=0.0)
        left = int(min(widest, _MAX_LEFT)) + 3 * PAD
        y_labels = [tuple(wrap(value, font, left - 2 * PAD)) for value in sheet.y_values]
    width = left + cell[0] * columns
    title = tuple(wrap(sheet.title, font, width - 2 * PAD))
    axis_text = sheet.x_label + (f"  (rows: {sheet.y_label})" if sheet.y_label else "")
    axes = tuple(wrap(axis_text, font, width - 2 * PAD))
    x_labels = tuple(tuple(wrap(value, font, cell[0] - 2 * PAD)) for value in sheet.x_values)
    label_lines = max((len(lines) for lines in x_labels), default=1)
    top = (len(title) + len(axes) + label_lines) * line + 2 * PAD
    row = max(cell[1], max((len(lines) for lines in y_labels), default=0) * line + 2 * PAD)
    return SheetLayout(font=font, line=line, cell=cell, left=left, top=top, row=row, title=title, axes=axes,
                       x_labels=x_labels, y_labels=tuple(y_labels), size=(width, top + row * rows))
