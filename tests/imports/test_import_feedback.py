"""Imported images are rated and land in datasets exactly like generated ones."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from stablenew.cli import app
from stablenew.domain.records.infotext import format_infotext
from tests.imports.images import png

LOG, FEEDBACK = "records.jsonl", "feedback.jsonl"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--records", LOG])
    assert result.exit_code == 0, result.output
    return result.output


def test_import_then_rate_then_dataset_build(tmp_path: Path) -> None:
    images = {}
    for i, sampler in enumerate(("Euler a", "DPM++ 2M Karras")):
        text = format_infotext(
            "a lighthouse",
            "blurry",
            {"steps": 20, "sampler_name": sampler, "cfg_scale": 7.0, "seed": i, "width": 64, "height": 64},
            "1.10.1",
        )
        images[sampler] = png(tmp_path / "lib" / f"{i}.png", (i, 0, 0), parameters=text).resolve()
    _cli("import", str(tmp_path / "lib"))
    _cli("rate", str(images["Euler a"]), "--stars", "2", "--rater", "me", "--feedback", FEEDBACK)
    _cli("rate", str(images["DPM++ 2M Karras"]), "--stars", "5", "--rater", "me", "--feedback", FEEDBACK)
    _cli("dataset", "build", "rows.jsonl", "--feedback", FEEDBACK)
    rows = [json.loads(line) for line in Path("rows.jsonl").read_text(encoding="utf-8").splitlines()]
    by_path = {row["image"]: row for row in rows}
    assert set(by_path) == {str(p) for p in images.values()}
    best = by_path[str(images["DPM++ 2M Karras"])]
    assert (best["sampler_name"], best["scheduler"], best["stars"], best["backend"]) == (
        "DPM++ 2M",
        "Karras",
        5.0,
        "a1111",
    )
    assert by_path[str(images["Euler a"])]["stars"] == 2.0


def test_import_then_rate_then_recommend_by_prompt_names_the_better_sampler(tmp_path: Path) -> None:
    images: dict[str, list[Path]] = {"Euler a": [], "DPM++ 2M Karras": []}
    for seed in range(12):
        for sampler in images:
            text = format_infotext(
                "a lighthouse", "blurry",
                {"steps": 20, "sampler_name": sampler, "cfg_scale": 7.0, "seed": seed, "width": 64,
                 "height": 64},
                "1.10.1",
            )
            colour = (seed, len(images[sampler]), 1 if sampler == "Euler a" else 2)
            path = tmp_path / "lib" / f"{sampler[:3]}-{seed}.png"
            images[sampler].append(png(path, colour, parameters=text))
    _cli("import", str(tmp_path / "lib"), "--recursive")
    rows = ["image,stars,rater"]
    for rater, harsh in (("ann", 0), ("bob", 1)):
        for sampler, base in (("DPM++ 2M Karras", 4), ("Euler a", 2)):
            rows += [f"{path.resolve()},{base + seed % 2 - harsh},{rater}"
                     for seed, path in enumerate(images[sampler])]
    Path("ratings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    _cli("rate", "--from", "ratings.csv", "--feedback", FEEDBACK)
    result = CliRunner().invoke(app, ["recommend", "--prompt", "a lighthouse", "--json", "--records", LOG,
                                      "--feedback", FEEDBACK])
    assert result.exit_code == 0, result.output
    recommendation = json.loads(result.output)
    assert recommendation["pick"]["txt2img.sampler_name"] == "DPM++ 2M"
    assert recommendation["verdict"] in ("recommended", "leading")
