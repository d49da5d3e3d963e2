"""`stablenew learn run|resume|status PLAN`: resumable, recorded learning runs (sweeps)."""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import takewhile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from stablenew.cli.consoles import stderr_console, stdout_console
from stablenew.cli.errors import EXIT_FAILED, cli_errors
from stablenew.cli.escape import shown
from stablenew.cli.hints import plan_command
from stablenew.cli.interrupts import sigint_cancels
from stablenew.cli.learn_progress import StepProgress
from stablenew.cli.log_warnings import warn_if_corrupt
from stablenew.cli.options import BackendOpt, ConfigOpt, DebugOpt, OutputOpt, RecordsOpt, open_container
from stablenew.controller.learning_execution_controller import LearningExecutionController
from stablenew.domain.plan.learning_results import LearningExecutionResult
from stablenew.domain.plan.steps import count_steps
from stablenew.domain.run.cancel import CancelToken

learn_app = typer.Typer(
    help="Learning runs: sweep settings over a base config, resumably.", no_args_is_help=True
)

PlanArg = Annotated[Path, typer.Argument(metavar="PLAN", help="Learning plan (TOML or JSON).")]
GridOpt = Annotated[bool, typer.Option("--grid/--no-grid", help="Draw the contact sheet(s) afterwards.")]
MaxStepsOpt = Annotated[
    int | None, typer.Option("--max-steps", min=1, help="Run at most this many steps now.")
]


def _finite_seconds(value: float | None) -> float | None:
    """--timeout must be a real duration: `inf` or `nan` would silently mean "never" (exit 2)."""
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise typer.BadParameter(f"expected a finite number of seconds >= 0, not {value}")
    return value


TimeoutOpt = Annotated[
    float | None,
    typer.Option("--timeout", callback=_finite_seconds, help="Stop after this many seconds."),
]
SkipServersOpt = Annotated[
    bool,
    typer.Option(
        "--skip-servers-missing-names",
        help="With several servers: leave out (with a warning) a server that lacks a name the plan uses.",
    ),
]


def _print_result(
    console: Console,
    result: LearningExecutionResult,
    controller: LearningExecutionController,
    resume_hint: str,
) -> None:
    summary = result.summary
    console.print(
        shown(f"plan {result.plan.name} ({result.plan.id}), seed {result.plan.seed}: "
        f"{summary.total_steps} steps — {summary.already_done} already done, {summary.executed} ran: "
        f"{summary.succeeded} ok, "
        f"{summary.failed} failed, {summary.cancelled_steps} cancelled; {summary.not_run} not run; "
        f"{summary.elapsed_s:.2f} s"),
        markup=False,
    )
    for failure in result.failures:
        outcome = "cancelled" if failure.cancelled else "failed"
        console.print(
            shown(f"step {failure.step.number} {outcome}: {failure.step.describe()}: {failure.error}"),
            markup=False,
        )
    report = controller.last_grid_report
    for path in report.written if report else ():
        console.print(shown(f"contact sheet: {path}"), markup=False)
    for note in report.skipped if report else ():
        console.print(shown(f"note: contact sheet {note}"), markup=False)
    for note in report.failed if report else ():
        stderr_console().print(shown(f"warning: contact sheet {note}"), markup=False)
    console.print(shown(f"records: {controller.records_path}"), markup=False)
    if summary.gave_up:  # the circuit breaker: a dead or wrong server stops the plan
        in_a_row = len(list(takewhile(lambda r: not r.success, reversed(result.step_results))))
        why = (f"the server could not be reached {in_a_row} times in a row" if in_a_row
               else "every server was taken out by its circuit breaker")
        console.print(
            shown(f"stopped early ({summary.stop_reason}): {why}; every step that ran is recorded. "
                  f"Resume with: {resume_hint}"),
            markup=False,
        )
    elif summary.stop_reason is not None:
        console.print(
            shown(f"stopped early ({summary.stop_reason}); every step that ran is recorded. Resume with: "
            f"{resume_hint}"),
            markup=False,
        )
    elif result.failures:
        console.print(shown(f"to retry the failed steps: {resume_hint}"), markup=False)


