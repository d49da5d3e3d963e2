"""RecommendationController: recommend, confirm, preset, report and LLM export over the ports."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stablenew.controller.learning_execution_controller import LearningExecutionController
from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.errors import PlanError
from stablenew.domain.feedback.design import AxisSpec
from stablenew.domain.feedback.model import recommend
from stablenew.domain.feedback.model_settings import ModelSettings
from stablenew.domain.feedback.recommendation import Recommendation
from stablenew.domain.plan.learning_results import LearningExecutionResult
from stablenew.domain.plan.plan import LearningPlan
from stablenew.domain.ports.documents import DocumentWriter
from stablenew.domain.ports.observations import ObservationQuery, ObservationSource
from stablenew.domain.ports.record_sink import RecordSource
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.generation import ProgressListener
from stablenew.domain.services.confirmation import apply_values, confirmation_plans
from stablenew.domain.services.learning_execution import StepCallback
from stablenew.domain.services.plan_report import PlanReport, build_plan_report, llm_export


def _draw_seed() -> int:
    return random.SystemRandom().randrange(2**32 - 1)


@dataclass(frozen=True, slots=True)
class ConfirmationRun:
    """What `learn confirm` did: the recommendation it started from and each candidate's run."""

    recommendation: Recommendation
    plans: tuple[LearningPlan, ...]
    results: tuple[LearningExecutionResult, ...]

    @property
    def failed(self) -> bool:
        """True when a step failed or the run was cut short."""
        return any(r.failures or r.summary.cancelled or r.summary.not_run for r in self.results)


class RecommendationController:
    """Joins ratings to records, fits the model, and turns its answer into runs and files."""

    def __init__(
        self,
        *,
        observations: ObservationSource,
        learning: LearningExecutionController,
        source_factory: Callable[[Path], RecordSource],
        records_path: Path | str,
        documents: DocumentWriter,
        settings: ModelSettings | None = None,
        seed_source: Callable[[], int] = _draw_seed,
    ) -> None:
        self._observations = observations
        self._learning = learning
        self._source_factory = source_factory
        self.records_path = Path(records_path)
        self._documents = documents
        self.settings = settings or ModelSettings()
        self._seed_source = seed_source

    def recommend(
        self,
        plan: LearningPlan | None = None,
        *,
        prompt: str | None = None,
        model: str | None = None,
        confirm_command: str = "stablenew learn confirm PLAN",
        top: int | None = None,
    ) -> Recommendation:
        """The model's answer for a plan (its axes, its and its confirmation runs' ratings), or for
        every rated run of a prompt / model (axes: every setting that varies)."""
        query = ObservationQuery(plan_id=plan.id if plan else None, prompt=prompt, model=model)
        seen = self._observations.observations(query)
        axes = None if plan is None else tuple(
            AxisSpec(axis.label, axis.values) for axis in plan.axes if axis.variable != "seed"
        )
        settings = self.settings if top is None else replace(self.settings, top=top)
        result = recommend(seen.rated, seen.pairs, axes=axes, settings=settings,
                           plan=plan.id if plan else None, confirm_command=confirm_command)
        return result

    def preset(self, plan: LearningPlan, recommendation: Recommendation) -> PipelineConfig:
        """The plan's base config with the pick's values (what `--write-preset` writes)."""
        if not recommendation.pick:
            raise PlanError("nothing to write: the recommendation has no pick yet (rate some images first)",
                            source=plan.source)
        return apply_values(plan.base, recommendation.pick)

    def write_preset(self, plan: LearningPlan, recommendation: Recommendation, path: Path) -> PipelineConfig:
        """Write the pick as a pipeline config file; the header says where it came from."""
        config = self.preset(plan, recommendation)
        comment = (f"Preset from plan {plan.name!r} ({plan.id}): verdict {recommendation.verdict.value}, "
                   f"expected stars {recommendation.expected_stars:.2f}; written by stablenew recommend")
        self._documents.write_config(config, str(path), comment=comment)
        return config

    def confirm(
        self,
        plan: LearningPlan,
        *,
        top: int | None = None,
        images: int = 4,
        cancel: CancelToken | None = None,
        on_step: StepCallback | None = None,
        on_stage: ProgressListener | None = None,
    ) -> ConfirmationRun:
        """Re-run the top candidates with `images` fresh seeds each (one image per step), recorded as
        confirmation runs of `plan`, so the next `recommend` has independent evidence."""
        recommendation = self.recommend(plan, top=top)
        chosen = recommendation.candidates
        if not chosen:
            raise PlanError(f"nothing to confirm: plan {plan.name!r} has no rated images yet "
                            "(rate some with stablenew rate)", source=plan.source)
        seeds = [[self._seed_source() for _ in range(images)] for _ in chosen]
        plans = confirmation_plans(plan, chosen, seeds)
        cancel = cancel or CancelToken()
        results = []
        for follow_up in plans:
            if cancel.cancelled:
                break
            results.append(self._learning.run_learning_plan(follow_up, cancel=cancel, on_step=on_step,
                                                            on_stage=on_stage, grid=False))
        return ConfirmationRun(recommendation, plans, tuple(results))

    def plan_report(self, plan: LearningPlan) -> PlanReport:
        """The plan's steps, ratings and recommendation."""
        seen = self._observations.observations(ObservationQuery(plan_id=plan.id))
        confirm = f"stablenew learn confirm {plan.source or 'PLAN'}"
        recommendation = self.recommend(plan, confirm_command=confirm)
        records = self._source_factory(self.records_path).iter_records()
        return build_plan_report(plan, records, seen.rated, recommendation, seen.pairs)

    def export_llm(self, plan: LearningPlan) -> dict[str, Any]:
        """The `stablenew.llm-export/1` object of the plan."""
        return llm_export(self.plan_report(plan))

    def write_report(self, plan: LearningPlan, path: Path) -> PlanReport:
        """Write the HTML report of the plan."""
        report = self.plan_report(plan)
        self._documents.write_report(llm_export(report), str(path))
        return report

    def write_export(self, plan: LearningPlan, path: Path) -> dict[str, Any]:
        """Write the LLM export of the plan as JSON."""
        data = self.export_llm(plan)
        self._documents.write_json(data, str(path))
        return data
