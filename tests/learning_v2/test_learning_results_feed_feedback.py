"""Seed 003 §4.3: a plan built with the learning adapter, run by the execution runner, and its results
consumed by the dataset builder and the feedback manager as they are — no glue code in between."""

from __future__ import annotations

from pathlib import Path

import duckdb

from stablenew.container import Container
from stablenew.domain.feedback.dataset import DatasetRequest
from stablenew.domain.feedback.requests import RatingRequest
from stablenew.domain.plan.learning_adapter import build_single_variable_plan

BASE = {"prompt": "a lighthouse at dusk", "txt2img": {"sampler_name": "Euler a", "steps": 4, "cfg_scale": 7.0,
                                                     "width": 64, "height": 64}}


def test_adapter_plan_runner_results_feed_the_dataset_and_the_feedback(container: Container,
                                                                       tmp_path: Path) -> None:
    plan = build_single_variable_plan(BASE, stage="txt2img", variable="cfg_scale", values="4, 8",
                                      images_per_step=2, name="glue-free")
    result = container.learning_execution_controller().run_learning_plan(plan, grid=False)
    feedback = container.feedback_controller()

    # The step results name recorded images and runs: they are rating targets as they are.
    best, worst = result.step_results
    feedback.rate([RatingRequest(target=best.images[0], stars=5, rater="ann"),
                   RatingRequest(target=worst.run_ids[0], stars=2, rater="ann")])
    feedback.prefer(best.images[1], worst.images[1], rater="bob")

    joined = feedback.join(result.plan.id)
    assert sorted((r.step_key, r.stars, dict(r.values)["txt2img.cfg_scale"]) for r in joined.rated) == sorted(
        [(best.step_key, 5, 4.0), (worst.step_key, 2, 8.0), (worst.step_key, 2, 8.0)])
    (pair,) = joined.pairs
    assert (pair.step_key_a, pair.step_key_b) == (best.step_key, worst.step_key)

    out, pairs = tmp_path / "ds.parquet", tmp_path / "pairs.parquet"
    request = DatasetRequest(out=str(out), plan_id=result.plan.id, pairs_out=str(pairs))
    report = feedback.build_dataset(request)
    assert report.rows == 4 and report.pairs == 1
    rows = duckdb.sql(f"SELECT run_id, step_key, image, stars FROM '{out}' ORDER BY image").fetchall()
    by_run = {row["run_id"]: row for row in result.to_rows()}
    for run_id, step_key, image, stars in rows:
        assert by_run[run_id]["step_key"] == step_key and image in by_run[run_id]["images"]
        assert stars == (5.0 if image == best.images[0] else 2.0 if run_id == worst.run_ids[0] else None)
