"""`stablenew backends check`: is the configured backend usable, and what does it offer?"""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer
from rich.table import Column, Table

from stablenew.cli.consoles import stderr_console, stdout_console
from stablenew.cli.errors import EXIT_FAILED, cli_errors
from stablenew.cli.escape import cell, json_text, shown
from stablenew.cli.options import BackendOpt, ConfigOpt, DebugOpt, open_container
from stablenew.domain.run.generation import BackendStatus

backends_app = typer.Typer(help="Generation backends (procedural, a1111, comfyui).", no_args_is_help=True)


JsonOpt = Annotated[bool, typer.Option("--json", help="Print the status as one JSON object (for tools).")]


def _listed(values: tuple[str, ...]) -> str:
    """`3: a, b, c`: the count, then every name (none is left out)."""
    return f"{len(values)}: {', '.join(values)}" if values else "-"


def print_status(status: BackendStatus) -> None:
    """One table: reachability, version and the names the backend offers."""
    table = Table("backend", Column(header=cell(status.name)), show_lines=False)
    table.add_row("usable", "yes" if status.usable else "NO")
    if status.reason:
        table.add_row("reason", cell(status.reason))
    table.add_row("version", cell(status.version or "unknown"))
    for label, values in (("models", status.models), ("samplers", status.samplers),
                          ("schedulers", status.schedulers), ("upscalers", status.upscalers),
                          ("vaes", status.vaes)):
        table.add_row(label, cell(_listed(values)))
    stdout_console().print(table)


@backends_app.command("check")
def check(
    config: ConfigOpt = None, backend: BackendOpt = None, as_json: JsonOpt = False, debug: DebugOpt = False
) -> None:
    """Reach the configured backend; print its version and every model, sampler, scheduler, upscaler
    and VAE it offers (--json: the same as one JSON object)."""
    with cli_errors(debug):
        container = open_container(config, backend=backend)
        status = container.backend().check()
        if as_json:
            typer.echo(json_text(dataclasses.asdict(status)))
        else:
            print_status(status)
        if not status.usable:
            message = f"error: backend {status.name} is not usable: {status.reason}"
            stderr_console().print(shown(message), markup=False)
            raise typer.Exit(EXIT_FAILED)
