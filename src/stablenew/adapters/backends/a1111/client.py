"""A1111Client: JSON over an injected httpx.Client under the shared HTTP policy, with no secret leaks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from stablenew.adapters.backends.http import Budget, HttpPolicy, RetryPolicy, ServerFaults
from stablenew.domain.run.failures import BackendError

log = logging.getLogger("stablenew.a1111")
INTERRUPT_PATH = "/sdapi/v1/interrupt"
INTERRUPT_TIMEOUT_S = 10.0
START_HINT = " with --api"


def _unauthorized_hint(has_credentials: bool) -> str:
    if has_credentials:
        return "the configured [a1111] username/password were rejected"
    return ("the server wants --api-auth credentials: set [a1111] username and password "
            "(or STABLENEW_A1111__USERNAME / STABLENEW_A1111__PASSWORD)")


@dataclass(frozen=True, slots=True)
class Answer:
    """A decoded JSON answer and how many retries it took."""

    body: Any
    retries: int = 0


class A1111Client:
    """GET/POST JSON to the A1111 API; every failure becomes a BackendError with a FailureKind."""

    def __init__(self, http: httpx.Client, *, connect_timeout_s: float, policy: RetryPolicy,
                 secrets: tuple[str, ...] = (), has_credentials: bool = False) -> None:
        self.http = http
        self._secrets = tuple(s for s in secrets if s)
        self.faults = ServerFaults("A1111", self.base_url, START_HINT, _unauthorized_hint(has_credentials),
                                   self.redact)
        self.policy = HttpPolicy(http, self.faults, policy, connect_timeout_s=connect_timeout_s)

    @property
    def base_url(self) -> str:
        """The server address without any user:password part."""
        return str(self.http.base_url.copy_with(username=None, password=None)).rstrip("/")

    def where(self, method: str, path: str) -> str:
        """`A1111 at http://host:port: POST /path`, how messages name a call."""
        return f"{self.faults.label} at {self.base_url}: {method} {path}"

    def redact(self, text: str) -> str:
        """`text` with every configured secret replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def request(self, method: str, path: str, body: Any = None, *, timeout_s: float | None = None,
                retries: int | None = None, budget: Budget | None = None,
                on_timeout: Callable[[], None] | None = None) -> Answer:
        """One API call under the shared HTTP policy; BackendError(kind, retries) when it gives up.

        `budget` holds the stage's cancel token and deadline (every attempt and wait together);
        `on_timeout` runs after an attempt whose answer timed out, before any retry.
        """
        budget = budget or Budget()
        before = budget.retried
        where = f"{method} {path}"
        response = self.policy.send(
            where, lambda timeout: self.http.request(method, path, json=body, timeout=timeout), budget,
            timeout_s=timeout_s, retries=retries, on_answer_timeout=on_timeout,
        )
        return Answer(self.faults.json(response, where), retries=budget.retried - before)

    def malformed(self, method: str, path: str, what: str) -> BackendError:
        """The BackendError for a 200 answer whose body is not what the A1111 API documents."""
        return self.faults.malformed(f"{method} {path}", what)

    def interrupt(self) -> None:
        """POST /sdapi/v1/interrupt once; a failure is logged, never raised (it is a best effort)."""
        try:
            self.request("POST", INTERRUPT_PATH, {}, timeout_s=INTERRUPT_TIMEOUT_S, retries=0)
        except BackendError as exc:
            log.warning("could not interrupt the A1111 server: %s", exc)
