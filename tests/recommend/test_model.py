"""The recommendation model on synthetic ratings whose truth is known."""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict

import pytest
from tests.recommend.synthetic import grid_ratings

from stablenew.domain.feedback import model
from stablenew.domain.feedback.bootstrap import percentile_interval, poisson
from stablenew.domain.feedback.design import AxisSpec
from stablenew.domain.feedback.model import recommend
from stablenew.domain.feedback.model_settings import ModelSettings
from stablenew.domain.feedback.observations import RatedImage
from stablenew.domain.feedback.recommendation import RECOMMENDATION_SCHEMA, Verdict
from stablenew.domain.feedback.ridge import cholesky

CFG, SAMPLER = "txt2img.cfg_scale", "txt2img.sampler_name"
AXES = {CFG: [4, 6, 8, 10], SAMPLER: ["Euler a", "DPM++ 2M"]}
TRUTH = {CFG: {4: -0.8, 6: 0.0, 8: 0.9, 10: 0.1}, SAMPLER: {"Euler a": 0.0, "DPM++ 2M": 0.6}}
BEST = {CFG: 8, SAMPLER: "DPM++ 2M"}
PLAN_AXES = (AxisSpec(CFG, (4, 6, 8, 10)), AxisSpec(SAMPLER, ("Euler a", "DPM++ 2M")))
FAST = ModelSettings(bootstrap=200)


