"""JoinedObservations: feedback events joined to records, selected by plan, prompt or model."""

from __future__ import annotations

from tests.feedback.feedback_helpers import final_image, prefer, rate, step_record

from stablenew.domain.ports.observations import ObservationQuery
from stablenew.domain.records.record import LearningRecord
from stablenew.domain.services.observations import JoinedObservations, model_matches


def _source(records: list[LearningRecord], events: list[object]) -> JoinedObservations:
    return JoinedObservations(events=lambda: events, records=lambda: iter(records))  # type: ignore[arg-type]


def test_a_plan_query_gets_its_ratings_and_its_confirmation_runs() -> None:
    records = [step_record("r1", 4.0, "Euler a"), step_record("r2", 8.0, "DDIM"),
               step_record("r3", 8.0, "DDIM", plan_id="plan-1-confirm", confirmation_of="plan-1"),
               step_record("r4", 8.0, "DDIM", plan_id="plan-2")]
    events = [rate(final_image(r), 3 + i % 2) for i, r in enumerate(("r1", "r2", "r3", "r4"))]
    events.append(prefer(final_image("r1"), final_image("r2"), "b"))
    seen = _source(records, events).observations(ObservationQuery(plan_id="plan-1"))
    assert sorted(r.run_id for r in seen.rated) == ["r1", "r2", "r3"]
    assert [r.confirmation for r in sorted(seen.rated, key=lambda r: r.run_id)] == [False, False, True]
    assert len(seen.pairs) == 1 and seen.pairs[0].values_b["txt2img.sampler_name"] == "DDIM"


def test_prompt_and_model_select_runs_outside_a_plan() -> None:
    records = [step_record("r1", 4.0, "Euler a"), step_record("r2", 8.0, "DDIM")]
    events = [rate(final_image("r1"), 4), rate(final_image("r2"), 2)]
    source = _source(records, events)
    assert len(source.observations(ObservationQuery(prompt="a lighthouse at dusk, oil painting")).rated) == 2
    assert source.observations(ObservationQuery(prompt="another prompt")).rated == ()
    assert len(source.observations(ObservationQuery(model="sd15")).rated) == 2  # without the extension
    assert len(source.observations(ObservationQuery(model="sd15.safetensors")).rated) == 2
    assert source.observations(ObservationQuery(model="sdxl")).rated == ()
    assert model_matches(records[0], "sd15") and not model_matches(records[0], "sd1")
