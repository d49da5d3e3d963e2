"""The join of events and records into RatedImage / PreferencePair values (what recommend reads)."""

from __future__ import annotations

from tests.feedback.feedback_helpers import final_image, first_image, prefer, rate, retract, step_record
from tests.learning.records_helpers import record

from stablenew.domain.feedback.join import CONFIRMATION_OF_TAG, join_feedback, record_values
from stablenew.domain.feedback.observations import PreferenceOutcome
from stablenew.domain.feedback.ratings import fold_events


def _records() -> list:
    return [step_record("r1", 4.0, "Euler a"), step_record("r2", 7.0, "DPM++ 2M"),
            step_record("r3", 7.0, "Euler a", plan_id="plan-2"), record("solo")]


def test_a_rated_image_carries_its_step_values_and_rating() -> None:
    rating = rate(final_image("r1"), 4, subscores={"composition": 5}, tags=["moody"])
    joined = join_feedback([rating], _records())
    (rated,) = joined.rated
    assert (rated.run_id, rated.image_path, rated.rater, rated.stars) == ("r1", final_image("r1"), "ann", 4)
    assert dict(rated.values) == {"txt2img.cfg_scale": 4.0, "txt2img.sampler_name": "Euler a"}
    assert rated.step_key == "plan-1:4.0:Euler a" and rated.plan_id == "plan-1"
    assert dict(rated.subscores) == {"composition": 5} and rated.tags == ("moody",)
    assert rated.confirmation is False


def test_latest_wins_and_retractions_reach_the_join() -> None:
    old, new = rate(final_image("r1"), 1), rate(final_image("r1"), 5)
    gone = rate(final_image("r2"), 3)
    joined = join_feedback([old, new, gone, retract(gone)], _records())
    assert [(r.image_path, r.stars) for r in joined.rated] == [(final_image("r1"), 5)]


def test_a_run_rating_rates_its_final_images_only_and_each_rater_counts_once() -> None:
    events = [rate("r2", 3, run=True), rate("r2", 4, run=True, rater="bob"), rate(first_image("r2"), 2)]
    joined = join_feedback(events, _records())
    assert sorted((r.image_path, r.rater, r.stars) for r in joined.rated) == [
        (first_image("r2"), "ann", 2), (final_image("r2"), "ann", 3), (final_image("r2"), "bob", 4)]


def test_a_plan_id_keeps_that_plans_steps_and_its_confirmation_runs() -> None:
    confirm = step_record("c1", 4.0, "Euler a", plan_id="plan-1-confirm", **{CONFIRMATION_OF_TAG: "plan-1"})
    events = [rate(final_image(run), 3) for run in ("r1", "r3", "c1", "solo")]
    joined = join_feedback(fold_events(events), [*_records(), confirm], plan_id="plan-1")
    assert [(r.run_id, r.confirmation) for r in joined.rated] == [("r1", False), ("c1", True)]


def test_outside_a_plan_values_are_the_stage_settings_and_the_step_is_the_run() -> None:
    (rated,) = join_feedback([rate(final_image("solo"), 2)], _records()).rated
    assert rated.step_key == "solo" and rated.plan_id == ""
    assert rated.values["txt2img.cfg_scale"] == 7.0 and rated.values["upscale.upscaler"] == "R-ESRGAN 4x+"
    assert "txt2img.seed" not in rated.values and "txt2img.batch_size" not in rated.values


def test_a_preference_pair_carries_both_images_settings() -> None:
    events = [prefer(final_image("r1"), final_image("r2"), "b", rater="bob"),
              prefer(final_image("r1"), "unknown.png")]
    (pair,) = join_feedback(events, _records()).pairs
    assert pair.outcome is PreferenceOutcome.B and pair.rater == "bob"
    assert pair.values_a["txt2img.cfg_scale"] == 4.0 and pair.values_b["txt2img.cfg_scale"] == 7.0
    assert (pair.step_key_a, pair.step_key_b) == ("plan-1:4.0:Euler a", "plan-1:7.0:DPM++ 2M")


def test_ratings_of_images_no_record_knows_are_left_out() -> None:
    assert join_feedback([rate("elsewhere.png", 5)], _records()).rated == ()


def test_record_values_prefers_the_plan_variables() -> None:
    assert record_values(step_record("r9", 5.0, "Euler a")) == {
        "txt2img.cfg_scale": 5.0, "txt2img.sampler_name": "Euler a"}


def test_the_record_source_default_iterates_good_records_and_filters_by_plan() -> None:
    from tests.fakes import MemoryRecordSink

    sink = MemoryRecordSink()
    for item in _records():
        sink.append_record(item)
    assert [r.run_id for r in sink.iter_records()] == ["r1", "r2", "r3", "solo"]
    assert [r.run_id for r in sink.iter_records("plan-2")] == ["r3"]
