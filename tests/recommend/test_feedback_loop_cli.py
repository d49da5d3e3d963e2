"""The feedback loop end to end through the CLI: a plan, ratings by CLI and by CSV, a preference,
recommend (human and JSON), learn confirm, ratings of the confirmation images, a preset that
`stablenew run` runs, the HTML report and the LLM export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from stablenew.adapters.records import read_records
from stablenew.cli import app

PLAN = """[plan]
name = "loop"
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
prompt = "a fox in the snow"

[base.txt2img]
steps = 4
width = 64
height = 64
"""
RECORDS = Path("out/learning/learning_records.jsonl")
runner = CliRunner()


def _cli(*args: str) -> str:
    where = ["--records", str(RECORDS)] if args[0] in ("rate", "prefer") else ["--output", "out"]
    result = runner.invoke(app, [*args, *where])
    assert result.exit_code == 0, (args, result.output)
    return result.output


def _rate_all_unrated(rated: set[str]) -> None:
    """Rate every final image not rated yet, from a CSV: cfg 8 and DDIM are better."""
    rows = []
    for record in read_records(RECORDS).records:
        values = record.learning["variables"]
        for i, image in enumerate(record.images):
            if image in rated:
                continue
            ddim = values["txt2img.sampler_name"] == "DDIM"
            stars = 2 + (2 if values["txt2img.cfg_scale"] == 8 else 0) + ddim
            rows.append({"image": image, "stars": max(1, stars - i % 2), "rater": "ann"})
            rated.add(image)
    with open("ratings.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["image", "stars", "rater"])
        writer.writeheader()
        writer.writerows(rows)
    _cli("rate", "--from", "ratings.csv")


def test_plan_ratings_recommend_confirm_preset_run_report_export() -> None:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    _cli("learn", "run", "plan.toml", "--no-grid")
    rated: set[str] = set()
    _rate_all_unrated(rated)
    first, second = (r.images[0] for r in read_records(RECORDS).records[:2])
    _cli("rate", first, "--stars", "3", "--rater", "bob")
    _cli("prefer", second, first)

    human = _cli("recommend", "--plan", "plan.toml")
    assert "txt2img.cfg_scale" in human and "effect ± 95% CI" in human and "verdict: " in human
    data = json.loads(_cli("recommend", "--plan", "plan.toml", "--json"))
    assert data["schema"] == "stablenew.recommendation/1" and data["n_ratings"] == 9
    assert data["pick"] == {"txt2img.cfg_scale": 8.0, "txt2img.sampler_name": "DDIM"}
    assert data["verdict"] != "recommended" and data["missing"]
    assert data["n_preferences"] == 1 and set(data["raters"]) == {"ann", "bob"}

    confirmed = _cli("learn", "confirm", "plan.toml", "--top", "2", "--images", "3")
    assert "confirmation #1 txt2img.cfg_scale=8.0, txt2img.sampler_name=DDIM: 3/3 ok" in confirmed
    assert "next: rate the new images, then: stablenew recommend --plan plan.toml" in confirmed
    records = read_records(RECORDS).records
    confirmations = [r for r in records if r.learning["tags"].get("confirmation_of") == data["plan"]]
    assert len(records) == 10 and len(confirmations) == 6
    _rate_all_unrated(rated)

    after = json.loads(_cli("recommend", "--plan", "plan.toml", "--json"))
    assert after["n_steps"] == 10 and after["n_ratings"] == 15
    _cli("recommend", "--plan", "plan.toml", "--write-preset", "best.toml")
    assert "cfg_scale = 8.0" in Path("best.toml").read_text(encoding="utf-8")
    ran = runner.invoke(app, ["run", "best.toml", "--output", "preset-run"])
    assert ran.exit_code == 0, ran.output

    reported = _cli("report", "plan.toml", "-o", "site/report.html")
    assert "report: site/report.html (10 steps, 15 ratings" in reported
    html = Path("site/report.html").read_text(encoding="utf-8")
    assert html.count("data:image/jpeg;base64,") == 14 and "(confirmation)" in html
    export = json.loads(_cli("export", "llm", "plan.toml"))
    assert export["schema"] == "stablenew.llm-export/1" and len(export["steps"]) == 10
    assert export["recommendation"]["pick"] == after["pick"]
    assert export["preferences"][0]["outcome"] == "a"
