"""JoinedObservations: the ObservationSource that joins the feedback log to the record log."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import PurePath

from stablenew.domain.feedback.events import FeedbackEvent
from stablenew.domain.feedback.join import join_feedback
from stablenew.domain.ports.observations import ObservationQuery, Observations, ObservationSource
from stablenew.domain.records.record import LearningRecord


def _models(record: LearningRecord) -> set[str]:
    """The model names a record ran with: the config's and each stage's reported one."""
    names = set()
    config = record.data.get("config")
    for table in config.values() if isinstance(config, Mapping) else ():
        if isinstance(table, Mapping) and isinstance(table.get("model"), str):
            names.add(table["model"])
    for event in record.data.get("stage_events") or ():
        params = event.get("params") if isinstance(event, Mapping) else None
        if isinstance(params, Mapping) and isinstance(params.get("model"), str):
            names.add(params["model"])
    return names


def model_matches(record: LearningRecord, model: str) -> bool:
    """True when the record ran `model` (with or without its file extension)."""
    wanted = {model, PurePath(model).stem}
    return any(name in wanted or PurePath(name).stem in wanted for name in _models(record))


def _select(records: Iterable[LearningRecord], query: ObservationQuery) -> Iterator[LearningRecord]:
    for record in records:
        if query.prompt is not None and record.data.get("prompt") != query.prompt:
            continue
        if query.model is not None and not model_matches(record, query.model):
            continue
        yield record


class JoinedObservations(ObservationSource):
    """Folds the feedback events, then streams the records once through the join."""

    def __init__(
        self,
        *,
        events: Callable[[], Iterable[FeedbackEvent]],
        records: Callable[[], Iterable[LearningRecord]],
    ) -> None:
        self._events = events
        self._records = records

    def observations(self, query: ObservationQuery) -> Observations:
        """The selected records' current ratings and preferences."""
        joined = join_feedback(self._events(), _select(self._records(), query), plan_id=query.plan_id)
        return Observations(joined.rated, joined.pairs)
