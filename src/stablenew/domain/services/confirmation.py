"""Follow-ups of a recommendation: confirmation plans for the top candidates, and the pick as a preset.

A confirmation plan re-runs one candidate (the original plan's axes fixed at the candidate's values)
over an axis of fresh seeds on the first stage that takes a seed, one image per step, so every new
image is its own step for the bootstrap. Its records say what they are: the plan's metadata puts
`confirmation_of = <plan id>` into every record's learning tags, and the step variables keep the
original axes' labels, so the next `recommend` of the original plan counts them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.config.stage_fields import STAGE_FIELDS
from stablenew.domain.errors import PlanError
from stablenew.domain.feedback.recommendation import Candidate
from stablenew.domain.plan.plan import LearningPlan, PlanAxis

CONFIRMATION_OF = "confirmation_of"  # the learning tag the feedback join reads


def seed_stage(base: PipelineConfig) -> str:
    """The first enabled stage that takes a seed (later stages that leave it out inherit it)."""
    for stage in base.enabled_stages():
        if "seed" in STAGE_FIELDS[stage.stage]:
            return stage.stage
    raise PlanError("no enabled stage takes a seed, so there is nothing to re-run with fresh seeds",
                    field="base")


def confirmation_plans(
    plan: LearningPlan, candidates: Sequence[Candidate], seeds: Sequence[Sequence[int]]
) -> tuple[LearningPlan, ...]:
    """One plan per candidate, each over `seeds[i]` (fresh seeds drawn by the caller)."""
    stage = seed_stage(plan.base)
    plans = []
    for rank, (candidate, fresh) in enumerate(zip(candidates, seeds, strict=True), start=1):
        fixed = tuple(
            PlanAxis(axis.stage, axis.variable, (candidate.values[axis.label],))
            for axis in plan.axes
            if axis.variable != "seed" and axis.label in candidate.values
        )
        digest = hashlib.sha256(
            json.dumps([dict(candidate.values), list(fresh)], sort_keys=True, default=str).encode()
        ).hexdigest()[:8]
        plans.append(LearningPlan(
            name=f"{plan.name} confirm #{rank} {digest}",
            base=plan.base,
            axes=(*fixed, PlanAxis(stage, "seed", tuple(fresh))),
            images_per_step=1,
            metadata={
                CONFIRMATION_OF: plan.id,
                "confirmation_of_name": plan.name,
                "confirmation_rank": rank,
                "candidate": dict(candidate.values),
                "experiment_name": plan.experiment_name,
            },
            source=plan.source,
            base_source=plan.base_source,
        ))
    return tuple(plans)


def apply_values(base: PipelineConfig, values: Mapping[str, Any]) -> PipelineConfig:
    """`base` with every "stage.variable" of `values` set (a stage the base lacks is an error)."""
    config = base
    for label, value in values.items():
        stage_name, _, variable = label.partition(".")
        stage = config.stage(stage_name)
        if stage is None:
            raise PlanError(f"the base config has no [{stage_name}] stage for {label}", field="base")
        config = config.with_stage(stage.with_params(**{variable: value}))
    return config
