"""Folding events: the latest rating of a rater wins, retractions take back, nothing else changes."""

from __future__ import annotations

from tests.feedback.feedback_helpers import prefer, rate, retract

from stablenew.domain.feedback.ratings import current_event_ids, fold_events


def test_the_latest_rating_of_a_rater_for_an_image_wins() -> None:
    first, second, other = rate("a.png", 2), rate("a.png", 5), rate("a.png", 1, rater="bob")
    state = fold_events([first, second, other])
    assert state.rating_for("ann", "a.png", None, False) == second
    assert state.rating_for("bob", "a.png", None, False) == other
    assert state.raters == {"ann", "bob"}


def test_retracting_the_current_rating_leaves_none_and_brings_back_nothing() -> None:
    first, second = rate("a.png", 2), rate("a.png", 5)
    state = fold_events([first, second, retract(second)])
    assert state.rating_for("ann", "a.png", None, False) is None


def test_retracting_a_superseded_rating_changes_nothing() -> None:
    first, second = rate("a.png", 2), rate("a.png", 5)
    assert fold_events([first, second, retract(first)]).rating_for("ann", "a.png", None, False) == second


def test_a_rating_after_a_retraction_counts() -> None:
    first = rate("a.png", 2)
    again = rate("a.png", 4)
    assert fold_events([first, retract(first), again]).rating_for("ann", "a.png", None, False) == again


def test_only_the_rater_who_made_an_event_can_retract_it() -> None:
    mine = rate("a.png", 2)
    state = fold_events([mine, retract(mine, rater="bob")])
    assert state.rating_for("ann", "a.png", None, False) == mine


def test_a_retraction_of_an_unknown_id_is_ignored() -> None:
    mine = rate("a.png", 2)
    other = rate("b.png", 1)
    assert current_event_ids(fold_events([mine, retract(other)])) == {mine.header.event_id}


def test_a_run_rating_covers_the_runs_final_images_and_the_later_rating_wins() -> None:
    run_rating, image_rating = rate("run-1", 2, run=True), rate("final.png", 4)
    state = fold_events([run_rating, image_rating])
    assert state.rating_for("ann", "final.png", "run-1", True) == image_rating
    assert state.rating_for("ann", "other.png", "run-1", True) == run_rating
    assert state.rating_for("ann", "first-stage.png", "run-1", False) is None
    later = rate("run-1", 3, run=True)
    state = fold_events([run_rating, image_rating, later])
    assert state.rating_for("ann", "final.png", "run-1", True) == later


def test_the_latest_preference_between_two_images_wins_in_either_order() -> None:
    first, flipped = prefer("a.png", "b.png", "a"), prefer("b.png", "a.png", "a")
    state = fold_events([first, flipped])
    assert [c.event for c in state.preferences.values()] == [flipped]
    assert fold_events([first, flipped, retract(flipped)]).preferences == {}
