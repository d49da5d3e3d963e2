"""The Typer application: registers every command group."""

from __future__ import annotations

from typing import Annotated

import typer

from stablenew import __version__
from stablenew.cli.backends_cmd import backends_app
from stablenew.cli.confirm_cmd import confirm
from stablenew.cli.dataset_cmd import dataset_app
from stablenew.cli.feedback_cmd import prefer, rate
from stablenew.cli.import_cmd import import_images
from stablenew.cli.learn_cmd import learn_app
from stablenew.cli.recommend_cmd import recommend
from stablenew.cli.records_cmd import records_app
from stablenew.cli.report_cmd import export_app, report
from stablenew.cli.review_cmd import review
from stablenew.cli.run_cmd import run
from stablenew.cli.usage import OneLineErrorsGroup

app = typer.Typer(
    name="stablenew",
    cls=OneLineErrorsGroup,
    help="Drive Stable Diffusion pipelines and learn from every run.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stablenew {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Drive Stable Diffusion pipelines and learn from every run."""


app.command("run")(run)
app.command("rate")(rate)
app.command("prefer")(prefer)
app.command("import")(import_images)
app.add_typer(records_app, name="records")
app.add_typer(learn_app, name="learn")
app.add_typer(backends_app, name="backends")
app.command("recommend")(recommend)
app.command("report")(report)
app.add_typer(export_app, name="export")
learn_app.command("confirm")(confirm)
app.add_typer(dataset_app, name="dataset")
app.command("review")(review)


def main() -> None:
    """Console-script entry point."""
    app()
