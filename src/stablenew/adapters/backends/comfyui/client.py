"""ComfyUI HTTP calls over an injected httpx.Client, with tenacity retries for transient failures."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

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

from stablenew.adapters.backends.comfyui.budget import Budget
from stablenew.domain.errors import BackendError, CancelledError

T = TypeVar("T")
TRANSIENT_STATUS = frozenset({502, 503, 504})


class _StopWhen(stop_base):
    """A tenacity stop condition from a plain predicate (typed, unlike a bare callable)."""

    def __init__(self, predicate: Callable[[RetryCallState], bool]) -> None:
        self.predicate = predicate

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.predicate(retry_state)


class _Transient(Exception):
    """A 502/503/504 answer: worth another try."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, _Transient | httpx.TransportError) and not isinstance(
        exc, httpx.UnsupportedProtocol
    )


def _error(exc: BaseException, what: str, retries: int) -> BackendError:
    tried = f" after {retries + 1} attempts" if retries else ""
    if isinstance(exc, _Transient):
        code = exc.response.status_code
        return BackendError(f"ComfyUI {what}: HTTP {code}{tried}", kind=f"http_{code}", retries=retries)
    if isinstance(exc, httpx.ConnectError):
        return BackendError(
            f"ComfyUI {what}: cannot connect ({exc}){tried}; is ComfyUI running?",
            kind="connection_refused",
            retries=retries,
        )
    if isinstance(exc, httpx.TimeoutException):
        return BackendError(f"ComfyUI {what}: {type(exc).__name__}{tried}", kind="timeout", retries=retries)
    return BackendError(
        f"ComfyUI {what}: {type(exc).__name__}: {exc}{tried}", kind="connection_error", retries=retries
    )


class ComfyUIClient:
    """One method per ComfyUI route; raises BackendError(kind=..., retries=n) when a call fails."""

    def __init__(self, http: httpx.Client, *, retries: int = 3, backoff_s: float = 0.5) -> None:
        self.http = http
        self.retries = retries
        self.backoff_s = backoff_s

    def _timeout(self, budget: Budget) -> httpx.Timeout:
        """The client's timeouts, none of them longer than what is left of the stage."""
        left = budget.left_s()
        base = self.http.timeout
        if left is None:
            return base
        if left <= 0:
            raise BackendError("ComfyUI: the stage timeout was reached", kind="timeout")
        parts = (base.connect, base.read, base.write, base.pool)
        connect, read, write, pool = (left if part is None else min(part, left) for part in parts)
        return httpx.Timeout(connect=connect, read=read, write=write, pool=pool)

    def _call(
        self, what: str, send: Callable[[httpx.Timeout], httpx.Response], budget: Budget | None,
        *, queues_work: bool = False,
    ) -> tuple[httpx.Response, int]:
        """The response (after retrying 502/503/504 and transport errors) and how many retries it took.

        A call that `queues_work` is not retried after a read timeout: the server may have queued it.
        """
        budget = budget or Budget()
        attempts = {"n": 0}

        def once() -> httpx.Response:
            attempts["n"] += 1
            response = send(self._timeout(budget))
            if response.status_code in TRANSIENT_STATUS:
                raise _Transient(response)
            return response

        def past_deadline(state: RetryCallState) -> bool:
            left = budget.left_s()
            return left is not None and state.upcoming_sleep >= left

        retrying = Retrying(
            stop=stop_any(
                stop_after_attempt(self.retries + 1),
                _StopWhen(lambda _state: budget.cancel is not None and budget.cancel.cancelled),
                _StopWhen(past_deadline),
            ),
            reraise=True,
            before_sleep=lambda _state: budget.count_retry(),
            sleep=budget.cancel.sleep if budget.cancel is not None else time.sleep,
            wait=wait_exponential(multiplier=self.backoff_s, max=max(self.backoff_s * 8, 0.01)),
            retry=retry_if_exception(
                lambda exc: _is_transient(exc) and not (queues_work and isinstance(exc, httpx.ReadTimeout))
            ),
        )
        try:
            response = retrying(once)
        except (_Transient, httpx.TransportError) as exc:
            if budget.cancel is not None and budget.cancel.cancelled:
                reason = budget.cancel.reason or "cancelled"
                raise CancelledError(f"{reason} ({what} was not retried)") from None
            raise _error(exc, what, attempts["n"] - 1) from exc
        return response, attempts["n"] - 1

    @staticmethod
    def _json(response: httpx.Response, what: str) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BackendError(
                f"ComfyUI {what}: malformed JSON answer ({exc})", kind="malformed_response"
            ) from exc

    @staticmethod
    def _checked(answer: tuple[httpx.Response, int], what: str) -> httpx.Response:
        response, retries = answer
        if response.status_code >= 400:
            body = response.text[:300].strip()
            raise BackendError(
                f"ComfyUI {what}: HTTP {response.status_code} {body}".rstrip(),
                kind=f"http_{response.status_code}",
                retries=retries,
            )
        return response

    def get_json(self, path: str, budget: Budget | None = None) -> Any:
        """GET `path` and decode its JSON answer."""
        what = f"GET {path}"
        answer = self._call(what, lambda timeout: self.http.get(path, timeout=timeout), budget)
        return self._json(self._checked(answer, what), what)

    def post_prompt(self, body: dict[str, Any], budget: Budget | None = None) -> tuple[int, Any]:
        """POST /prompt; the status and decoded body (400 carries node_errors, the caller reads them)."""
        what = "POST /prompt"
        answer = self._call(
            what, lambda t: self.http.post("/prompt", json=body, timeout=t), budget, queues_work=True
        )
        if answer[0].status_code != 400:
            self._checked(answer, what)
        return answer[0].status_code, self._json(answer[0], what)

    def upload_image(self, data: bytes, filename: str, budget: Budget | None = None) -> dict[str, Any]:
        """POST /upload/image (multipart, type=input, overwrite); ComfyUI's name/subfolder/type answer."""
        what = "POST /upload/image"
        response = self._call(
            what,
            lambda timeout: self.http.post(
                "/upload/image",
                files={"image": (filename, data, "image/png")},
                data={"type": "input", "overwrite": "true"},
                timeout=timeout,
            ),
            budget,
        )
        answer = self._json(self._checked(response, what), what)
        if not isinstance(answer, dict) or "name" not in answer:
            raise BackendError(
                f"ComfyUI {what}: unexpected answer {answer!r:.200}", kind="malformed_response"
            )
        return answer

    def view(self, image: dict[str, Any], budget: Budget | None = None) -> bytes:
        """GET /view for one output image entry ({filename, subfolder, type})."""
        params = {
            "filename": image.get("filename", ""),
            "subfolder": image.get("subfolder", ""),
            "type": image.get("type", "output"),
        }
        what = f"GET /view {params['filename']}"
        answer = self._call(what, lambda t: self.http.get("/view", params=params, timeout=t), budget)
        return self._checked(answer, what).content

    def interrupt(self, prompt_id: str | None = None) -> None:
        """Stop a prompt wherever it is (best effort: a failure must not hide the real outcome).

        POST /queue {"delete": [id]} first: ComfyUI's /interrupt only stops the prompt that is running,
        so a prompt still waiting in the queue would run later. Then POST /interrupt {"prompt_id": id},
        for the case that it is running (or started in between).
        """
        with contextlib.suppress(httpx.HTTPError):
            if prompt_id:
                self.http.post("/queue", json={"delete": [prompt_id]})
            self.http.post("/interrupt", json={"prompt_id": prompt_id} if prompt_id else {})

