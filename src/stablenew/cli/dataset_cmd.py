"""`stablenew dataset build OUT`: the rated-image dataset (and preference pairs) as Parquet, JSONL or CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from stablenew.cli.consoles import stdout_console
from stablenew.cli.errors import cli_errors
from stablenew.cli.feedback_check import warn_if_corrupt
from stablenew.cli.options import ConfigOpt, DebugOpt, FeedbackOpt, RecordsOpt, open_container
from stablenew.controller.feedback_controller import FeedbackController
from stablenew.domain.errors import InputError
from stablenew.domain.feedback.dataset import FORMATS, DatasetRequest, format_for

dataset_app = typer.Typer(help="Datasets of rated images for training and analysis.", no_args_is_help=True)


def _since(text: str | None) -> datetime | None:
    """An ISO date or date-time; without a zone it is UTC."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"expected an ISO date or date-time such as 2026-01-31, got {text!r}",
                         field="--since") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataset_app.command("build")
def build(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="The dataset file to write.")],
    fmt: Annotated[str | None, typer.Option(
        "--format", help="parquet | jsonl | csv (default: from OUT's suffix, else parquet).")] = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="Only this plan's records (and its "
                                                             "confirmation runs).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only runs started at or after this "
                                                              "ISO date or date-time (UTC).")] = None,
    pairs: Annotated[Path | None, typer.Option("--pairs", help="Also write one row per preference "
                                                               "(Pick-a-Pic-like) here.")] = None,
    records: RecordsOpt = None,
    feedback: FeedbackOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """One row per recorded image with its settings and its raters' current ratings averaged."""
    with cli_errors(debug):
        if fmt is not None and fmt not in FORMATS:
            raise InputError(f"expected one of {', '.join(FORMATS)}, got {fmt!r}", field="--format")
        container = open_container(config, records=records, feedback=feedback)
        request = DatasetRequest(
            out=str(out), format=format_for(str(out), fmt),
            plan_id=container.load_plan(plan).id if plan is not None else None,
            since=_since(since), pairs_out=str(pairs) if pairs is not None else None,
        )
        controller: FeedbackController = container.feedback_controller()
        controller.on_feedback_read = warn_if_corrupt(controller.feedback_path)
        report = controller.build_dataset(request)
        console = stdout_console()
        console.print(f"{out}: {report.rows} image rows ({request.format})", markup=False)
        if pairs is not None:
            console.print(f"{pairs}: {report.pairs} preference pairs ({request.format})", markup=False)
