"""How the CLI turns errors into one line and an exit code (2 bad input, 1 failed work)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from stablenew.cli.consoles import stderr_console
from stablenew.cli.escape import shown
from stablenew.domain.errors import InputError, StableNewError

EXIT_FAILED, EXIT_BAD_INPUT = 1, 2


class EscapingFormatter(logging.Formatter):
    """Log lines with control characters escaped: a server's text cannot move the cursor or add lines."""

    def format(self, record: logging.LogRecord) -> str:
        """The record formatted as usual, then escaped (a traceback keeps its own lines)."""
        lines = super().format(record).split("\n")
        if record.exc_info or record.exc_text or record.stack_info:
            return "\n".join(shown(line) for line in lines)
        return shown("\n".join(lines))


@contextmanager
def cli_errors(debug: bool) -> Iterator[None]:
    """Bad input → exit 2, other StableNew errors → exit 1; one line each, traceback only if `debug`."""
    level = logging.DEBUG if debug else logging.WARNING
    handler = logging.StreamHandler()
    handler.setFormatter(EscapingFormatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])  # does nothing when logging is set up already
    try:
        yield
    except typer.Exit:
        raise
    except InputError as exc:
        if debug:
            raise
        stderr_console().print(f"error: {shown(exc)}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except StableNewError as exc:
        if debug:
            raise
        stderr_console().print(f"error: {shown(exc)}", markup=False)
        raise typer.Exit(EXIT_FAILED) from None
