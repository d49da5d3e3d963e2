"""`stablenew records check|show`: read the record log without changing it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from stablenew.adapters.records import read_records
from stablenew.cli.errors import EXIT_FAILED, cli_errors
from stablenew.cli.options import ConfigOpt, DebugOpt, RecordsOpt, open_container
from stablenew.domain.errors import InputError

records_app = typer.Typer(help="Inspect the learning record log.", no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)


def _records_path(path: Path | None, records: Path | None, config: Path | None) -> Path:
    chosen = path or records
    return chosen if chosen is not None else open_container(config).app_config().records_path


@records_app.command("check")
def check(
    path: Annotated[Path | None, typer.Argument(help="Record log (default: the configured one).")] = None,
    records: RecordsOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Count good records, a torn last line, and corrupt lines; exit 1 on corruption before the end."""
    with cli_errors(debug):
        target = _records_path(path, records, config)
        if not target.exists():
            raise InputError("file not found", source=str(target))
        report = read_records(target)
        console.print(f"{target}: {len(report.records)} good records", markup=False)
        if report.torn_tail:
            console.print(f"torn last line {report.torn_tail.line_number}: {report.torn_tail.reason}",
                          markup=False)
        for defect in report.corrupt:
            console.print(f"corrupt line {defect.line_number}: {defect.reason}", markup=False)
        console.print(f"{len(report.corrupt)} corrupt, {1 if report.torn_tail else 0} torn")
        if not report.clean:
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
        target = _records_path(None, records, config)
        found = [r for r in read_records(target).records if r.run_id == run_id]
        if not found:
            raise InputError(f"no record with run id {run_id!r}", source=str(target))
        console.print_json(json.dumps(found[-1].to_dict(), ensure_ascii=False))
