"""The one composition root: only this module builds adapters; a Selector picks the backend."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import httpx
from dependency_injector import containers, providers
from pydantic import SecretStr

from stablenew.adapters.backends.a1111 import A1111Backend, A1111Client, RetryPolicy, WatchPolicy
from stablenew.adapters.backends.comfyui import (
    ComfyUIBackend,
    ComfyUIClient,
    Templates,
    Timing,
)
from stablenew.adapters.backends.comfyui import comfyui_retry_policy as _comfyui_retry_policy
from stablenew.adapters.backends.procedural import ProceduralBackend
from stablenew.adapters.clock import SystemClock
from stablenew.adapters.dataset import DuckDBDatasetBuilder
from stablenew.adapters.dispatch import ServerWorker, ThreadPoolDispatcher
from stablenew.adapters.documents import FileDocumentWriter
from stablenew.adapters.files import (
    FilePreflight,
    PillowImageLibrary,
    load_pipeline_config,
    load_plan,
    load_ratings_csv,
)
from stablenew.adapters.files.image_paths import locate_image, log_search_dirs
from stablenew.adapters.grid import PillowContactSheetWriter
from stablenew.adapters.pipeline import PipelineRunner
from stablenew.adapters.records import (
    FilePlanLocks,
    JsonlFeedbackLog,
    JsonlRecordSource,
    LearningRecordWriter,
)
from stablenew.controller.feedback_controller import FeedbackController
from stablenew.controller.import_controller import ImportController
from stablenew.controller.learning_execution_controller import LearningExecutionController
from stablenew.controller.pipeline_controller import PipelineController
from stablenew.controller.recommendation_controller import RecommendationController
from stablenew.controller.review_controller import ReviewController
from stablenew.domain.feedback.events import FeedbackEvent
from stablenew.domain.feedback.model_settings import ModelSettings
from stablenew.domain.ports.clock import Clock
from stablenew.domain.ports.feedback_log import FeedbackSource
from stablenew.domain.ports.image_backend import ImageBackend
from stablenew.domain.ports.record_sink import RecordSource
from stablenew.domain.ports.step_dispatcher import StepDispatcher
from stablenew.domain.records.record import LearningRecord
from stablenew.domain.run.server_faults import ServerBreaker
from stablenew.domain.services.observations import JoinedObservations
from stablenew.settings import A1111Settings, AppConfig, ComfyUISettings


def _reveal(secret: SecretStr | str | None) -> str | None:
    """The plain text of a secret, for the adapter that sends it (never logged or recorded)."""
    return secret.get_secret_value() if isinstance(secret, SecretStr) else secret


def _a1111_http(base_url: str, username: str | None, password: SecretStr | None,
                connect_timeout_s: float) -> httpx.Client:
    """The HTTP client of the A1111 backend: base URL, --api-auth basic auth when a username is set."""
    auth = httpx.BasicAuth(username, _reveal(password) or "") if username else None
    return httpx.Client(base_url=base_url, auth=auth, timeout=httpx.Timeout(600.0, connect=connect_timeout_s))


def _secrets(password: SecretStr | None) -> tuple[str, ...]:
    """What the A1111 client must never let into a message: the password, when one is set."""
    revealed = _reveal(password)
    return (revealed,) if revealed else ()


def _is_set(value: str | None) -> bool:
    return value is not None


def _comfyui_http(base_url: str, connect_timeout_s: float, request_timeout_s: float) -> httpx.Client:
    """The HTTP client of the ComfyUI backend (each call is short; waiting happens on the websocket)."""
    timeout = httpx.Timeout(request_timeout_s, connect=connect_timeout_s)
    return httpx.Client(base_url=base_url, timeout=timeout)


def _server_section(app_config: AppConfig) -> A1111Settings | ComfyUISettings | None:
    """The config section of the chosen HTTP backend (None for the in-process one)."""
    sections: dict[str, A1111Settings | ComfyUISettings] = {"a1111": app_config.a1111,
                                                            "comfyui": app_config.comfyui}
    return sections.get(app_config.backend)


def _server_label(app_config: AppConfig) -> str:
    """The one server's URL, recorded with every run ("" for the in-process backend)."""
    section = _server_section(app_config)
    return section.server_urls(section.base_url)[0] if section is not None else ""


def _server_backends(app_config: AppConfig) -> dict[str, ImageBackend]:
    """One backend per server when the section lists several (`base_urls`), else none: a single
    server is the container's own `backend`. Each is built by this same container from a copy of the
    config naming that one server, so credentials and timeouts apply to every server."""
    section = _server_section(app_config)
    urls = section.server_urls(section.base_url) if section is not None else []
    if section is None or len(urls) < 2:
        return {}
    backends: dict[str, ImageBackend] = {}
    for url in urls:
        one = section.model_copy(update={"base_url": url, "base_urls": []})
        backends[url] = build_container(app_config.model_copy(update={app_config.backend: one})).backend()
    return backends


