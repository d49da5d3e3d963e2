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
