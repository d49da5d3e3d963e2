"""What a pipeline run produced: one StageEvent per stage attempted, and the run's result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from stablenew.domain.run.failures import FailureKind

SUCCESS, FAILED, CANCELLED = "success", "failed", "cancelled"


@dataclass(frozen=True, slots=True)
class ImageArtifact:
    """One saved image: where it is and a hash of its bytes (records never hold image bytes)."""

    path: str
    sha256: str
    width: int
    height: int
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the record."""
        return {"path": self.path, "sha256": self.sha256, "width": self.width, "height": self.height,
                "seed": self.seed}


@dataclass(frozen=True, slots=True)
class StageEvent:
    """One stage's attempt: when, how long, outcome, error, images, and what really ran."""

    stage: str
    started_at: datetime
    ended_at: datetime
    duration_s: float
    outcome: str
    error: str | None = None
    error_kind: FailureKind | None = None
    images: tuple[ImageArtifact, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "error_kind", FailureKind.parse(self.error_kind))  # a tag read back

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the record."""
        return {
            "stage": self.stage,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat(),
            "duration_s": round(self.duration_s, 6),
            "outcome": self.outcome,
            "error": self.error,
            "error_kind": None if self.error_kind is None else self.error_kind.value,
            "images": [image.to_dict() for image in self.images],
            "params": dict(self.params),
        }


@dataclass(frozen=True, slots=True)
class PipelineRunResult:
    """The outcome of one pipeline run; never raised, always returned."""

    run_id: str
    started_at: datetime
    ended_at: datetime
    success: bool
    events: tuple[StageEvent, ...] = ()
    error: str | None = None
    cancelled: bool = False
    backend: str = ""
    server: str = ""  # the generation server's URL (without credentials); "" for in-process backends
    record_path: str | None = None
    record_error: str | None = None

    @property
    def duration_s(self) -> float:
        """Sum of the stage durations."""
        return sum(event.duration_s for event in self.events)

    @property
    def images(self) -> tuple[ImageArtifact, ...]:
        """The images of the last stage that produced any."""
        for event in reversed(self.events):
            if event.images:
                return event.images
        return ()

    def stage_images(self) -> dict[str, list[str]]:
        """Image paths per stage, in run order."""
        return {event.stage: [image.path for image in event.images] for event in self.events}
