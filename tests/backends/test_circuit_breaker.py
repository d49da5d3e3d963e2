"""A dead or wrong server stops the plan: a circuit breaker, and one short line for a non-API URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.backends.a1111_helpers import TXT2IMG, app_toml, pipeline_toml, read_records
from tests.servers import a1111_fixtures
from tests.servers.a1111_server import FakeA1111Server, Fault
from typer.testing import CliRunner

from stablenew.cli import app

a1111_server = a1111_fixtures.a1111_server  # the fixture, by name

runner = CliRunner()
PLAN = ('[plan]\nname = "cfg"\nbase = "base.toml"\nseed = 7\n\n[[axes]]\nstage = "txt2img"\n'
        'variable = "cfg_scale"\nvalues = "1-8"\n')


def _plan(tmp_path: Path) -> Path:
    pipeline_toml(tmp_path / "base.toml", "[txt2img]\nsteps = 2\n")
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    return plan


def test_a_server_that_goes_away_stops_the_plan_after_a_few_steps(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    config = app_toml(tmp_path / "app.toml", a1111_server.base_url, retries=0, server_failures_to_remove=2)
    a1111_server.add_fault(TXT2IMG, Fault("close", times=100))  # the server drops every generation
    result = runner.invoke(app, ["learn", "run", str(_plan(tmp_path)), "--no-grid", "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert a1111_server.count(TXT2IMG) == 2  # not 8: the breaker tripped after 2 in a row
    records = read_records(tmp_path / "output" / "learning" / "learning_records.jsonl")
    assert [r["stage_events"][0]["error_kind"] for r in records] == ["connection_error"] * 2
    assert "6 not run" in result.output and "Resume with: stablenew learn resume" in result.output
    assert "could not be reached 2 times in a row" in result.output


def test_failures_that_are_the_steps_own_do_not_trip_the_breaker(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    config = app_toml(tmp_path / "app.toml", a1111_server.base_url, retries=0, server_failures_to_remove=2)
    a1111_server.add_fault(TXT2IMG, Fault("oom", times=100))
    result = runner.invoke(app, ["learn", "run", str(_plan(tmp_path)), "--no-grid", "--config", str(config)])
    assert result.exit_code == 1 and a1111_server.count(TXT2IMG) == 8  # every step tried
    assert "stopped early" not in result.output


class _WebPage(BaseHTTPRequestHandler):
    """Another web app at the address: an HTML page for every path, 404 or 200."""

    status = 404

    def do_GET(self) -> None:
        body = b"<!DOCTYPE html><html><head><title>Router login</title></head>" + b"<p>x</p>" * 2000
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(params=[404, 200])
def web_page(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("Page", (_WebPage,), {"status": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("backend", ["a1111", "comfyui"])
def test_an_address_that_is_not_the_api_gets_one_short_line(
    web_page: str, tmp_path: Path, backend: str,
) -> None:
    config = tmp_path / "app.toml"
    config.write_text(f'backend = "{backend}"\n[{backend}]\nbase_url = "{web_page}"\nretries = 0\n',
                      encoding="utf-8")
    result = runner.invoke(app, ["learn", "run", str(_plan(tmp_path)), "--no-grid", "--config", str(config)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and web_page in lines[0] and "is not the" in lines[0], result.output
    assert "<" not in result.output and "Router" not in result.output
