"""The HTTP side of the fake AUTOMATIC1111 server: connections, recording, auth, faults, routing.

``Handler`` turns each request into a ``RecordedRequest``, asks the fake to check auth, applies the
next queued ``Fault`` for the path, then calls the route and writes its JSON (HTTP/1.1 keep-alive).
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from . import a1111_payloads as pl
from .a1111_payloads import ApiError

FAULT_KINDS = ("status", "oom", "timeout", "close", "malformed_json", "bad_base64")
OOM_ERRORS = ("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity; 5.12 GiB "
              "already allocated; 1.05 GiB free; 5.50 GiB reserved in total by PyTorch)")
# Routes with a pydantic body model: only these answer 422 to a body that is not JSON.
BODY_ROUTES = {"/sdapi/v1/txt2img", "/sdapi/v1/img2img", "/sdapi/v1/extra-single-image", "/sdapi/v1/options"}


@dataclass
class Fault:
    kind: str  # one of FAULT_KINDS
    status: int = 500  # for kind="status"
    delay_s: float = 0  # for kind="timeout": sleep this long, then answer normally
    times: int = 1  # how many requests it applies to before it is used up

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.times < 1:
            raise ValueError("times must be >= 1")


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the query string
    headers: dict[str, str]  # header names lower-cased
    json: Any  # the decoded body, or None (no body / not JSON)
    query: str = ""
    body: bytes = b""


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: Any  # the FakeA1111Server it serves

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def close_connections(self) -> None:
        """Shut down keep-alive connections so their handler threads end and the sockets close."""
        with self.connections_lock:
            open_connections = list(self.connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the client went away (e.g. it timed out first): expected in fault tests
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeHTTPServer
    server_version = "uvicorn"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without this, Nagle + delayed ACK cost 40 ms each
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, method: str) -> None:
        fake = self.server.fake
        path, _, query = self.path.partition("?")
        raw = self._read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        body: Any = None
        body_error: ApiError | None = None
        if raw:
            try:
                body = pl.parse_json_body(raw)
            except ApiError as exc:
                body_error = exc
        fake._record(RecordedRequest(method, path, headers, body, query, raw))
        try:
            fake._check_auth(path, headers)
            fault = fake._take_fault(path)
            if fault is not None and fault.kind == "close":
                self.close_connection = True
                return
            if fault is not None and fault.kind == "status":
                raise pl.a1111_error(fault.status, "HTTPException", f"{fault.status}: injected fault",
                                     f"injected fault: status {fault.status}")
            if fault is not None and fault.kind == "oom":
                raise pl.a1111_error(500, "OutOfMemoryError", OOM_ERRORS)
            if fault is not None and fault.kind == "malformed_json":
                self._send(200, b'{"images": ["iVBORw0KGgoAAAANSUhEUgAA", "parameters": {')
                return
            if fault is not None and fault.kind == "timeout":
                fake._stopping.wait(fault.delay_s)
            routes = fake._routes()
            route = routes.get((method, path))
            if route is None:
                if any(p == path for _, p in routes):
                    raise ApiError(405, {"detail": "Method Not Allowed"})
                raise ApiError(404, {"detail": "Not Found"})
            if body_error is not None and path in BODY_ROUTES:
                raise body_error
            result = route(body)
            if fault is not None and fault.kind == "bad_base64" and isinstance(result, dict):
                if "images" in result:
                    result["images"] = ["!!!notbase64!!!" for _ in result["images"] or [None]]
                if "image" in result:
                    result["image"] = "!!!notbase64!!!"
            self._send(200, json.dumps(result).encode())
        except ApiError as exc:
            self._send(exc.status, json.dumps(exc.body).encode(), exc.headers)
        except Exception as exc:  # what A1111's exception middleware answers for an unexpected error
            error = pl.a1111_error(500, type(exc).__name__, str(exc))
            self._send(error.status, json.dumps(error.body).encode())

    def _send(self, status: int, payload: bytes, headers: Mapping[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True
