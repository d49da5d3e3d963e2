"""Record checksums: CRC-32C of a line's canonical bytes, carried as its last member `"crc32c"`.

The writer serialises a record to one compact JSON object, `{...}`: those bytes are the canonical
content. It then inserts `,"crc32c":"xxxxxxxx"` (8 lower-case hex digits) before the closing `}`.
A reader recomputes the CRC over the line with that member removed. Lines without the member (old
records) carry no checksum and are checked by decoding alone.
"""

from __future__ import annotations

import google_crc32c

CHECKSUM_KEY = "crc32c"
_HEAD = b',"crc32c":"'
_SUFFIX_LEN = len(_HEAD) + 8 + 2  # ,"crc32c":"  8 hex digits  "}
_HEX = frozenset(b"0123456789abcdef")


def seal(body: bytes) -> bytes:
    """`body` (one JSON object without a newline) with its checksum added as the last member."""
    crc: int = google_crc32c.value(body)
    return body[:-1] + _HEAD + b"%08x" % crc + b'"}'


def has_checksum(line: bytes) -> bool:
    """True when `line` (without its newline) ends with a checksum member in the sealed form."""
    return line[-_SUFFIX_LEN:-10] == _HEAD and line.endswith(b'"}') and len(line) > _SUFFIX_LEN


def checksum_matches(line: bytes) -> bool:
    """True when a sealed line's checksum is that of its canonical bytes (see has_checksum)."""
    digits = line[-10:-2]
    if not _HEX.issuperset(digits):
        return False
    crc: int = google_crc32c.value(line[:-_SUFFIX_LEN] + b"}")
    return crc == int(digits, 16)
