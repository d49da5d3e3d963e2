"""A server that echoes the password back in an error body: every message shows *** instead."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.backends.a1111_helpers import app_toml
from typer.testing import CliRunner

from stablenew.cli import app

SECRET = "Echo-me-S3CRET-pa55"
runner = CliRunner()


class _Echoing(BaseHTTPRequestHandler):
    """Answers every request with HTTP 500 whose detail repeats the Authorization header, decoded."""

    def _echo(self) -> None:
        auth = self.headers.get("Authorization", "")
        decoded = base64.b64decode(auth.split(" ", 1)[-1]).decode() if auth.startswith("Basic ") else auth
        body = json.dumps({"detail": f"backend misconfigured for {decoded}"}).encode()
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _echo

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        return None


@pytest.fixture
def echoing_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echoing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_an_echoed_password_is_redacted_from_errors_and_records(
    echoing_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = app_toml(tmp_path / "app.toml", echoing_server, username="bob", retries=0)
    monkeypatch.setenv("STABLENEW_A1111__PASSWORD", SECRET)
    pipe = tmp_path / "pipe.toml"
    pipe.write_text('prompt = "a fox"\n[txt2img]\nsteps = 2\n', encoding="utf-8")

    checked = runner.invoke(app, ["backends", "check", "--config", str(config)])
    ran = runner.invoke(app, ["run", str(pipe), "--config", str(config)])

    assert checked.exit_code == 1 and ran.exit_code in (1, 2)
    assert "backend misconfigured for bob:***" in checked.stdout + checked.stderr
    texts = [checked.stdout, checked.stderr, ran.stdout, ran.stderr]
    texts += [p.read_text(encoding="utf-8") for p in (tmp_path / "output").rglob("*.jsonl")]
    assert "***" in "".join(texts[2:4])  # the run's error line went through the same redaction
    assert not [text for text in texts if SECRET in text]
