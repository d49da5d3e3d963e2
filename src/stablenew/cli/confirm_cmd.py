"""`stablenew learn confirm PLAN`: re-run the top candidates with fresh seeds, recorded as such."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stablenew.cli.consoles import stdout_console
from stablenew.cli.errors import EXIT_FAILED, cli_errors
from stablenew.cli.interrupts import sigint_cancels
from stablenew.cli.learn_progress import StepProgress
from stablenew.cli.options import (
    BackendOpt,
    ConfigOpt,
    DebugOpt,
    FeedbackOpt,
    OutputOpt,
    RecordsOpt,
    open_container,
)
from stablenew.domain.run.cancel import CancelToken


def confirm(
    plan_file: Annotated[Path, typer.Argument(metavar="PLAN", help="Learning plan (TOML or JSON).")],
    top: Annotated[int | None, typer.Option("--top", min=1, max=50,
                                            help="How many candidates ([recommend] top, default 3).")] = None,
    images: Annotated[int, typer.Option("--images", min=1, max=64,
                                        help="Fresh seeds per candidate (one image each).")] = 4,
    records: RecordsOpt = None,
    feedback: FeedbackOpt = None,
    output: OutputOpt = None,
    backend: BackendOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Re-run the plan's top candidates with fresh seeds, tagged as confirmation runs of the plan."""
    with cli_errors(debug):
        console = stdout_console()
        container = open_container(config, output=output, backend=backend, records=records,
                                   feedback=feedback)
        plan = container.load_plan(plan_file)
        controller = container.recommendation_controller()
        token = CancelToken()
        with sigint_cancels(token), StepProgress(console) as progress:
            run = controller.confirm(plan, top=top, images=images, cancel=token, on_step=progress.on_step,
                                     on_stage=progress.stage_listener)
        console.print(f"plan {plan.name} ({plan.id}): verdict before confirming: "
                      f"{run.recommendation.verdict.value}", markup=False)
        for follow_up, result in zip(run.plans, run.results, strict=False):
            candidate = ", ".join(f"{k}={v}" for k, v in follow_up.metadata.get("candidate", {}).items())
            summary = result.summary
            console.print(
                f"confirmation #{follow_up.metadata['confirmation_rank']} {candidate}: "
                f"{summary.succeeded}/{summary.total_steps} ok ({follow_up.name})",
                markup=False,
            )
            for failure in result.failures:
                console.print(f"failed: {failure.step.describe()}: {failure.error}", markup=False)
        console.print(f"records: {controller.records_path}", markup=False)
        console.print(f"next: rate the new images, then: stablenew recommend --plan {plan_file}",
                      markup=False)
        if run.failed:
            raise typer.Exit(EXIT_FAILED)
