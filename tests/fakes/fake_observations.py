"""FakeObservationSource: ratings and preferences held in memory; it records every query."""

from __future__ import annotations

from collections.abc import Iterable

from stablenew.domain.feedback.observations import PreferencePair, RatedImage
from stablenew.domain.ports.observations import ObservationQuery, Observations, ObservationSource


class FakeObservationSource(ObservationSource):
    """Serves the ratings whose plan id matches (or all, without a plan id in the query)."""

    def __init__(self, rated: Iterable[RatedImage] = (), pairs: Iterable[PreferencePair] = ()) -> None:
        self.rated = list(rated)
        self.pairs = list(pairs)
        self.queries: list[ObservationQuery] = []

    def observations(self, query: ObservationQuery) -> Observations:
        self.queries.append(query)
        rated = [r for r in self.rated if query.plan_id is None or r.plan_id == query.plan_id]
        return Observations(tuple(rated), tuple(self.pairs))
