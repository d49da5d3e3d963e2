"""A real ComfyUI-compatible HTTP + websocket server for tests, with faults on demand.

It is an ``aiohttp`` application (as ComfyUI's own ``server.py`` is) that runs in its own event loop
on a daemon thread, bound to ``127.0.0.1`` on a free port. It speaks the ComfyUI API contract:

* ``GET /system_stats``, ``GET /object_info[/{class}]``, ``GET /embeddings``, ``GET /models[/{folder}]``
* ``POST /prompt`` (validated like ComfyUI: 400 ``{"error", "node_errors"}`` or 200
  ``{"prompt_id", "number", "node_errors"}``), ``GET /prompt`` (queue info)
* ``GET /history``, ``GET /history/{prompt_id}``, ``POST /history`` (``clear`` / ``delete``)
* ``GET /queue``, ``POST /queue`` (``clear`` / ``delete``), ``POST /interrupt``, ``POST /free``
* ``GET /view?filename=&subfolder=&type=[&preview=jpeg;90]``, ``POST /upload/image`` (multipart)
* ``GET /ws?clientId=...``: the websocket that carries ``status``, ``execution_start``,
  ``execution_cached``, ``executing``, ``progress``, ``executed``, ``execution_success``,
  ``execution_error``, ``execution_interrupted`` and binary preview frames;

every route also answers under ``/api`` as in ComfyUI. Jobs run one at a time in the background.
Outputs are real PNG files (in a temporary directory) that carry the graph in a ``prompt`` text
chunk, sized from the graph (EmptyLatentImage or the LoadImage file, x upscale factors, x batch).

ComfyUI's execution cache is reproduced: a node whose class, own values and upstream nodes are
unchanged since the previous prompt is not run again (``execution_cached`` lists it); a prompt that
is entirely cached runs nothing, sends no ``executed`` and reports the earlier run's outputs.

Message order for one prompt (``client_id`` only) is ComfyUI's: ``execution_start``,
``execution_cached``, then per node run ``executing`` [``progress`` x steps + one binary preview for
KSampler] [``executed`` for SaveImage], then ``execution_success`` (or ``execution_error`` /
``execution_interrupted``), the history entry is written, a ``status`` broadcast, and last
``executing`` with ``node: null``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import io
import json
import mimetypes
import os
import struct
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSCloseCode, web
from PIL import Image, PngImagePlugin

from . import comfyui_catalog as catalog
from .comfyui_validation import execution_order, id_key, node_signatures, validate_prompt

FAULT_KINDS = ("status", "node_errors", "ws_drop", "execution_error", "malformed_json", "timeout")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")
OOM_MESSAGE = (
    "Allocation on device \nThis error means you ran out of memory on your GPU.\n\nTIPS: If the workflow "
    "worked before you might have accidentally set the batch_size to a large number."
)
PREVIEW_IMAGE = 1  # ComfyUI's BinaryEventTypes.PREVIEW_IMAGE
PREVIEW_JPEG = 1  # image format word that follows it (1 = JPEG, 2 = PNG)


@dataclass
class ComfyFault:
    """A fault served instead of (or on top of) the normal answer, FIFO per path, ``times`` times.

    kind:
      * ``"status"``: answer with HTTP ``status`` (on ``/ws`` the upgrade is refused with it).
      * ``"node_errors"``: ``POST /prompt`` answers 400 with ``error`` + ``node_errors``.
      * ``"ws_drop"``: on ``/ws`` (or ``/prompt``): the client's websocket is cut (no close frame)
        right after the first ``progress`` message; the job still completes into history.
      * ``"execution_error"``: on ``/prompt``: accepted, then fails at the KSampler with an
        ``execution_error`` message and history status ``error``.
      * ``"malformed_json"``: 200 with a truncated JSON body (on ``/ws``: a broken text frame).
      * ``"timeout"``: wait ``delay_s`` (interruptible by ``stop``) before answering normally.
    message: the exception message / validation details of an injected error (optional).
    """

    kind: str
    status: int = 500
    delay_s: float = 0
    times: int = 1
    message: str = ""

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown ComfyFault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.times < 1:
            raise ValueError("ComfyFault.times must be >= 1")


class _Interrupted(Exception):
    pass


class _InjectedFailure(Exception):
    pass


@dataclass
class _Job:
    number: float
    prompt_id: str
    graph: dict[str, Any]
    extra_data: dict[str, Any]
    outputs: list[str]
    fault: ComfyFault | None = None
    interrupted: asyncio.Event = field(default_factory=asyncio.Event)
    last_node: str | None = None
    preview_sent: bool = False
    drop_checked: bool = False

    @property
    def client_id(self) -> str | None:
        return self.extra_data.get("client_id")

    def queue_item(self) -> list[Any]:
        return [self.number, self.prompt_id, self.graph, self.extra_data, self.outputs]


def _ms() -> int:
    return int(time.time() * 1000)


def _color(blob: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(blob.encode()).digest()
    return digest[0], digest[1], digest[2]


def _inside(root: str, path: str) -> bool:
    return os.path.commonpath((root, os.path.abspath(path))) == root



async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Wait for `event` up to `seconds`. Not asyncio.wait_for: on Python 3.11 it swallows a cancel that
    arrives just as the event is set (the server's stop sets `interrupted` and cancels the worker at
    once), which left the worker running and stop() waiting 10 s for its thread."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()

class FakeComfyUIServer:
    """See the module docstring. Use as a context manager or ``start()`` / ``stop()``."""

    def __init__(
        self,
        *,
        checkpoints: tuple[str, ...] | list[str] = catalog.DEFAULT_CHECKPOINTS,
        samplers: tuple[str, ...] | list[str] = catalog.DEFAULT_SAMPLERS,
        schedulers: tuple[str, ...] | list[str] = catalog.DEFAULT_SCHEDULERS,
        upscale_models: tuple[str, ...] | list[str] = catalog.DEFAULT_UPSCALE_MODELS,
        vaes: tuple[str, ...] | list[str] = catalog.DEFAULT_VAES,
        loras: tuple[str, ...] | list[str] = catalog.DEFAULT_LORAS,
        step_delay_s: float = 0.0,
        resend_cached_outputs: bool = False,
        reports_version: bool = True,
    ) -> None:
        self.checkpoints = tuple(checkpoints)
        self.samplers = tuple(samplers)
        self.schedulers = tuple(schedulers)
        self.upscale_models = tuple(upscale_models)
        self.vaes = tuple(vaes)
        self.loras = tuple(loras)
        self.step_delay_s = step_delay_s  # may be changed while running
        # Newer ComfyUI (2025+) re-sends ``executed`` with the cached UI for cached output nodes.
        self.resend_cached_outputs = resend_cached_outputs
        # Older ComfyUI releases have no ``system.comfyui_version`` in ``/system_stats``.
        self.reports_version = reports_version

        self.base_url = ""
        self.prompts: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self.uploads: list[dict[str, Any]] = []
        self.interrupts = 0
        self.history: dict[str, dict[str, Any]] = {}

        self._faults: dict[str, deque[list[Any]]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._startup_error: BaseException | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._dirs: dict[str, str] = {}
        # Loop-side state.
        self._stop_requested: asyncio.Event | None = None
        self._stopping: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._pending: list[_Job] = []
        self._running: _Job | None = None
        self._number = 0
        self._sockets: dict[str, tuple[web.WebSocketResponse, web.Request]] = {}
        self._cache_outputs: dict[str, tuple[Any, ...]] = {}
        self._cache_ui: dict[str, dict[str, Any]] = {}
        self._request_state: dict[int, dict[str, Any]] = {}  # per in-flight request: parsed body, fault

    # ------------------------------------------------------------------ lifecycle (test thread)
    def start(self) -> FakeComfyUIServer:
        if self._thread is not None:
            raise RuntimeError("FakeComfyUIServer already started")
        self._tmp = tempfile.TemporaryDirectory(prefix="fake-comfyui-", ignore_cleanup_errors=True)
        root = os.path.realpath(self._tmp.name)
        for kind in ("output", "input", "temp"):
            self._dirs[kind] = os.path.join(root, kind)
            os.makedirs(self._dirs[kind])
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._thread_main, args=(ready,), name="fake-comfyui", daemon=True
        )
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("FakeComfyUIServer did not start within 10 s")
        if self._startup_error is not None:
            self.stop()
            raise RuntimeError("FakeComfyUIServer failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive() and self._stop_requested is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(self._stop_requested.set)
            thread.join(10)
        self._thread = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> FakeComfyUIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ test-facing helpers
    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/ws"

    @property
    def output_dir(self) -> str:
        return self._dirs["output"]

    @property
    def input_dir(self) -> str:
        return self._dirs["input"]

    def add_fault(self, path: str, fault: ComfyFault) -> None:
        """Queue ``fault`` for the next request(s) to ``path`` (a route such as ``/prompt`` or ``/history``,
        matching its sub-paths too; ``/api/...`` requests count as their plain path)."""
        if not path.startswith("/"):
            raise ValueError("fault path must start with '/'")
        if fault.kind == "execution_error" and path != "/prompt":
            raise ValueError("execution_error faults belong on /prompt")
        if fault.kind == "ws_drop" and path not in ("/ws", "/prompt"):
            raise ValueError("ws_drop faults belong on /ws or /prompt")
        if fault.kind == "node_errors" and path != "/prompt":
            raise ValueError("node_errors faults belong on /prompt")
        with self._lock:
            self._faults.setdefault(path.rstrip("/") or "/", deque()).append([fault, fault.times])

    def count(self, path_prefix: str) -> int:
        """How many HTTP requests (websocket upgrades included) had a path starting with ``path_prefix``."""
        return sum(1 for _, p in list(self.requests) if p.split("?", 1)[0].startswith(path_prefix))

    def wait_for_history(self, prompt_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Block until ``prompt_id`` has a history entry and return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            entry = self.history.get(prompt_id)
            if entry is not None:
                return entry
            time.sleep(0.01)
        raise TimeoutError(f"no history for {prompt_id} after {timeout} s")

    # ------------------------------------------------------------------ faults
    def _take_fault(self, path: str) -> ComfyFault | None:
        with self._lock:
            keys = [k for k, q in self._faults.items() if q and (path == k or path.startswith(k + "/"))]
            if not keys:
                return None
            key = max(keys, key=len)
            queue = self._faults[key]
            fault = queue[0][0]
            if key == "/ws" and fault.kind == "ws_drop":
                return None  # consumed by the running job at its first progress message
            return self._consume(queue)

    def _take_ws_drop(self) -> bool:
        with self._lock:
            queue = self._faults.get("/ws")
            if queue and queue[0][0].kind == "ws_drop":
                self._consume(queue)
                return True
            return False

    @staticmethod
    def _consume(queue: deque[list[Any]]) -> ComfyFault:
        entry = queue[0]
        entry[1] -= 1
        if entry[1] <= 0:
            queue.popleft()
        return entry[0]

    # ------------------------------------------------------------------ event loop thread
    def _thread_main(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main(ready))
        except BaseException as exc:  # surfaced by start()
            self._startup_error = exc
            ready.set()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _main(self, ready: threading.Event) -> None:
        self._stop_requested = asyncio.Event()
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        app = web.Application(middlewares=[self._middleware], client_max_size=100 * 1024 * 1024)
        for method, path, handler in self._routes():
            app.router.add_route(method, path, handler)
            app.router.add_route(method, "/api" + path, handler)
        app.on_shutdown.append(self._close_sockets)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            self.base_url = f"http://127.0.0.1:{port}"
            worker = asyncio.create_task(self._worker())
            ready.set()
            await self._stop_requested.wait()
            self._stopping.set()
            self._wake.set()
            if self._running is not None:
                self._running.interrupted.set()
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        finally:
            await runner.cleanup()

    async def _close_sockets(self, _app: web.Application) -> None:
        for ws, _request in list(self._sockets.values()):
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    await ws.close(code=WSCloseCode.GOING_AWAY, message=b"Server shutdown")
        self._sockets.clear()

    async def _sleep(self, seconds: float) -> None:
        assert self._stopping is not None
        await _wait(self._stopping, seconds)

    # ------------------------------------------------------------------ HTTP plumbing
    def _routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", "/ws", self._ws),
            ("GET", "/system_stats", self._system_stats),
            ("GET", "/object_info", self._object_info_all),
            ("GET", "/object_info/{node_class}", self._object_info_one),
            ("GET", "/embeddings", self._embeddings),
            ("GET", "/models", self._models),
            ("GET", "/models/{folder}", self._models_folder),
            ("GET", "/prompt", self._get_prompt),
            ("POST", "/prompt", self._post_prompt),
            ("GET", "/history", self._get_history),
            ("GET", "/history/{prompt_id}", self._get_history_one),
            ("POST", "/history", self._post_history),
            ("GET", "/queue", self._get_queue),
            ("POST", "/queue", self._post_queue),
            ("POST", "/interrupt", self._interrupt),
            ("POST", "/free", self._free),
            ("GET", "/view", self._view),
            ("POST", "/upload/image", self._upload_image),
        ]

    def _state(self, request: web.Request) -> dict[str, Any]:
        return self._request_state.get(id(request), {})

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.method, request.path_qs))
        state: dict[str, Any] = {}
        self._request_state[id(request)] = state
        try:
            return await self._dispatch(request, handler, state)
        finally:
            self._request_state.pop(id(request), None)

    async def _dispatch(
        self, request: web.Request, handler: Any, state: dict[str, Any]
    ) -> web.StreamResponse:
        path = request.path[4:] if request.path.startswith("/api/") else request.path
        if request.method == "POST" and path == "/prompt":
            raw = await request.read()
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            state["prompt_body"] = body
            self.prompts.append(
                copy.deepcopy(body) if isinstance(body, dict) else {"_raw": raw.decode("utf-8", "replace")}
            )
        fault = self._take_fault(path)
        if fault is not None:
            if fault.kind == "timeout":
                await self._sleep(fault.delay_s)
            elif fault.kind == "status":
                reason = web.Response(status=fault.status).reason
                return web.Response(status=fault.status, text=f"{fault.status}: {reason}")
            elif fault.kind == "malformed_json" and path != "/ws":
                return web.Response(status=200, text='{"prompt_id": "1b2c', content_type="application/json")
            elif fault.kind == "node_errors":
                return self._injected_node_errors(fault, state.get("prompt_body"))
            else:
                state["fault"] = fault
        return await handler(request)

    def _injected_node_errors(self, fault: ComfyFault, body: Any) -> web.Response:
        graph = body.get("prompt") if isinstance(body, dict) else None
        graph = graph if isinstance(graph, dict) and graph else {"3": {"class_type": "KSampler"}}
        samplers = [
            n for n in graph if isinstance(graph[n], dict) and graph[n].get("class_type") == "KSampler"
        ]
        target = sorted(samplers or list(graph), key=id_key)[0]
        outputs = [
            n for n in graph if isinstance(graph[n], dict) and graph[n].get("class_type") == "SaveImage"
        ]
        error = {
            "type": "exception_during_inner_validation",
            "message": "Exception when validating inner node",
            "details": fault.message or "injected validation failure",
            "extra_info": {"exception_type": "RuntimeError", "traceback": []},
        }
        status = 400 if fault.status == 500 else fault.status
        return web.json_response(
            {
                "error": {
                    "type": "prompt_outputs_failed_validation",
                    "message": "Prompt outputs failed validation",
                    "details": f"{error['message']}: {error['details']}",
                    "extra_info": {},
                },
                "node_errors": {
                    target: {
                        "errors": [error],
                        "dependent_outputs": sorted(outputs, key=id_key),
                        "class_type": graph[target].get("class_type", "KSampler")
                        if isinstance(graph[target], dict)
                        else "KSampler",
                    }
                },
            },
            status=status,
        )

    # ------------------------------------------------------------------ websocket
    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        fault: ComfyFault | None = self._state(request).get("fault")
        ws = web.WebSocketResponse(max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        sid = request.query.get("clientId") or uuid.uuid4().hex
        self._sockets[sid] = (ws, request)
        try:
            await self._send_ws(ws, "status", {"status": self._queue_info(), "sid": sid})
            if fault is not None and fault.kind == "malformed_json":
                await ws.send_str('{"type": "executing", "data": {"node": ')
            running = self._running
            if running is not None and running.client_id == sid and running.last_node is not None:
                await self._send_ws(ws, "executing", {"node": running.last_node})
            async for _msg in ws:
                pass  # ComfyUI only reads feature flags from clients; nothing to answer
        finally:
            if self._sockets.get(sid, (None,))[0] is ws:
                del self._sockets[sid]
        return ws

    @staticmethod
    async def _send_ws(ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        with contextlib.suppress(Exception):
            await ws.send_str(json.dumps({"type": event, "data": data}))

    async def _send(self, event: str, data: dict[str, Any], sid: str | None) -> None:
        """To one client, or to all when ``sid`` is None (like ComfyUI's ``send_sync``)."""
        for key, (ws, _request) in list(self._sockets.items()):
            if sid is None or key == sid:
                await self._send_ws(ws, event, data)

    async def _send_preview(self, sid: str | None, color: tuple[int, int, int]) -> None:
        entry = self._sockets.get(sid) if sid is not None else None
        if entry is None:
            return
        buf = io.BytesIO()
        Image.new("RGB", (8, 8), color).save(buf, format="JPEG", quality=95)
        with contextlib.suppress(Exception):
            await entry[0].send_bytes(struct.pack(">II", PREVIEW_IMAGE, PREVIEW_JPEG) + buf.getvalue())

    def _drop_socket(self, sid: str | None) -> None:
        entry = self._sockets.pop(sid, None) if sid is not None else None
        if entry is None:
            return
        transport = entry[1].transport
        if transport is not None:
            transport.abort()  # a dropped connection: no close frame

    def _queue_info(self) -> dict[str, Any]:
        remaining = len(self._pending) + (1 if self._running is not None else 0)
        return {"exec_info": {"queue_remaining": remaining}}

    async def _broadcast_status(self) -> None:
        await self._send("status", {"status": self._queue_info()}, None)

    # ------------------------------------------------------------------ simple routes
    async def _system_stats(self, _request: web.Request) -> web.Response:
        stats = catalog.system_stats(sys.version)
        if not self.reports_version:
            del stats["system"]["comfyui_version"]
        return web.json_response(stats)

    def object_info(self) -> dict[str, dict[str, Any]]:
        return catalog.build_object_info(
            checkpoints=self.checkpoints,
            samplers=self.samplers,
            schedulers=self.schedulers,
            upscale_models=self.upscale_models,
            vaes=self.vaes,
            loras=self.loras,
            input_images=self._input_images(),
        )

    def _input_images(self) -> list[str]:
        folder = self._dirs["input"]
        return sorted(
            name
            for name in os.listdir(folder)
            if os.path.isfile(os.path.join(folder, name)) and name.lower().endswith(IMAGE_EXTENSIONS)
        )

    async def _object_info_all(self, _request: web.Request) -> web.Response:
        return web.json_response(self.object_info())

    async def _object_info_one(self, request: web.Request) -> web.Response:
        node_class = request.match_info["node_class"]
        info = self.object_info()
        return web.json_response({node_class: info[node_class]} if node_class in info else {})

    async def _embeddings(self, _request: web.Request) -> web.Response:
        return web.json_response([])

    def _model_folders(self) -> dict[str, tuple[str, ...]]:
        return {
            "checkpoints": self.checkpoints,
            "loras": self.loras,
            "vae": self.vaes,
            "upscale_models": self.upscale_models,
            "embeddings": (),
        }

    async def _models(self, _request: web.Request) -> web.Response:
        return web.json_response(list(self._model_folders()))

    async def _models_folder(self, request: web.Request) -> web.Response:
        folders = self._model_folders()
        folder = request.match_info["folder"]
        if folder not in folders:
            return web.Response(status=404)
        return web.json_response(list(folders[folder]))

    async def _get_prompt(self, _request: web.Request) -> web.Response:
        return web.json_response(self._queue_info())

    async def _get_queue(self, _request: web.Request) -> web.Response:
        running = [self._running.queue_item()] if self._running is not None else []
        pending = [j.queue_item() for j in sorted(self._pending, key=lambda j: j.number)]
        return web.json_response({"queue_running": running, "queue_pending": pending})

    @staticmethod
    async def _json_or_empty(request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    async def _post_queue(self, request: web.Request) -> web.Response:
        body = await self._json_or_empty(request)
        if body.get("clear"):
            self._pending.clear()
        for prompt_id in body.get("delete", []) or []:
            self._pending = [j for j in self._pending if j.prompt_id != prompt_id]
        await self._broadcast_status()
        return web.Response(status=200)

    async def _interrupt(self, request: web.Request) -> web.Response:
        body = await self._json_or_empty(request)
        self.interrupts += 1
        running = self._running
        if running is not None and body.get("prompt_id") in (None, running.prompt_id):
            running.interrupted.set()
        return web.Response(status=200)

    async def _free(self, _request: web.Request) -> web.Response:
        return web.Response(status=200)

    async def _get_history(self, request: web.Request) -> web.Response:
        items = list(self.history.items())
        try:
            max_items = int(request.query["max_items"]) if "max_items" in request.query else None
            offset = int(request.query.get("offset", -1))
        except ValueError:
            return web.Response(status=400)
        if offset < 0 and max_items is not None:
            offset = len(items) - max_items
        items = items[max(offset, 0) :]
        if max_items is not None:
            items = items[:max_items]
        return web.json_response(dict(items))

    async def _get_history_one(self, request: web.Request) -> web.Response:
        prompt_id = request.match_info["prompt_id"]
        entry = self.history.get(prompt_id)
        return web.json_response({prompt_id: entry} if entry is not None else {})

    async def _post_history(self, request: web.Request) -> web.Response:
        body = await self._json_or_empty(request)
        if body.get("clear"):
            self.history.clear()
        for prompt_id in body.get("delete", []) or []:
            self.history.pop(prompt_id, None)
        return web.Response(status=200)

    # ------------------------------------------------------------------ files
    def _annotated(self, name: str, default: str) -> tuple[str, str]:
        for kind in ("input", "output", "temp"):
            suffix = f" [{kind}]"
            if name.endswith(suffix):
                return name[: -len(suffix)], kind
        return name, default

    def _input_path(self, value: str) -> str | None:
        """The file a LoadImage value names ("x.png", "sub/x.png", "x.png [output]"), if it exists."""
        name, kind = self._annotated(value, "input")
        root = self._dirs[kind]
        path = os.path.join(root, name)
        if name.startswith("/") or not _inside(root, path) or not os.path.isfile(path):
            return None
        return path

    async def _view(self, request: web.Request) -> web.Response:
        query = request.query
        if "filename" not in query:
            return web.Response(status=404)
        filename, kind = self._annotated(query["filename"], query.get("type", "output"))
        if not filename or filename[0] == "/" or ".." in filename:
            return web.Response(status=400)
        folder = self._dirs.get(kind)
        if folder is None:
            return web.Response(status=400)
        if "subfolder" in query:
            full = os.path.join(folder, query["subfolder"])
            if not _inside(folder, full):
                return web.Response(status=403)
            folder = full
        filename = os.path.basename(filename)
        path = os.path.join(folder, filename)
        if not os.path.isfile(path):
            return web.Response(status=404)
        headers = {"Content-Disposition": f'filename="{filename}"'}
        if "preview" in query:
            fmt, _, quality = query["preview"].partition(";")
            fmt = fmt if fmt in ("webp", "jpeg") else "webp"
            body = await asyncio.to_thread(
                self._convert, path, fmt, int(quality) if quality.isdigit() else 90
            )
            return web.Response(body=body, content_type=f"image/{fmt}", headers=headers)
        with open(path, "rb") as fh:
            body = fh.read()
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return web.Response(body=body, content_type=content_type, headers=headers)

    @staticmethod
    def _convert(path: str, fmt: str, quality: int) -> bytes:
        buf = io.BytesIO()
        with Image.open(path) as img:
            img.convert("RGB").save(buf, format=fmt, quality=quality)
        return buf.getvalue()

    async def _upload_image(self, request: web.Request) -> web.Response:
        post = await request.post()
        image = post.get("image")
        if not isinstance(image, web.FileField) or not image.filename:
            return web.Response(status=400)
        kind = str(post.get("type") or "input")
        root = self._dirs.get(kind)
        if root is None:
            return web.Response(status=400)
        subfolder = str(post.get("subfolder", ""))
        folder = os.path.join(root, os.path.normpath(subfolder))
        filename = image.filename
        path = os.path.abspath(os.path.join(folder, filename))
        if not _inside(root, path) or not _inside(root, folder):
            return web.Response(status=400)
        data = image.file.read()
        overwrite = str(post.get("overwrite", "")) in ("true", "1")
        os.makedirs(folder, exist_ok=True)
        duplicate = False
        if not overwrite:
            stem, ext = os.path.splitext(image.filename)
            counter = 1
            while os.path.exists(path):
                with open(path, "rb") as fh:
                    if fh.read() == data:  # same bytes: reuse the existing file
                        duplicate = True
                        break
                filename = f"{stem} ({counter}){ext}"
                path = os.path.join(folder, filename)
                counter += 1
        if not duplicate:
            with open(path, "wb") as fh:
                fh.write(data)
        self.uploads.append(
            {
                "filename": filename,
                "subfolder": subfolder,
                "type": kind,
                "size": len(data),
                "original_filename": image.filename,
                "overwrite": overwrite,
            }
        )
        return web.json_response({"name": filename, "subfolder": subfolder, "type": kind})

    # ------------------------------------------------------------------ prompts
    async def _post_prompt(self, request: web.Request) -> web.Response:
        state = self._state(request)
        body = state.get("prompt_body")
        if not isinstance(body, dict):
            return web.json_response(
                {
                    "error": {
                        "type": "invalid_prompt",
                        "message": "Invalid prompt JSON",
                        "details": "request body is not a JSON object",
                        "extra_info": {},
                    },
                    "node_errors": {},
                },
                status=400,
            )
        if "number" in body:
            number: float = float(body["number"])
        else:
            number = -self._number if body.get("front") else self._number
            self._number += 1
        if "prompt" not in body:
            return web.json_response(
                {
                    "error": {
                        "type": "no_prompt",
                        "message": "No prompt provided",
                        "details": "No prompt provided",
                        "extra_info": {},
                    },
                    "node_errors": {},
                },
                status=400,
            )
        result = validate_prompt(
            body["prompt"], self.object_info(), image_exists=lambda v: self._input_path(v) is not None
        )
        if not result.ok:
            return web.json_response({"error": result.error, "node_errors": result.node_errors}, status=400)
        extra_data = dict(body.get("extra_data") or {})
        if "client_id" in body:
            extra_data["client_id"] = body["client_id"]
        prompt_id = body.get("prompt_id") if isinstance(body.get("prompt_id"), str) else str(uuid.uuid4())
        job = _Job(
            number=number,
            prompt_id=prompt_id,
            graph=result.graph,
            extra_data=extra_data,
            outputs=result.outputs,
            fault=state.get("fault"),
        )
        self._pending.append(job)
        assert self._wake is not None
        self._wake.set()
        await self._broadcast_status()
        return web.json_response(
            {"prompt_id": prompt_id, "number": number, "node_errors": result.node_errors}
        )

    async def _worker(self) -> None:
        assert self._wake is not None
        assert self._stopping is not None
        while not self._stopping.is_set():  # a cancel alone could be lost; stopping is always seen
            while not self._pending and not self._stopping.is_set():
                self._wake.clear()
                await self._wake.wait()
            if self._stopping.is_set():
                return
            job = min(self._pending, key=lambda j: j.number)
            self._pending.remove(job)
            self._running = job
            try:
                await self._execute(job)
            finally:
                self._running = None

    def _signature_extra(self, _node_id: str, node: dict[str, Any]) -> Any:
        if node["class_type"] == "LoadImage":  # LoadImage.IS_CHANGED hashes the file
            path = self._input_path(str(node["inputs"].get("image", "")))
            if path is not None:
                with open(path, "rb") as fh:
                    return hashlib.sha256(fh.read()).hexdigest()
        return None

    async def _execute(self, job: _Job) -> None:
        client = job.client_id
        pid = job.prompt_id
        graph = job.graph
        messages: list[list[Any]] = []

        async def add_message(event: str, data: dict[str, Any]) -> None:
            data = {**data, "timestamp": _ms()}
            messages.append([event, data])
            if client is not None:
                await self._send(event, data, client)

        job.interrupted.clear()  # like ComfyUI, an interrupt only hits what is running
        await add_message("execution_start", {"prompt_id": pid})
        keys = node_signatures(graph, self._signature_extra)
        live = set(keys.values())
        for cache in (self._cache_outputs, self._cache_ui):
            for key in [k for k in cache if k not in live]:
                del cache[key]
        cached = [n for n in graph if keys[n] in self._cache_outputs]
        await add_message("execution_cached", {"nodes": cached, "prompt_id": pid})
        order = execution_order(graph, job.outputs, lambda n: keys[n] in self._cache_outputs)

        failing: str | None = None
        if job.fault is not None and job.fault.kind == "execution_error":
            samplers = [n for n in order if graph[n]["class_type"] == "KSampler"]
            failing = (samplers or order or job.outputs)[0]
            if failing not in order:
                order.append(failing)

        values = {n: self._cache_outputs[keys[n]] for n in cached}
        executed: list[str] = []
        outcome, failed_node, error = "success", None, None
        for node_id in order:
            job.last_node = node_id
            if client is not None:
                await self._send(
                    "executing", {"node": node_id, "display_node": node_id, "prompt_id": pid}, client
                )
            try:
                if job.interrupted.is_set():
                    raise _Interrupted
                if node_id == failing:
                    raise _InjectedFailure(
                        job.fault.message if job.fault and job.fault.message else OOM_MESSAGE
                    )
                out, ui = await self._run_node(job, node_id, values)
            except _Interrupted:
                outcome, failed_node = "interrupted", node_id
                break
            except Exception as exc:
                exc_type = (
                    "torch.OutOfMemoryError" if isinstance(exc, _InjectedFailure) else type(exc).__name__
                )
                outcome, failed_node, error = "error", node_id, (exc_type, str(exc))
                break
            values[node_id] = out
            self._cache_outputs[keys[node_id]] = out
            if ui is not None:
                self._cache_ui[keys[node_id]] = {
                    "output": ui,
                    "meta": {
                        "node_id": node_id,
                        "display_node": node_id,
                        "parent_node": None,
                        "real_node_id": node_id,
                    },
                }
                if client is not None:
                    await self._send(
                        "executed",
                        {"node": node_id, "display_node": node_id, "output": ui, "prompt_id": pid},
                        client,
                    )
            executed.append(node_id)

        if outcome == "interrupted":
            await add_message(
                "execution_interrupted",
                {
                    "prompt_id": pid,
                    "node_id": failed_node,
                    "node_type": graph[failed_node]["class_type"],
                    "executed": executed,
                },
            )
        elif outcome == "error" and error is not None and failed_node is not None:
            await add_message(
                "execution_error",
                {
                    "prompt_id": pid,
                    "node_id": failed_node,
                    "node_type": graph[failed_node]["class_type"],
                    "executed": executed,
                    "exception_message": error[1],
                    "exception_type": error[0],
                    "traceback": [
                        f'  File "/ComfyUI/execution.py", line 496, in execute\n    {error[0]}: {error[1]}\n'
                    ],
                    "current_inputs": {
                        k: [v if isinstance(v, int | float | str | bool) else str(v)]
                        for k, v in graph[failed_node].get("inputs", {}).items()
                    },
                    "current_outputs": cached,
                },
            )
        else:
            if self.resend_cached_outputs and client is not None:
                for node_id in job.outputs:
                    ui_entry = self._cache_ui.get(keys[node_id])
                    if node_id in cached and ui_entry is not None:
                        await self._send(
                            "executed",
                            {
                                "node": node_id,
                                "display_node": node_id,
                                "output": ui_entry["output"],
                                "prompt_id": pid,
                            },
                            client,
                        )
            await add_message("execution_success", {"prompt_id": pid})

        ui_nodes = [n for n in sorted(graph, key=id_key) if keys[n] in self._cache_ui]
        success = outcome == "success"
        self.history[pid] = copy.deepcopy(
            {
                "prompt": job.queue_item(),
                "outputs": {n: self._cache_ui[keys[n]]["output"] for n in ui_nodes},
                "status": {
                    "status_str": "success" if success else "error",
                    "completed": success,
                    "messages": messages,
                },
                "meta": {n: self._cache_ui[keys[n]]["meta"] for n in ui_nodes},
            }
        )
        job.last_node = None
        self._running = None
        await self._broadcast_status()
        if client is not None:
            await self._send("executing", {"node": None, "prompt_id": pid}, client)

    # ------------------------------------------------------------------ node behaviour
    async def _check_interrupt(self, job: _Job) -> None:
        if job.interrupted.is_set():
            raise _Interrupted

    async def _step(self, job: _Job) -> None:
        await self._check_interrupt(job)
        if self.step_delay_s > 0:
            await _wait(job.interrupted, self.step_delay_s)
        else:
            await asyncio.sleep(0)
        await self._check_interrupt(job)

    async def _run_node(
        self, job: _Job, node_id: str, values: dict[str, tuple[Any, ...]]
    ) -> tuple[tuple[Any, ...], dict[str, Any] | None]:
        node = job.graph[node_id]
        args: dict[str, Any] = {}
        for name, value in node.get("inputs", {}).items():
            if isinstance(value, list) and len(value) == 2:
                args[name] = values[value[0]][value[1]]
            else:
                args[name] = value
        class_type = node["class_type"]
        if class_type == "CheckpointLoaderSimple":
            ckpt = args["ckpt_name"]
            return ({"model": ckpt}, {"clip": ckpt}, {"vae": ckpt}), None
        if class_type == "LoraLoader":
            return (args["model"], args["clip"]), None
        if class_type == "VAELoader":
            return ({"vae": args["vae_name"]},), None
        if class_type == "UpscaleModelLoader":
            return ({"scale": catalog.upscale_factor(args["model_name"])},), None
        if class_type == "CLIPTextEncode":
            return ({"text": args["text"], "clip": args["clip"]},), None
        if class_type == "EmptyLatentImage":
            return (
                {
                    "width": args["width"],
                    "height": args["height"],
                    "batch": args["batch_size"],
                    "color": (0, 0, 0),
                },
            ), None
        if class_type == "KSampler":
            return await self._ksampler(job, node_id, args), None
        if class_type == "LatentUpscaleBy":
            latent = dict(args["samples"])
            for dim in ("width", "height"):
                latent[dim] = max(8, round(latent[dim] / 8 * args["scale_by"]) * 8)
            return (latent,), None
        if class_type in ("VAEDecode", "VAEEncode"):
            return (dict(args["samples" if class_type == "VAEDecode" else "pixels"]),), None
        if class_type == "LoadImage":
            return await self._load_image(args["image"]), None
        if class_type == "ImageUpscaleWithModel":
            image, scale = dict(args["image"]), args["upscale_model"]["scale"]
            image["width"], image["height"] = image["width"] * scale, image["height"] * scale
            return (image,), None
        if class_type == "ImageScaleBy":
            image = dict(args["image"])
            for dim in ("width", "height"):
                image[dim] = max(1, round(image[dim] * args["scale_by"]))
            return (image,), None
        if class_type == "SaveImage":
            return (), {"images": await self._save_images(job, args["images"], str(args["filename_prefix"]))}
        raise RuntimeError(f"fake ComfyUI cannot execute {class_type}")

    async def _ksampler(self, job: _Job, node_id: str, args: dict[str, Any]) -> tuple[dict[str, Any]]:
        await self._check_interrupt(job)
        latent = dict(args["latent_image"])
        latent["color"] = _color(json.dumps(args, sort_keys=True, default=str))
        steps = int(args["steps"])
        client = job.client_id
        for step in range(1, steps + 1):
            await self._step(job)
            if client is not None:
                await self._send(
                    "progress",
                    {"value": step, "max": steps, "prompt_id": job.prompt_id, "node": node_id},
                    client,
                )
            if not job.preview_sent:
                job.preview_sent = True
                await self._send_preview(client, latent["color"])
            if not job.drop_checked:
                job.drop_checked = True
                from_prompt = job.fault is not None and job.fault.kind == "ws_drop"
                if from_prompt or self._take_ws_drop():
                    self._drop_socket(client)
        return (latent,)

    async def _load_image(self, value: str) -> tuple[dict[str, Any], dict[str, Any]]:
        path = self._input_path(value)
        if path is None:
            raise FileNotFoundError(f"Invalid image file: {value}")

        def read() -> tuple[tuple[int, int], tuple[int, int, int]]:
            with Image.open(path) as img:
                rgb = img.convert("RGB")
                return img.size, rgb.getpixel((0, 0))  # type: ignore[return-value]

        (width, height), color = await asyncio.to_thread(read)
        image = {"width": width, "height": height, "batch": 1, "color": tuple(color)}
        return image, {"mask": [width, height]}

    async def _save_images(self, job: _Job, image: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
        root = self._dirs["output"]
        normalized = os.path.normpath(prefix)
        subfolder, name = os.path.dirname(normalized), os.path.basename(normalized)
        folder = os.path.join(root, subfolder)
        if os.path.isabs(subfolder) or not _inside(root, folder):
            raise RuntimeError(
                "**** ERROR: Saving image outside the output folder is not allowed.\n"
                f" full_output_folder: {os.path.abspath(folder)}\n         output_dir: {root}"
            )
        os.makedirs(folder, exist_ok=True)
        counter = 1
        head = f"{name}_"
        for existing in os.listdir(folder):
            rest = existing[len(head) :]
            if existing.startswith(head) and rest[:5].isdigit() and rest[5:6] == "_":
                counter = max(counter, int(rest[:5]) + 1)
        text = {"prompt": json.dumps(job.graph)}
        for key, value in (job.extra_data.get("extra_pnginfo") or {}).items():
            text[key] = json.dumps(value)
        results = []
        for _ in range(int(image.get("batch", 1))):
            filename = f"{name}_{counter:05}_.png"
            size = (int(image["width"]), int(image["height"]))
            await asyncio.to_thread(
                self._write_png, os.path.join(folder, filename), size, tuple(image["color"]), text
            )
            results.append({"filename": filename, "subfolder": subfolder, "type": "output"})
            counter += 1
        return results

    @staticmethod
    def _write_png(path: str, size: tuple[int, int], color: tuple[int, ...], text: dict[str, str]) -> None:
        info = PngImagePlugin.PngInfo()
        for key, value in text.items():
            info.add_text(key, value)
        Image.new("RGB", size, color).save(path, format="PNG", pnginfo=info, compress_level=4)
