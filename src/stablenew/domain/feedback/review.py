"""What the review page shows: a plan's images with their settings, and which pair to compare next."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stablenew.domain.feedback.join import belongs_to_plan, record_images, record_values, step_key_of
from stablenew.domain.records.record import LearningRecord

_SHOWN_FIELDS = ("model", "sampler_name", "scheduler", "steps", "cfg_scale", "width", "height",
                 "denoising_strength", "upscaler")


@dataclass(frozen=True, slots=True)
class ReviewImage:
    """One final image of a run, as the page lists it (`path` as the record names it)."""

    path: str
    run_id: str
    step_key: str
    step_index: int | None
    values: Mapping[str, Any]
    prompt: str
    negative_prompt: str
    seed: Any
    settings: Mapping[str, Any] = field(default_factory=dict)
    stage: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the page."""
        return {"path": self.path, "run_id": self.run_id, "step_key": self.step_key,
                "step": None if self.step_index is None else self.step_index + 1,
                "values": dict(self.values), "prompt": self.prompt, "negative_prompt": self.negative_prompt,
                "seed": self.seed, "settings": dict(self.settings), "stage": self.stage}


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One plan in the records: how many runs and images it has and when it last ran."""

    plan_id: str
    plan_name: str
    runs: int
    images: int
    last: str


def _settings(record: LearningRecord, stage: str) -> dict[str, Any]:
    config = record.data.get("config") or {}
    table = config.get(stage) or config.get("txt2img") or {}
    return {name: table[name] for name in _SHOWN_FIELDS if isinstance(table, Mapping) and name in table}


def review_images(records: Iterable[LearningRecord], plan_id: str | None = None) -> list[ReviewImage]:
    """The final images of the successful runs (of `plan_id` when given), in log order."""
    images: list[ReviewImage] = []
    for record in records:
        if not record.data.get("success") or (plan_id is not None and not belongs_to_plan(record, plan_id)):
            continue
        learning = record.data.get("learning") or {}
        index = learning.get("step_index") if isinstance(learning, Mapping) else None
        for image in record_images(record):
            if image.final:
                images.append(ReviewImage(
                    path=image.path, run_id=str(record.run_id), step_key=step_key_of(record),
                    step_index=index if isinstance(index, int) else None, values=record_values(record),
                    prompt=str(record.data.get("prompt") or ""),
                    negative_prompt=str(record.data.get("negative_prompt") or ""),
                    seed=record.data.get("seed"), settings=_settings(record, image.stage), stage=image.stage,
                ))
    return images


def plan_entries(records: Iterable[LearningRecord]) -> tuple[list[PlanEntry], list[ReviewImage]]:
    """Every plan in the records (most recent first) and the last 50 images of runs outside plans."""
    plans: dict[str, dict[str, Any]] = {}
    loose: list[ReviewImage] = []
    for record in records:
        learning = record.data.get("learning")
        plan_id = learning.get("plan_id") if isinstance(learning, Mapping) else None
        if not plan_id or not isinstance(learning, Mapping):
            loose.extend(review_images([record]))
            del loose[:-50]
            continue
        entry = plans.setdefault(str(plan_id), {"name": str(learning.get("plan_name") or plan_id),
                                                "runs": 0, "images": 0, "last": ""})
        entry["runs"] += 1
        entry["images"] += len(record.data.get("images") or ())
        entry["last"] = max(entry["last"], str(record.data.get("timestamp") or ""))
    listed = [PlanEntry(pid, e["name"], e["runs"], e["images"], e["last"]) for pid, e in plans.items()]
    return sorted(listed, key=lambda e: e.last, reverse=True), list(reversed(loose))


def _effect(value: Mapping[str, Any]) -> float:
    return float(value.get("effect") or value.get("mean_stars") or 0.0)


def closest_races(axes: Sequence[Mapping[str, Any]]) -> list[tuple[str, Any, Any]]:
    """(axis label, best value, runner-up) of each axis of a recommendation's `axes`, the axis whose
    two best values are closest first: the comparisons that would most change the pick."""
    races: list[tuple[float, tuple[str, Any, Any]]] = []
    for axis in axes:
        ranked = sorted(axis["values"], key=_effect, reverse=True)
        if len(ranked) >= 2:
            label = f"{axis['stage']}.{axis['variable']}"
            gap = _effect(ranked[0]) - _effect(ranked[1])
            races.append((gap, (label, ranked[0]["value"], ranked[1]["value"])))
    return [race for _, race in sorted(races, key=lambda item: item[0])]


def next_pair(
    images: Sequence[ReviewImage],
    leaders: Sequence[tuple[str, Any, Any]],
    compared: set[frozenset[str]],
) -> tuple[ReviewImage, ReviewImage] | None:
    """The pair to compare next: for each axis in `leaders` (label, best value, runner-up), closest race
    first, two images that differ on that axis — alike on the others where possible — and that the
    rater has not compared yet; else any two images of different steps not yet compared."""
    for label, best, second in leaders:
        left = [i for i in images if i.values.get(label) == best]
        right = [i for i in images if i.values.get(label) == second]
        ranked = sorted(
            ((a, b) for a in left for b in right if frozenset((a.path, b.path)) not in compared),
            key=lambda ab: sum(ab[0].values.get(k) != v for k, v in ab[1].values.items() if k != label),
        )
        if ranked:
            return ranked[0]
    for position, a in enumerate(images):
        for b in images[position + 1:]:
            if a.step_key != b.step_key and frozenset((a.path, b.path)) not in compared:
                return a, b
    return None
