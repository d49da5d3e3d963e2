"""What a failed HTTP call to an image server is called (FailureKind) and what the one line says."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from stablenew.domain.run.failures import BackendError, FailureKind, http_status_kind, out_of_memory

MAX_DETAIL = 300


def _one_line(text: str) -> str:
    return " ".join(text.split())[:MAX_DETAIL]


def looks_like_html(response: httpx.Response) -> bool:
    """True when the body is a web page (a proxy's or another app's), not an API answer."""
    if "html" in response.headers.get("content-type", "").lower():
        return True
    return response.content[:200].lstrip().lower().startswith((b"<!doctype", b"<html", b"<head", b"<body"))


def _fastapi_detail(detail: list[Any]) -> str:
    """FastAPI's 422 list (`[{"loc": ["body", "steps"], "msg": ...}]`) as `body.steps: msg; ...`."""
    parts = []
    for item in detail:
        if isinstance(item, dict):
            loc = ".".join(str(part) for part in item.get("loc") or ())
            parts.append(f"{loc}: {item.get('msg', '')}".strip(": "))
        else:
            parts.append(str(item))
    return "; ".join(parts)


def error_detail(response: httpx.Response) -> str:
    """The server's own error text in one short line: JSON `error`/`errors`/`detail`, else the body
    start; a web page is named as such, never quoted."""
    if looks_like_html(response):
        return "an HTML page"
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _one_line(response.text)
    if isinstance(body, dict):
        parts = []
        for key in ("error", "errors", "detail", "message"):
            value = body.get(key)
            if isinstance(value, list):
                value = _fastapi_detail(value)
            elif isinstance(value, dict):
                value = value.get("message") or json.dumps(value)
            if value:
                parts.append(str(value))
        return _one_line(": ".join(dict.fromkeys(parts)) or json.dumps(body))
    return _one_line(json.dumps(body))


@dataclass(frozen=True, slots=True)
class ServerFaults:
    """Turns transport errors and bad answers of one server into BackendErrors with a FailureKind.

    Every message names the server and its URL (`A1111 at http://127.0.0.1:7860: POST /x: ...`),
    carries no secret (`redact`) and quotes no web page.
    """

    label: str  # "A1111", "ComfyUI"
    base_url: str  # without any user:password part
    start_hint: str = ""  # how the server must be started, for a refused connection or a 404
    unauthorized_hint: str = "the server wants credentials"
    redact: Callable[[str], str] = field(default=lambda text: text)

    def error(self, where: str, text: str, kind: FailureKind, retries: int = 0) -> BackendError:
        """A BackendError `<label> at <url>: <where>: <text>`, secrets removed."""
        tried = f" (after {retries + 1} attempts)" if retries else ""
        message = f"{self.label} at {self.base_url}: {where}: {text}{tried}"
        return BackendError(self.redact(message), kind=kind, retries=retries)

    def transport(self, exc: httpx.HTTPError, where: str, *, waited_s: float | None,
                  stage_limit_s: float | None = None, retries: int = 0) -> BackendError:
        """No usable answer: refused, timed out (the real limit said), or the connection broke."""
        if isinstance(exc, httpx.TimeoutException):
            if stage_limit_s is not None:
                text = f"the stage timeout of {stage_limit_s:g} s was reached"
            else:
                text = f"no answer within {waited_s:.3g} s" if waited_s else "timed out"
            return self.error(where, f"{text} ({type(exc).__name__})", FailureKind.TIMEOUT, retries)
        if isinstance(exc, httpx.ConnectError):
            refused = "refused" in str(exc).lower()
            text = "connection refused" if refused else f"cannot connect ({exc})"
            section = self.label.lower()
            hint = f" (is {self.label} running{self.start_hint}, and is [{section}] base_url right?)"
            kind = FailureKind.CONNECTION_REFUSED if refused else FailureKind.CONNECTION_ERROR
            return self.error(where, text + hint, kind, retries)
        return self.error(where, f"the connection failed ({type(exc).__name__}: {exc})",
                          FailureKind.CONNECTION_ERROR, retries)

    def status(self, response: httpx.Response, where: str, retries: int = 0) -> BackendError:
        """A non-2xx answer, by status and what the body says."""
        status, detail = response.status_code, error_detail(response)
        kind = http_status_kind(status)
        if kind is FailureKind.UNAUTHORIZED:
            return self.error(where, f"HTTP {status} unauthorized: {self.unauthorized_hint}", kind, retries)
        if kind is FailureKind.NOT_API or detail == "an HTML page":
            return self.not_api(where, f"HTTP {status} {detail or response.reason_phrase}", retries)
        if kind is FailureKind.SERVER_ERROR and out_of_memory(detail):
            return self.error(where, f"the server ran out of memory (HTTP {status}: {detail}); "
                              "try a smaller size or batch", FailureKind.OUT_OF_MEMORY, retries)
        return self.error(where, f"HTTP {status}: {detail or response.reason_phrase}", kind, retries)

    def not_api(self, where: str, what: str, retries: int = 0) -> BackendError:
        """The address answers, but not as this server's API (a 404, a web page)."""
        return self.error(where, f"{what}: this is not the {self.label} API{self.start_hint_text()}",
                          FailureKind.NOT_API, retries)

    def start_hint_text(self) -> str:
        """` (is the server started with --api?)` when there is a start hint."""
        started = f"is it started{self.start_hint}, and " if self.start_hint else ""
        return f" ({started}is [{self.label.lower()}] base_url right?)"

    def json(self, response: httpx.Response, where: str) -> Any:
        """The decoded JSON body; NOT_API for a web page, BAD_RESPONSE for anything else not JSON."""
        if looks_like_html(response):
            raise self.not_api(where, f"HTTP {response.status_code} an HTML page")
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise self.malformed(where, f"not JSON: {exc}") from None

    def malformed(self, where: str, what: str) -> BackendError:
        """A 200 answer whose body is not what the API documents."""
        return self.error(where, f"malformed response ({what})", FailureKind.BAD_RESPONSE)