def _dispatcher_factory(
    app_config: AppConfig, servers: dict[str, ImageBackend], clock: Clock, output_dir: Path
) -> Callable[[Sequence[str]], StepDispatcher]:
    """Builds the thread-pool dispatcher over the servers a plan may use (one worker each)."""
    section = _server_section(app_config)

    def build(names: Sequence[str]) -> StepDispatcher:
        threshold = section.server_failures_to_remove if section is not None else 3
        cooldown = section.server_cooldown_s if section is not None else 30.0
        workers = [
            ServerWorker(
                name=name,
                pipeline_run=PipelineRunner(backend=servers[name], clock=clock, output_dir=output_dir,
                                            server=name),
                breaker=ServerBreaker(threshold=threshold, cooldown_s=cooldown),
            )
            for name in names
        ]
        return ThreadPoolDispatcher(workers)

    return build
def _records_reader(
    factory: Callable[[Path], RecordSource], path: Path
) -> Callable[[], Iterable[LearningRecord]]:
    """Each call streams the record log anew (recommend, report and confirm read it when they run)."""
    return lambda: factory(path).iter_records()


def _feedback_reader(
    factory: Callable[[Path], FeedbackSource], path: Path
) -> Callable[[], Iterable[FeedbackEvent]]:
    """Each call reads the feedback log anew."""
    return lambda: factory(path).read_events().events


def _breaker(app_config: AppConfig) -> ServerBreaker:
    """The one server's breaker: `server_failures_to_remove` unreachable steps in a row stop a plan."""
    section = _server_section(app_config)
    return ServerBreaker(threshold=section.server_failures_to_remove if section is not None else 3)


def _rater(configured: str | None) -> str:
    """Who rates: [feedback] rater, else the OS user name (else the user id, where there is none)."""
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid-{os.getuid()}"