def _means(ratings: list[RatedImage], key: object) -> dict[object, float]:
    sums: dict[object, list[int]] = defaultdict(list)
    for rating in ratings:
        sums[key(rating)].append(rating.stars)  # type: ignore[operator]
    return {k: sum(v) / len(v) for k, v in sums.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_finds_the_known_best_and_recommends_it_with_enough_evidence(seed: int) -> None:
    ratings = grid_ratings(AXES, TRUTH, steps_per_cell=3, rng_seed=seed)
    result = recommend(ratings, axes=PLAN_AXES, settings=FAST, plan="plan-x")
    assert dict(result.pick) == BEST
    assert result.verdict is Verdict.RECOMMENDED
    assert result.missing == ()
    assert result.p_near_best is not None and result.p_near_best >= 0.9
    lo, hi = result.ci95 or (0, 0)
    assert lo <= result.expected_stars <= hi  # type: ignore[operator]
    assert result.candidates[0].values == BEST
    assert [c.expected_stars for c in result.candidates] == sorted(
        (c.expected_stars for c in result.candidates), reverse=True)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_pure_noise_is_insufficient(seed: int) -> None:
    ratings = grid_ratings(AXES, {}, steps_per_cell=3, rng_seed=seed)
    result = recommend(ratings, axes=PLAN_AXES, settings=FAST)
    assert result.verdict is Verdict.INSUFFICIENT
    assert result.missing[0] == "no value's effect stands out from the noise yet"
    assert any("stablenew learn confirm PLAN --top 3" in line for line in result.missing)


def test_one_harsh_rater_does_not_decide() -> None:
    # cfg 8 is truly a star better than cfg 4; "grump" is two stars harsher than "ann" and rated
    # mostly cfg 8, so plain averages make cfg 8 look worse — the rater offset takes that out.
    stars = {  # (rater, cfg, step) -> stars of the step's two images
        ("ann", 4, "s1"): (3, 3), ("ann", 4, "s2"): (3, 3), ("ann", 4, "s3"): (3, 3),
        ("ann", 4, "s4"): (2, 4),
        ("ann", 8, "s5"): (4, 4),
        ("grump", 4, "s1"): (1, 1),
        ("grump", 8, "s5"): (2, 2), ("grump", 8, "s6"): (2, 2), ("grump", 8, "s7"): (2, 2),
        ("grump", 8, "s8"): (2, 3),
    }
    ratings = [
        RatedImage(run_id=step, step_key=step, image_path=f"{step}-{i}.png", rater=rater, stars=n,
                   values={CFG: cfg})
        for (rater, cfg, step), pair in stars.items() for i, n in enumerate(pair)
    ]
    raw = _means(ratings, lambda r: r.values[CFG])
    assert raw[4] > raw[8]  # the trap a plain average falls into
    result = recommend(ratings, axes=(AxisSpec(CFG, (4, 8)),), settings=FAST)
    assert dict(result.pick) == {CFG: 8}
    assert result.rater_offsets["grump"] < -0.5 < 0.5 < result.rater_offsets["ann"]


def test_one_lucky_seed_does_not_decide() -> None:
    ratings = grid_ratings(AXES, TRUTH, steps_per_cell=3, rng_seed=7)
    lucky = "c0-s0"  # cfg 4 (the worst value), Euler a: one seed where everything came out great
    ratings = [dataclasses.replace(r, stars=5) if r.step_key == lucky else r for r in ratings]
    cells = _means(ratings, lambda r: r.step_key)
    assert max(cells, key=lambda k: cells[k]) == lucky  # "the single best-rated cell" would pick it
    result = recommend(ratings, axes=PLAN_AXES, settings=FAST)
    assert dict(result.pick) == BEST
    cfg4 = result.axes[0].values[0]
    assert cfg4.value == 4 and cfg4.ci95 is not None and cfg4.ci95[1] - cfg4.ci95[0] > 0.5


def test_thin_evidence_leads_and_says_what_it_would_take() -> None:
    ratings = [r for r in grid_ratings({CFG: [4, 8]}, {CFG: {4: -1.0, 8: 1.0}}, steps_per_cell=2,
                                       images_per_step=2, rng_seed=3)]
    result = recommend(ratings[:6], axes=(AxisSpec(CFG, (4, 8)),), settings=FAST,
                       confirm_command="stablenew learn confirm sweep.toml")
    assert result.verdict in (Verdict.LEADING, Verdict.INSUFFICIENT)
    assert dict(result.pick) == {CFG: 8}
    assert "rate 6 more images of txt2img.cfg_scale=8" in result.missing
    assert any("run 1 more step(s) of txt2img.cfg_scale=8" in line for line in result.missing)
    hint = "confirm the top 3 (stablenew learn confirm sweep.toml --top 3)"
    assert any(hint in line for line in result.missing)


def test_no_ratings_is_insufficient_and_says_to_rate() -> None:
    result = recommend([], axes=PLAN_AXES, plan="plan-x")
    data = result.to_dict()
    assert data["verdict"] == "insufficient" and data["pick"] == {} and data["expected_stars"] is None
    assert "rate its images" in data["missing"][0]
    assert [v["n_images"] for v in data["axes"][0]["values"]] == [0, 0, 0, 0]


def test_unrated_values_show_no_effect_and_are_never_picked() -> None:
    ratings = grid_ratings({CFG: [4, 6]}, {CFG: {4: -1.0, 6: -0.5}}, steps_per_cell=3, rng_seed=2)
    result = recommend(ratings, axes=(AxisSpec(CFG, (4, 6, 8)),), settings=FAST)
    assert dict(result.pick) == {CFG: 6}
    unrated = result.axes[0].values[2]
    assert (unrated.n_images, unrated.effect, unrated.ci95, unrated.mean_stars) == (0, None, None, None)


def test_same_ratings_in_any_order_give_the_same_answer() -> None:
    ratings = grid_ratings(AXES, TRUTH, steps_per_cell=2, raters={"a": 0.0, "b": -0.5}, rng_seed=4)
    shuffled = list(ratings)
    random.Random(0).shuffle(shuffled)
    assert recommend(ratings, settings=FAST).to_dict() == recommend(shuffled, settings=FAST).to_dict()
    other_seed = dataclasses.replace(FAST, seed=1)
    assert recommend(ratings, settings=FAST).to_dict() != recommend(ratings, settings=other_seed).to_dict()


def test_json_has_the_documented_schema() -> None:
    data = recommend(grid_ratings(AXES, TRUTH, rng_seed=1), settings=FAST, plan="plan-x").to_dict()
    assert data["schema"] == RECOMMENDATION_SCHEMA == "stablenew.recommendation/1"
    documented = {"plan", "verdict", "pick", "expected_stars", "ci95", "p_near_best", "axes", "missing"}
    assert documented <= set(data)
    assert data["verdict"] in {"recommended", "leading", "insufficient"}
    axis = data["axes"][0]
    assert set(axis) == {"stage", "variable", "values"}
    assert {"value", "n_images", "n_steps", "mean_stars", "effect", "ci95"} <= set(axis["values"][0])
    # inferred axes (no plan): every label that varies, sorted; values sorted
    assert [(a["stage"], a["variable"]) for a in data["axes"]] == [("txt2img", "cfg_scale"),
                                                                   ("txt2img", "sampler_name")]


def test_axes_are_inferred_only_from_labels_that_vary() -> None:
    ratings = [dataclasses.replace(r, values={**r.values, "txt2img.steps": 20})
               for r in grid_ratings({CFG: [4, 8]}, {}, rng_seed=1)]
    assert [a.label for a in recommend(ratings, settings=FAST).axes] == [CFG]


def test_settings_are_checked() -> None:
    for bad in ({"ridge": 0}, {"bootstrap": 5}, {"p_recommend": 1.5}):
        with pytest.raises(ValueError):
            ModelSettings(**bad)  # type: ignore[arg-type]


def test_poisson_draws_have_the_right_mean() -> None:
    rng = random.Random(3)
    for lam in (1.0, 4.0, 50.0, 400.0):
        draws = [poisson(rng, lam) for _ in range(4000)]
        assert abs(sum(draws) / len(draws) - lam) < 0.05 * lam + 0.05
        assert min(draws) >= 0


def test_percentile_interval_interpolates() -> None:
    assert percentile_interval([float(i) for i in range(101)]) == pytest.approx((2.5, 97.5))


def test_identical_steps_each_count() -> None:
    # ten steps of cfg 4 all rated 5★ and ten of cfg 8 all rated 1★: identical steps are grouped
    # for speed, and each must still count (as ten, not one) in the full-data fit
    ratings = [
        RatedImage(run_id=f"{cfg}-{s}", step_key=f"{cfg}-{s}", image_path=f"{cfg}-{s}.png", rater="ann",
                   stars=5 if cfg == 4 else 1, values={CFG: cfg})
        for cfg in (4, 8) for s in range(10)
    ]
    result = recommend(ratings, axes=(AxisSpec(CFG, (4, 8)),), settings=FAST)
    assert result.axes[0].values[0].effect == pytest.approx(2 * 10 / 11, abs=0.01)  # ridge 1 on 10 steps


def test_the_linearized_bootstrap_agrees_with_refitting(monkeypatch: pytest.MonkeyPatch) -> None:
    ratings = grid_ratings(AXES, TRUTH, steps_per_cell=40, images_per_step=1, rng_seed=2)
    refitted = recommend(ratings, settings=FAST)
    monkeypatch.setattr(model, "LINEARIZE_ABOVE", 0)
    linearized = recommend(ratings, settings=FAST)
    assert dict(linearized.pick) == dict(refitted.pick) == BEST
    assert linearized.expected_stars == refitted.expected_stars
    for fast_axis, slow_axis in zip(linearized.axes, refitted.axes, strict=True):
        for fast, slow in zip(fast_axis.values, slow_axis.values, strict=True):
            assert fast.ci95 == pytest.approx(slow.ci95, abs=0.06)


def test_cholesky_of_a_singular_covariance_leaves_the_empty_direction_at_zero() -> None:
    matrix = [4.0, 2.0, 2.0, 2.0, 1.0, 1.0, 2.0, 1.0, 1.0]  # rank 1: (2, 1, 1)(2, 1, 1)ᵀ
    factor = cholesky(matrix, 3)
    lower = [[factor[i * 3 + j] if j <= i else 0.0 for j in range(3)] for i in range(3)]
    assert [row[0] for row in lower] == pytest.approx([2.0, 1.0, 1.0])
    assert [lower[1][1], lower[2][1], lower[2][2]] == [0.0, 0.0, 0.0]
