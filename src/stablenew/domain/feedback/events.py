"""Feedback events: ratings, preferences and retractions, one schema-versioned line each in the log.

Events are never rewritten: a newer rating supersedes an older one of the same rater for the same
image (or run), a retraction takes one back (see `ratings.fold_events`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from stablenew.domain.errors import InputError
from stablenew.domain.feedback.observations import PreferenceOutcome

FEEDBACK_SCHEMA = "stablenew.feedback-event/1"
RATING, PREFERENCE, RETRACTION = "rating", "preference", "retraction"
SUBSCORES = ("composition", "prompt_adherence", "technical_quality")
MIN_STARS, MAX_STARS = 1, 5


class FeedbackError(InputError):
    """A rating, preference or retraction that cannot be accepted (exit 2, nothing written)."""


def check_stars(value: Any, field_name: str = "stars") -> int:
    """`value` as an int from 1 to 5 (a whole-number string is accepted); FeedbackError otherwise."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.lstrip("+-").isdigit():
        text = int(text)
    if isinstance(text, bool) or not isinstance(text, int) or not MIN_STARS <= text <= MAX_STARS:
        raise FeedbackError(f"expected a whole number from {MIN_STARS} to {MAX_STARS}, got {value!r}",
                            field=field_name)
    return text


def check_subscores(values: Mapping[str, Any]) -> dict[str, int]:
    """Each subscore name must be one of SUBSCORES and its value 1–5."""
    checked: dict[str, int] = {}
    for name, value in values.items():
        if name not in SUBSCORES:
            raise FeedbackError(f"unknown subscore {name!r} (expected one of {', '.join(SUBSCORES)})",
                                field="subscores")
        checked[name] = check_stars(value, f"subscores.{name}")
    return checked


def check_tags(tags: Any) -> tuple[str, ...]:
    """Tags as a tuple of non-empty strings without surrounding space, duplicates removed."""
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise FeedbackError("expected a list of strings", field="tags")
    cleaned = (tag.strip() for tag in tags)
    return tuple(dict.fromkeys(tag for tag in cleaned if tag))


@dataclass(frozen=True, slots=True)
class EventHeader:
    """What every event has: its id, when it was made and by whom."""

    event_id: str
    timestamp: datetime
    rater: str

    def to_dict(self) -> dict[str, Any]:
        """The header's fields as the log stores them (schema first)."""
        return {"schema": FEEDBACK_SCHEMA, "event_id": self.event_id,
                "timestamp": self.timestamp.isoformat(), "rater": self.rater}


@dataclass(frozen=True, slots=True)
class Rating:
    """Stars (1–5) for one image, by its recorded path, or for every final image of one run."""

    header: EventHeader
    stars: int
    image: str | None = None
    run_id: str | None = None
    subscores: Mapping[str, int] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    note: str | None = None

    def __post_init__(self) -> None:
        if (self.image is None) == (self.run_id is None):
            raise FeedbackError("a rating is of exactly one image or one run", field="image")
        if type(self.stars) is not int or not MIN_STARS <= self.stars <= MAX_STARS:
            expected = f"expected a whole number from {MIN_STARS} to {MAX_STARS}"
            raise FeedbackError(f"{expected}, got {self.stars!r}", field="stars")
        subscores = check_subscores(self.subscores) if self.subscores else {}
        object.__setattr__(self, "subscores", MappingProxyType(subscores))
        if self.tags:
            object.__setattr__(self, "tags", check_tags(self.tags))

    @property
    def target(self) -> str:
        """The image path or run id rated."""
        return self.image if self.image is not None else str(self.run_id)

    def to_dict(self) -> dict[str, Any]:
        """One log line's data."""
        return {**self.header.to_dict(), "kind": RATING, "image": self.image, "run_id": self.run_id,
                "stars": self.stars, "subscores": dict(self.subscores), "tags": list(self.tags),
                "note": self.note}


@dataclass(frozen=True, slots=True)
class Preference:
    """Image A better than image B (outcome A), B better (B), or a tie."""

    header: EventHeader
    image_a: str
    image_b: str
    outcome: PreferenceOutcome

    def __post_init__(self) -> None:
        if self.image_a == self.image_b:
            raise FeedbackError("a preference needs two different images", field="image_b")

    @property
    def pair(self) -> tuple[str, str]:
        """The two images in a fixed order (a preference of B over A replaces one of A over B)."""
        return (self.image_a, self.image_b) if self.image_a <= self.image_b else (self.image_b, self.image_a)

    def to_dict(self) -> dict[str, Any]:
        """One log line's data."""
        return {**self.header.to_dict(), "kind": PREFERENCE, "image_a": self.image_a,
                "image_b": self.image_b, "outcome": self.outcome.value}


@dataclass(frozen=True, slots=True)
class Retraction:
    """Takes back an earlier event of the same rater, by its id."""

    header: EventHeader
    retracts: str

    def to_dict(self) -> dict[str, Any]:
        """One log line's data."""
        return {**self.header.to_dict(), "kind": RETRACTION, "retracts": self.retracts}


FeedbackEvent = Rating | Preference | Retraction


def _text(data: Mapping[str, Any], key: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    if (value is None and optional) or (type(value) is str and value):
        return value
    raise ValueError(f"{key!r} must be a non-empty string")


def event_from_dict(data: Mapping[str, Any]) -> FeedbackEvent:
    """The event a log line holds; ValueError (InputError included) when it is not a valid one."""
    if data.get("schema") != FEEDBACK_SCHEMA:
        raise ValueError(f"not a {FEEDBACK_SCHEMA} event: schema={data.get('schema')!r}")
    try:
        stamp = datetime.fromisoformat(_text(data, "timestamp"))
    except ValueError:
        raise ValueError("'timestamp' must be an ISO 8601 date and time") from None
    header = EventHeader(_text(data, "event_id"), stamp, _text(data, "rater"))
    kind = data.get("kind")
    try:
        if kind == RATING:
            subscores, tags, note = data.get("subscores") or {}, data.get("tags") or (), data.get("note")
            if not isinstance(subscores, Mapping):
                raise ValueError("'subscores' must be an object")
            return Rating(header, data.get("stars"), image=_text(data, "image", optional=True),  # type: ignore[arg-type]
                          run_id=_text(data, "run_id", optional=True), subscores=subscores,
                          tags=tuple(tags) if isinstance(tags, list) else tags,
                          note=note if isinstance(note, str) else None)
        if kind == PREFERENCE:
            return Preference(header, _text(data, "image_a"), _text(data, "image_b"),
                              PreferenceOutcome(str(data.get("outcome"))))
        if kind == RETRACTION:
            return Retraction(header, _text(data, "retracts"))
    except InputError as exc:
        raise ValueError(str(exc)) from None
    raise ValueError(f"unknown event kind {kind!r}")