class Container(containers.DeclarativeContainer):
    """Wires ports to adapters from AppConfig; tests override the edges with fakes."""

    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)

    # A1111: the HTTP client, its retry policy and API client, the generation watch, then the backend
    a1111_http = providers.Singleton(_a1111_http, config.a1111.base_url, config.a1111.username,
                                     config.a1111.password, config.a1111.connect_timeout_s)
    a1111_retry_policy = providers.Singleton(
        RetryPolicy, retries=config.a1111.retries, backoff_s=config.a1111.retry_backoff_s
    )
    a1111_client = providers.Singleton(
        A1111Client, a1111_http, connect_timeout_s=config.a1111.connect_timeout_s, policy=a1111_retry_policy,
        secrets=providers.Callable(_secrets, config.a1111.password),
        has_credentials=providers.Callable(_is_set, config.a1111.username),
    )
    a1111_watch_policy = providers.Singleton(
        WatchPolicy, poll_s=config.a1111.progress_interval_s, stall_s=config.a1111.stall_timeout_s,
        interrupt_grace_s=config.a1111.interrupt_grace_s,
    )
    # ComfyUI: the HTTP client, its retry policy and API client, the workflows, the timings
    comfyui_http = providers.Singleton(
        _comfyui_http, config.comfyui.base_url, config.comfyui.connect_timeout_s,
        config.comfyui.request_timeout_s,
    )
    comfyui_retry_policy = providers.Singleton(
        _comfyui_retry_policy, config.comfyui.retries, config.comfyui.retry_backoff_s
    )
    comfyui_client = providers.Singleton(
        ComfyUIClient, comfyui_http, policy=comfyui_retry_policy,
        connect_timeout_s=config.comfyui.connect_timeout_s,
    )
    comfyui_templates = providers.Singleton(
        Templates,
        providers.Dict(txt2img=config.comfyui.workflow, img2img=config.comfyui.img2img_workflow,
                       adetailer=config.comfyui.adetailer_workflow, upscale=config.comfyui.upscale_workflow),
        providers.Dict(txt2img=config.comfyui.mapping, img2img=config.comfyui.img2img_mapping,
                       adetailer=config.comfyui.adetailer_mapping, upscale=config.comfyui.upscale_mapping),
    )
    comfyui_timing = providers.Singleton(
        Timing, config.comfyui.stage_timeout_s, config.comfyui.stall_timeout_s, config.comfyui.poll_interval_s
    )
    backend = providers.Selector(
        config.backend,
        procedural=providers.Singleton(ProceduralBackend),
        a1111=providers.Singleton(
            A1111Backend, a1111_client, watch_policy=a1111_watch_policy,
            stage_timeout_s=config.a1111.stage_timeout_s, stage_timeouts_s=config.a1111.stage_timeouts_s,
        ),
        comfyui=providers.Singleton(
            ComfyUIBackend, comfyui_client, base_url=config.comfyui.base_url, templates=comfyui_templates,
            timing=comfyui_timing, connect_timeout_s=config.comfyui.connect_timeout_s,
        ),
    )
    load_pipeline_config = providers.Callable(load_pipeline_config)  # container.load_pipeline_config(path)
    load_plan = providers.Callable(load_plan)  # container.load_plan(path)
    load_ratings_csv = providers.Callable(load_ratings_csv)  # container.load_ratings_csv(path)
    record_sink_factory = providers.Factory(LearningRecordWriter)
    record_source_factory = providers.Factory(JsonlRecordSource)
    app_config = providers.Dependency(instance_of=AppConfig)
    pipeline_runner = providers.Singleton(
        PipelineRunner, backend=backend, clock=clock, output_dir=config.output_dir,
        server=providers.Callable(_server_label, app_config),
    )
    server_backends = providers.Singleton(_server_backends, app_config)
    preflight = providers.Singleton(FilePreflight)
    pipeline_controller = providers.Factory(
        PipelineController,
        pipeline_run=pipeline_runner,
        sink_factory=record_sink_factory.provider,
        records_path=config.records_path,
        learning_enabled=config.learning.enabled,
        image_backend=backend,
        source_factory=record_source_factory.provider,
        preflight=preflight,
        output_dir=config.output_dir,
        extra_logs=providers.List(config.feedback_path),  # the preflight checks every log a run may touch
    )
    image_library = providers.Singleton(PillowImageLibrary)
    import_controller = providers.Factory(
        ImportController,
        library=image_library,
        sink_factory=record_sink_factory.provider,
        source_factory=record_source_factory.provider,
        records_path=config.records_path,
        clock=clock,
    )
    contact_sheet_writer = providers.Singleton(PillowContactSheetWriter)
    plan_locks_factory = providers.Factory(FilePlanLocks)
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
        servers=server_backends,
        dispatcher_factory=providers.Callable(
            _dispatcher_factory, app_config, server_backends, clock, config.output_dir
        ),
        breaker_factory=providers.Factory(_breaker, app_config).provider,
        plan_locks_factory=plan_locks_factory.provider,
        preflight=preflight,
        extra_logs=providers.List(config.feedback_path),
        locate_image=providers.Object(locate_image),
        image_search_dirs=providers.Object(log_search_dirs),
    )
    feedback_log_factory = providers.Factory(JsonlFeedbackLog)
    dataset_builder_factory = providers.Factory(DuckDBDatasetBuilder)
    feedback_controller = providers.Factory(
        FeedbackController,
        source_factory=record_source_factory.provider,
        feedback_factory=feedback_log_factory.provider,
        records_path=config.records_path,
        feedback_path=config.feedback_path,
        clock=clock,
        rater=providers.Callable(_rater, config.feedback.rater),
        canonical_path=providers.Object(os.path.realpath),
        dataset_factory=dataset_builder_factory.provider,
    )
    review_controller = providers.Factory(
        ReviewController,
        source_factory=record_source_factory.provider,
        records_path=config.records_path,
        feedback=feedback_controller,
        output_dir=config.output_dir,
    )

    documents = providers.Singleton(FileDocumentWriter)
    observations = providers.Factory(
        JoinedObservations,
        events=providers.Callable(_feedback_reader, feedback_log_factory.provider, config.feedback_path),
        records=providers.Callable(_records_reader, record_source_factory.provider, config.records_path),
    )
    model_settings = providers.Factory(
        ModelSettings, ridge=config.recommend.ridge, bootstrap=config.recommend.bootstrap,
        seed=config.recommend.seed, near_best=config.recommend.near_best,
        p_recommend=config.recommend.p_recommend, min_ratings=config.recommend.min_ratings,
        min_steps=config.recommend.min_steps, top=config.recommend.top,
    )
    recommendation_controller = providers.Factory(
        RecommendationController,
        observations=observations,
        learning=learning_execution_controller,
        source_factory=record_source_factory.provider,
        records_path=config.records_path,
        documents=documents,
        settings=model_settings,
    )


def build_container(app_config: AppConfig) -> Container:
    """A container configured from `app_config` (secrets stay SecretStr until an adapter needs them)."""
    container = Container()
    values = app_config.model_dump()
    values["records_path"] = app_config.records_path
    for section in ("a1111", "comfyui"):  # with several servers, one-off work goes to the first
        if values[section]["base_urls"]:
            values[section]["base_url"] = values[section]["base_urls"][0]
    values["feedback_path"] = app_config.feedback_path
    container.config.from_dict(values)
    container.app_config.override(providers.Object(app_config))
    return container
