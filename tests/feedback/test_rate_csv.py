"""`stablenew rate --from ratings.csv`: every row checked first; one bad row → exit 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.feedback.cli_helpers import FEEDBACK, feedback_lines, invoke, run_plan

RECORDS_OPT = ("--records", "out/learning/learning_records.jsonl")


@pytest.fixture
def steps() -> list[tuple[str, list[str]]]:
    return run_plan()


def _csv(text: str) -> str:
    Path("ratings.csv").write_text(text, encoding="utf-8")
    return "ratings.csv"


def test_a_good_file_is_imported_in_one_go(steps: list) -> None:
    (run_a, images_a), (run_b, _) = steps
    path = _csv("image,run_id,stars,rater,tags,note,composition\n"
                f"{images_a[0]},,4,ann,warm; fox,\"nice, light\",5\n"
                f",{run_b},2,,,,\n\n"
                f"{images_a[1]},,3,bob,,,\n")
    result = invoke("rate", "--from", path, "--rater", "default-rater", *RECORDS_OPT)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("imported 3 ratings from ratings.csv")
    events = [json.loads(line) for line in feedback_lines()]
    assert [(e["image"], e["run_id"], e["stars"], e["rater"]) for e in events] == [
        (images_a[0], None, 4, "ann"), (None, run_b, 2, "default-rater"), (images_a[1], None, 3, "bob")]
    assert events[0]["tags"] == ["warm", "fox"] and events[0]["note"] == "nice, light"
    assert events[0]["subscores"] == {"composition": 5}
    assert run_a != run_b


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("image,stars\n{image},4\n{image},9\n", "ratings.csv: line 3, column stars: expected a whole number"),
        ("image,stars\n{image},4\nnowhere.png,3\n", "ratings.csv: line 3, column image: no record"),
        ("run_id,stars\n{run},4\nrun-x,3\n", "ratings.csv: line 3, column run_id: no record"),
        ("image,stars,composition\n{image},4,0\n", "ratings.csv: line 2, column composition: expected"),
        ("image,stars,colour\n", "ratings.csv: line 1, column 3: unknown column 'colour'"),
        ("image,rater\n{image},ann\n", "ratings.csv: line 1: missing column 'stars'"),
        ("stars\n4\n", "ratings.csv: line 1: missing column 'image' or 'run_id'"),
        ("image,run_id,stars\n{image},{run},4\n", "line 2, column image: expected exactly one of image"),
        ("image,run_id,stars\n,,4\n", "line 2, column image: expected an image or a run_id"),
        ("image,stars\n{image},4,extra\n", "line 2, column 3: more fields (3) than the header has (2)"),
        ('image,stars\n"{image},4\n', "ratings.csv: line 2: not valid CSV"),
        ("image,stars\n", "ratings.csv: line 2: no ratings in the file"),
        ("", "ratings.csv: line 1: empty file"),
    ],
)
def test_one_bad_row_names_line_and_column_and_nothing_is_written(
    steps: list, text: str, message: str
) -> None:
    path = _csv(text.replace("{image}", steps[0][1][0]).replace("{run}", steps[0][0]))
    result = invoke("rate", "--from", path, *RECORDS_OPT)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not FEEDBACK.exists()


def test_a_missing_or_binary_file_is_exit_2(steps: list) -> None:
    missing = invoke("rate", "--from", "none.csv", *RECORDS_OPT)
    assert missing.exit_code == 2 and missing.stderr == "error: none.csv: file not found\n"
    Path("bin.csv").write_bytes(b"image,stars\n\xff\xfe,3\n")
    binary = invoke("rate", "--from", "bin.csv", *RECORDS_OPT)
    assert binary.exit_code == 2 and binary.stderr == "error: bin.csv: is not UTF-8 text\n"
