"""The Typer application: registers every command group."""

from __future__ import annotations

import typer

from stablenew.cli.backends_cmd import backends_app
from stablenew.cli.learn_cmd import learn_app
from stablenew.cli.records_cmd import records_app
from stablenew.cli.run_cmd import run

app = typer.Typer(
    name="stablenew",
    help="Drive Stable Diffusion pipelines and learn from every run.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("run")(run)
app.add_typer(records_app, name="records")
app.add_typer(learn_app, name="learn")
app.add_typer(backends_app, name="backends")


def main() -> None:
    """Console-script entry point."""
    app()
