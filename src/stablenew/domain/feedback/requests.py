"""What a person asks to record: a rating request as typed or read from a CSV row, before checking."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RatingRequest:
    """One rating to record; `where` names its source (e.g. "ratings.csv: line 3") for errors."""

    target: str
    stars: object
    rater: str | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    subscores: Mapping[str, object] = field(default_factory=dict)
    where: str | None = None
    target_column: str = "image"  # the CSV column (or argument) the target came from
