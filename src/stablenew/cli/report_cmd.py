"""`stablenew report PLAN -o report.html` and `stablenew export llm PLAN [-o FILE]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from stablenew.cli.consoles import stderr_console, stdout_console
from stablenew.cli.errors import cli_errors
from stablenew.cli.options import ConfigOpt, DebugOpt, FeedbackOpt, OutputOpt, RecordsOpt, open_container
from stablenew.domain.errors import InputError

PlanArg = Annotated[Path, typer.Argument(metavar="PLAN", help="Learning plan (TOML or JSON).")]
export_app = typer.Typer(help="Export a plan's results for other tools.", no_args_is_help=True)


def _unwritable(path: Path, exc: OSError) -> InputError:
    return InputError(f"cannot be written ({exc.strerror or exc})", source=str(path))


def report(
    plan_file: PlanArg,
    out: Annotated[Path, typer.Option("-o", "--out", help="The HTML file to write.")],
    records: RecordsOpt = None,
    feedback: FeedbackOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """One self-contained HTML file: contact sheet, per-axis charts, step table, recommendation."""
    with cli_errors(debug):
        container = open_container(config, output=output, records=records, feedback=feedback)
        plan = container.load_plan(plan_file)
        controller = container.recommendation_controller()
        try:
            result = controller.write_report(plan, out)
        except OSError as exc:
            raise _unwritable(out, exc) from None
        rec = result.recommendation
        stdout_console().print(
            f"report: {out} ({len(result.steps)} steps, {rec.n_ratings} ratings, "
            f"verdict {rec.verdict.value})",
            markup=False,
        )


@export_app.command("llm")
def export_llm(
    plan_file: PlanArg,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Write here instead of stdout.")] = None,
    records: RecordsOpt = None,
    feedback: FeedbackOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Compact JSON (stablenew.llm-export/1) of the plan, its steps, ratings and recommendation."""
    with cli_errors(debug):
        container = open_container(config, output=output, records=records, feedback=feedback)
        plan = container.load_plan(plan_file)
        controller = container.recommendation_controller()
        if out is None:
            typer.echo(json.dumps(controller.export_llm(plan), ensure_ascii=False, default=str))
            return
        try:
            controller.write_export(plan, out)
        except OSError as exc:
            raise _unwritable(out, exc) from None
        stderr_console().print(f"export: {out}", markup=False)
