"""ComfyUI HTTP calls over an injected httpx.Client, under the shared HTTP policy."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx

from stablenew.adapters.backends.http import Budget, HttpPolicy, RetryPolicy, ServerFaults

INTERRUPT_TIMEOUT_S = 10.0


def comfyui_retry_policy(retries: int = 3, backoff_s: float = 0.5) -> RetryPolicy:
    """ComfyUI's calls are short: waits grow from `backoff_s` to at most eight times it."""
    return RetryPolicy(retries=retries, backoff_s=backoff_s, max_backoff_s=max(backoff_s * 8, 0.01))


class ComfyUIClient:
    """One method per ComfyUI route; raises BackendError(kind=..., retries=n) when a call fails."""

    def __init__(self, http: httpx.Client, *, policy: RetryPolicy, connect_timeout_s: float = 10.0) -> None:
        self.http = http
        self.base_url = str(http.base_url).rstrip("/")
        self.faults = ServerFaults("ComfyUI", self.base_url)
        self.policy = HttpPolicy(http, self.faults, policy, connect_timeout_s=connect_timeout_s)

    def get_json(self, path: str, budget: Budget | None = None) -> Any:
        """GET `path` and decode its JSON answer."""
        what = f"GET {path}"
        response = self.policy.send(what, lambda timeout: self.http.get(path, timeout=timeout), budget)
        return self.faults.json(response, what)

    def post_prompt(self, body: dict[str, Any], budget: Budget | None = None) -> tuple[int, Any]:
        """POST /prompt; the status and decoded body (400 carries node_errors, the caller reads them)."""
        what = "POST /prompt"
        response = self.policy.send(
            what, lambda t: self.http.post("/prompt", json=body, timeout=t), budget, queues_work=True,
            accept=(400,),
        )
        return response.status_code, self.faults.json(response, what)

    def upload_image(self, data: bytes, filename: str, budget: Budget | None = None) -> dict[str, Any]:
        """POST /upload/image (multipart, type=input, overwrite); ComfyUI's name/subfolder/type answer."""
        what = "POST /upload/image"
        response = self.policy.send(
            what,
            lambda timeout: self.http.post(
                "/upload/image",
                files={"image": (filename, data, "image/png")},
                data={"type": "input", "overwrite": "true"},
                timeout=timeout,
            ),
            budget,
        )
        answer = self.faults.json(response, what)
        if not isinstance(answer, dict) or "name" not in answer:
            raise self.faults.malformed(what, f"unexpected answer {answer!r:.200}")
        return answer

    def view(self, image: dict[str, Any], budget: Budget | None = None) -> bytes:
        """GET /view for one output image entry ({filename, subfolder, type})."""
        params = {
            "filename": image.get("filename", ""),
            "subfolder": image.get("subfolder", ""),
            "type": image.get("type", "output"),
        }
        what = f"GET /view {params['filename']}"
        response = self.policy.send(what, lambda t: self.http.get("/view", params=params, timeout=t), budget)
        return response.content

    def interrupt(self, prompt_id: str | None = None) -> None:
        """Stop a prompt wherever it is (best effort: a failure must not hide the real outcome).

        POST /queue {"delete": [id]} first: ComfyUI's /interrupt only stops the prompt that is running,
        so a prompt still waiting in the queue would run later. Then POST /interrupt {"prompt_id": id},
        for the case that it is running (or started in between).
        """
        with contextlib.suppress(httpx.HTTPError):
            if prompt_id:
                self.http.post("/queue", json={"delete": [prompt_id]}, timeout=INTERRUPT_TIMEOUT_S)
            self.http.post("/interrupt", json={"prompt_id": prompt_id} if prompt_id else {},
                           timeout=INTERRUPT_TIMEOUT_S)
