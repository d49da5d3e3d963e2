"""What the record log says about a plan: which steps are done, which failed, which are pending."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from stablenew.domain.plan.plan import LearningPlan, LearningRunStep
from stablenew.domain.plan.steps import expand_plan
from stablenew.domain.records.record import LearningRecord

PLAN_SEED_TAG = "plan_seed"


def plan_records(records: Iterable[LearningRecord], plan_id: str) -> list[LearningRecord]:
    """The records of one plan, in log order; one whose `learning` is not a table with a string
    `step_key` is no step of any plan (an edited or foreign record), so it is left out."""
    out = []
    for record in records:
        learning = record.learning
        if (isinstance(learning, Mapping) and learning.get("plan_id") == plan_id
                and isinstance(learning.get("step_key"), str)):
            out.append(record)
    return out


def done_step_keys(records: Iterable[LearningRecord], plan_id: str) -> frozenset[str]:
    """The step keys of `plan_id` that have a successful record."""
    return frozenset(str(r.step_key) for r in plan_records(records, plan_id) if r.success)


def recorded_plan_seed(records: Iterable[LearningRecord], plan_id: str) -> int | None:
    """The shared seed an earlier run of the plan recorded (so resumed steps stay comparable)."""
    for record in reversed(plan_records(records, plan_id)):
        tags = (record.learning or {}).get("tags")
        seed = tags.get(PLAN_SEED_TAG) if isinstance(tags, Mapping) else None
        if isinstance(seed, int) and not isinstance(seed, bool):
            return seed
    return None


def images_by_step(records: Iterable[LearningRecord], plan_id: str) -> dict[str, tuple[str, ...]]:
    """The images of each step's latest successful record."""
    found: dict[str, tuple[str, ...]] = {}
    for record in plan_records(records, plan_id):
        if record.success:
            found[str(record.step_key)] = tuple(str(p) for p in record.data.get("images") or ())
    return found


@dataclass(frozen=True, slots=True)
class PlanStatus:
    """Every step of a plan sorted into done, failed (tried, never succeeded), cancelled (tried, never
    succeeded, its latest try cancelled) and pending."""

    plan: LearningPlan
    done: tuple[LearningRunStep, ...]
    failed: tuple[LearningRunStep, ...]
    pending: tuple[LearningRunStep, ...]
    records: int
    cancelled: tuple[LearningRunStep, ...] = ()

    @property
    def total(self) -> int:
        """How many steps the plan has."""
        return len(self.done) + len(self.failed) + len(self.cancelled) + len(self.pending)

    def to_dict(self) -> dict[str, Any]:
        """Counts and the keys of unfinished steps."""
        return {
            "plan_id": self.plan.id,
            "total": self.total,
            "done": len(self.done),
            "failed": len(self.failed),
            "cancelled": len(self.cancelled),
            "pending": len(self.pending),
            "records": self.records,
            "failed_keys": [s.key for s in self.failed],
            "cancelled_keys": [s.key for s in self.cancelled],
            "pending_keys": [s.key for s in self.pending],
        }


def plan_status(plan: LearningPlan, records: Iterable[LearningRecord]) -> PlanStatus:
    """Sort the plan's steps by what the records say."""
    mine = plan_records(records, plan.id)
    done = done_step_keys(mine, plan.id)
    last_cancelled = {str(r.step_key): r.data.get("cancelled") is True for r in mine}
    steps = expand_plan(plan)
    unfinished = [s for s in steps if s.key in last_cancelled and s.key not in done]
    return PlanStatus(
        plan=plan,
        done=tuple(s for s in steps if s.key in done),
        failed=tuple(s for s in unfinished if not last_cancelled[s.key]),
        pending=tuple(s for s in steps if s.key not in last_cancelled),
        records=len(mine),
        cancelled=tuple(s for s in unfinished if last_cancelled[s.key]),
    )
