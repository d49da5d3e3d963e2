"""A plan's results with their ratings: what `report` draws and `export llm` writes (paths, no pixels)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stablenew.domain.feedback.observations import PreferencePair, RatedImage
from stablenew.domain.feedback.recommendation import Recommendation
from stablenew.domain.plan.plan import LearningPlan
from stablenew.domain.plan.steps import expand_plan
from stablenew.domain.records.record import LearningRecord
from stablenew.domain.services.confirmation import CONFIRMATION_OF

LLM_EXPORT_SCHEMA = "stablenew.llm-export/1"


@dataclass(frozen=True, slots=True)
class ImageResult:
    """One final image of a run and its current ratings."""

    path: str
    ratings: tuple[RatedImage, ...] = ()

    @property
    def mean_stars(self) -> float | None:
        """The raters' average, or None when nobody rated it."""
        return sum(r.stars for r in self.ratings) / len(self.ratings) if self.ratings else None


@dataclass(frozen=True, slots=True)
class StepResult:
    """One step of the plan (or of a confirmation run of it) with its latest record's images."""

    index: int
    key: str
    variables: Mapping[str, Any]
    confirmation: bool
    run_id: str | None
    success: bool | None  # None: never ran
    error: str | None = None
    duration_s: float | None = None
    images: tuple[ImageResult, ...] = field(default=())

    @property
    def ratings(self) -> tuple[RatedImage, ...]:
        """Every rating of the step's images."""
        return tuple(r for image in self.images for r in image.ratings)

    @property
    def mean_stars(self) -> float | None:
        """The average of every rating of the step's images."""
        ratings = self.ratings
        return sum(r.stars for r in ratings) / len(ratings) if ratings else None


@dataclass(frozen=True, slots=True)
class PlanReport:
    """Everything the HTML report and the LLM export show."""

    plan: LearningPlan
    steps: tuple[StepResult, ...]
    recommendation: Recommendation
    pairs: tuple[PreferencePair, ...] = ()


def _duration(record: LearningRecord) -> float | None:
    total = 0.0
    for event in record.data.get("stage_events") or ():
        if isinstance(event, Mapping) and isinstance(event.get("duration_s"), int | float):
            total += float(event["duration_s"])
    return round(total, 3) if total else None


def _confirms(record: LearningRecord, plan_id: str) -> bool:
    learning = record.learning
    tags = learning.get("tags") if isinstance(learning, Mapping) else None
    return isinstance(tags, Mapping) and tags.get(CONFIRMATION_OF) == plan_id


def build_plan_report(
    plan: LearningPlan,
    records: Iterable[LearningRecord],
    rated: Iterable[RatedImage],
    recommendation: Recommendation,
    pairs: Iterable[PreferencePair] = (),
) -> PlanReport:
    """The plan's steps in order (pending ones too), then its confirmation steps, each with the
    final images of its latest record and their ratings."""
    by_image: dict[str, list[RatedImage]] = {}
    for rating in rated:
        by_image.setdefault(rating.image_path, []).append(rating)
    latest: dict[str, LearningRecord] = {}
    confirmations: dict[str, LearningRecord] = {}
    for record in records:
        learning = record.learning
        if not isinstance(learning, Mapping) or not isinstance(learning.get("step_key"), str):
            continue
        if learning.get("plan_id") == plan.id:
            latest[learning["step_key"]] = record
        elif _confirms(record, plan.id):
            confirmations[f"{learning.get('plan_id')}/{learning['step_key']}"] = record
    steps = [_step(step.index, step.key, step.variables, False, latest.get(step.key), by_image)
             for step in expand_plan(plan)]
    for key, record in confirmations.items():
        variables = dict((record.learning or {}).get("variables") or {})
        steps.append(_step(len(steps), key, variables, True, record, by_image))
    return PlanReport(plan, tuple(steps), recommendation, tuple(pairs))


def _step(index: int, key: str, variables: Mapping[str, Any], confirmation: bool,
          record: LearningRecord | None, by_image: Mapping[str, list[RatedImage]]) -> StepResult:
    if record is None:
        return StepResult(index, key, dict(variables), confirmation, None, None)
    images = tuple(ImageResult(str(path), tuple(by_image.get(str(path), ())))
                   for path in record.data.get("images") or ())
    error = record.data.get("error")
    return StepResult(
        index=index, key=key, variables=dict(variables), confirmation=confirmation,
        run_id=str(record.run_id), success=record.success is True,
        error=None if error is None else str(error), duration_s=_duration(record), images=images,
    )


def _rating(rating: RatedImage) -> dict[str, Any]:
    return {"rater": rating.rater, "stars": rating.stars, "subscores": dict(rating.subscores),
            "tags": list(rating.tags)}


def llm_export(report: PlanReport) -> dict[str, Any]:
    """The `stablenew.llm-export/1` object: plan, per-step results with ratings, preferences and the
    recommendation — image paths only, never pixels (docs/feedback.md documents it)."""
    plan = report.plan
    return {
        "schema": LLM_EXPORT_SCHEMA,
        "plan": {
            "id": plan.id, "name": plan.name, "prompt": plan.base.prompt,
            "negative_prompt": plan.base.negative_prompt, "images_per_step": plan.images_per_step,
            "seed": plan.seed,
            "axes": [{"stage": a.stage, "variable": a.variable, "values": list(a.values)} for a in plan.axes],
            "base": plan.base.to_dict(),
        },
        "steps": [
            {
                "index": s.index, "key": s.key, "variables": dict(s.variables),
                "confirmation": s.confirmation,
                "run_id": s.run_id, "success": s.success, "error": s.error, "duration_s": s.duration_s,
                "mean_stars": None if s.mean_stars is None else round(s.mean_stars, 3),
                "images": [
                    {"path": image.path, "ratings": [_rating(r) for r in image.ratings]}
                    for image in s.images
                ],
            }
            for s in report.steps
        ],
        "preferences": [
            {"image_a": p.image_a, "image_b": p.image_b, "outcome": p.outcome.value, "rater": p.rater}
            for p in report.pairs
        ],
        "recommendation": report.recommendation.to_dict(),
    }
