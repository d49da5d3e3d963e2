"""The LearningRecord: one schema-versioned line of the record log per pipeline run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from stablenew.domain.run.failures import FailureKind

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

    @property
    def run_id(self) -> str:
        """The run's id (unique within a log)."""
        return str(self.data["run_id"])

    @property
    def timestamp(self) -> str:
        """When the run started, ISO 8601."""
        return str(self.data["timestamp"])

    @property
    def success(self) -> bool:
        """Whether every stage of the run succeeded (only a stored `true` counts)."""
        return self.data["success"] is True

    @property
    def cancelled(self) -> bool:
        """Whether the run was cancelled (Ctrl-C, SIGTERM)."""
        return bool(self.data.get("cancelled", False))

    @property
    def error(self) -> str | None:
        """Why the run failed, or None."""
        value: str | None = self.data.get("error")
        return value

    @property
    def run_type(self) -> str:
        """`single` or `learning`."""
        return str(self.data.get("run_type", RUN_TYPE_SINGLE))

    @property
    def backend(self) -> str | None:
        """The image backend that ran the stages."""
        value: str | None = self.data.get("backend")
        return value

    @property
    def prompt_pack(self) -> str | None:
        """The config's prompt pack, or None."""
        value: str | None = self.data.get("prompt_pack")
        return value

    @property
    def prompt_id(self) -> str | None:
        """The config's prompt id, or None."""
        value: str | None = self.data.get("prompt_id")
        return value

    @property
    def config(self) -> Mapping[str, Any]:
        """The effective (resolved) config in the config file's shape."""
        value: Mapping[str, Any] = self.data["config"]
        return value

    @property
    def requested_config(self) -> Mapping[str, Any]:
        """The config as the user wrote it."""
        value: Mapping[str, Any] = self.data.get("requested_config", {})
        return value

    @property
    def seed(self) -> int | None:
        """The first seed a stage really used, or None."""
        value: int | None = self.data.get("seed")
        return value

    @property
    def stages(self) -> list[str]:
        """The enabled stages that were asked for, in run order."""
        return list(self.data.get("stages", []))

    @property
    def total_duration_s(self) -> float:
        """Seconds from the run's start to its end."""
        return float(self.data.get("total_duration_s", 0.0))

    @property
    def stage_events(self) -> list[dict[str, Any]]:
        """One plain event per stage that ran, in order."""
        return list(self.data.get("stage_events", []))

    @property
    def stage_summary(self) -> Mapping[str, Any]:
        """Per stage: duration, outcome and image count."""
        value: Mapping[str, Any] = self.data.get("stage_summary", {})
        return value

    @property
    def outputs(self) -> Mapping[str, list[str]]:
        """Image paths by stage."""
        value: Mapping[str, list[str]] = self.data.get("outputs", {})
        return value

    @property
    def images(self) -> list[str]:
        """Every image path of the run."""
        return list(self.data.get("images", []))

    def get(self, key: str, default: Any = None) -> Any:
        """The record field `key` as stored, or `default` when absent."""
        return self.data.get(key, default)

    @property
    def learning(self) -> Mapping[str, Any] | None:
        """The plan/step context, or None for a passive run."""
        return self.data.get("learning")

    @property
    def plan_id(self) -> str | None:
        """The learning plan's id, or None for a passive run."""
        value = (self.learning or {}).get("plan_id")
        return value if isinstance(value, str) else None

    @property
    def step_key(self) -> str | None:
        """The learning step's key, or None for a passive run."""
        value = (self.learning or {}).get("step_key")
        return value if isinstance(value, str) else None

    @property
    def failure_kind(self) -> FailureKind | None:
        """Why the run failed (its first failed or cancelled stage's kind; older tags mapped), or None."""
        for event in self.data.get("stage_events") or ():
            if isinstance(event, Mapping) and event.get("outcome") not in (None, "success"):
                return FailureKind.parse(event.get("error_kind")) or FailureKind.UNKNOWN
        return None

    def to_dict(self) -> dict[str, Any]:
        """The record's plain data (a shallow copy)."""
        return dict(self.data)
