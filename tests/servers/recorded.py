"""Exchanges recorded from a real A1111 1.10.1 and ComfyUI 0.3.64 (tests/fixtures/recorded, README)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "recorded"
A1111, COMFYUI = "a1111-1.10.1", "comfyui-0.3.64"


def recorded(server: str, name: str) -> dict[str, Any]:
    """One recorded exchange (or ws-* message list) as stored."""
    data: dict[str, Any] = json.loads((RECORDED / server / f"{name}.json").read_text(encoding="utf-8"))
    return data


@contextmanager
def replay(*exchanges: dict[str, Any]) -> Iterator[str]:
    """A server on 127.0.0.1 that answers each recorded request (method + path) with its recorded
    status, content type and body; anything else is a 404. Yields its base URL."""
    answers = {(e["request"]["method"], e["request"]["path"]): e["response"] for e in exchanges}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            response = answers.get((self.command, self.path.split("?", 1)[0]))
            if response is None:
                status, body, kind = 404, b'{"detail":"Not Found"}', "application/json"
            else:
                status = response["status"]
                kind = response["headers"].get("content-type", "application/json")
                text = json.dumps(response["json"]) if "json" in response else response.get("text", "")
                body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
