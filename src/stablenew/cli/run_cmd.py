"""`stablenew run CONFIG`: one pipeline run, printed stage by stage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from stablenew.cli.consoles import stdout_console
from stablenew.cli.errors import EXIT_FAILED, cli_errors
from stablenew.cli.escape import cell, shown
from stablenew.cli.interrupts import sigint_cancels
from stablenew.cli.log_warnings import warn_if_corrupt
from stablenew.cli.options import BackendOpt, ConfigOpt, DebugOpt, OutputOpt, RecordsOpt, open_container
from stablenew.cli.run_progress import StageBar
from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.results import PipelineRunResult


def _seed_line(result: PipelineRunResult, config: PipelineConfig | None) -> str | None:
    """`seed: 123` for the first stage that ran with a seed; `(drawn …)` when the config left it to
    chance (-1), so the run can be repeated."""
    for event in result.events:
        seed = event.params.get("seed")
        if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0:
            stage = config.stage(event.stage) if config is not None else None
            if stage is not None and stage.get("seed", -1) == -1:
                return f"seed: {seed} (drawn; set seed = {seed} in [{event.stage}] to repeat this run)"
            return f"seed: {seed}"
    return None


def print_run(
    result: PipelineRunResult,
    records_path: Path | None,
    console: Console,
    config: PipelineConfig | None = None,
) -> None:
    """Run id, the seed (drawn or given), a table of stages with durations and outcomes, the images
    and the record."""
    console.print(shown(f"run {result.run_id} on {result.backend}: {'ok' if result.success else 'FAILED'}"),
                  markup=False)
    seed = _seed_line(result, config)
    if seed is not None:
        console.print(seed, markup=False)
    table = Table("stage", "seconds", "outcome", "images", "error")
    for event in result.events:
        table.add_row(cell(event.stage), f"{event.duration_s:.3f}", cell(event.outcome),
                      str(len(event.images)), cell(event.error or ""))
    console.print(table)
    for event in result.events:
        for image in event.images:
            console.print(shown(f"image ({event.stage}): {image.path}"), markup=False)
    if result.record_error:
        console.print(shown(f"record NOT written: {result.record_error}"), markup=False)
    elif records_path is not None:
        console.print(shown(f"record: {records_path}"), markup=False)


def run(
    config_file: Annotated[Path, typer.Argument(metavar="CONFIG", help="Pipeline config (TOML or JSON).")],
    learning: Annotated[bool | None, typer.Option(
        "--learning/--no-learning", help="Write a learning record (default from app config).",
    )] = None,
    records: RecordsOpt = None,
    output: OutputOpt = None,
    backend: BackendOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Run one pipeline config through its enabled stages."""
    with cli_errors(debug):
        console = stdout_console()
        container = open_container(config, output=output, backend=backend, records=records, learning=learning)
        pipeline_config = container.load_pipeline_config(config_file)
        controller = container.pipeline_controller()
        controller.validate(pipeline_config, source=str(config_file))
        controller.preflight()  # before reading the log: a bad path is one line naming it
        warn_if_corrupt(controller.records_path, controller.log_health())
        token = CancelToken()
        stages = tuple(stage.stage for stage in pipeline_config.enabled_stages())
        with sigint_cancels(token), StageBar(console, stages) as bar:
            result = controller.run(pipeline_config, cancel=token, progress=bar.listener)
        print_run(result, controller.records_path if controller.learning_enabled else None, console,
                  pipeline_config)
        if result.cancelled:
            stopped = f"{token.reason or 'cancelled'}: the run stopped early; the images made so far are kept"
            console.print(shown(stopped), markup=False)
        if not result.success or token.cancelled:  # Ctrl-C after the stages (e.g. waiting for the log)
            raise typer.Exit(EXIT_FAILED)
