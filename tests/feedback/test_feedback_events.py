"""Feedback events: checked on construction, one log line each, read back exactly."""

from __future__ import annotations

import json

import pytest
from tests.feedback.feedback_helpers import header, prefer, rate, retract

from stablenew.domain.feedback.events import (
    FEEDBACK_SCHEMA,
    FeedbackError,
    Rating,
    check_stars,
    event_from_dict,
)


@pytest.mark.parametrize("good", [1, 5, "3", " 4 "])
def test_stars_from_one_to_five(good: object) -> None:
    assert 1 <= check_stars(good) <= 5


@pytest.mark.parametrize("bad", [0, 6, -1, 3.5, "x", "", True, None])
def test_stars_outside_one_to_five_are_refused(bad: object) -> None:
    with pytest.raises(FeedbackError, match="from 1 to 5"):
        check_stars(bad)


def test_a_rating_names_one_image_or_one_run() -> None:
    with pytest.raises(FeedbackError, match="exactly one"):
        Rating(header(), 3)
    with pytest.raises(FeedbackError, match="exactly one"):
        Rating(header(), 3, image="a.png", run_id="r")


def test_subscores_and_tags_are_checked_and_cleaned() -> None:
    rating = rate("a.png", 4, subscores={"composition": "5"}, tags=[" warm ", "warm", ""])
    assert dict(rating.subscores) == {"composition": 5} and rating.tags == ("warm",)
    with pytest.raises(FeedbackError, match="unknown subscore 'colour'"):
        rate("a.png", 4, subscores={"colour": 3})
    with pytest.raises(FeedbackError, match=r"subscores\.prompt_adherence"):
        rate("a.png", 4, subscores={"prompt_adherence": 9})


def test_a_preference_needs_two_images() -> None:
    with pytest.raises(FeedbackError, match="two different images"):
        prefer("a.png", "a.png")


def test_every_kind_round_trips_through_json() -> None:
    events = [
        rate("a.png", 4, subscores={"technical_quality": 2}, tags=["dark"], note="too dark"),
        rate("run-7", 2, run=True),
        prefer("b.png", "a.png", "tie"),
    ]
    events.append(retract(events[0]))
    for event in events:
        line = json.dumps(event.to_dict())
        assert line.startswith('{"schema": "' + FEEDBACK_SCHEMA)
        assert event_from_dict(json.loads(line)) == event


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"schema": "other/1"}, "not a stablenew.feedback-event/1"),
        ({"kind": "vote"}, "unknown event kind"),
        ({"stars": 9}, "from 1 to 5"),
        ({"timestamp": "yesterday"}, "ISO 8601"),
        ({"rater": ""}, "'rater' must be a non-empty string"),
        ({"subscores": [1]}, "'subscores' must be an object"),
        ({"image": None}, "exactly one image or one run"),
    ],
)
def test_a_bad_line_is_a_value_error(change: dict, reason: str) -> None:
    data = {**rate("a.png", 3).to_dict(), **change}
    with pytest.raises(ValueError, match=reason):
        event_from_dict(data)
