"""What an A1111 failure is called (BackendError.kind), whether it is worth retrying, what to say."""

from __future__ import annotations

import json
from typing import Any

import httpx

from stablenew.domain.errors import BackendError

# Kinds the retry policy retries: the network or a proxy in front of the server hiccuped.
TRANSIENT_KINDS = frozenset({"connection_refused", "connection_error", "timeout", "http_502", "http_503",
                             "http_504"})
_MAX_DETAIL = 300


def is_transient(exc: BaseException) -> bool:
    """True for errors the retry policy retries (connect errors, timeouts, 502/503/504)."""
    return isinstance(exc, BackendError) and exc.kind in TRANSIENT_KINDS


def _detail(response: httpx.Response) -> str:
    """A1111's error text: `errors`/`detail` of its JSON error body, else the start of the body."""
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text[:_MAX_DETAIL].strip()
    if isinstance(body, dict):
        parts = [str(body[key]) for key in ("error", "errors", "detail") if body.get(key)]
        text = ": ".join(dict.fromkeys(parts))
    else:
        text = json.dumps(body)
    return text[:_MAX_DETAIL]


def status_error(response: httpx.Response, where: str, *, has_credentials: bool) -> BackendError:
    """The BackendError for a non-2xx answer."""
    status = response.status_code
    detail = _detail(response)
    if status == 401:
        hint = ("the configured [a1111] username/password were rejected" if has_credentials else
                "the server wants --api-auth credentials: set [a1111] username and password "
                "(or STABLENEW_A1111__USERNAME / STABLENEW_A1111__PASSWORD)")
        return BackendError(f"{where}: HTTP 401 unauthorized: {hint}", kind="http_401_unauthorized")
    if status == 404:
        return BackendError(f"{where}: HTTP 404 not found ({detail}); is the server started with --api?",
                            kind="http_404")
    if status == 500 and "out of memory" in detail.lower():
        return BackendError(f"{where}: the GPU ran out of memory (HTTP 500: {detail}); "
                            "try a smaller size or batch", kind="oom")
    return BackendError(f"{where}: HTTP {status}: {detail or response.reason_phrase}", kind=f"http_{status}")


def transport_error(exc: httpx.HTTPError, where: str, timeout_s: float | None) -> BackendError:
    """The BackendError for a request that got no usable answer."""
    if isinstance(exc, httpx.TimeoutException):
        limit = f" after {round(timeout_s, 2):g} s" if timeout_s else ""
        return BackendError(f"{where}: timed out{limit} ({type(exc).__name__})", kind="timeout")
    if isinstance(exc, httpx.ConnectError):
        refused = "refused" in str(exc).lower()
        return BackendError(f"{where}: {'connection refused' if refused else 'cannot connect'} "
                            "(is the server running with --api, and is [a1111] base_url right?)",
                            kind="connection_refused" if refused else "connection_error")
    return BackendError(f"{where}: the connection failed ({type(exc).__name__}: {exc})",
                        kind="connection_error")


def malformed(where: str, what: str) -> BackendError:
    """The BackendError for a 200 answer whose body is not what the A1111 API documents."""
    return BackendError(f"{where}: malformed response ({what})", kind="malformed_response")
