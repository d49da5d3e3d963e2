"""LearningExecutionController: runs, resumes and reports learning plans; they always record."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from stablenew.controller.remembering_sink import RememberingSink
from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.errors import InputError, PlanBusyError, PlanError
from stablenew.domain.plan.grid_layout import ContactSheetReport, contact_sheets
from stablenew.domain.plan.learning_adapter import as_pipeline_config
from stablenew.domain.plan.learning_results import LearningExecutionResult
from stablenew.domain.plan.plan import LearningPlan
from stablenew.domain.plan.progress import (
    PlanStatus,
    done_step_keys,
    images_by_step,
    plan_records,
    plan_status,
    recorded_plan_seed,
)
from stablenew.domain.plan.prompt_sr import plan_prompts
from stablenew.domain.plan.rules import first_stage_seed, locate_step_config_error, rebase_plan
from stablenew.domain.plan.same_names import refuse_same_names
from stablenew.domain.plan.steps import derive_step_config, expand_plan
from stablenew.domain.ports.clock import Clock
from stablenew.domain.ports.contact_sheet import ContactSheetWriter
from stablenew.domain.ports.image_backend import ImageBackend
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.ports.plan_lock import PlanLocks
from stablenew.domain.ports.preflight import Preflight
from stablenew.domain.ports.record_scan import LogHealth
from stablenew.domain.ports.record_sink import RecordSink, RecordSource
from stablenew.domain.ports.step_dispatcher import StepDispatcher
from stablenew.domain.records.record import LearningRecord
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError
from stablenew.domain.run.generation import ProgressListener
from stablenew.domain.run.server_faults import ServerBreaker
from stablenew.domain.services.learning_execution import (
    TIMEOUT_REASON,
    DispatchCallback,
    LearningExecutionContext,
    LearningExecutionRunner,
    StepCallback,
)
from stablenew.domain.services.serial_dispatch import SerialDispatcher

SinkFactory = Callable[[Path], RecordSink]
SourceFactory = Callable[[Path], RecordSource]
# dispatcher_factory(server names to use) → a dispatcher running steps on those servers at once
DispatcherFactory = Callable[[Sequence[str]], StepDispatcher]


def _draw_seed() -> int:
    return random.SystemRandom().randrange(2**32 - 1)


def _refuse_a_reused_name(plan: LearningPlan, records: Sequence[LearningRecord], log: Path) -> None:
    """A plan's name is its identity: earlier records of it made for another prompt mean two plans
    share a name (e.g. two `sweep.toml` files without `[plan] name`), and mixing them would be wrong."""
    asked = plan_prompts(plan)
    other = next((r for r in records if (r.data.get("prompt"), r.data.get("negative_prompt")) not in asked),
                 None)
    if other is not None:
        raise PlanError(
            f"plan {plan.name!r} already has records in {log} for another prompt "
            f"({other.data.get('prompt')!r}); a plan's name identifies it: give this plan its own name",
            source=plan.source,
            field="plan.name",
        )


class LearningExecutionController:
    """Runs plans through the PipelineRun port, recording every step to the shared record log."""

    def __init__(
        self,
        *,
        pipeline_run: PipelineRun,
        sink_factory: SinkFactory,
        source_factory: SourceFactory,
        records_path: Path | str,
        clock: Clock,
        contact_sheet_writer: ContactSheetWriter | None = None,
        sheets_dir: Path | str = "output",
        grid_enabled: bool = True,
        max_megapixels: float = 200.0,
        seed_source: Callable[[], int] = _draw_seed,
        image_backend: ImageBackend | None = None,
        servers: Mapping[str, ImageBackend] | None = None,
        dispatcher_factory: DispatcherFactory | None = None,
        breaker_factory: Callable[[], ServerBreaker] | None = None,
        skip_servers_missing_names: bool = False,
        warn: Callable[[str], None] | None = None,
        plan_locks_factory: Callable[[Path], PlanLocks] | None = None,
        preflight: Preflight | None = None,
        extra_logs: Sequence[Path | str] = (),
        locate_image: Callable[[str, Sequence[Path]], str] | None = None,
        image_search_dirs: Callable[[Path], list[Path]] | None = None,
    ) -> None:
        self._pipeline_run = pipeline_run
        self._locate_image, self._image_search_dirs = locate_image, image_search_dirs
        self._preflight = preflight
        self.output_dir = Path(sheets_dir)
        self.extra_logs = [Path(p) for p in extra_logs]  # other logs a run appends to (feedback)
        self._locks_factory = plan_locks_factory  # None: no lock (a library caller's own concern)
        self._servers = dict(servers or {})
        self._dispatcher_factory = dispatcher_factory
        self._breaker_factory = breaker_factory  # one server: its breaker stops the plan when it trips
        self._skip_missing = skip_servers_missing_names
        self._warn = warn or (lambda message: None)
        self.usable_servers: list[str] = list(self._servers)
        self.skipped_servers: list[tuple[str, str]] = []  # (server, why), for the CLI's warnings
        self._sink_factory = sink_factory
        self._source_factory = source_factory
        self.records_path = Path(records_path)
        self._clock = clock
        self._sheets = contact_sheet_writer
        self.sheets_root = Path(sheets_dir) / "learning" / "plans"
        self.grid_enabled = grid_enabled
        self.max_megapixels = max_megapixels
        self._seed_source = seed_source
        self._backend = image_backend
        self._last: LearningExecutionResult | None = None
        self.last_grid_report: ContactSheetReport | None = None
        self.last_log_health: LogHealth | None = None  # what the last read found wrong in the log
        self.on_log_health: Callable[[LogHealth], None] | None = None  # told before any step runs
        self._plan_records: list[LearningRecord] = []

    def plan_records(self, plan: LearningPlan) -> list[LearningRecord]:
        """The plan's records, read in one streaming pass over the log that touches only its lines;
        the log's defects are left in `last_log_health`."""
        scan = self._source_factory(self.records_path).scan(plan.id)
        records = plan_records(scan, plan.id)
        self.last_log_health = scan.health
        return records

    def validate_plan(self, plan: LearningPlan) -> None:
        """Ask the backend to check every step's config before anything runs (unknown names → exit 2),
        blaming a bad value on the axis, base file or inline base that set it."""
        configs = [derive_step_config(plan.base, step, plan) for step in expand_plan(plan)]
        if len(self._servers) > 1:
            self._validate_on_every_server(plan, configs)
            return
        if self._backend is None:
            return
        try:
            self._backend.validate(configs, source=plan.source)
        except InputError as exc:
            raise locate_step_config_error(plan, exc) from None
        refuse_same_names(plan, self._backend.canonical_names)

    def _validate_on_every_server(self, plan: LearningPlan, configs: list[PipelineConfig]) -> None:
        """Every name the plan uses must exist on every server: a server missing one is exit 2 naming
        it, or — with skip_servers_missing_names — left out with a warning; so is one that cannot be
        reached now. No server left: the first error stands."""
        self.usable_servers, self.skipped_servers = [], []
        first: Exception | None = None
        for name, backend in self._servers.items():
            try:
                backend.validate(configs, source=plan.source)
            except InputError as exc:
                located = locate_step_config_error(plan, exc)
                error = type(located)(
                    f"on server {name}: {located.message}", source=located.source, field=located.field
                )
                if not self._skip_missing:
                    raise error from None
                first = first or error
                self.skipped_servers.append((name, str(error)))
                self._warn(f"server {name} left out (--skip-servers-missing-names): {error}")
                continue
            except BackendError as exc:
                first = first or exc
                self.skipped_servers.append((name, f"{name}: {exc}"))
                self._warn(f"server {name} left out: {exc}")
                continue
            self.usable_servers.append(name)
        if not self.usable_servers and first is not None:
            raise first
        if self.usable_servers:
            refuse_same_names(plan, self._servers[self.usable_servers[0]].canonical_names)
    def prepare(self, plan: LearningPlan, *, resume: bool = False) -> tuple[LearningPlan, frozenset[str]]:
        """The plan with its shared seed fixed, and the step keys already done according to the log.

        The seed is the plan's, else the one its earlier records hold, else the base's fixed txt2img
        seed, else a drawn one. `resume` refuses a plan the log has no record of.
        """
        records = self._plan_records = self.plan_records(plan)
        if self.on_log_health is not None and self.last_log_health is not None:
            self.on_log_health(self.last_log_health)
        if resume and not records:
            raise self._nothing_to_resume(plan)
        _refuse_a_reused_name(plan, records, self.records_path)
        if plan.seed is None and not plan.seed_is_axis:
            seed = recorded_plan_seed(records, plan.id)
            seed = first_stage_seed(plan.base) if seed is None else seed
            plan = plan.with_seed(self._seed_source() if seed is None else seed)
        return plan, done_step_keys(records, plan.id)

    def run_learning_plan(
        self,
        plan: LearningPlan,
        base_config: PipelineConfig | Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        *,
        cancel: CancelToken | None = None,
        max_steps: int | None = None,
        max_images_per_step: int | None = None,
        timeout_s: float | None = None,
        resume: bool = False,
        on_step: StepCallback | None = None,
        grid: bool | None = None,
        on_dispatch: DispatchCallback | None = None,
        on_stage: ProgressListener | None = None,
    ) -> LearningExecutionResult:
        """Run the plan's steps that have no successful record yet; then draw its contact sheets.
        `on_stage` hears how far the running steps' stages are (this run only)."""
        if base_config is not None:
            plan = rebase_plan(plan, as_pipeline_config(base_config))
        if metadata:
            plan = plan.with_metadata(metadata)
        self.validate_plan(plan)
        self.preflight()
        if resume and next(iter(self._source_factory(self.records_path).iter_records(plan.id)), None) is None:
            raise self._nothing_to_resume(plan)  # before the lock, which would create its folder
        with self._one_runner(plan):
            return self._run_locked(plan, cancel=cancel, max_steps=max_steps,
                                    max_images_per_step=max_images_per_step, timeout_s=timeout_s,
                                    resume=resume, on_step=on_step, grid=grid, on_dispatch=on_dispatch,
                                    on_stage=on_stage)

    def _nothing_to_resume(self, plan: LearningPlan) -> PlanError:
        return PlanError(
            f"nothing to resume: {self.records_path} has no record of plan {plan.name!r} yet "
            f"(start it with `stablenew learn run`)",
            source=plan.source,
        )

    def preflight(self) -> None:
        """Before the first image: the record log opens for append and the output folder can be
        written; InputError (exit 2) naming the first that cannot."""
        if self._preflight is not None:
            self._preflight.check(logs=[self.records_path, *self.extra_logs], folders=[self.output_dir])

    @contextmanager
    def _one_runner(self, plan: LearningPlan) -> Iterator[None]:
        """Hold the plan's lock on this log; PlanBusyError, naming the plan file, when another has it."""
        with ExitStack() as stack:
            if self._locks_factory is not None:
                try:
                    stack.enter_context(self._locks_factory(self.records_path).hold(plan.id, plan.name))
                except PlanBusyError as exc:
                    raise (exc.with_source(plan.source) if plan.source else exc) from None
            yield

    def _run_locked(
        self, plan: LearningPlan, *, cancel: CancelToken | None, max_steps: int | None,
        max_images_per_step: int | None, timeout_s: float | None, resume: bool,
        on_step: StepCallback | None, grid: bool | None, on_dispatch: DispatchCallback | None,
        on_stage: ProgressListener | None,
    ) -> LearningExecutionResult:
        plan, done = self.prepare(plan, resume=resume)
        cancel = cancel or CancelToken()
        timer = None
        if timeout_s is not None:
            timer = threading.Timer(timeout_s, cancel.cancel, args=(TIMEOUT_REASON,))
            timer.daemon = True
            timer.start()
        sink = RememberingSink(self._sink_factory(self.records_path))
        dispatcher: StepDispatcher | None = None
        if len(self._servers) > 1 and self._dispatcher_factory is not None:
            dispatcher = self._dispatcher_factory(self.usable_servers)
        elif self._breaker_factory is not None:
            dispatcher = SerialDispatcher(self._pipeline_run, breaker=self._breaker_factory())
        runner = LearningExecutionRunner(
            pipeline_run=self._pipeline_run, clock=self._clock, record_sink=sink, dispatcher=dispatcher
        )
        context = LearningExecutionContext(
            max_steps=max_steps,
            max_images_per_step=max_images_per_step,
            timeout_s=timeout_s,
            cancel=cancel,
            done_step_keys=done,
            progress=on_stage,
        )
        try:
            result = runner.run(plan, context, on_step=on_step, on_dispatch=on_dispatch)
        finally:
            if timer is not None:
                timer.cancel()
        self._last = result
        self.last_grid_report = None
        if (self.grid_enabled if grid is None else grid) and self._sheets is not None:
            if cancel.cancelled:  # Ctrl-C or --timeout: stop now; the next run draws the sheets
                self.last_grid_report = ContactSheetReport(skipped=(
                    "not drawn: the run was interrupted (the next `learn run` or `learn resume` draws it)",))
            else:
                self.last_grid_report = self._write_contact_sheets(plan, self._sheets, sink.written, cancel)
        return result

    def _write_contact_sheets(
        self, plan: LearningPlan, writer: ContactSheetWriter, written: Sequence[LearningRecord],
        cancel: CancelToken | None = None,
    ) -> ContactSheetReport:
        """Draw the plan's sheets from every successful record it has: those read before the run and
        those this run wrote (one runner per plan, so the log holds no others; no second read)."""
        images = images_by_step([*self._plan_records, *written], plan.id)
        if self._locate_image is not None:  # old records' relative paths, from any working directory
            roots = self._image_search_dirs(self.records_path) if self._image_search_dirs else []
            locate = self._locate_image
            images = {key: tuple(locate(p, roots) for p in paths) for key, paths in images.items()}
        out_dir = self.sheets_root / plan.id
        try:
            return writer.write(
                contact_sheets(plan, images), str(out_dir), max_megapixels=self.max_megapixels, cancel=cancel
            )
        except OSError as exc:  # the plan ran and is recorded: a sheet that cannot be drawn is a warning
            return ContactSheetReport(failed=(f"{out_dir}: not written ({exc})",))

    def plan_status(self, plan: LearningPlan) -> PlanStatus:
        """Done, failed and pending steps of `plan` according to the record log."""
        return plan_status(plan, self.plan_records(plan))

    def get_last_learning_execution_result_for_tests(self) -> LearningExecutionResult | None:
        """The result of the last run_learning_plan call (None before the first)."""
        return self._last
