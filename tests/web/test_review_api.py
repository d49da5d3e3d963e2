"""The review server over HTTP: only recorded images under the output folder are served, writes need
the page token and the same origin, bad requests get a 4xx with a reason."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.web.review_helpers import ReviewServer, run_plan, serving
from typer.testing import CliRunner

from stablenew.cli import app


@pytest.fixture
def server() -> Iterator[ReviewServer]:
    plan_id = run_plan()
    with serving(plan_id) as running:
        yield running


def post(server: ReviewServer, path: str, body: object, **headers: str) -> httpx.Response:
    sent = {"X-StableNew-Token": server.token, **headers}
    return httpx.post(server.url + path, json=body, headers=sent)


def test_the_plan_api_lists_every_image_with_its_step_values(server: ReviewServer) -> None:
    data = httpx.get(f"{server.url}/api/plan/{server.plan_id}").json()
    assert data["total"] == 6 and data["rated"] == 0 and data["recommendation"]["verdict"] == "insufficient"
    first = data["images"][0]
    assert first["values"] == {"txt2img.cfg_scale": 3, "txt2img.sampler_name": "Euler a"}
    assert httpx.get(server.url + first["url"]).headers["content-type"] == "image/png"


def test_a_rating_needs_the_page_token_and_the_same_origin(server: ReviewServer) -> None:
    image = httpx.get(f"{server.url}/api/plan/{server.plan_id}").json()["images"][0]["path"]
    assert httpx.post(f"{server.url}/api/rate", json={"image": image, "stars": 4}).status_code == 403
    wrong = post(server, "/api/rate", {"image": image, "stars": 4}, **{"X-StableNew-Token": "guess"})
    assert wrong.status_code == 403
    other_site = post(server, "/api/rate", {"image": image, "stars": 4}, Origin="http://evil.example")
    assert other_site.status_code == 403 and server.events() == []
    assert post(server, "/api/rate", {"image": image, "stars": 4}).status_code == 200
    assert [(e["kind"], e["stars"]) for e in server.events()] == [("rating", 4)]


@pytest.mark.parametrize("body, reason", [
    ({"image": "x.png", "stars": 4}, "no record"),
    ({"stars": 4}, "image: expected"),
    ({"image": "IMAGE", "stars": 6}, "stars: expected"),
    ({"image": "IMAGE", "stars": "4"}, "stars: expected"),
    ([1, 2], "JSON object"),
])
def test_bad_writes_get_a_4xx_with_a_reason_and_write_nothing(
    server: ReviewServer, body: object, reason: str
) -> None:
    image = httpx.get(f"{server.url}/api/plan/{server.plan_id}").json()["images"][0]["path"]
    if isinstance(body, dict) and body.get("image") == "IMAGE":
        body["image"] = image
    response = post(server, "/api/rate", body)
    assert 400 <= response.status_code < 500 and reason in response.json()["error"]
    assert server.events() == []


def test_only_recorded_images_under_the_output_folder_are_served(
    server: ReviewServer, tmp_path: Path
) -> None:
    Path("secret.txt").write_text("secret", encoding="utf-8")
    Path("output/unrecorded.png").write_bytes(b"\x89PNG")
    os.symlink(tmp_path / "secret.txt", "output/link.png")
    for path in ("/files/../secret.txt", "/files/%2e%2e/secret.txt", "/files/..%2fsecret.txt",
                 "/files/%2e%2e%2fsecret.txt", "/files/unrecorded.png", "/files/link.png",
                 f"/files/{tmp_path}/secret.txt", "/files//etc/passwd",
                 "/files/learning/learning_records.jsonl"):
        response = httpx.get(server.url + path)
        assert response.status_code == 404, path
        assert b"secret" not in response.content


def test_a_port_in_use_is_exit_2_with_one_line() -> None:
    run_plan()
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(app, ["review", "--port", port, "--output", "output"])
    finally:
        taken.close()
    assert result.exit_code == 2
    assert "is in use; choose another with --port" in result.output and "Traceback" not in result.output


def test_without_a_plan_the_index_lists_the_plans() -> None:
    plan_id = run_plan()
    with serving(None) as running:
        page = httpx.get(running.url + "/").text
    assert f"/plan/{plan_id}" in page and "review-sweep" in page


def test_imported_images_are_reviewed_from_where_they_were_imported(tmp_path: Path) -> None:
    from tests.imports.images import png

    from stablenew.domain.records.infotext import format_infotext

    for seed, sampler in enumerate(("Euler a", "DPM++ 2M")):
        text = format_infotext("a lighthouse", "", {"steps": 20, "sampler_name": sampler, "cfg_scale": 7.0,
                                                   "seed": seed, "width": 64, "height": 64}, "1.10.1")
        png(tmp_path / "library" / f"{seed}.png", (seed, 9, 9), parameters=text)
    (tmp_path / "library" / "notes.txt").write_text("private", encoding="utf-8")
    imported = CliRunner().invoke(app, ["import", str(tmp_path / "library")])
    assert imported.exit_code == 0, imported.output
    with serving(None) as running:
        assert "/plan/imported" in httpx.get(running.url + "/").text
        data = httpx.get(running.url + "/api/plan/imported").json()
        assert data["total"] == 2 and all(i["url"].startswith("/library/import-") for i in data["images"])
        assert httpx.get(running.url + data["images"][0]["url"]).headers["content-type"] == "image/png"
        for path in ("/library/import-nothing", "/library/..%2fnotes.txt", "/files/../library/notes.txt"):
            assert httpx.get(running.url + path).status_code == 404, path
        image = data["images"][1]["path"]
        assert post(running, "/api/rate", {"image": image, "stars": 5}).status_code == 200
        assert httpx.get(running.url + "/api/plan/imported").json()["rated"] == 1
        assert [(e["image"], e["stars"]) for e in running.events()] == [(image, 5)]
