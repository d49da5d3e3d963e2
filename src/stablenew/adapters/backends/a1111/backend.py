"""A1111Backend: the ImageBackend port over the AUTOMATIC1111 webui API (started with --api)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from stablenew.adapters.backends.a1111 import payloads, response
from stablenew.adapters.backends.a1111.client import A1111Client
from stablenew.adapters.backends.a1111.discovery import (
    DISCOVERY_TIMEOUT_S,
    Catalog,
    fetch_catalog,
    has_adetailer,
    validate_configs,
)
from stablenew.adapters.backends.a1111.names import first_names
from stablenew.adapters.backends.a1111.watch import GenerationWatch, WatchPolicy
from stablenew.adapters.backends.http import Budget
from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.errors import CancelledError, ConfigError
from stablenew.domain.ports.image_backend import ImageBackend
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError, FailureKind
from stablenew.domain.run.generation import (
    BackendStatus,
    ProgressListener,
    StageOutput,
    StageRequest,
    guarded_progress,
)

SYSINFO_PATH = "/internal/sysinfo"
CMD_FLAGS_PATH = "/sdapi/v1/cmd-flags"

log = logging.getLogger("stablenew.a1111")


def _listener_failed(error: Exception) -> None:
    log.debug("progress listener failed: %s", error, exc_info=error)


class A1111Backend(ImageBackend):
    """One stage = one API call; names are checked against the server's lists and sent canonical."""

    name = "a1111"

    def __init__(
        self, client: A1111Client, *, watch_policy: WatchPolicy | None = None, stage_timeout_s: float = 600.0,
        stage_timeouts_s: Mapping[str, float] | None = None,
    ) -> None:
        self.client = client
        self.stage_timeout_s = stage_timeout_s
        self.stage_timeouts_s = dict(stage_timeouts_s or {})
        self.watch = GenerationWatch(self.client, watch_policy or WatchPolicy())
        self._catalog: Catalog | None = None
        self._adetailer: bool | None = None
        self._lock = threading.Lock()

    def catalog(self) -> Catalog:
        """The server's lists, fetched once per backend instance."""
        with self._lock:
            if self._catalog is None:
                self._catalog = fetch_catalog(self.client)
            return self._catalog

    def validate(self, configs: list[PipelineConfig], *, source: str | None = None) -> None:
        """ConfigError (exit 2) for any unknown model, VAE, sampler, scheduler or upscaler, before a run."""
        needs_adetailer = any(stage.stage == "adetailer" for c in configs for stage in c.enabled_stages())
        validate_configs(self.catalog(), configs, source=source,
                         adetailer=self.adetailer_installed if needs_adetailer else None)

    def canonical_names(self, stage: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The server's own names for the names in `params` (alias, any case, title or file)."""
        return {**params, **self.catalog().translate(params, where=stage)}

    def adetailer_installed(self) -> bool:
        """Whether the server has the ADetailer extension (GET /sdapi/v1/scripts once per backend)."""
        with self._lock:
            if self._adetailer is None:
                self._adetailer = has_adetailer(self.client)
            return self._adetailer

    def check(self) -> BackendStatus:
        """Reachable, answering the API, with checkpoints: usable; else the reason."""
        try:
            catalog = fetch_catalog(self.client, retries=0)
        except BackendError as exc:
            return BackendStatus(name=self.name, usable=False, reason=str(exc))
        with self._lock:
            self._catalog, self._adetailer = catalog, None  # a check re-reads what the server offers
        usable = bool(catalog.models.choices)
        return BackendStatus(
            name=self.name, usable=usable, version=self._version(catalog),
            reason="" if usable else "the server lists no checkpoints (models/Stable-diffusion is empty)",
            models=first_names(catalog.models), samplers=first_names(catalog.samplers),
            schedulers=() if catalog.legacy_schedulers else first_names(catalog.schedulers),
            upscalers=first_names(catalog.upscalers),
            vaes=first_names(catalog.vaes),
        )

    def generate(
        self,
        request: StageRequest,
        cancel: CancelToken | None = None,
        progress: ProgressListener | None = None,
    ) -> StageOutput:
        """Run one stage through the API and read back what really ran; /progress polls go to `progress`."""
        if cancel is not None and cancel.cancelled:
            raise CancelledError("cancelled before the stage started")
        try:
            names = self.catalog().translate(request.params, where=request.stage)
        except ConfigError as exc:
            raise BackendError(f"{exc.field}: {exc.message}", kind=FailureKind.BAD_REQUEST) from None
        timeout_s = float(self.stage_timeouts_s.get(request.stage, self.stage_timeout_s))
        budget = Budget.for_stage(cancel, timeout_s)  # the whole stage: every attempt and backoff wait
        if request.stage == "upscale":
            return self._upscale(request, names, budget)
        path, body = payloads.generation_body(request, names)
        report = guarded_progress(progress, _listener_failed)
        answer = self.watch.run(path, body, stage=request.stage, budget=budget, report=report)
        where = self.client.where("POST", path)
        return response.generation_output(answer.body, where, retries=answer.retries)

    def _upscale(self, request: StageRequest, names: Mapping[str, str], budget: Budget) -> StageOutput:
        body = payloads.upscale_body(request, names)
        cancel = budget.cancel
        # no stall watch here: A1111 reports no step progress while one image is upscaled
        unregister = cancel.on_cancel(self.client.interrupt) if cancel is not None else (lambda: None)
        try:
            answer = self.client.request("POST", payloads.EXTRAS_PATH, body, timeout_s=budget.limit_s,
                                         budget=budget)
        finally:
            unregister()
        if cancel is not None and cancel.cancelled:
            raise CancelledError(cancel.reason or "cancelled")
        params = {"upscaler": body["upscaler_1"], "upscaling_resize": body["upscaling_resize"]}
        if body["upscaler_2"] != "None":
            params.update(upscaler_2=body["upscaler_2"],
                          extras_upscaler_2_visibility=body["extras_upscaler_2_visibility"])
        infotext = response.png_parameters(request.input_image) if request.input_image else None
        return response.upscale_output(answer.body, self.client.where("POST", payloads.EXTRAS_PATH),
                                       request_params=params,
                                       input_infotext=infotext, retries=answer.retries)

    def _version(self, catalog: Catalog) -> str | None:
        """The webui version from /internal/sysinfo (A1111 ≥ 1.6 with its web UI). A server started
        with --nowebui has no such route (404, as recorded from 1.10.1); its exact version is only in
        each generation's info, so rather than run one, say what its routes prove: "1.9+ (API only)"
        (it has /schedulers), "before 1.9 (API only)" (it has not). None when nothing says."""
        try:
            body = self.client.request("GET", SYSINFO_PATH, timeout_s=DISCOVERY_TIMEOUT_S, retries=0).body
        except BackendError:
            body = None
        version = body.get("Version") if isinstance(body, dict) else None
        if version:
            return str(version)
        try:
            flags = self.client.request("GET", CMD_FLAGS_PATH, timeout_s=DISCOVERY_TIMEOUT_S, retries=0).body
        except BackendError:
            return None
        if not (isinstance(flags, dict) and flags.get("nowebui") is True):
            return None
        return "before 1.9 (API only)" if catalog.legacy_schedulers else "1.9+ (API only)"
