"""`stablenew dataset build` on a real recorded plan: columns, ratings averaged, pairs, filters, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from tests.feedback.cli_helpers import FEEDBACK, RECORDS, invoke, run_plan

from stablenew.adapters.records import JsonlFeedbackLog, JsonlRecordSource
from stablenew.domain.feedback.dataset import IMAGE_COLUMNS, PAIR_COLUMNS
from stablenew.domain.feedback.join import join_feedback

RECORDS_OPT = ("--records", str(RECORDS))


@pytest.fixture
def rated() -> list[tuple[str, list[str]]]:
    steps = run_plan()
    (_, images_a), (run_b, images_b) = steps
    for args in (
        ("rate", images_a[0], "--stars", "5", "--rater", "ann", "--tag", "sharp",
         "--subscore", "composition=4"),
        ("rate", images_a[0], "--stars", "2", "--rater", "bob", "--tag", "dull"),
        ("rate", images_a[0], "--stars", "3", "--rater", "bob"),  # bob's latest wins
        ("rate", images_b[0], "--stars", "1", "--rater", "ann"),  # superseded by ann's run rating
        ("rate", images_b[1], "--stars", "5", "--rater", "bob"),  # kept beside ann's run rating
        ("rate", run_b, "--stars", "4", "--rater", "ann"),  # both final images of run b
        ("prefer", images_a[0], images_b[0], "--rater", "ann"),
        ("prefer", images_a[1], images_b[1], "--tie", "--rater", "bob"),
    ):
        result = invoke(*args, *RECORDS_OPT)
        assert result.exit_code == 0, result.output
    return steps


def _rows(path: str) -> list[dict]:
    return [dict(zip([d[0] for d in cur.description], row, strict=True))
            for cur in [duckdb.sql(f"SELECT * FROM '{path}' ORDER BY image")] for row in cur.fetchall()]


def test_parquet_has_the_documented_columns_and_the_averaged_ratings(rated: list) -> None:
    (run_a, images_a), (_, images_b) = rated
    result = invoke("dataset", "build", "ds.parquet", "--pairs", "pairs.parquet", *RECORDS_OPT)
    assert result.exit_code == 0, result.output
    assert result.stdout == ("ds.parquet: 4 image rows (parquet)\n"
                             "pairs.parquet: 2 preference pairs (parquet)\n")
    rows = {row["image"]: row for row in _rows("ds.parquet")}
    assert list(next(iter(rows.values()))) == [name for name, _, _ in IMAGE_COLUMNS]
    first = rows[images_a[0]]
    # bob's latest rating (3, no tag) replaced his 2 "dull": mean of 5 and 3
    assert (first["stars"], first["n_ratings"], first["composition"]) == (4.0, 2, 4.0)
    assert first["tags"] == ["sharp"]
    assert (first["run_id"], first["stage"], first["final"]) == (run_a, "txt2img", True) and first["success"]
    assert first["cfg_scale"] == 4.0 and first["steps"] == 3 and first["width"] == 64 and first["seed"] == 5
    assert json.loads(first["axes"]) == {"txt2img.cfg_scale": 4.0} and first["backend"] == "procedural"
    assert first["prompt"] == "a fox" and len(first["sha256"]) == 64 and first["plan_id"]
    assert [rows[i]["stars"] for i in images_b] == [4.0, 4.5] and rows[images_a[1]]["n_ratings"] == 0
    assert [rows[i]["n_ratings"] for i in images_b] == [1, 2]
    assert rows[images_a[1]]["stars"] is None and rows[images_a[1]]["tags"] == []
    pairs = duckdb.sql("SELECT * FROM 'pairs.parquet' ORDER BY label_0 DESC").fetchall()
    assert [p[0] for p in pairs] == ["a fox", "a fox"]
    assert [p[1:6] for p in pairs] == [(images_a[0], images_b[0], 1.0, 0.0, "ann"),
                                      (images_a[1], images_b[1], 0.5, 0.5, "bob")]
    assert duckdb.sql("SELECT * FROM 'pairs.parquet'").columns == [name for name, _, _ in PAIR_COLUMNS]


def test_the_dataset_agrees_with_the_join_recommend_reads(rated: list) -> None:
    assert invoke("dataset", "build", "ds.parquet", *RECORDS_OPT).exit_code == 0
    events = JsonlFeedbackLog(FEEDBACK).read_events().events
    joined = join_feedback(events, JsonlRecordSource(RECORDS).iter_records())
    by_image: dict[str, list[int]] = {}
    for item in joined.rated:
        by_image.setdefault(item.image_path, []).append(item.stars)
    expected = {image: sum(stars) / len(stars) for image, stars in by_image.items()}
    found = {row["image"]: row["stars"] for row in _rows("ds.parquet") if row["n_ratings"]}
    assert found == expected


def test_jsonl_and_csv_by_suffix_or_format(rated: list) -> None:
    assert invoke("dataset", "build", "ds.jsonl", *RECORDS_OPT).exit_code == 0
    lines = [json.loads(line) for line in Path("ds.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4 and list(lines[0]) == [name for name, _, _ in IMAGE_COLUMNS]
    assert invoke("dataset", "build", "out.data", "--format", "csv", *RECORDS_OPT).exit_code == 0
    with open("out.data", encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 4 and {row["tags"] for row in table} == {"sharp", ""}


def test_plan_and_since_select_records(rated: list) -> None:
    Path("other.toml").write_text(
        '[plan]\nname = "other"\n[[axes]]\nstage = "txt2img"\nvariable = "steps"\n'
        'values = "2"\n[base]\nprompt = "x"\n[base.txt2img]\nwidth = 64\nheight = 64\n', encoding="utf-8")
    assert invoke("dataset", "build", "mine.parquet", "--plan", "plan.toml", *RECORDS_OPT).exit_code == 0
    assert invoke("dataset", "build", "none.parquet", "--plan", "other.toml", *RECORDS_OPT).exit_code == 0
    for name, since in (("future", "2999-01-01"), ("past", "2000-01-01T00:00")):
        assert invoke("dataset", "build", f"{name}.parquet", "--since", since, *RECORDS_OPT).exit_code == 0
    count = {name: duckdb.sql(f"SELECT count(*) FROM '{name}.parquet'").fetchall()[0][0]
             for name in ("mine", "none", "future", "past")}
    assert count == {"mine": 4, "none": 0, "future": 0, "past": 4}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "xlsx"), "--format: expected one of parquet, jsonl, csv, got 'xlsx'"),
        (("--since", "last week"), "--since: expected an ISO date or date-time"),
        (("--plan", "missing.toml"), "missing.toml: file not found"),
        (("--records", "nope.jsonl"), "nope.jsonl: file not found"),
    ],
)
def test_bad_input_is_exit_2_and_writes_nothing(rated: list, args: tuple, message: str) -> None:
    extra = () if "--records" in args else RECORDS_OPT
    result = invoke("dataset", "build", "ds.parquet", *args, *extra)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert message in result.stderr
    assert not Path("ds.parquet").exists()


def test_a_directory_as_out_is_exit_2(rated: list) -> None:
    Path("adir").mkdir()
    result = invoke("dataset", "build", "adir", *RECORDS_OPT)
    assert result.exit_code == 2 and "adir: is a directory" in result.stderr


def test_a_build_that_cannot_write_is_exit_1_and_leaves_nothing(rated: list) -> None:
    Path("afile").write_text("x", encoding="utf-8")
    result = invoke("dataset", "build", "afile/ds.parquet", *RECORDS_OPT)
    assert result.exit_code == 1 and result.stderr.startswith("error: dataset build failed")
    assert sorted(p.name for p in Path().iterdir() if p.name.endswith(".tmp")) == []


def test_a_corrupt_feedback_line_is_skipped_with_one_warning(rated: list) -> None:
    lines = FEEDBACK.read_bytes().splitlines(keepends=True)
    FEEDBACK.write_bytes(lines[0] + b"garbage\n" + b"".join(lines[1:]))
    result = invoke("dataset", "build", "ds.parquet", *RECORDS_OPT)
    assert result.exit_code == 0
    assert result.stderr == (f"warning: {FEEDBACK}: corrupt line(s) 2 (unreadable events are skipped): "
                             f"run `stablenew records check {FEEDBACK}`\n")
