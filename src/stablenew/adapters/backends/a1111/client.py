"""A1111Client: JSON over an injected httpx.Client, with a tenacity retry policy and no secret leaks."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
    wait_exponential,
)
from tenacity.stop import stop_base

from stablenew.adapters.backends.a1111.faults import is_transient, malformed, status_error, transport_error
from stablenew.domain.errors import BackendError, CancelledError
from stablenew.domain.run.cancel import CancelToken

log = logging.getLogger("stablenew.a1111")
INTERRUPT_PATH = "/sdapi/v1/interrupt"


class _StopWhen(stop_base):
    """A tenacity stop condition from a plain predicate (typed, unlike a bare callable)."""

    def __init__(self, predicate: Callable[[RetryCallState], bool]) -> None:
        self.predicate = predicate

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.predicate(retry_state)


class _AnswerTimeout(BackendError):
    """A request that was sent but whose answer did not come in time (the server may still run it)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a request is retried: `retries` more attempts, exponential waits."""

    retries: int = 3
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0


@dataclass(frozen=True, slots=True)
class Answer:
    """A decoded JSON answer and how many retries it took."""

    body: Any
    retries: int = 0


class A1111Client:
    """GET/POST JSON to the A1111 API; every failure becomes a BackendError with a kind."""

    def __init__(self, http: httpx.Client, *, connect_timeout_s: float, policy: RetryPolicy,
                 secrets: tuple[str, ...] = (), has_credentials: bool = False) -> None:
        self.http = http
        self.connect_timeout_s = connect_timeout_s
        self.policy = policy
        self._secrets = tuple(s for s in secrets if s)
        self._has_credentials = has_credentials

    @property
    def base_url(self) -> str:
        """The server address without any user:password part."""
        return str(self.http.base_url.copy_with(username=None, password=None)).rstrip("/")

    def redact(self, text: str) -> str:
        """`text` with every configured secret replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def request(self, method: str, path: str, body: Any = None, *, timeout_s: float,
                retries: int | None = None, cancel: CancelToken | None = None, deadline: float | None = None,
                on_timeout: Callable[[], None] | None = None) -> Answer:
        """One API call under the retry policy; raises BackendError(kind, retries) when it gives up.

        `deadline` (time.monotonic()) bounds every attempt and wait together: no attempt outlives it
        and no retry starts after it. `on_timeout` runs after an attempt whose answer timed out (the
        server got the request and may still be working on it), before any retry. A cancel during a
        backoff wait ends it at once with CancelledError.
        """
        attempts = 0
        retrying = Retrying(
            stop=stop_any(
                stop_after_attempt(1 + (self.policy.retries if retries is None else retries)),
                _StopWhen(lambda _state: cancel is not None and cancel.cancelled),
                _StopWhen(lambda state: deadline is not None
                          and time.monotonic() + state.upcoming_sleep >= deadline),
            ),
            wait=wait_exponential(multiplier=self.policy.backoff_s, max=self.policy.max_backoff_s),
            retry=retry_if_exception(is_transient),
            sleep=cancel.sleep if cancel is not None else time.sleep,
            before_sleep=lambda state: log.info("%s %s failed (%s); retry %d", method, path,
                                                state.outcome.exception() if state.outcome else "",
                                                state.attempt_number),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    limit = timeout_s if deadline is None else min(timeout_s, deadline - time.monotonic())
                    try:
                        return Answer(self._once(method, path, body, limit), retries=attempts - 1)
                    except _AnswerTimeout:
                        if on_timeout is not None:
                            on_timeout()
                        raise
        except BackendError as exc:
            if cancel is not None and cancel.cancelled:
                reason = cancel.reason or "cancelled"
                raise CancelledError(f"{reason} ({method} {path} was not retried)") from None
            exc.retries = max(attempts - 1, 0)
            raise
        raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover

    def interrupt(self) -> None:
        """POST /sdapi/v1/interrupt once; a failure is logged, never raised (it is a best effort)."""
        try:
            self._once("POST", INTERRUPT_PATH, {}, timeout_s=10.0)
        except BackendError as exc:
            log.warning("could not interrupt the A1111 server: %s", exc)

    def _once(self, method: str, path: str, body: Any, timeout_s: float) -> Any:
        where = f"{method} {path}"
        if timeout_s <= 0:
            raise BackendError(f"{where}: the stage timeout was reached before this request", kind="timeout")
        timeout = httpx.Timeout(timeout_s, connect=min(self.connect_timeout_s, timeout_s))
        try:
            response = self.http.request(method, path, json=body, timeout=timeout)
        except httpx.ReadTimeout as exc:
            error = self._clean(transport_error(exc, where, timeout_s))
            raise _AnswerTimeout(str(error), kind=error.kind) from None
        except httpx.HTTPError as exc:
            raise self._clean(transport_error(exc, where, timeout_s)) from None
        if response.status_code >= 400:
            raise self._clean(status_error(response, where, has_credentials=self._has_credentials))
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise self._clean(malformed(where, f"not JSON: {exc}")) from None

    def _clean(self, error: BackendError) -> BackendError:
        return BackendError(self.redact(str(error)), kind=error.kind, retries=error.retries)

