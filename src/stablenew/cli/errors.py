"""How the CLI turns errors into one line and an exit code (2 bad input, 1 failed work)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from stablenew.cli.consoles import stderr_console
from stablenew.domain.errors import InputError, StableNewError

EXIT_FAILED, EXIT_BAD_INPUT = 1, 2


@contextmanager
def cli_errors(debug: bool) -> Iterator[None]:
    """Bad input → exit 2, other StableNew errors → exit 1; one line each, traceback only if `debug`."""
    level = logging.DEBUG if debug else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    try:
        yield
    except typer.Exit:
        raise
    except InputError as exc:
        if debug:
            raise
        stderr_console().print(f"error: {exc}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except StableNewError as exc:
        if debug:
            raise
        stderr_console().print(f"error: {exc}", markup=False)
        raise typer.Exit(EXIT_FAILED) from None
