"""`stablenew review [PLAN]`: the local review page — rate a sweep's images fast, in the browser."""

from __future__ import annotations

import socket
import webbrowser
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from stablenew.cli.consoles import stderr_console
from stablenew.cli.errors import cli_errors
from stablenew.cli.options import ConfigOpt, DebugOpt, OutputOpt, RecordsOpt, open_container
from stablenew.domain.errors import InputError
from stablenew.web import create_review_app

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; a port in use (or a host that is not this machine's) is bad
    input, said in one line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "is in use" if exc.errno == 98 else f"cannot be used ({exc.strerror or exc})"
        message = f"port {port} on {host} {reason}; choose another with --port"
        raise InputError(message, field="--port") from None
    sock.listen(64)
    return sock


PlanOpt = Annotated[
    Path | None, typer.Argument(metavar="[PLAN]", help="Plan to review (default: list the plans).")
]
PortOpt = Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0 = any free one).")]
HostOpt = Annotated[
    str, typer.Option("--host", help="Bind address; anything but 127.0.0.1 is reachable by others.")
]
OpenOpt = Annotated[bool, typer.Option("--open", help="Open the page in the default browser.")]
RaterOpt = Annotated[
    str | None, typer.Option("--rater", help="Who rates (default: [feedback] rater, else the OS user).")
]


def review(
    plan_file: PlanOpt = None,
    port: PortOpt = 8765,
    host: HostOpt = "127.0.0.1",
    open_browser: OpenOpt = False,
    rater: RaterOpt = None,
    records: RecordsOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Serve a page to rate a plan's images with the keyboard (1–5, ←/→, u, t, z; c compares two).

    Each image is shown large with its settings; Ctrl-C stops the server.
    """
    with cli_errors(debug):
        container = open_container(config, output=output, records=records)
        plan_id = container.load_plan(plan_file).id if plan_file is not None else None
        feedback = container.feedback_controller(rater=rater) if rater else container.feedback_controller()
        controller = container.review_controller(feedback=feedback)
        sock = bind(host, port)
        if host not in LOCAL_HOSTS:
            warning = f"warning: the review page is bound to {host}: other machines can reach it"
            stderr_console().print(warning, markup=False)
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{bound}/" + (f"plan/{plan_id}" if plan_id else "")
        typer.echo(f"review page: {url}  (rater {feedback.rater}; Ctrl-C stops it)")
        if open_browser:
            webbrowser.open(url)
        server = uvicorn.Server(uvicorn.Config(create_review_app(controller, plan_id=plan_id),
                                               log_level="warning", lifespan="off"))
        server.run(sockets=[sock])
        typer.echo("review page stopped")
