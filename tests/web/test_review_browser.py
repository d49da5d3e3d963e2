"""The review page in a real headless Chromium (Debian's, driven by Playwright): real key presses,
the events they leave in the feedback log, the right image for the right step."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web.review_helpers import ReviewServer, run_plan, serving

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and shutil.which("chromium") is None,
    reason="Debian's chromium is not installed (.ci/run installs it; `apt-get install chromium`)",
)


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        tab = browser.new_page(viewport={"width": 1280, "height": 800})
        yield tab
        browser.close()


@pytest.fixture
def server() -> Iterator[ReviewServer]:
    plan_id = run_plan()
    with serving(plan_id) as running:
        yield running


def shown(page: Any) -> str:
    return str(page.get_attribute("#main-image", "data-path"))


def wait_events(page: Any, server: ReviewServer, count: int) -> list[dict[str, Any]]:
    page.wait_for_function("document.getElementById('progress').textContent !== '…'")
    for _ in range(200):
        events = server.events()
        if len(events) >= count:
            return events
        page.wait_for_timeout(25)
    raise AssertionError(f"expected {count} events, have {server.events()}")


def test_keys_rate_move_skip_to_unrated_and_undo(page: Any, server: ReviewServer) -> None:
    page.goto(f"{server.url}/plan/{server.plan_id}")
    page.wait_for_selector("#progress:has-text('0 / 6 rated')")
    first = shown(page)
    assert page.inner_text("dd[data-field='txt2img.cfg_scale']") == "3"
    assert page.inner_text("dd[data-field='txt2img.sampler_name']") == "Euler a"
    page.keyboard.press("4")
    page.wait_for_selector("#progress:has-text('1 / 6 rated')")
    events = wait_events(page, server, 1)
    got = (events[0]["kind"], events[0]["stars"], events[0]["image"], events[0]["rater"])
    assert got == ("rating", 4, first, "ann")
    assert "already rated" in page.inner_text("dd[data-field='stars']")

    page.keyboard.press("ArrowRight")
    second = shown(page)
    assert second != first and page.inner_text("dd[data-field='step']") == "2"
    page.keyboard.press("2")
    page.wait_for_selector("#progress:has-text('2 / 6 rated')")
    page.keyboard.press("ArrowLeft")
    assert shown(page) == first
    page.keyboard.press("u")  # the next unrated one after the first is the third
    assert page.inner_text("dd[data-field='step']") == "3"

    page.keyboard.press("z")  # undo the last rating (of the second image): a retraction, not a rewrite
    page.wait_for_selector("#progress:has-text('1 / 6 rated')")
    events = wait_events(page, server, 3)
    assert events[2]["kind"] == "retraction" and events[2]["retracts"] == events[1]["event_id"]
    assert events[1]["image"] == second


def test_a_tag_and_a_click_rate_the_image_shown(page: Any, server: ReviewServer) -> None:
    page.goto(f"{server.url}/plan/{server.plan_id}")
    page.wait_for_selector("#progress:has-text('0 / 6 rated')")
    page.click("#strip img:nth-child(5)")
    target = shown(page)
    page.click(".star[data-stars='5']")
    page.wait_for_selector("#progress:has-text('1 / 6 rated')")
    page.keyboard.press("t")
    page.fill("#tag-input", "moody")
    page.keyboard.press("Enter")
    events = wait_events(page, server, 2)
    got = [(e["image"], e["stars"], e.get("tags")) for e in events]
    assert got == [(target, 5, []), (target, 5, ["moody"])]


def test_compare_mode_records_preferences_between_two_images(page: Any, server: ReviewServer) -> None:
    page.goto(f"{server.url}/plan/{server.plan_id}")
    page.wait_for_selector("#progress:has-text('0 / 6 rated')")
    page.keyboard.press("c")
    page.wait_for_function("document.getElementById('pair-a').dataset.path")
    a, b = page.get_attribute("#pair-a", "data-path"), page.get_attribute("#pair-b", "data-path")
    assert a != b
    page.keyboard.press("b")
    events = wait_events(page, server, 1)
    assert events[0]["kind"] == "preference"
    assert {events[0]["image_a"], events[0]["image_b"]} == {a, b} and events[0]["image_a"] == b
    page.wait_for_function(f"document.getElementById('pair-a').dataset.path !== {a!r} || "
                           f"document.getElementById('pair-b').dataset.path !== {b!r}")
    page.keyboard.press("=")
    assert wait_events(page, server, 2)[1]["outcome"] == "tie"


def test_filters_and_the_live_recommendation(page: Any, server: ReviewServer, tmp_path: Path) -> None:
    page.goto(f"{server.url}/plan/{server.plan_id}")
    page.wait_for_selector("#progress:has-text('0 / 6 rated')")
    page.select_option("select[data-axis='txt2img.sampler_name']", label="txt2img.sampler_name = DPM++ 2M")
    assert page.locator("#strip img").count() == 3
    assert page.inner_text("dd[data-field='txt2img.sampler_name']") == "DPM++ 2M"
    for rated in range(1, 4):
        page.keyboard.press("5")
        page.keyboard.press("ArrowRight")  # moving on before the rating is back keeps the new image
        page.wait_for_selector(f"#progress:has-text('{rated} / 6 rated')")
    page.check("#only-unrated")
    assert page.locator("#strip img").count() == 0
    assert page.inner_text("#verdict").startswith(("insufficient", "leading"))
    shot = Path(os.environ.get("REVIEW_PAGE_SCREENSHOT") or tmp_path / "review.png")
    page.uncheck("#only-unrated")
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
