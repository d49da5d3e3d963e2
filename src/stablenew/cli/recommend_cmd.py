"""`stablenew recommend`: which settings are best, with the evidence and an honest verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from stablenew.cli.consoles import stderr_console, stdout_console
from stablenew.cli.errors import cli_errors
from stablenew.cli.options import ConfigOpt, DebugOpt, FeedbackOpt, OutputOpt, RecordsOpt, open_container
from stablenew.domain.errors import InputError
from stablenew.domain.feedback.recommendation import Recommendation


def _num(value: float | None, fmt: str = "{:.2f}") -> str:
    return "–" if value is None else fmt.format(value)


def print_recommendation(console: Console, rec: Recommendation, title: str) -> None:
    """Per-axis tables, the pick, the verdict and what is missing."""
    console.print(
        f"{title}: {rec.n_ratings} ratings of {rec.n_steps} steps by {len(rec.raters)} rater(s), "
        f"{rec.n_preferences} preference(s)",
        markup=False,
    )
    for axis in rec.axes:
        table = Table("value", "images", "steps", "mean ★", "effect ± 95% CI", "Bradley–Terry",
                      title=Text(axis.label), title_justify="left")
        for v in axis.values:
            effect = "–" if v.effect is None or v.ci95 is None else (
                f"{v.effect:+.2f} [{v.ci95[0]:+.2f}, {v.ci95[1]:+.2f}]")
            bt = "–" if v.bt_strength is None else f"{v.bt_strength:+.2f} ({v.n_comparisons})"
            table.add_row(Text(str(v.value)), str(v.n_images), str(v.n_steps), _num(v.mean_stars),
                          Text(effect), Text(bt))
        console.print(table)
    if rec.pick:
        pick = ", ".join(f"{label}={value}" for label, value in rec.pick.items())
        ci = rec.ci95 or (0.0, 0.0)
        console.print(
            f"pick: {pick} — expected {_num(rec.expected_stars)}★ [{ci[0]:.2f}, {ci[1]:.2f}], "
            f"P(within {rec.settings.get('near_best')}★ of the best) = {_num(rec.p_near_best)}",
            markup=False,
        )
    console.print(f"verdict: {rec.verdict.value}", markup=False)
    for line in rec.missing:
        console.print(f"missing: {line}", markup=False)


def recommend(
    plan_file: Annotated[Path | None, typer.Option("--plan", help="Learning plan (TOML or JSON).")] = None,
    prompt: Annotated[str | None, typer.Option("--prompt", help="Only runs of this prompt.")] = None,
    model: Annotated[str | None, typer.Option("--model", help="Only runs of this model.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one stablenew.recommendation/1 object.")
    ] = False,
    write_preset: Annotated[
        Path | None,
        typer.Option("--write-preset", help="Write the pick as a pipeline config `stablenew run` accepts."),
    ] = None,
    records: RecordsOpt = None,
    feedback: FeedbackOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Fit the ratings and say which settings are best: recommended, leading or insufficient."""
    with cli_errors(debug):
        if plan_file is not None and (prompt is not None or model is not None):
            raise InputError("give either --plan or --prompt/--model: a plan fixes its own prompt",
                             field="--prompt" if prompt is not None else "--model")
        if write_preset is not None and plan_file is None:
            raise InputError("needs --plan (the preset is the plan's base config with the pick)",
                             field="--write-preset")
        container = open_container(config, output=output, records=records, feedback=feedback)
        plan = container.load_plan(plan_file) if plan_file is not None else None
        controller = container.recommendation_controller()
        hint = f"stablenew learn confirm {plan_file}" if plan_file else "stablenew learn confirm PLAN"
        rec = controller.recommend(plan, prompt=prompt, model=model, confirm_command=hint)
        console = stdout_console()
        if as_json:
            typer.echo(json.dumps(rec.to_dict(), ensure_ascii=False))
        else:
            title = f"plan {plan.name} ({plan.id})" if plan else "all rated runs" + (
                f" of prompt {prompt!r}" if prompt else "") + (f" with model {model!r}" if model else "")
            print_recommendation(console, rec, title)
        if write_preset is not None and plan is not None:
            try:
                controller.write_preset(plan, rec, write_preset)
            except OSError as exc:
                raise InputError(f"cannot be written ({exc.strerror or exc})",
                                 source=str(write_preset)) from None
            (stderr_console() if as_json else console).print(
                f"preset: {write_preset} (run it with: stablenew run {write_preset})", markup=False)