def _execute(
    plan_file: Path,
    *,
    resume: bool,
    grid: bool,
    max_steps: int | None,
    timeout: float | None,
    records: Path | None,
    output: Path | None,
    backend: str | None,
    config: Path | None,
    skip_servers: bool = False,
) -> None:
    console = stdout_console()
    container = open_container(config, output=output, backend=backend, records=records)
    plan = container.load_plan(plan_file)
    controller = container.learning_execution_controller(
        skip_servers_missing_names=skip_servers,
        warn=lambda message: console.print(shown(f"warning: {message}"), markup=False),
    )
    controller.on_log_health = lambda health: warn_if_corrupt(
        controller.records_path, health, "a step recorded only there counts as not done and runs again"
    )
    token = CancelToken()
    progress = StepProgress(console, plan_steps=count_steps(plan))
    with sigint_cancels(token), progress:
        result = controller.run_learning_plan(
            plan,
            cancel=token,
            resume=resume,
            on_step=progress.on_step,
            on_dispatch=progress.on_dispatch,
            on_stage=progress.stage_listener,
            grid=None if grid else False,
            max_steps=max_steps,
            timeout_s=timeout,
        )
    hint = plan_command("resume", plan_file, records=records, output=output, config=config, backend=backend)
    _print_result(console, result, controller, hint)
    if result.failures or result.summary.cancelled or result.summary.gave_up:
        raise typer.Exit(EXIT_FAILED)


def _plan_command(*, resume: bool, doc: str) -> Callable[..., None]:
    """`learn run` and `learn resume`: the same options, only `resume` differs."""

    def command(
        plan_file: PlanArg,
        grid: GridOpt = True,
        max_steps: MaxStepsOpt = None,
        timeout: TimeoutOpt = None,
        records: RecordsOpt = None,
        output: OutputOpt = None,
        backend: BackendOpt = None,
        config: ConfigOpt = None,
        debug: DebugOpt = False,
        skip_servers: SkipServersOpt = False,
    ) -> None:
        with cli_errors(debug):
            _execute(plan_file, resume=resume, grid=grid, max_steps=max_steps, timeout=timeout,
                     records=records, output=output, backend=backend, config=config,
                     skip_servers=skip_servers)

    command.__doc__ = doc
    return command


run = learn_app.command("run")(_plan_command(
    resume=False,
    doc="Run each step of a plan that has no successful record (running again resumes); exit 1 if one fails.",
))
resume = learn_app.command("resume")(_plan_command(
    resume=True,
    doc="Run the steps of an interrupted plan that are not done; exit 2 when the plan has no records yet.",
))


@learn_app.command("status")
def status(
    plan_file: PlanArg,
    records: RecordsOpt = None,
    output: OutputOpt = None,
    backend: BackendOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Count the plan's done, failed and pending steps from the record log (runs nothing)."""
    with cli_errors(debug):
        console = stdout_console()
        container = open_container(config, output=output, backend=backend, records=records)
        plan = container.load_plan(plan_file)
        controller = container.learning_execution_controller()
        state = controller.plan_status(plan)
        warn_if_corrupt(controller.records_path, controller.last_log_health,
                        "a step recorded only there counts as not done")
        console.print(
            shown(f"plan {plan.name} ({plan.id}): {state.total} steps, {state.records} records in "
            f"{controller.records_path}"),
            markup=False,
        )
        table = Table("done", "failed", "cancelled", "pending")
        counts = (state.done, state.failed, state.cancelled, state.pending)
        table.add_row(*(str(len(steps)) for steps in counts))
        console.print(table)
        for outcome, steps in (("failed", state.failed), ("cancelled", state.cancelled)):
            for step in steps[:20]:
                console.print(shown(f"{outcome}: step {step.number}: {step.describe()}"), markup=False)
        verb = "run" if state.records == 0 else "resume"  # resume refuses a plan that never ran
        hint = plan_command(verb, plan_file, records=records, output=output, config=config, backend=backend)
        if state.records == 0:
            console.print(shown(f"to start: {hint}"), markup=False)
        elif state.failed or state.cancelled or state.pending:
            console.print(shown(f"to finish: {hint}"), markup=False)
