"""Folding the feedback log into what each rater currently says: latest wins, retractions remove.

Rules (in log order, the order of the file):
- a rating supersedes the same rater's earlier rating of the same target (an image path or a run
  id); a preference supersedes the same rater's earlier preference between the same two images,
  in either order;
- a retraction takes back the event it names, when that event is the same rater's current one;
  a superseded event stays superseded (retracting the latest rating leaves no rating, it does not
  bring back the one before);
- for one image, a rater's image rating and run rating (of the run that made the image, when it is
  one of the run's final images) compete: the later one counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from stablenew.domain.feedback.events import FeedbackEvent, Preference, Rating, Retraction

T = TypeVar("T", Rating, Preference)


@dataclass(frozen=True, slots=True)
class Current(Generic[T]):
    """An event that currently counts, with its position in the log (later = larger)."""

    position: int
    event: T


@dataclass(frozen=True, slots=True)
class FeedbackState:
    """Every rater's current ratings (of images, of runs) and preferences."""

    image_ratings: Mapping[tuple[str, str], Current[Rating]] = field(default_factory=dict)
    run_ratings: Mapping[tuple[str, str], Current[Rating]] = field(default_factory=dict)
    preferences: Mapping[tuple[str, str, str], Current[Preference]] = field(default_factory=dict)

    def rating_for(self, rater: str, image: str, run_id: str | None, final: bool) -> Rating | None:
        """The rater's rating of `image`: its own or (for a final image) its run's, the later one."""
        own = self.image_ratings.get((rater, image))
        run = self.run_ratings.get((rater, run_id)) if final and run_id is not None else None
        chosen = max((c for c in (own, run) if c is not None), key=lambda c: c.position, default=None)
        return chosen.event if chosen is not None else None

    @property
    def raters(self) -> frozenset[str]:
        """Every rater with at least one current rating."""
        return frozenset(rater for rater, _ in (*self.image_ratings, *self.run_ratings))


def _rating_key(rating: Rating) -> tuple[str, str]:
    return (rating.header.rater, rating.target)


def _preference_key(preference: Preference) -> tuple[str, str, str]:
    return (preference.header.rater, *preference.pair)


def fold_events(events: Iterable[FeedbackEvent]) -> FeedbackState:
    """The current state after every event, in order (see the module docstring for the rules)."""
    images: dict[tuple[str, str], Current[Rating]] = {}
    runs: dict[tuple[str, str], Current[Rating]] = {}
    preferences: dict[tuple[str, str, str], Current[Preference]] = {}
    where: dict[str, tuple[str, tuple[str, ...]]] = {}  # event id -> (table, key) while it is current
    for position, event in enumerate(events):
        event_id = event.header.event_id
        if isinstance(event, Rating):
            table = images if event.image is not None else runs
            key = _rating_key(event)
            previous = table.get(key)
            if previous is not None:
                where.pop(previous.event.header.event_id, None)
            table[key] = Current(position, event)
            where[event_id] = ("image" if event.image is not None else "run", key)
        elif isinstance(event, Preference):
            pkey = _preference_key(event)
            earlier = preferences.get(pkey)
            if earlier is not None:
                where.pop(earlier.event.header.event_id, None)
            preferences[pkey] = Current(position, event)
            where[event_id] = ("preference", pkey)
        elif isinstance(event, Retraction):
            _retract(event, where, images, runs, preferences)
    return FeedbackState(MappingProxyType(images), MappingProxyType(runs), MappingProxyType(preferences))


def _retract(
    retraction: Retraction,
    where: dict[str, tuple[str, tuple[str, ...]]],
    images: dict[tuple[str, str], Current[Rating]],
    runs: dict[tuple[str, str], Current[Rating]],
    preferences: dict[tuple[str, str, str], Current[Preference]],
) -> None:
    """Remove the retracted event when it is current and the retraction's rater made it."""
    found = where.get(retraction.retracts)
    if found is None:
        return
    kind, key = found
    tables: dict[str, dict[Any, Any]] = {"image": images, "run": runs, "preference": preferences}
    table = tables[kind]
    if table[key].event.header.rater != retraction.header.rater:
        return
    del table[key]
    del where[retraction.retracts]


def current_event_ids(state: FeedbackState) -> frozenset[str]:
    """The ids of every event that currently counts."""
    ids = {c.event.header.event_id for c in state.image_ratings.values()}
    ids.update(c.event.header.event_id for c in state.run_ratings.values())
    ids.update(c.event.header.event_id for c in state.preferences.values())
    return frozenset(ids)
