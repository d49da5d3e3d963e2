"""ComfyUIBackend: one stage = one API-format graph POSTed to /prompt, followed to its images."""

from __future__ import annotations

import io
import json
import logging
import random
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from PIL import Image

from stablenew.adapters.backends.comfyui.catalog import Catalog
from stablenew.adapters.backends.comfyui.client import ComfyUIClient
from stablenew.adapters.backends.comfyui.job import JobWatcher, Timing
from stablenew.adapters.backends.comfyui.mapping import Graph
from stablenew.adapters.backends.comfyui.stage_values import (
    canonical_names,
    check_names,
    hires_choice,
    stage_values,
)
from stablenew.adapters.backends.comfyui.templates import Template, Templates
from stablenew.adapters.backends.comfyui.websocket import ProgressSocket, ws_url
from stablenew.adapters.backends.http import Budget
from stablenew.domain.config.pipeline import PipelineConfig, effective_stages
from stablenew.domain.errors import CancelledError, ConfigError
from stablenew.domain.ports.image_backend import ImageBackend
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError, FailureKind
from stablenew.domain.run.generation import (
    BackendStatus,
    GeneratedImage,
    ProgressListener,
    StageOutput,
    StageRequest,
    guarded_progress,
)

MAX_SEED = 2**32 - 1
log = logging.getLogger("stablenew.comfyui")


def _listener_failed(error: Exception) -> None:
    log.debug("progress listener failed: %s", error, exc_info=error)


def node_errors_message(answer: Any) -> str:
    """`KSampler (node 3): sampler_name: 'foo' not in [...]` lines from a 400 /prompt answer."""
    answer = answer if isinstance(answer, dict) else {}
    lines = []
    for node_id, entry in (answer.get("node_errors") or {}).items():
        for error in entry.get("errors", []):
            details, message = str(error.get("details", "")), str(error.get("message", ""))
            text = details if ": " in details else f"{message}: {details}".rstrip(": ")
            lines.append(f"{entry.get('class_type', '?')} (node {node_id}): {text}")
    error = answer.get("error") or {}
    if not lines and isinstance(error, dict):
        lines.append(f"{error.get('message', 'rejected')} {error.get('details', '')}".strip())
    return "the workflow was rejected: " + "; ".join(lines or [str(error)])


