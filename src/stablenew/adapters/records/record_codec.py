"""One log line ↔ one LearningRecord: orjson decoding, checksum verification, plan ids by bytes."""

from __future__ import annotations

import json
import re

import orjson

from stablenew.adapters.records.checksum import CHECKSUM_KEY, verify
from stablenew.domain.records.record import LearningRecord

_PLAN_VALUE = re.compile(rb'"plan_id":"((?:[^"\\]|\\.)*)"')
MISMATCH = "checksum mismatch (the line changed after it was written)"


def decode_line(line: bytes) -> LearningRecord:
    """One log line (without its newline) → a LearningRecord; ValueError when it is not one.

    A line carrying a checksum must match it; one without (an older record) is judged by decoding.
    """
    sealed = verify(line)
    if sealed is False:
        raise ValueError(MISMATCH)
    data = orjson.loads(line)
    if type(data) is not dict:
        raise ValueError("not a JSON object")
    if sealed:
        del data[CHECKSUM_KEY]
    elif CHECKSUM_KEY in data:
        raise ValueError("its checksum is not where the writer puts it (the line was rewritten)")
    return LearningRecord(data)


def line_defect(line: bytes) -> str | None:
    """Why `line` is not a good record, or None; a line with a checksum is judged by it alone."""
    sealed = verify(line)
    if sealed is not None:
        return None if sealed else MISMATCH
    try:
        decode_line(line)
    except ValueError as exc:  # also orjson's JSONDecodeError (bad JSON or UTF-8)
        return str(exc)
    return None


def plan_id_needle(plan_id: str) -> bytes:
    """How the writer spells `plan_id` between the quotes of a JSON string."""
    return json.dumps(plan_id, ensure_ascii=False)[1:-1].encode("utf-8")


def plan_ids_in(line: bytes) -> list[bytes]:
    """Every string value of a `"plan_id"` key in the line's bytes, as spelt there (not decoded).

    A superset of the record's own `learning.plan_id` (a nested table may have such a key too);
    callers confirm it on the decoded record.
    """
    return _PLAN_VALUE.findall(line)


def record_plan_id(record: LearningRecord) -> object:
    """The plan id a record belongs to, or None for a passive run (or a damaged `learning`)."""
    learning = record.learning
    return learning.get("plan_id") if isinstance(learning, dict) else None
