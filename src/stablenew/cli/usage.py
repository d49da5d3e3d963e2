"""Usage errors (a bad option, a missing argument) as one `error:` line and exit 2, like bad input."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from stablenew.cli.consoles import stderr_console
from stablenew.cli.errors import EXIT_BAD_INPUT
from stablenew.cli.escape import shown


def _click_class(name: str) -> type[Exception]:
    """click's exception class `name`, from wherever this Typer takes click (its own copy or click)."""
    return next(kind for kind in typer.BadParameter.__mro__ if kind.__name__ == name)


ClickException, UsageError = _click_class("ClickException"), _click_class("UsageError")


def usage_error_line(error: Exception) -> str:
    """`error: stablenew learn run: No such option: --bogus (see --help)`."""
    context = getattr(error, "ctx", None)
    where = f"{context.command_path}: " if context is not None else ""
    hint = " (see --help)" if isinstance(error, UsageError) else ""
    message = str(getattr(error, "format_message", error.__str__)()).rstrip(".")
    return f"error: {shown(where + message)}{hint}"


class OneLineErrorsGroup(TyperGroup):
    """The root command: click's and Typer's boxed usage-error panel becomes one `error:` line."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; in standalone mode print a click error on one line and exit with its code."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except ClickException as error:
            if type(error).__name__ != "NoArgsIsHelpError":  # that one printed the help already
                stderr_console().print(usage_error_line(error), markup=False)
            sys.exit(getattr(error, "exit_code", EXIT_BAD_INPUT))
        except typer.Abort:
            stderr_console().print("error: aborted", markup=False)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)
