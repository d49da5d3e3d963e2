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


def seal(body: bytes) -> bytes:
    """`body` (one JSON object without a newline) with its checksum added as the last member."""
    crc: int = google_crc32c.value(body)
    return body[:-1] + _HEAD + b"%08x" % crc + b'"}'


def verify(line: bytes) -> bool | None:
    """For a line without its newline: None when it carries no checksum in the sealed form (an older
    record), else whether the checksum is that of its canonical bytes."""
    if line[-_SUFFIX_LEN:-10] != _HEAD or line[-2:] != b'"}':
        return None
    crc: int = google_crc32c.value(line[:-_SUFFIX_LEN] + b"}")
    return b"%08x" % crc == line[-10:-2]
