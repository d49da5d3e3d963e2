"""Errors the core raises; the CLI maps InputError to exit code 2."""

from __future__ import annotations


class StableNewError(Exception):
    """Base class of every error StableNew raises on purpose."""


class InputError(StableNewError):
    """Bad input a person can fix: names the file, the field path and what was expected."""

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.field = field

    def with_source(self, source: str) -> InputError:
        """Return a copy of this error that names `source` as the file it came from."""
        return type(self)(self.message, source=source, field=self.field)

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.field) if p]
        return ": ".join([*parts, self.message])


class ConfigError(InputError):
    """A pipeline or app config is invalid."""


class PlanError(InputError):
    """A learning plan is invalid."""


class PlanBusyError(PlanError):
    """Another process is running the same plan on the same record log."""


class AxisValueError(ValueError):
    """An axis value string cannot be read; the caller adds the field path."""


class CancelledError(StableNewError):
    """The work was cancelled on request."""