class ComfyUIBackend(ImageBackend):
    """Drives a ComfyUI server through its HTTP + websocket API (see docs/backends.md)."""

    name = "comfyui"

    def __init__(
        self,
        client: ComfyUIClient,
        *,
        base_url: str,
        templates: Templates,
        timing: Timing,
        connect_timeout_s: float = 10.0,
        seed_source: random.Random | None = None,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.templates = templates
        self.timing = timing
        self.connect_timeout_s = connect_timeout_s
        self.client_id = uuid.uuid4().hex
        self._seeds = seed_source or random.SystemRandom()
        self._catalog: Catalog | None = None
        self._version: str | None = None

    def catalog(self) -> Catalog:
        """/object_info (and the version from /system_stats), read once per backend instance."""
        if self._catalog is None:
            info = self.client.get_json("/object_info")
            if not isinstance(info, dict):
                raise self.client.faults.malformed("GET /object_info", "expected a JSON object")
            stats = self.client.get_json("/system_stats")
            system = stats.get("system") if isinstance(stats, dict) else None
            version = system.get("comfyui_version") if isinstance(system, dict) else None
            self._version = str(version) if version else None  # null in the record when ComfyUI does not say
            self._catalog = Catalog.from_object_info(info)
        return self._catalog

    def check(self) -> BackendStatus:
        """Reachable, answering, and with a checkpoint when the txt2img workflow loads one: usable."""
        try:
            catalog = self.catalog()
        except BackendError as exc:
            return BackendStatus(name=self.name, usable=False, reason=str(exc))
        usable = bool(catalog.checkpoints) or not self._loads_a_checkpoint()
        return BackendStatus(
            name=self.name,
            usable=usable,
            reason="" if usable else "ComfyUI lists no checkpoints (models/checkpoints is empty)",
            version=self._version,
            models=catalog.checkpoints,
            samplers=catalog.samplers,
            schedulers=catalog.schedulers,
            upscalers=(*catalog.upscale_methods, *catalog.upscale_models),
            vaes=catalog.vaes,
        )

    def _loads_a_checkpoint(self) -> bool:
        """False only for a txt2img workflow without a CheckpointLoaderSimple (e.g. a UNETLoader one)."""
        try:
            return bool(self.templates.for_stage("txt2img").mapping.get("ckpt_name"))
        except ConfigError:
            return True  # a broken workflow file is reported when a run loads it

    def canonical_names(self, stage: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """ComfyUI's names for the A1111-style names in `params` (`k_euler_a` → `euler_ancestral`)."""
        return canonical_names(stage, params, self.catalog())

    def validate(self, configs: list[PipelineConfig], *, source: str | None = None) -> None:
        try:
            for config in configs:
                for stage in effective_stages(config):
                    if stage.stage != "upscale":
                        self.templates.for_stage(stage.stage)
                    check_names(stage.stage, stage.params, self.catalog(), source=source)
                    if stage.stage == "txt2img" and stage.params.get("enable_hr") is True:
                        self.templates.for_stage("txt2img", hires=hires_choice(stage.params, self.catalog()))
        except ConfigError as exc:  # a refusal about the config itself (no ADetailer) names its file
            raise (exc if exc.source or source is None else exc.with_source(source)) from None

    def generate(
        self,
        request: StageRequest,
        cancel: CancelToken | None = None,
        progress: ProgressListener | None = None,
    ) -> StageOutput:
        if cancel is not None and cancel.cancelled:
            raise CancelledError(cancel.reason or "cancelled before the stage started")
        # the stage timeout is one deadline for the whole stage: every HTTP call, retry and wait
        budget = Budget.for_stage(cancel, self.timing.timeout_s)
        seed = int(request.params.get("seed", -1))
        seed = self._seeds.randrange(MAX_SEED) if seed == -1 else seed
        try:
            values = stage_values(request, self.catalog(), seed)
            template = self.templates.for_stage(
                request.stage,
                upscale_model=values.upscale_model,
                upscale_method=values.upscale_method,
                scale_by=values.scale_by,
                hires=values.hires,
            )
        except ConfigError as exc:
            raise BackendError(str(exc), kind=FailureKind.BAD_REQUEST) from exc
        prefix = (
            f"stablenew/{'-'.join(p for p in (request.run_id, request.stage) if p)}-{uuid.uuid4().hex[:8]}"
        )
        values.graph["filename_prefix"] = prefix
        if request.input_image is not None:
            values.graph["image"] = self._upload(request, prefix, budget)
        if (
            "ckpt_name" not in values.graph
            and template.origin.startswith("built-in")
            and self.catalog().checkpoints
        ):
            values.graph["ckpt_name"] = self.catalog().checkpoints[0]  # like A1111: the model at hand
        graph = template.fresh()
        template.mapping.apply(graph, values.graph)
        client_id = f"{self.client_id}-{uuid.uuid4().hex[:8]}"  # one socket per stage, even side by side
        socket = ProgressSocket(ws_url(self.base_url, client_id), open_timeout_s=self.connect_timeout_s)
        socket.open()
        report = guarded_progress(progress, _listener_failed)
        watcher = JobWatcher(
            self.client, socket, self.timing, stage=request.stage, report=report, budget=budget
        )
        unregister: Callable[[], None] = lambda: None  # noqa: E731
        try:
            prompt_id = self._submit(graph, client_id, budget)
            if cancel is not None:
                unregister = cancel.on_cancel(lambda: self.client.interrupt(prompt_id))
            entry = watcher.wait(prompt_id, cancel, budget.deadline)
            images = self._collect(template, entry, prefix, budget)
        finally:
            unregister()
            socket.close()
        text = {"prompt": json.dumps(graph)}
        params = {
            **values.record,
            **self._ran(template, graph),
            "comfyui_prompt_id": prompt_id,
            "comfyui_version": self._version,
            "comfyui_workflow": template.origin,
            "comfyui_filename_prefix": prefix,
            "comfyui_progress": watcher.channel,
        }
        if budget.retried:
            params["retries"] = budget.retried
        seed_of = seed if request.stage != "upscale" else None
        return StageOutput(
            images=tuple(GeneratedImage(data=d, seed=seed_of, extra_text=text) for d in images), params=params
        )

    def _upload(self, request: StageRequest, prefix: str, budget: Budget) -> str:
        data, p = request.input_image or b"", request.params
        if request.stage == "img2img" and p.get("width") and p.get("height"):
            with Image.open(io.BytesIO(data)) as image:
                size = (int(p["width"]), int(p["height"]))
                if image.size != size:
                    buffer = io.BytesIO()
                    image.convert("RGB").resize(size, Image.Resampling.LANCZOS).save(buffer, format="PNG")
                    data = buffer.getvalue()
        answer = self.client.upload_image(data, prefix.rsplit("/", 1)[-1] + ".png", budget)
        return f"{answer['subfolder']}/{answer['name']}" if answer.get("subfolder") else str(answer["name"])

    def _submit(self, graph: Graph, client_id: str, budget: Budget) -> str:
        status, answer = self.client.post_prompt({"prompt": graph, "client_id": client_id}, budget)
        if status == 400:
            message = node_errors_message(answer)
            raise self.client.faults.error("POST /prompt", message, FailureKind.BAD_REQUEST)
        prompt_id = answer.get("prompt_id") if isinstance(answer, dict) else None
        if not isinstance(prompt_id, str):
            raise self.client.faults.malformed("POST /prompt", f"no prompt_id in {answer!r:.200}")
        return prompt_id

    def _collect(self, template: Template, entry: dict[str, Any], prefix: str, budget: Budget) -> list[bytes]:
        outputs = entry.get("outputs") or {}
        save_nodes = [node for node, _ in template.mapping.get("filename_prefix")]
        name = prefix.rsplit("/", 1)[-1]
        found = [img for node in save_nodes for img in (outputs.get(node) or {}).get("images", [])]
        fresh = [img for img in found if str(img.get("filename", "")).startswith(name)]
        if not fresh:
            old = f" (only {len(found)} old image(s) of an earlier prompt: a cached result?)" if found else ""
            raise BackendError(
                f"ComfyUI at {self.base_url} returned no new images for prefix {prefix!r}{old}",
                kind=FailureKind.NO_IMAGES,
            )
        return [self.client.view(img, budget) for img in fresh]

    @staticmethod
    def _ran(template: Template, graph: Graph) -> dict[str, Any]:
        ran: dict[str, Any] = {}
        for field, key in (
            ("ckpt_name", "model"),
            ("width", "width"),
            ("height", "height"),
            ("vae_name", "vae"),
        ):
            targets = template.mapping.get(field)
            if targets:
                node, name = targets[0]
                ran[key] = graph[node]["inputs"].get(name)
        return ran
