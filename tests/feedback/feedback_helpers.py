"""Helpers for the feedback tests: events with a running id and clock, plan records of a sweep."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.learning.records_helpers import record

from stablenew.domain.feedback.events import EventHeader, Preference, Rating, Retraction
from stablenew.domain.feedback.observations import PreferenceOutcome
from stablenew.domain.records.record import LearningContext, LearningRecord

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


def header(rater: str = "ann") -> EventHeader:
    n = next(_ids)
    return EventHeader(f"ev-{n}", T0 + timedelta(seconds=n), rater)


def rate(target: str, stars: int, rater: str = "ann", *, run: bool = False, **extra: Any) -> Rating:
    where = {"run_id": target} if run else {"image": target}
    return Rating(header(rater), stars, **where, **extra)


def prefer(a: str, b: str, outcome: str = "a", rater: str = "ann") -> Preference:
    return Preference(header(rater), a, b, PreferenceOutcome(outcome))


def retract(event: Rating | Preference, rater: str | None = None) -> Retraction:
    return Retraction(header(rater or event.header.rater), event.header.event_id)


def step_record(
    run_id: str, cfg: float, sampler: str, plan_id: str = "plan-1", **tags: Any
) -> LearningRecord:
    """A 4-stage record of one step of a cfg × sampler plan."""
    variables = {"txt2img.cfg_scale": cfg, "txt2img.sampler_name": sampler}
    context = LearningContext(plan_id=plan_id, plan_name=plan_id, step_key=f"{plan_id}:{cfg}:{sampler}",
                              step_index=0, variables=variables, tags=tags)
    return record(run_id, context)


def final_image(run_id: str) -> str:
    return f"output/runs/{run_id}/04-upscale-000.png"


def first_image(run_id: str) -> str:
    return f"output/runs/{run_id}/01-txt2img-000.png"
