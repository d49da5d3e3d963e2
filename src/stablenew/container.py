"""The one composition root: only this module builds adapters; a Selector picks the backend."""

from __future__ import annotations

import httpx
from dependency_injector import containers, providers
from pydantic import SecretStr

from stablenew.adapters.backends.a1111 import A1111Backend
from stablenew.adapters.backends.comfyui import ComfyUIBackend
from stablenew.adapters.backends.procedural import ProceduralBackend
from stablenew.adapters.clock import SystemClock
from stablenew.adapters.grid import PillowContactSheetWriter
from stablenew.adapters.pipeline import PipelineRunner
from stablenew.adapters.records import JsonlRecordSource, LearningRecordWriter
from stablenew.controller.learning_execution_controller import LearningExecutionController
from stablenew.controller.pipeline_controller import PipelineController
from stablenew.settings import AppConfig


def _reveal(secret: SecretStr | str | None) -> str | None:
    """The plain text of a secret, for the adapter that sends it (never logged or recorded)."""
    return secret.get_secret_value() if isinstance(secret, SecretStr) else secret


def _a1111_http(base_url: str, username: str | None, password: SecretStr | None,
                connect_timeout_s: float) -> httpx.Client:
    """The HTTP client of the A1111 backend: base URL, --api-auth basic auth when a username is set."""
    auth = httpx.BasicAuth(username, _reveal(password) or "") if username else None
    return httpx.Client(base_url=base_url, auth=auth, timeout=httpx.Timeout(600.0, connect=connect_timeout_s))


def _comfyui_http(base_url: str, connect_timeout_s: float, request_timeout_s: float) -> httpx.Client:
    """The HTTP client of the ComfyUI backend (each call is short; waiting happens on the websocket)."""
    timeout = httpx.Timeout(request_timeout_s, connect=connect_timeout_s)
    return httpx.Client(base_url=base_url, timeout=timeout)


class Container(containers.DeclarativeContainer):
    """Wires ports to adapters from AppConfig; tests override the edges with fakes."""

    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)
    backend = providers.Selector(
        config.backend,
        procedural=providers.Singleton(ProceduralBackend),
        a1111=providers.Singleton(
            A1111Backend,
            client=providers.Singleton(_a1111_http, config.a1111.base_url, config.a1111.username,
                                       config.a1111.password, config.a1111.connect_timeout_s),
            username=config.a1111.username, password=providers.Callable(_reveal, config.a1111.password),
            connect_timeout_s=config.a1111.connect_timeout_s, stage_timeout_s=config.a1111.stage_timeout_s,
            stage_timeouts_s=config.a1111.stage_timeouts_s, retries=config.a1111.retries,
            retry_backoff_s=config.a1111.retry_backoff_s,
            progress_interval_s=config.a1111.progress_interval_s,
            stall_timeout_s=config.a1111.stall_timeout_s, interrupt_grace_s=config.a1111.interrupt_grace_s,
        ),
        comfyui=providers.Singleton(
            ComfyUIBackend,
            http=providers.Singleton(_comfyui_http, config.comfyui.base_url, config.comfyui.connect_timeout_s,
                                     config.comfyui.request_timeout_s),
            base_url=config.comfyui.base_url,
            workflows=providers.Dict(txt2img=config.comfyui.workflow, img2img=config.comfyui.img2img_workflow,
                                     adetailer=config.comfyui.adetailer_workflow,
                                     upscale=config.comfyui.upscale_workflow),
            mappings=providers.Dict(txt2img=config.comfyui.mapping, img2img=config.comfyui.img2img_mapping,
                                    adetailer=config.comfyui.adetailer_mapping,
                                    upscale=config.comfyui.upscale_mapping),
            retries=config.comfyui.retries, retry_backoff_s=config.comfyui.retry_backoff_s,
            stage_timeout_s=config.comfyui.stage_timeout_s, stall_timeout_s=config.comfyui.stall_timeout_s,
            poll_interval_s=config.comfyui.poll_interval_s,
            connect_timeout_s=config.comfyui.connect_timeout_s,
        ),
    )
    record_sink_factory = providers.Factory(LearningRecordWriter)
    record_source_factory = providers.Factory(JsonlRecordSource)
    pipeline_runner = providers.Singleton(
        PipelineRunner, backend=backend, clock=clock, output_dir=config.output_dir
    )
    pipeline_controller = providers.Factory(
        PipelineController,
        pipeline_run=pipeline_runner,
        sink_factory=record_sink_factory.provider,
        records_path=config.records_path,
        learning_enabled=config.learning.enabled,
        image_backend=backend,
        source_factory=record_source_factory.provider,
    )
    contact_sheet_writer = providers.Singleton(PillowContactSheetWriter)
    learning_execution_controller = providers.Factory(
        LearningExecutionController,
        pipeline_run=pipeline_runner,
        sink_factory=record_sink_factory.provider,
        source_factory=record_source_factory.provider,
        records_path=config.records_path,  # learning runs always record, to the passive runs' log
        clock=clock,
        contact_sheet_writer=contact_sheet_writer,
        sheets_dir=config.output_dir,
        grid_enabled=config.grid.enabled,
        max_megapixels=config.grid.max_megapixels,
        image_backend=backend,
    )


def build_container(app_config: AppConfig) -> Container:
    """A container configured from `app_config` (secrets stay SecretStr until an adapter needs them)."""
    container = Container()
    values = app_config.model_dump()
    values["records_path"] = app_config.records_path
    container.config.from_dict(values)
    container.app_config = providers.Object(app_config)
    return container
