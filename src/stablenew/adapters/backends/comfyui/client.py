"""ComfyUI HTTP calls over an injected httpx.Client, with tenacity retries for transient failures."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from stablenew.domain.errors import BackendError

T = TypeVar("T")
TRANSIENT_STATUS = frozenset({502, 503, 504})


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
        self.last_retries = 0
        self.retried = 0  # retries summed over calls since the caller last reset it

    def _call(self, what: str, send: Callable[[], httpx.Response]) -> httpx.Response:
        attempts = {"n": 0}

        def once() -> httpx.Response:
            attempts["n"] += 1
            response = send()
            if response.status_code in TRANSIENT_STATUS:
                raise _Transient(response)
            return response

        def count(state: RetryCallState) -> None:
            self.retried += 1

        retrying = Retrying(
            stop=stop_after_attempt(self.retries + 1),
            reraise=True,
            before_sleep=count,
            wait=wait_exponential(multiplier=self.backoff_s, max=max(self.backoff_s * 8, 0.01)),
            retry=retry_if_exception(_is_transient),
        )
        try:
            response = retrying(once)
        except (_Transient, httpx.TransportError) as exc:
            raise _error(exc, what, attempts["n"] - 1) from exc
        self.last_retries = attempts["n"] - 1
        return response

    @staticmethod
    def _json(response: httpx.Response, what: str) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BackendError(
                f"ComfyUI {what}: malformed JSON answer ({exc})", kind="malformed_response"
            ) from exc

    def _checked(self, response: httpx.Response, what: str) -> httpx.Response:
        if response.status_code >= 400:
            body = response.text[:300].strip()
            raise BackendError(
                f"ComfyUI {what}: HTTP {response.status_code} {body}".rstrip(),
                kind=f"http_{response.status_code}",
                retries=self.last_retries,
            )
        return response

    def get_json(self, path: str) -> Any:
        """GET `path` and decode its JSON answer."""
        what = f"GET {path}"
        return self._json(self._checked(self._call(what, lambda: self.http.get(path)), what), what)

    def post_prompt(self, body: dict[str, Any]) -> tuple[int, Any]:
        """POST /prompt; the status and decoded body (400 carries node_errors, the caller reads them)."""
        response = self._call("POST /prompt", lambda: self.http.post("/prompt", json=body))
        if response.status_code != 400:
            self._checked(response, "POST /prompt")
        return response.status_code, self._json(response, "POST /prompt")

    def upload_image(self, data: bytes, filename: str) -> dict[str, Any]:
        """POST /upload/image (multipart, type=input, overwrite); ComfyUI's name/subfolder/type answer."""
        what = "POST /upload/image"
        response = self._call(
            what,
            lambda: self.http.post(
                "/upload/image",
                files={"image": (filename, data, "image/png")},
                data={"type": "input", "overwrite": "true"},
            ),
        )
        answer = self._json(self._checked(response, what), what)
        if not isinstance(answer, dict) or "name" not in answer:
            raise BackendError(
                f"ComfyUI {what}: unexpected answer {answer!r:.200}", kind="malformed_response"
            )
        return answer

    def view(self, image: dict[str, Any]) -> bytes:
        """GET /view for one output image entry ({filename, subfolder, type})."""
        params = {
            "filename": image.get("filename", ""),
            "subfolder": image.get("subfolder", ""),
            "type": image.get("type", "output"),
        }
        what = f"GET /view {params['filename']}"
        return self._checked(self._call(what, lambda: self.http.get("/view", params=params)), what).content

    def interrupt(self, prompt_id: str | None = None) -> None:
        """POST /interrupt (best effort: a failure here must not hide the real outcome)."""
        with contextlib.suppress(httpx.HTTPError):
            self.http.post("/interrupt", json={"prompt_id": prompt_id} if prompt_id else {})
