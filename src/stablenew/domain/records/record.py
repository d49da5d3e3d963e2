"""The LearningRecord: one schema-versioned line of the record log per pipeline run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

RECORD_SCHEMA = "stablenew.learning-record/1"
RUN_TYPE_SINGLE, RUN_TYPE_LEARNING = "single", "learning"


@dataclass(frozen=True, slots=True)
class LearningContext:
    """Why a run happened when it belongs to a learning plan (None for a passive single run)."""

    plan_id: str
    plan_name: str
    step_key: str
    step_index: int
    variables: Mapping[str, Any]
    run_type: str = RUN_TYPE_LEARNING
    experiment_name: str | None = None
    one_click_action_id: str | None = None
    tags: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "variables", MappingProxyType(dict(self.variables)))
        object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the record's `learning` field."""
        return {
            "plan_id": self.plan_id,
            "plan_name": self.plan_name,
            "experiment_name": self.experiment_name or self.plan_name,
            "step_key": self.step_key,
            "step_index": self.step_index,
            "variables": dict(self.variables),
            "run_type": self.run_type,
            "one_click_action_id": self.one_click_action_id,
            "tags": dict(self.tags),
        }


@dataclass(frozen=True, slots=True)
class LearningRecord:
    """A record as plain, JSON-ready data, keyed as the log stores it."""

    data: Mapping[str, Any]

    def __post_init__(self) -> None:
        if self.data.get("schema") != RECORD_SCHEMA:
            raise ValueError(f"not a {RECORD_SCHEMA} record: schema={self.data.get('schema')!r}")
        for key in ("run_id", "timestamp", "success", "config"):
            if key not in self.data:
                raise ValueError(f"record without {key!r}")

    def __getattr__(self, name: str) -> Any:
        data = object.__getattribute__(self, "data")
        if name in data:
            return data[name]
        raise AttributeError(name)

    @property
    def learning(self) -> Mapping[str, Any] | None:
        """The plan/step context, or None for a passive run."""
        return self.data.get("learning")

    def to_dict(self) -> dict[str, Any]:
        """The record's plain data (a shallow copy)."""
        return dict(self.data)
