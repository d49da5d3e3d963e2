"""HttpPolicy: one retry/deadline/cancel policy for every HTTP image backend (tenacity under it)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential

from stablenew.adapters.backends.http.budget import Budget
from stablenew.adapters.backends.http.faults import ServerFaults
from stablenew.domain.errors import CancelledError
from stablenew.domain.run.failures import FailureKind

log = logging.getLogger("stablenew.http")
TRANSIENT_STATUS = frozenset({502, 503, 504})  # a proxy in front of the server, or a restart


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a call is retried: `retries` more attempts, exponential waits."""

    retries: int = 3
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0


class _Transient(Exception):
    """A 502/503/504 answer: worth another try."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _retryable(exc: BaseException, queues_work: bool) -> bool:
    if isinstance(exc, _Transient):
        return True
    if queues_work and isinstance(exc, httpx.ReadTimeout):
        return False  # the server got the request and may have queued it: never send it twice
    return isinstance(exc, httpx.TransportError) and not isinstance(exc, httpx.UnsupportedProtocol)


class HttpPolicy:
    """Sends one call under the policy; every failure ends as BackendError(kind) or CancelledError.

    - retries: connection errors, timeouts and 502/503/504, with exponential backoff;
    - one deadline (the Budget's) over all attempts and waits: no attempt outlives it, no retry
      starts after it, and a time-out message says the limit that really applied;
    - a cancel during a backoff wait ends it at once.
    """

    def __init__(self, http: httpx.Client, faults: ServerFaults, retry: RetryPolicy, *,
                 connect_timeout_s: float) -> None:
        self.http = http
        self.faults = faults
        self.retry = retry
        self.connect_timeout_s = connect_timeout_s

    def _timeout(self, timeout_s: float | None, budget: Budget, where: str) -> tuple[httpx.Timeout, bool]:
        """The attempt's timeouts, none longer than what is left; True when the stage deadline caps it."""
        base = self.http.timeout
        read = timeout_s if timeout_s is not None else base.read
        left = budget.left_s()
        if left is not None and left <= 0:
            limit = f" of {budget.limit_s:g} s" if budget.limit_s is not None else ""
            raise self.faults.error(where, f"the stage timeout{limit} was reached before this request",
                                    FailureKind.TIMEOUT)
        capped = left is not None and (read is None or left < read)

        def cut(part: float | None) -> float | None:
            return part if left is None or (part is not None and part <= left) else left

        timeout = httpx.Timeout(connect=cut(self.connect_timeout_s), read=cut(read), write=cut(base.write),
                                pool=cut(base.pool))
        return timeout, capped

    def send(
        self, where: str, send: Callable[[httpx.Timeout], httpx.Response], budget: Budget | None = None, *,
        timeout_s: float | None = None, retries: int | None = None, queues_work: bool = False,
        accept: Collection[int] = (), on_answer_timeout: Callable[[], None] | None = None,
    ) -> httpx.Response:
        """The response of `send`; a status >= 400 not in `accept` raises BackendError.

        Retries are counted on `budget` (its `retried`), summed over the stage's calls.

        `timeout_s` bounds each attempt's wait for the answer (default: the client's read timeout).
        A call that `queues_work` is not retried after a read timeout. `on_answer_timeout` runs after
        an attempt whose answer timed out (the server may still be working on it), before any retry.
        """
        budget = budget or Budget()
        attempts, capped = 0, False

        def once() -> httpx.Response:
            nonlocal attempts, capped
            attempts += 1
            timeout, capped = self._timeout(timeout_s, budget, where)
            try:
                response = send(timeout)
            except httpx.ReadTimeout:
                if on_answer_timeout is not None:
                    on_answer_timeout()
                raise
            if response.status_code in TRANSIENT_STATUS and response.status_code not in accept:
                raise _Transient(response)
            return response

        most = 1 + (self.retry.retries if retries is None else retries)

        def stop(state: RetryCallState) -> bool:
            """Out of attempts, cancelled, or the next wait would end past the stage deadline."""
            left = budget.left_s()
            past_deadline = left is not None and state.upcoming_sleep >= left
            return state.attempt_number >= most or budget.cancelled or past_deadline

        def before_sleep(state: RetryCallState) -> None:
            budget.count_retry()
            error = state.outcome.exception() if state.outcome else None
            log.info("%s %s failed (%s); retry %d", self.faults.label, where, error, state.attempt_number)

        retrying = Retrying(
            stop=stop,
            wait=wait_exponential(multiplier=self.retry.backoff_s, max=self.retry.max_backoff_s),
            retry=retry_if_exception(lambda exc: _retryable(exc, queues_work)),
            sleep=budget.cancel.sleep if budget.cancel is not None else time.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            response = retrying(once)
        except (_Transient, httpx.HTTPError) as exc:
            if budget.cancelled:
                reason = budget.cancel.reason if budget.cancel is not None else None
                raise CancelledError(f"{reason or 'cancelled'} ({where} was not retried)") from None
            if isinstance(exc, _Transient):
                raise self.faults.status(exc.response, where, attempts - 1) from None
            waited = (self.connect_timeout_s if isinstance(exc, httpx.ConnectTimeout)
                      else timeout_s if timeout_s is not None else self.http.timeout.read)
            raise self.faults.transport(exc, where, waited_s=waited, retries=attempts - 1,
                                        stage_limit_s=budget.limit_s if capped else None) from None
        if response.status_code >= 400 and response.status_code not in accept:
            raise self.faults.status(response, where, attempts - 1)
        return response
