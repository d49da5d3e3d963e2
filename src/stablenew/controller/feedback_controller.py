"""FeedbackController: records ratings, preferences and retractions of recorded images and runs."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

from stablenew.domain.feedback.dataset import DatasetReport, DatasetRequest
from stablenew.domain.feedback.events import (
    EventHeader,
    FeedbackError,
    Preference,
    Rating,
    Retraction,
    check_stars,
    check_subscores,
)
from stablenew.domain.feedback.join import FeedbackJoin, join_feedback
from stablenew.domain.feedback.observations import PreferenceOutcome
from stablenew.domain.feedback.ratings import FeedbackState, fold_events
from stablenew.domain.feedback.requests import RatingRequest
from stablenew.domain.feedback.targets import Target, resolve_targets
from stablenew.domain.ports.clock import Clock
from stablenew.domain.ports.dataset_builder import DatasetBuilder
from stablenew.domain.ports.feedback_log import FeedbackLog, FeedbackReadReport
from stablenew.domain.ports.record_sink import RecordSource

T = TypeVar("T")
SourceFactory = Callable[[Path], RecordSource]
FeedbackFactory = Callable[[Path], FeedbackLog]
DatasetFactory = Callable[[Path], DatasetBuilder]


def _new_event_id() -> str:
    return uuid.uuid4().hex


def _column(field: str | None) -> str:
    """The CSV column a domain field path stands for (subscores.composition → composition)."""
    return (field or "stars").removeprefix("subscores.")


class FeedbackController:
    """Checks every request against the record log before anything is written (all or nothing)."""

    def __init__(
        self,
        *,
        source_factory: SourceFactory,
        feedback_factory: FeedbackFactory,
        records_path: Path | str,
        feedback_path: Path | str,
        clock: Clock,
        rater: str,
        canonical_path: Callable[[str], str],
        dataset_factory: DatasetFactory,
        new_event_id: Callable[[], str] = _new_event_id,
    ) -> None:
        self._source_factory = source_factory
        self._feedback_factory = feedback_factory
        self.records_path = Path(records_path)
        self.feedback_path = Path(feedback_path)
        self._clock = clock
        self.rater = rater
        self._canonical = canonical_path
        self._new_id = new_event_id
        self._dataset_factory = dataset_factory
        self.on_feedback_read: Callable[[FeedbackReadReport], None] | None = None  # e.g. to warn

    def _header(self, rater: str | None) -> EventHeader:
        return EventHeader(self._new_id(), self._clock.now(), rater or self.rater)

    def _log(self) -> FeedbackLog:
        return self._feedback_factory(self.feedback_path)

    def _find(self, queries: Sequence[str]) -> dict[str, Target]:
        return dict(resolve_targets(queries, self._source_factory(self.records_path).iter_records(),
                                    self._canonical))

    def _unknown(self, query: str, *, source: str | None = None, field: str | None = None) -> FeedbackError:
        return FeedbackError(f"no record in {self.records_path} has the image or run id {query!r} "
                             "(an image is named by its recorded path)", source=source, field=field)

    def state(self) -> FeedbackState:
        """What every rater currently says (the feedback log folded; a torn tail and corrupt lines
        are skipped, and the report goes to `on_feedback_read`)."""
        report = self._log().read_events()
        if self.on_feedback_read is not None:
            self.on_feedback_read(report)
        return fold_events(report.events)

    def join(self, plan_id: str | None = None) -> FeedbackJoin:
        """The current ratings and preferences joined to their records (what `recommend` reads)."""
        return join_feedback(self.state(), self._source_factory(self.records_path).iter_records(plan_id),
                             plan_id=plan_id)

    def build_dataset(self, request: DatasetRequest) -> DatasetReport:
        """The rated-image dataset (and pairs) of the record log with the current feedback."""
        return self._dataset_factory(self.records_path).build(request, self.state())

    def rate(self, requests: Sequence[RatingRequest], *, source: str | None = None) -> tuple[Rating, ...]:
        """Check every request (stars, subscores, tags, the target in the records), then append all
        of them in one write; the first bad one is a FeedbackError naming its line and column when
        it has a line (`request.where`), and nothing is written."""
        for request in requests:
            self._checked(request, source, lambda r: check_stars(r.stars))
        found = self._find([r.target for r in requests])
        ratings: list[Rating] = []
        for request in requests:
            target = found.get(request.target)
            if target is None:
                where = f"{request.where}, column {request.target_column}" if request.where else None
                raise self._unknown(request.target, source=source, field=where)
            ratings.append(self._checked(request, source, partial(self._rating, target=target)))
        self._log().append_events(ratings)
        return tuple(ratings)

    def _checked(self, request: RatingRequest, source: str | None,
                    make: Callable[[RatingRequest], T]) -> T:
        try:
            return make(request)
        except FeedbackError as exc:
            if request.where is None:
                raise
            raise FeedbackError(exc.message, source=source,
                                field=f"{request.where}, column {_column(exc.field)}") from None

    def _rating(self, request: RatingRequest, *, target: Target) -> Rating:
        return Rating(self._header(request.rater), check_stars(request.stars), image=target.image,
                      run_id=target.run_id, subscores=check_subscores(request.subscores), tags=request.tags,
                      note=request.note or None)

    def prefer(
        self, image_a: str, image_b: str, *, tie: bool = False, rater: str | None = None
    ) -> Preference:
        """Record that image A is better than image B (or that they tie)."""
        found = self._find([image_a, image_b])
        targets = []
        for query, argument in ((image_a, "IMAGE_A"), (image_b, "IMAGE_B")):
            target = found.get(query)
            if target is None or target.image is None:
                raise self._unknown(query, field=argument) if target is None else FeedbackError(
                    f"{query!r} is a run id; a preference compares two images", field=argument)
            targets.append(target.image)
        outcome = PreferenceOutcome.TIE if tie else PreferenceOutcome.A
        preference = Preference(self._header(rater), targets[0], targets[1], outcome)
        self._log().append_events([preference])
        return preference

    def retract_rating(self, query: str, *, rater: str | None = None) -> Retraction:
        """Take back the rater's current rating of an image or run."""
        target = self._find([query]).get(query)
        if target is None:
            raise self._unknown(query)
        who = rater or self.rater
        state = self.state()
        table = state.image_ratings if target.image is not None else state.run_ratings
        current = table.get((who, target.image or str(target.run_id)))
        if current is None:
            raise FeedbackError(f"{who} has no current rating of {query!r} to retract", field="--retract")
        return self._retract(current.event.header.event_id, who)

    def retract_preference(self, image_a: str, image_b: str, *, rater: str | None = None) -> Retraction:
        """Take back the rater's current preference between two images."""
        found = self._find([image_a, image_b])
        for query in (image_a, image_b):
            if found.get(query) is None:
                raise self._unknown(query)
        a, b = str(found[image_a].image), str(found[image_b].image)
        who = rater or self.rater
        first, second = sorted((a, b))
        current = self.state().preferences.get((who, first, second))
        if current is None:
            raise FeedbackError(f"{who} has no current preference between {image_a!r} and {image_b!r}",
                                field="--retract")
        return self._retract(current.event.header.event_id, who)

    def _retract(self, event_id: str, rater: str) -> Retraction:
        retraction = Retraction(self._header(rater), event_id)
        self._log().append_events([retraction])
        return retraction
