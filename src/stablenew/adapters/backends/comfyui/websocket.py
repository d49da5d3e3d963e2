"""The ComfyUI websocket (/ws?clientId=…): progress messages for our prompt; None when it drops."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

log = logging.getLogger("stablenew.comfyui")
IDLE = {"type": "idle", "data": {}}  # yielded when nothing arrived within the poll interval


def ws_url(base_url: str, client_id: str) -> str:
    """ws(s)://host/ws?clientId=… for an http(s) base URL."""
    scheme, _, rest = base_url.rstrip("/").partition("://")
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/ws?clientId={client_id}"


class ProgressSocket:
    """A sync websocket client; `messages()` yields decoded JSON messages, IDLE ticks, and ends on a drop."""

    def __init__(self, url: str, *, open_timeout_s: float) -> None:
        self.url = url
        self.open_timeout_s = open_timeout_s
        self.connection: ClientConnection | None = None
        self.dropped = False
        self._stack = contextlib.ExitStack()

    def open(self) -> bool:
        """Connect; False (and a debug log) when the server refuses, so the caller polls instead."""
        try:
            self.connection = self._stack.enter_context(
                connect(self.url, open_timeout=self.open_timeout_s, max_size=None, close_timeout=1)
            )
        except (OSError, TimeoutError, WebSocketException) as exc:
            log.info("ComfyUI websocket unavailable (%s); polling /history instead", exc)
            self.dropped = True
            return False
        return True

    def messages(self, tick_s: float) -> Iterator[dict[str, Any]]:
        """Text messages as dicts; binary previews as {"type": "preview"}; IDLE after `tick_s` of silence."""
        while self.connection is not None:
            try:
                frame = self.connection.recv(timeout=tick_s)
            except TimeoutError:
                yield IDLE
                continue
            except (OSError, WebSocketException) as exc:
                log.info("ComfyUI websocket dropped (%s); polling /history instead", exc)
                self.dropped = True
                self.close()
                return
            if isinstance(frame, bytes):
                yield {"type": "preview", "data": {}}
                continue
            try:
                message = json.loads(frame)
            except ValueError:
                log.info("ComfyUI websocket sent a malformed frame; ignored")
                continue
            if isinstance(message, dict):
                yield message

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.connection = None
        with contextlib.suppress(OSError, WebSocketException):
            self._stack.close()
