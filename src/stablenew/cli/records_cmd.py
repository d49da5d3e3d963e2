"""`stablenew records check|show|stats`: read the record log, streaming, without changing it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from stablenew.cli.consoles import stdout_console
from stablenew.cli.errors import EXIT_FAILED, cli_errors
from stablenew.cli.escape import json_text, shown
from stablenew.cli.feedback_check import check_feedback_log
from stablenew.cli.options import ConfigOpt, DebugOpt, FeedbackOpt, RecordsOpt, open_container
from stablenew.domain.errors import InputError
from stablenew.domain.ports.record_sink import RecordSource
from stablenew.domain.records.stats import log_stats

records_app = typer.Typer(help="Inspect the learning record log.", no_args_is_help=True)
PathArg = Annotated[Path | None, typer.Argument(help="Record log (default: the configured one).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for tools instead of text.")]


def _source(path: Path | None, records: Path | None, config: Path | None, *, must_exist: bool
            ) -> tuple[Path, RecordSource]:
    container = open_container(config)
    chosen = path or records
    target = chosen if chosen is not None else container.app_config().records_path
    if must_exist and not target.exists():
        raise InputError("file not found", source=str(target))
    return target, container.record_source_factory(target)


def _progress(out: Console) -> Progress:
    """A byte progress bar, shown only on a terminal (a big log takes seconds)."""
    return Progress(TextColumn("reading"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                    console=out, transient=True, disable=not out.is_terminal)


@records_app.command("check")
def check(path: PathArg = None, records: RecordsOpt = None, feedback: FeedbackOpt = None,
          config: ConfigOpt = None, debug: DebugOpt = False) -> None:
    """Verify every line (JSON, schema, checksum); exit 1 when a complete line is corrupt.

    Without PATH the feedback log is checked too; a PATH that is a feedback log is checked as one."""
    with cli_errors(debug):
        target, source = _source(path, records, config, must_exist=True)
        out = stdout_console()
        container = open_container(config, records=records, feedback=feedback)
        if path is not None and container.feedback_log_factory(target).holds_feedback():
            if not check_feedback_log(out, container.feedback_log_factory(target)):
                raise typer.Exit(EXIT_FAILED)
            return
        with _progress(out) as bar:
            task = bar.add_task("check", total=None)
            scan = source.scan(progress=lambda done, total: bar.update(task, completed=done, total=total))
            good = sum(1 for _ in scan)
        health = scan.health
        out.print(shown(f"{target}: {good} good records"), markup=False)
        if health.torn_tail:
            out.print(shown(f"torn last line {health.torn_tail.line_number}: {health.torn_tail.reason}"),
                      markup=False)
        for defect in health.corrupt:
            out.print(shown(f"corrupt line {defect.line_number}: {defect.reason}"), markup=False)
        if health.corrupt_count > len(health.corrupt):
            out.print(f"… and {health.corrupt_count - len(health.corrupt)} more corrupt lines", markup=False)
        out.print(f"{health.corrupt_count} corrupt, {1 if health.torn_tail else 0} torn", markup=False)
        events = feedback
        if events is None and path is None:
            events = container.app_config().feedback_path
        feedback_clean = True
        if events is not None and events.exists():
            feedback_clean = check_feedback_log(out, container.feedback_log_factory(events))
        if not health.clean or not feedback_clean:
            raise typer.Exit(EXIT_FAILED)


@records_app.command("show")
def show(
    run_id: Annotated[str, typer.Argument(help="The run id printed by `stablenew run`.")],
    records: RecordsOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Print one record as JSON."""
    with cli_errors(debug):
        target, source = _source(None, records, config, must_exist=False)
        found = None
        for record in source.iter_records():
            if record.run_id == run_id:
                found = record
        if found is None:
            raise InputError(f"no record with run id {run_id!r}", source=str(target))
        stdout_console().print_json(json_text(found.to_dict()))


@records_app.command("stats")
def stats(path: PathArg = None, as_json: JsonOpt = False, records: RecordsOpt = None,
          config: ConfigOpt = None, debug: DebugOpt = False) -> None:
    """Records, plans, size, time span, per-backend and per-plan counts (one streaming pass)."""
    with cli_errors(debug):
        target, source = _source(path, records, config, must_exist=True)
        out = stdout_console()
        with _progress(out) as bar:
            task = bar.add_task("stats", total=None)
            scan = source.scan(progress=lambda done, total: bar.update(task, completed=done, total=total))
            summary = log_stats(scan)
        health = scan.health
        data = {"path": str(target), "size_bytes": health.size, **summary.to_dict(),
                "corrupt_lines": health.corrupt_count, "torn_tail": health.torn_tail is not None}
        if as_json:
            out.print_json(json_text(data))
            return
        out.print(shown(f"{target}: {summary.records} records ({summary.succeeded} ok, "
                        f"{summary.records - summary.succeeded} failed), {len(summary.plans)} plans, "
                        f"{summary.passive} outside a plan, {health.size:,} bytes"), markup=False)
        out.print(shown(f"from {data['first_timestamp']} to {data['last_timestamp']}"), markup=False)
        backends = ", ".join(f"{name} {n}" for name, n in summary.backends.most_common())
        out.print(shown(f"backends: {backends}"), markup=False)
        for plan_id, count in summary.plans.most_common(20):
            out.print(shown(f"plan {summary.plan_names[plan_id]} ({plan_id}): {count} records"), markup=False)
        if len(summary.plans) > 20:
            out.print(f"… and {len(summary.plans) - 20} more plans (--json lists them all)", markup=False)
        if not health.clean or health.torn_tail:
            out.print(shown(f"{health.corrupt_count} corrupt, {1 if health.torn_tail else 0} torn: "
                            f"run `stablenew records check {target}`"), markup=False)
