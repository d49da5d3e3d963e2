"""The model behind `recommend`: an additive ridge fit, a step bootstrap, and an honest verdict.

stars ≈ overall + Σ (effect of the value on each axis) + rater offset, every effect and offset
shrunk towards 0 (ridge), so one harsh rater or one lucky seed cannot decide. The pick is the best
value of each axis under that model — never the single best-rated cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict

from stablenew.domain.feedback.bootstrap import bootstrap_fits, percentile_interval
from stablenew.domain.feedback.bradley_terry import axis_strengths
from stablenew.domain.feedback.design import AxisSpec, Design, build_design, infer_axes, value_key
from stablenew.domain.feedback.linearized import linearized_fits
from stablenew.domain.feedback.model_settings import ModelSettings
from stablenew.domain.feedback.observations import PreferencePair, RatedImage
from stablenew.domain.feedback.recommendation import AxisEvidence, Recommendation, ValueEvidence
from stablenew.domain.feedback.ridge import RidgeProblem
from stablenew.domain.feedback.verdict import Fit, candidates, judge

LINEARIZE_ABOVE = 5000  # steps; above, the bootstrap refits are replaced by their first-order form


def recommend(
    ratings: Iterable[RatedImage],
    preferences: Iterable[PreferencePair] = (),
    *,
    axes: Sequence[AxisSpec] | None = None,
    settings: ModelSettings | None = None,
    plan: str | None = None,
    confirm_command: str = "stablenew learn confirm PLAN",
) -> Recommendation:
    """Fit the ratings (and show the preferences' strengths beside them) and judge the pick."""
    settings = settings or ModelSettings()
    rated = list(ratings)
    axes = tuple(axes) if axes is not None else infer_axes(rated)
    design = build_design(rated, axes)
    pairs = list(preferences)
    fit = _fit(design, settings) if design.total_ratings else None
    verdict, missing = judge(design, fit, settings, confirm_command)
    pick = {} if fit is None else {
        axis.label: axis.values[param - offset]
        for axis, offset, param in zip(design.axes, design.offsets, fit.pick, strict=True)
    }
    return Recommendation(
        plan=plan,
        verdict=verdict,
        pick=pick,
        expected_stars=None if fit is None else fit.expected,
        ci95=None if fit is None else fit.expected_ci,
        p_near_best=None if fit is None else fit.p_near_best,
        axes=_evidence(design, fit, pairs),
        missing=missing,
        candidates=() if fit is None else candidates(design, fit, settings.top),
        n_ratings=design.total_ratings,
        n_steps=design.total_steps,
        raters=design.raters,
        rater_offsets={} if fit is None else fit.rater_offsets(design),
        n_preferences=len(pairs),
        settings=asdict(settings),
    )


def _fit(design: Design, settings: ModelSettings) -> Fit:
    problem = RidgeProblem(design, settings.ridge)
    coefs = problem.solve()
    if design.total_steps > LINEARIZE_ABOVE:
        replicates = linearized_fits(design, problem, coefs, settings.bootstrap, settings.seed)
    else:
        replicates = bootstrap_fits(design, problem, settings.bootstrap, settings.seed)
    return Fit.from_coefficients(design, coefs, replicates, settings.near_best)


def _evidence(design: Design, fit: Fit | None, pairs: list[PreferencePair]) -> tuple[AxisEvidence, ...]:
    strengths = axis_strengths(pairs, design.axes)
    out = []
    for axis, offset, strength in zip(design.axes, design.offsets, strengths, strict=True):
        values = []
        for i, value in enumerate(axis.values):
            param = offset + i
            n = design.n_images[param]
            bt = strength.get(value_key(value))
            effect = fit.effect(design, param) if fit is not None and n else None
            ci = percentile_interval(fit.effect_samples(design, param)) if fit is not None and n else None
            values.append(ValueEvidence(
                value=value,
                n_images=n,
                n_steps=design.n_steps[param],
                mean_stars=design.star_sums[param] / n if n else None,
                effect=effect,
                ci95=ci,
                bt_strength=None if bt is None else bt.log_strength,
                n_comparisons=0 if bt is None else bt.comparisons,
            ))
        out.append(AxisEvidence(axis.stage, axis.variable, tuple(values)))
    return tuple(out)
