"""What the CLI prints of text it did not write: never read as rich markup, control characters escaped."""

from __future__ import annotations

import json

from rich.text import Text

from stablenew.domain.records.escaping import escape_controls, escape_controls_as_json


def shown(value: object) -> str:
    """`value` as one line of plain text: ANSI escapes, NUL, newlines … written as `\\x1b`, `\\x00`,
    `\\n`. Print it with ``markup=False`` (or as a `cell`) so `[hash]` or `[a1111]` stay as they are."""
    return escape_controls(str(value))


def cell(value: object) -> Text:
    """A table cell (or any renderable) holding `shown(value)` literally, never parsed as markup."""
    return Text(shown(value))


def json_text(data: object) -> str:
    """`data` as JSON that shows every character but escapes all controls (`json` leaves DEL, the C1
    controls and the Unicode separators and bidi overrides raw) as `\\uXXXX`, so it stays valid JSON."""
    return escape_controls_as_json(json.dumps(data, ensure_ascii=False, default=str))
