"""What the record log says about a plan (done/failed/pending, its seed) and the contact sheet layout."""

from __future__ import annotations

from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.plan.grid_layout import contact_sheets
from stablenew.domain.plan.progress import done_step_keys, images_by_step, plan_status, recorded_plan_seed
from stablenew.domain.plan.rules import build_plan
from stablenew.domain.plan.steps import expand_plan
from stablenew.domain.records.record import RECORD_SCHEMA, LearningRecord

BASE = parse_pipeline_config({"prompt": "p", "txt2img": {}, "upscale": {"upscaler": "Lanczos"}})
PLAN = build_plan(
    name="grid",
    base=BASE,
    axes=[
        {"stage": "txt2img", "variable": "cfg_scale", "values": "4, 8"},
        {"stage": "txt2img", "variable": "steps", "values": "10, 20, 30"},
        {"stage": "upscale", "variable": "upscaler", "values": "Lanczos, Nearest"},
    ],
)
STEPS = expand_plan(PLAN)


def _record(
    step, success: bool, plan_id: str = PLAN.id, seed: object = 5, images=("a.png",)
) -> LearningRecord:
    learning = {"plan_id": plan_id, "step_key": step.key, "tags": {"plan_seed": seed}}
    return LearningRecord(
        {
            "schema": RECORD_SCHEMA,
            "run_id": f"r{step.index}",
            "timestamp": "t",
            "success": success,
            "config": {},
            "learning": learning,
            "images": list(images),
        }
    )


def test_done_failed_and_pending_steps() -> None:
    passive = LearningRecord(
        {"schema": RECORD_SCHEMA, "run_id": "x", "timestamp": "t", "success": True, "config": {}}
    )
    records = [
        passive,
        _record(STEPS[0], True),
        _record(STEPS[1], False),
        _record(STEPS[1], True),
        _record(STEPS[2], False),
        _record(STEPS[3], True, plan_id="plan-other"),
    ]
    assert done_step_keys(records, PLAN.id) == {STEPS[0].key, STEPS[1].key}
    status = plan_status(PLAN, records)
    assert [s.index for s in status.done] == [0, 1] and [s.index for s in status.failed] == [2]
    assert len(status.pending) == 9 and status.total == 12 and status.records == 4
    data = status.to_dict()
    assert (data["done"], data["failed"], data["pending"], data["failed_keys"]) == (2, 1, 9, [STEPS[2].key])


def test_the_latest_recorded_integer_seed_wins() -> None:
    assert recorded_plan_seed([], PLAN.id) is None
    records = [
        _record(STEPS[0], True, seed=11),
        _record(STEPS[1], True, seed=12),
        _record(STEPS[2], True, seed=None),
        _record(STEPS[3], True, seed=True),
    ]
    assert recorded_plan_seed(records, PLAN.id) == 12


def test_sheets_put_x_across_y_down_and_one_sheet_per_z_value() -> None:
    records = [
        _record(STEPS[0], True, images=("s0.png", "s0b.png")),
        _record(STEPS[1], False, images=("bad.png",)),
        _record(STEPS[7], True, images=()),
    ]
    images = images_by_step(records, PLAN.id)
    sheets = contact_sheets(PLAN, images)
    assert [s.name for s in sheets] == ["grid-z01", "grid-z02"]
    first = sheets[0]
    assert first.title == "grid | upscale.upscaler=Lanczos" and first.x_label == "txt2img.cfg_scale"
    assert (
        first.x_values == ("4", "8")
        and first.y_values == ("10", "20", "30")
        and first.y_label == "txt2img.steps"
    )
    assert first.cells == (("s0.png", None), (None, None), (None, None))


def test_a_single_axis_plan_has_one_row_and_one_sheet() -> None:
    plan = build_plan(
        name="one",
        base=BASE,
        axes=[{"stage": "txt2img", "variable": "sampler_name", "values": "Euler, DDIM"}],
    )
    steps = expand_plan(plan)
    (sheet,) = contact_sheets(plan, {steps[1].key: ("b.png",)})
    assert (sheet.name, sheet.title, sheet.y_label, sheet.y_values) == ("grid", "one", "", ("",))
    assert sheet.cells == ((None, "b.png"),)
