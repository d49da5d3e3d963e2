"""The join: feedback events + records → the RatedImage / PreferencePair values the model reads.

Pure and streaming over the records: the events are folded first (they are few), then one pass over
the records emits a RatedImage per (rater, rated image) and completes each current preference with
both images' settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from stablenew.domain.feedback.events import FeedbackEvent
from stablenew.domain.feedback.observations import PreferencePair, RatedImage
from stablenew.domain.feedback.ratings import FeedbackState, fold_events
from stablenew.domain.records.record import LearningRecord

CONFIRMATION_RUN_TYPE = "confirmation"
CONFIRMATION_OF_TAG = "confirmation_of"  # learning.tags key: the plan id a confirmation run re-tests
_NOT_VALUES = frozenset({"seed", "batch_size", "n_iter", "enabled"})


@dataclass(frozen=True, slots=True)
class RecordImage:
    """One image a record names: its path, the stage that made it, whether it is a final image."""

    path: str
    stage: str
    final: bool
    sha256: str | None = None


def record_images(record: LearningRecord) -> Iterator[RecordImage]:
    """Every image of every stage of the record, in stage order; final = in the record's `images`."""
    finals = {str(p) for p in record.data.get("images") or ()}
    seen: set[str] = set()
    for event in record.data.get("stage_events") or ():
        if not isinstance(event, Mapping):
            continue
        for image in event.get("images") or ():
            path = image.get("path") if isinstance(image, Mapping) else None
            if isinstance(path, str) and path not in seen:
                seen.add(path)
                sha = image.get("sha256")
                yield RecordImage(path, str(event.get("stage")), path in finals,
                                  sha if isinstance(sha, str) else None)
    for path in finals - seen:  # a record without stage events still names its final images
        yield RecordImage(path, "", True)


def _learning(record: LearningRecord) -> Mapping[str, Any]:
    learning = record.learning
    return learning if isinstance(learning, Mapping) else {}


def is_confirmation(record: LearningRecord) -> bool:
    """True for a confirmation run (`learn confirm`): run type "confirmation" or a confirmation_of tag."""
    learning = _learning(record)
    tags = learning.get("tags")
    tagged = isinstance(tags, Mapping) and bool(tags.get(CONFIRMATION_OF_TAG))
    return learning.get("run_type") == CONFIRMATION_RUN_TYPE or tagged


def belongs_to_plan(record: LearningRecord, plan_id: str) -> bool:
    """The record is a step of the plan, or a confirmation run of it."""
    learning = _learning(record)
    tags = learning.get("tags")
    confirms = tags.get(CONFIRMATION_OF_TAG) if isinstance(tags, Mapping) else None
    return learning.get("plan_id") == plan_id or confirms == plan_id


def record_values(record: LearningRecord) -> dict[str, Any]:
    """"<stage>.<variable>" → value: the plan step's axis values, or (outside a plan) every scalar
    setting of every stage of the effective config except the seed and the batch size."""
    variables = _learning(record).get("variables")
    if isinstance(variables, Mapping) and variables:
        return {str(k): v for k, v in variables.items()}
    values: dict[str, Any] = {}
    config = record.data.get("config")
    for stage, table in (config.items() if isinstance(config, Mapping) else ()):
        if isinstance(table, Mapping):
            for name, value in table.items():
                if name not in _NOT_VALUES and isinstance(value, str | int | float | bool):
                    values[f"{stage}.{name}"] = value
    return values


def step_key_of(record: LearningRecord) -> str:
    """The plan step's key, or the run id outside a plan (a run's images share a seed)."""
    key = _learning(record).get("step_key")
    return key if isinstance(key, str) and key else str(record.run_id)


@dataclass(frozen=True, slots=True)
class FeedbackJoin:
    """Every current rating as a RatedImage and every current preference as a PreferencePair."""

    rated: tuple[RatedImage, ...]
    pairs: tuple[PreferencePair, ...]


def _rated(state: FeedbackState, record: LearningRecord, image: RecordImage,
           raters: Iterable[str]) -> Iterator[RatedImage]:
    for rater in raters:
        rating = state.rating_for(rater, image.path, str(record.run_id), image.final)
        if rating is not None:
            yield RatedImage(
                run_id=str(record.run_id), step_key=step_key_of(record), image_path=image.path,
                rater=rater, stars=rating.stars, values=record_values(record),
                plan_id=str(_learning(record).get("plan_id") or ""), confirmation=is_confirmation(record),
                subscores=rating.subscores, tags=rating.tags,
            )


def join_feedback(
    events: Iterable[FeedbackEvent] | FeedbackState,
    records: Iterable[LearningRecord],
    *,
    plan_id: str | None = None,
) -> FeedbackJoin:
    """One pass over `records` (only `plan_id`'s and its confirmation runs' when given)."""
    state = events if isinstance(events, FeedbackState) else fold_events(events)
    by_image: dict[str, set[str]] = {}
    by_run: dict[str, set[str]] = {}
    for rater, image_path in state.image_ratings:
        by_image.setdefault(image_path, set()).add(rater)
    for rater, run_id in state.run_ratings:
        by_run.setdefault(run_id, set()).add(rater)
    wanted = {image for current in state.preferences.values() for image in current.event.pair}
    seen: dict[str, tuple[dict[str, Any], str]] = {}
    rated: list[RatedImage] = []
    for record in records:
        if plan_id is not None and not belongs_to_plan(record, plan_id):
            continue
        run_raters = by_run.get(str(record.run_id), set())
        for image in record_images(record):
            if image.path in wanted:
                seen[image.path] = (record_values(record), step_key_of(record))
            raters = by_image.get(image.path, set()) | (run_raters if image.final else set())
            if raters:
                rated.extend(_rated(state, record, image, sorted(raters)))
    pairs = []
    for current in state.preferences.values():
        preference = current.event
        a, b = seen.get(preference.image_a), seen.get(preference.image_b)
        if a is not None and b is not None:
            pairs.append(PreferencePair(
                image_a=preference.image_a, image_b=preference.image_b, outcome=preference.outcome,
                rater=preference.header.rater, values_a=a[0], values_b=b[0],
                step_key_a=a[1], step_key_b=b[1],
            ))
    return FeedbackJoin(tuple(rated), tuple(pairs))
