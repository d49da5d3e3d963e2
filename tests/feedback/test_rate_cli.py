"""`stablenew rate` and `prefer` end to end on a real recorded plan: events, errors, nothing written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.feedback.cli_helpers import FEEDBACK, feedback_lines, invoke, run_plan

RECORDS_OPT = ("--records", "out/learning/learning_records.jsonl")


@pytest.fixture
def steps() -> list[tuple[str, list[str]]]:
    return run_plan()


def test_rate_an_image_with_everything(steps: list[tuple[str, list[str]]]) -> None:
    image = steps[0][1][0]
    result = invoke("rate", image, "--stars", "4", "--rater", "ann", "--tag", "warm", "--tag", "fox",
                    "--note", "nice light", "--subscore", "composition=5", *RECORDS_OPT)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"rated image {image}: 4/5, composition 5 by ann (event ")
    (line,) = feedback_lines()
    event = json.loads(line)
    assert line.startswith('{"schema":"stablenew.feedback-event/1"')
    keys = ("kind", "image", "run_id", "stars", "rater", "tags", "note", "subscores")
    assert {k: event[k] for k in keys} == {
        "kind": "rating", "image": image, "run_id": None, "stars": 4, "rater": "ann",
        "tags": ["warm", "fox"], "note": "nice light", "subscores": {"composition": 5}}
    assert len(event["event_id"]) == 32 and event["timestamp"].endswith("+00:00")


def test_an_image_by_another_path_to_the_same_file_is_stored_as_recorded(steps: list) -> None:
    image = steps[1][1][1]
    other = os.path.abspath(image).replace("/out/", "/out/./")
    assert invoke("rate", other, "--stars", "2", *RECORDS_OPT).exit_code == 0
    assert json.loads(feedback_lines()[0])["image"] == image


def test_rate_a_run_and_retract_it(steps: list) -> None:
    run_id = steps[0][0]
    assert invoke("rate", run_id, "--stars", "3", "--rater", "bob", *RECORDS_OPT).exit_code == 0
    retracted = invoke("rate", run_id, "--retract", "--rater", "bob", *RECORDS_OPT)
    assert retracted.exit_code == 0, retracted.output
    first, second = (json.loads(line) for line in feedback_lines())
    assert first["run_id"] == run_id and second == {**second, "kind": "retraction",
                                                      "retracts": first["event_id"], "rater": "bob"}
    again = invoke("rate", run_id, "--retract", "--rater", "bob", *RECORDS_OPT)
    assert again.exit_code == 2 and "bob has no current rating" in again.stderr


def test_the_rater_comes_from_the_app_config_else_the_os_user(steps: list) -> None:
    image = steps[0][1][0]
    Path("app.toml").write_text('[feedback]\nrater = "cfg-rater"\n', encoding="utf-8")
    assert invoke("rate", image, "--stars", "5", "--config", "app.toml", *RECORDS_OPT).exit_code == 0
    assert invoke("rate", image, "--stars", "1", *RECORDS_OPT).exit_code == 0
    raters = [json.loads(line)["rater"] for line in feedback_lines()]
    assert raters[0] == "cfg-rater" and raters[1] not in ("", "cfg-rater")


def test_prefer_a_over_b_a_tie_and_a_retraction(steps: list) -> None:
    a, b = steps[0][1][0], steps[1][1][0]
    better = invoke("prefer", a, b, "--rater", "ann", *RECORDS_OPT)
    assert better.exit_code == 0 and better.stdout.startswith(f"{a} is better than {b}, by ann")
    assert invoke("prefer", b, a, "--tie", "--rater", "ann", *RECORDS_OPT).exit_code == 0
    assert invoke("prefer", a, b, "--retract", "--rater", "ann", *RECORDS_OPT).exit_code == 0
    events = [json.loads(line) for line in feedback_lines()]
    assert [e.get("outcome") for e in events] == ["a", "tie", None]
    assert events[2]["retracts"] == events[1]["event_id"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rate", "nowhere.png", "--stars", "3"), "has the image or run id 'nowhere.png'"),
        (("rate", "{image}", "--stars", "6"), "--stars: expected a whole number from 1 to 5, got '6'"),
        (("rate", "{image}", "--stars", "x"), "--stars: expected a whole number from 1 to 5"),
        (("rate", "{image}"), "--stars: is required (1 to 5)"),
        (("rate", "{image}", "--stars", "3", "--subscore", "colour=3"), "unknown subscore 'colour'"),
        (("rate", "{image}", "--stars", "3", "--subscore", "composition"), "--subscore: expected NAME=N"),
        (("rate", "{image}", "--stars", "3", "--retract"), "--retract: --retract takes back a rating"),
        (("rate",), "give one IMAGE_OR_RUN_ID or --from FILE"),
        (("prefer", "{image}", "{image}"), "two different images"),
        (("prefer", "{image}", "{run}"), "is a run id; a preference compares two images"),
        (("prefer", "{image}", "nowhere.png"), "'nowhere.png'"),
    ],
)
def test_bad_input_is_exit_2_one_line_and_nothing_written(steps: list, args: tuple, message: str) -> None:
    filled = [a.replace("{image}", steps[0][1][0]).replace("{run}", steps[1][0]) for a in args]
    result = invoke(*filled, *RECORDS_OPT)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert not FEEDBACK.exists()
