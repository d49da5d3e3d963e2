"""ObservationSource port: the current ratings and preferences, joined to the settings they judge."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from stablenew.domain.feedback.observations import PreferencePair, RatedImage


@dataclass(frozen=True, slots=True)
class ObservationQuery:
    """Which observations: one plan's (with its confirmation runs), else those of a prompt / model."""

    plan_id: str | None = None
    prompt: str | None = None
    model: str | None = None


@dataclass(frozen=True, slots=True)
class Observations:
    """Every current rating as a RatedImage and every current preference as a PreferencePair."""

    rated: tuple[RatedImage, ...]
    pairs: tuple[PreferencePair, ...]


class ObservationSource(ABC):
    """Feedback events joined to the record log (latest rating wins, retractions applied)."""

    @abstractmethod
    def observations(self, query: ObservationQuery) -> Observations:
        """The observations `query` selects: with a plan id, that plan's records and its confirmation
        runs'; with a prompt and/or model, the records whose prompt / txt2img model match."""
        raise NotImplementedError
