"""Text from outside (servers, configs, files) made safe to show or store: control characters escaped."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional overrides and
# isolates that can make a terminal or viewer show other text than the bytes hold.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str, *, keep: str = "") -> str:
    """`text` with every control character written as its Python escape (`\\x1b`, `\\n`, `\\x00`,
    `\\u202e`), except the characters in `keep`; everything else is left as it is."""

    def escaped(match: re.Match[str]) -> str:
        char = match.group()
        return char if char in keep else char.encode("unicode_escape").decode("ascii")

    return _CONTROLS.sub(escaped, text)


def escape_controls_as_json(text: str, *, keep: str = "\n") -> str:
    """`text` with every control character but those in `keep` written as `\\uXXXX`: valid inside
    JSON strings too, so JSON text (whose own escapes leave DEL, C1 and bidi controls raw) stays JSON."""
    return _CONTROLS.sub(lambda m: m.group() if m.group() in keep else f"\\u{ord(m.group()):04x}", text)
