"""The controller through the real container: a plan run, ratings of its images, recommend, confirm
(real confirmation records), preset → `stablenew run`, the HTML report and the LLM export."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from tests.fakes import FakeObservationSource
from typer.testing import CliRunner

from stablenew.adapters.files import load_pipeline_config, load_plan
from stablenew.adapters.records import read_records
from stablenew.cli import app
from stablenew.container import build_container
from stablenew.domain.feedback.observations import RatedImage
from stablenew.domain.feedback.recommendation import Verdict
from stablenew.domain.records.record import LearningRecord
from stablenew.settings import load_app_config

PLAN = """[plan]
name = "flow"
images_per_step = 2
seed = 3

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "4, 8"

[[axes]]
stage = "txt2img"
variable = "sampler_name"
values = "Euler a, DDIM"

[base]
prompt = "a fox"

[base.txt2img]
steps = 4
width = 64
height = 64
"""


def _stars(values: dict[str, object], i: int) -> int:
    cfg = 4 if values["txt2img.cfg_scale"] == 8 else 2
    return cfg + (1 if values["txt2img.sampler_name"] == "DDIM" else 0) - i % 2


def _rate(records: list[LearningRecord]) -> list[RatedImage]:
    out = []
    for record in records:
        learning = record.learning or {}
        values = dict(learning.get("variables") or {})
        tags = learning.get("tags") or {}
        for i, path in enumerate(record.data.get("images") or ()):
            out.append(RatedImage(
                run_id=record.run_id, step_key=learning["step_key"], image_path=path, rater="ann",
                stars=_stars(values, i), values=values,
                plan_id=tags.get("confirmation_of") or learning["plan_id"],
                confirmation=bool(tags.get("confirmation_of")),
            ))
    return out


def test_plan_ratings_recommend_confirm_preset_report_export(tmp_path: Path) -> None:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    plan = load_plan("plan.toml")
    container = build_container(load_app_config(None, output_dir=tmp_path / "out"))
    records_path = tmp_path / "out/learning/learning_records.jsonl"
    container.learning_execution_controller().run_learning_plan(plan, grid=False)
    observed = FakeObservationSource(_rate(list(read_records(records_path).records)))
    with container.observations.override(observed):
        controller = container.recommendation_controller()
        first = controller.recommend(plan, confirm_command="stablenew learn confirm plan.toml")
        assert dict(first.pick) == {"txt2img.cfg_scale": 8.0, "txt2img.sampler_name": "DDIM"}
        assert first.verdict is not Verdict.RECOMMENDED  # 4 steps, 2 images each: not enough yet
        assert "rate 4 more images of txt2img.cfg_scale=8.0" in first.missing, first.missing
        assert observed.queries[0].plan_id == plan.id
        assert len(first.candidates) == 3 and len(controller.recommend(plan, top=4).candidates) == 4

        run = controller.confirm(plan, top=2, images=2)
        assert not run.failed and len(run.plans) == 2
        confirmations = [r for r in read_records(records_path).records
                         if (r.learning or {}).get("tags", {}).get("confirmation_of") == plan.id]
        assert len(confirmations) == 4
        assert {r.learning["tags"]["confirmation_rank"] for r in confirmations} == {1, 2}
        assert all(r.learning["variables"]["txt2img.cfg_scale"] == 8.0 for r in confirmations)
        assert len({r.config["txt2img"]["seed"] for r in confirmations}) == 4  # fresh seeds, one each

        observed.rated = _rate(list(read_records(records_path).records))
        second = controller.recommend(plan)
        assert second.n_steps == 8 and second.n_ratings == 12

        controller.write_preset(plan, second, tmp_path / "preset.toml")
        text = (tmp_path / "preset.toml").read_text(encoding="utf-8")
        assert text.startswith("# Preset from plan 'flow'")
        assert tomllib.loads(text)["txt2img"]["cfg_scale"] == 8.0
        assert load_pipeline_config(tmp_path / "preset.toml").to_dict()["txt2img"]["sampler_name"] == "DDIM"
        ran = CliRunner().invoke(app, ["run", str(tmp_path / "preset.toml"), "--output", str(tmp_path / "p")])
        assert ran.exit_code == 0, ran.output

        report = controller.write_report(plan, tmp_path / "site" / "report.html")
        assert [s.confirmation for s in report.steps] == [False] * 4 + [True] * 4
        html = (tmp_path / "site" / "report.html").read_text(encoding="utf-8")
        assert "<svg" in html and "data:image/jpeg;base64," in html and "(confirmation)" in html
        assert 'href="../out/runs/' in html and second.verdict.value in html

        controller.write_export(plan, tmp_path / "export.json")
        data = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
        assert data["schema"] == "stablenew.llm-export/1" and data["plan"]["id"] == plan.id
        assert data["recommendation"]["schema"] == "stablenew.recommendation/1"
        assert len(data["steps"]) == 8 and data["steps"][0]["images"][0]["ratings"][0]["rater"] == "ann"
        assert "base64" not in json.dumps(data)
