"""From a fit to a verdict: the pick, its uncertainty, and what the evidence still lacks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, stdev

from stablenew.domain.feedback.bootstrap import percentile_interval
from stablenew.domain.feedback.design import Design
from stablenew.domain.feedback.model_settings import ModelSettings
from stablenew.domain.feedback.recommendation import Candidate, Verdict


def _rater_mean(design: Design, coefs: Sequence[float]) -> float:
    if not design.raters:
        return 0.0
    first = design.rater_index(0)
    return sum(coefs[first:first + len(design.raters)]) / len(design.raters)


@dataclass(frozen=True, slots=True)
class Fit:
    """The full-data coefficients, the bootstrap's, and what follows from them."""

    coefs: tuple[float, ...]
    replicates: tuple[tuple[float, ...], ...]
    rated: tuple[tuple[int, ...], ...]  # per axis, the parameters of values that have ratings
    pick: tuple[int, ...]
    expected: float
    expected_ci: tuple[float, float]
    p_near_best: float

    @classmethod
    def from_coefficients(
        cls, design: Design, coefs: Sequence[float], replicates: Sequence[Sequence[float]], near_best: float
    ) -> Fit:
        """Pick the best rated value of each axis and measure, over the resamples, how sure that is."""
        rated = tuple(
            tuple(offset + i for i in range(len(axis.values)) if design.n_images[offset + i])
            for axis, offset in zip(design.axes, design.offsets, strict=True)
        )
        pick = tuple(max(params, key=lambda p: (coefs[p], -p)) for params in rated)
        predictions, near = [], 0
        for rep in replicates:
            base = rep[0] + _rater_mean(design, rep)
            value = base + sum(rep[p] for p in pick)
            best = base + sum(max(rep[p] for p in params) for params in rated)
            predictions.append(value)
            near += value >= best - near_best - 1e-12
        return cls(
            coefs=tuple(coefs),
            replicates=tuple(tuple(rep) for rep in replicates),
            rated=rated,
            pick=pick,
            expected=coefs[0] + _rater_mean(design, coefs) + sum(coefs[p] for p in pick),
            expected_ci=percentile_interval(predictions),
            p_near_best=near / len(replicates),
        )

    def _axis_params(self, param: int) -> tuple[int, ...]:
        return next(params for params in self.rated if param in params)

    def effect(self, design: Design, param: int) -> float:
        """Stars above the axis's average rated value."""
        params = self._axis_params(param)
        return self.coefs[param] - sum(self.coefs[p] for p in params) / len(params)

    def effect_samples(self, design: Design, param: int) -> list[float]:
        """The effect in every resample."""
        params = self._axis_params(param)
        return [rep[param] - sum(rep[p] for p in params) / len(params) for rep in self.replicates]

    def rater_offsets(self, design: Design) -> dict[str, float]:
        """Each rater's offset from the average rater (negative: harsher)."""
        mean = _rater_mean(design, self.coefs)
        return {name: self.coefs[design.rater_index(i)] - mean for i, name in enumerate(design.raters)}


def candidates(design: Design, fit: Fit, top: int) -> tuple[Candidate, ...]:
    """The `top` combinations of rated values the model expects most of (exact beam search, since
    the model is additive)."""
    beam: list[tuple[float, tuple[int, ...]]] = [(fit.coefs[0] + _rater_mean(design, fit.coefs), ())]
    for params in fit.rated:
        grown = [(score + fit.coefs[p], (*chosen, p)) for score, chosen in beam for p in params]
        beam = sorted(grown, key=lambda item: (-item[0], item[1]))[:top]
    return tuple(
        Candidate({axis.label: axis.values[p - offset]
                   for axis, offset, p in zip(design.axes, design.offsets, chosen, strict=True)}, score)
        for score, chosen in beam
    )


def _name(design: Design, param: int) -> str:
    for axis, offset in zip(design.axes, design.offsets, strict=True):
        if offset <= param < offset + len(axis.values):
            return f"{axis.label}={axis.values[param - offset]}"
    raise ValueError(param)  # pragma: no cover - every parameter passed here is an axis value


def judge(
    design: Design, fit: Fit | None, settings: ModelSettings, confirm: str
) -> tuple[Verdict, tuple[str, ...]]:
    """The verdict and, unless recommended, what it would take."""
    if fit is None or not design.axes:
        what = "no ratings of this plan's images yet" if fit is None else "no axis to compare"
        return Verdict.INSUFFICIENT, (f"{what}: rate its images (stablenew rate IMAGE --stars N)",)
    missing: list[str] = []
    for param in fit.pick:
        short = settings.min_ratings - design.n_images[param]
        if short > 0:
            missing.append(f"rate {short} more images of {_name(design, param)}")
        steps = settings.min_steps - design.n_steps[param]
        if steps > 0:
            missing.append(f"run {steps} more step(s) of {_name(design, param)} with fresh seeds ({confirm})")
    stands_out = _stands_out(design, fit)
    if fit.p_near_best < settings.p_recommend or not stands_out:
        missing.append(
            f"P(pick within {settings.near_best}★ of the best) is {fit.p_near_best:.2f}, needs "
            f"{settings.p_recommend}: confirm the top {settings.top} ({confirm} --top {settings.top}) "
            "and rate the new images"
        )
    if not missing and _stands_out(design, fit, family=True):
        return Verdict.RECOMMENDED, ()
    if not missing:
        missing.append(
            "the pick's lead is not yet clear of chance over every value compared: "
            f"confirm the top {settings.top} ({confirm} --top {settings.top}) and rate the new images"
        )
    missing.extend(_rivals(design, fit, settings))
    if not stands_out:
        return Verdict.INSUFFICIENT, ("no value's effect stands out from the noise yet", *missing)
    return Verdict.LEADING, tuple(missing)


def _stands_out(design: Design, fit: Fit, *, family: bool = False) -> bool:
    """Whether some axis's picked value beats that axis's average beyond chance: its effect over its
    resampled spread clears the normal quantile of 5 % split over the axis's values (Bonferroni) — or,
    with `family`, over every value of every axis, the bar for "recommended"."""
    total = sum(len(params) for params in fit.rated if len(params) > 1)
    dof = design.total_steps - 1 - sum(len(params) - 1 for params in fit.rated)
    if dof < 1:
        return False
    for params, picked in zip(fit.rated, fit.pick, strict=True):
        if len(params) < 2:
            continue
        alpha = 0.05 / (total if family else len(params))
        spread = stdev(fit.effect_samples(design, picked))
        quantile = t_quantile(1 - alpha / 2, dof) if family else NormalDist().inv_cdf(1 - alpha / 2)
        if fit.effect(design, picked) > quantile * spread:
            return True
    return False


def t_quantile(p: float, dof: int) -> float:
    """Student's t quantile (Cornish–Fisher expansion around the normal; close enough from 1 dof on,
    and it only sets how sure "stands out" must be with few steps)."""
    z = NormalDist().inv_cdf(p)
    v = float(dof)
    return (z + (z**3 + z) / (4 * v) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3))


def _rivals(design: Design, fit: Fit, settings: ModelSettings) -> list[str]:
    """Rated values that could still beat the pick and lack ratings."""
    out = []
    for params, picked in zip(fit.rated, fit.pick, strict=True):
        for param in params:
            short = settings.min_ratings - design.n_images[param]
            if param == picked or short <= 0:
                continue
            if percentile_interval(fit.effect_samples(design, param))[1] >= fit.effect(design, picked):
                out.append(f"rate {short} more images of {_name(design, param)} (a close rival)")
    return out
