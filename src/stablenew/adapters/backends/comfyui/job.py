"""Waiting for one ComfyUI prompt: websocket progress, /history polling as fallback, stalls, cancel."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stablenew.adapters.backends.comfyui.client import ComfyUIClient
from stablenew.adapters.backends.comfyui.websocket import ProgressSocket
from stablenew.adapters.backends.http import Budget
from stablenew.domain.errors import CancelledError
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError, FailureKind, out_of_memory
from stablenew.domain.run.generation import StageProgress


@dataclass(frozen=True, slots=True)
class Timing:
    """How long to wait: overall, without any sign of life once running, and between /history polls."""

    timeout_s: float
    stall_timeout_s: float
    poll_interval_s: float


def stage_progress(stage: str, data: dict[str, Any]) -> StageProgress:
    """A websocket `progress` message (sampling step `value` of `max` at `node`) as a StageProgress."""
    value, maximum, node = data.get("value"), data.get("max"), data.get("node")
    detail = f"node {node}" if node is not None else ""
    if isinstance(value, int) and isinstance(maximum, int) and maximum > 0:
        return StageProgress(stage, value / maximum, step=value, total=maximum, detail=detail)
    return StageProgress(stage, 0.0, step=None, total=None, detail=detail)


def _failure(kind: str, data: dict[str, Any], cancel: CancelToken | None, server: str) -> Exception:
    where = f"{data.get('node_type', '?')} (node {data.get('node_id', '?')})"
    if kind == "execution_interrupted":
        if cancel is not None and cancel.cancelled:
            return CancelledError(f"cancelled; ComfyUI interrupted the prompt at {where}")
        return BackendError(
            f"{server}: the prompt was interrupted at {where} (by someone else?)",
            kind=FailureKind.INTERRUPTED,
        )
    message = f"{data.get('exception_type', 'error')}: {str(data.get('exception_message', '')).strip()}"
    if out_of_memory(message):
        return BackendError(f"{server}: out of memory at {where}: {message}; try a smaller size or batch",
                            kind=FailureKind.OUT_OF_MEMORY)
    return BackendError(f"{server}: execution failed at {where}: {message}", kind=FailureKind.EXECUTION_ERROR)


class JobWatcher:
    """Follows one prompt to its history entry; raises BackendError/CancelledError as it ends."""

    def __init__(
        self,
        client: ComfyUIClient,
        socket: ProgressSocket,
        timing: Timing,
        *,
        stage: str = "",
        report: Callable[[StageProgress], None] = lambda progress: None,
        clock: Callable[[], float] = time.monotonic,
        budget: Budget | None = None,
    ) -> None:
        self.client = client
        self.budget = budget  # the stage's: its /history polls count retries and stop at its deadline
        self.socket = socket
        self.timing = timing
        self.stage = stage
        self.report = report
        self.clock = clock
        self.channel = "websocket"

    def wait(
        self, prompt_id: str, cancel: CancelToken | None, deadline: float | None = None
    ) -> dict[str, Any]:
        """The prompt's /history entry once it completes, by `deadline` (on `clock`; default: from now)."""
        deadline = self.clock() + self.timing.timeout_s if deadline is None else deadline
        if not self.socket.dropped and self.socket.connection is not None:
            self._follow(prompt_id, cancel, deadline)
        if self.socket.dropped:
            self.channel = "history polling (websocket unavailable)"
        return self._poll(prompt_id, cancel, deadline)

    def _give_up(self, prompt_id: str, message: str, kind: FailureKind) -> BackendError:
        self.client.interrupt(prompt_id)
        return BackendError(message, kind=kind)

    def _timed_out(self, prompt_id: str) -> BackendError:
        return self._give_up(
            prompt_id,
            f"{self.server}: prompt {prompt_id} did not finish within the stage timeout "
            f"({self.timing.timeout_s:g} s); interrupted",
            FailureKind.TIMEOUT,
        )

    def _follow(self, prompt_id: str, cancel: CancelToken | None, deadline: float) -> None:
        started, last_sign = False, self.clock()
        for message in self.socket.messages(min(self.timing.poll_interval_s, 1.0)):
            now, kind = self.clock(), message.get("type")
            data = message.get("data") or {}
            if cancel is not None and cancel.cancelled:
                raise CancelledError(cancel.reason or "cancelled")
            if now > deadline:
                raise self._timed_out(prompt_id)
            if started and now - last_sign > self.timing.stall_timeout_s:
                raise self._give_up(
                    prompt_id,
                    f"{self.server} stalled: no progress for {self.timing.stall_timeout_s:g} "
                    f"s on prompt {prompt_id}; interrupted",
                    FailureKind.STALLED,
                )
            if kind == "preview" and started:
                last_sign = now
            if not isinstance(data, dict) or data.get("prompt_id") != prompt_id:
                continue
            started, last_sign = True, now
            if kind == "progress":
                self.report(stage_progress(self.stage, data))
            elif kind in ("execution_error", "execution_interrupted"):
                raise _failure(kind, data, cancel, self.server)
            elif kind == "execution_success" or (kind == "executing" and data.get("node") is None):
                return

    def _poll(self, prompt_id: str, cancel: CancelToken | None, deadline: float) -> dict[str, Any]:
        while True:
            if cancel is not None and cancel.cancelled:
                raise CancelledError(cancel.reason or "cancelled")
            try:
                history = self.client.get_json(f"/history/{prompt_id}", self.budget)
            except BackendError as exc:
                if exc.kind is FailureKind.TIMEOUT and self.clock() > deadline:
                    raise self._timed_out(prompt_id) from None
                raise
            entry = history.get(prompt_id) if isinstance(history, dict) else None
            if isinstance(entry, dict):
                return self._finished(entry, cancel, self.server)
            if self.clock() > deadline:
                raise self._timed_out(prompt_id)
            if cancel is not None:
                cancel.wait(self.timing.poll_interval_s)
            else:
                time.sleep(self.timing.poll_interval_s)

    @property
    def server(self) -> str:
        """`ComfyUI at http://host:port`, how messages name the server."""
        return f"ComfyUI at {self.client.base_url}"

    @staticmethod
    def _finished(entry: dict[str, Any], cancel: CancelToken | None, server: str) -> dict[str, Any]:
        status = entry.get("status") or {}
        if status.get("status_str") == "error":
            for event, data in status.get("messages") or []:
                if event in ("execution_error", "execution_interrupted"):
                    raise _failure(event, data, cancel, server)
            raise BackendError(f"{server} reports the prompt failed (no details)",
                               kind=FailureKind.EXECUTION_ERROR)
        return entry
