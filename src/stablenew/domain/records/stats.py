"""What a record log holds, summed up record by record (constant memory but for one count per plan)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stablenew.domain.records.record import LearningRecord


@dataclass(slots=True)
class LogStats:
    """Counts over a log's good records: per backend, per plan, successes, and the time span."""

    records: int = 0
    succeeded: int = 0
    backends: Counter[str] = field(default_factory=Counter)
    plans: Counter[str] = field(default_factory=Counter)
    plan_names: dict[str, str] = field(default_factory=dict)
    first: datetime | None = None
    last: datetime | None = None

    def add(self, record: LearningRecord) -> None:
        """Count one record."""
        self.records += 1
        self.succeeded += record.data.get("success") is True
        self.backends[str(record.data.get("backend") or "unknown")] += 1
        learning = record.learning
        if isinstance(learning, Mapping) and isinstance(learning.get("plan_id"), str):
            plan_id = learning["plan_id"]
            self.plans[plan_id] += 1
            self.plan_names.setdefault(plan_id, str(learning.get("plan_name") or ""))
        stamp = _parse_time(record.data.get("timestamp"))
        if stamp is not None:
            self.first = stamp if self.first is None or stamp < self.first else self.first
            self.last = stamp if self.last is None or stamp > self.last else self.last

    @property
    def passive(self) -> int:
        """Records of runs outside any plan."""
        return self.records - sum(self.plans.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `records stats --json`: plans and backends by count, largest first."""
        return {
            "records": self.records,
            "succeeded": self.succeeded,
            "failed": self.records - self.succeeded,
            "plans": len(self.plans),
            "passive_records": self.passive,
            "first_timestamp": self.first.isoformat() if self.first else None,
            "last_timestamp": self.last.isoformat() if self.last else None,
            "per_backend": dict(self.backends.most_common()),
            "per_plan": [
                {"plan_id": plan_id, "plan_name": self.plan_names[plan_id], "records": count}
                for plan_id, count in self.plans.most_common()
            ],
        }


def log_stats(records: Iterable[LearningRecord]) -> LogStats:
    """Sum up `records` as they stream past."""
    stats = LogStats()
    for record in records:
        stats.add(record)
    return stats


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None  # naive and aware times do not compare
