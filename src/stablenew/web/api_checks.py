"""Checks of what the page posts: a bad request is a 4xx with a reason, never a traceback."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


class ApiInputError(Exception):
    """A request the API refuses, with the HTTP status to answer."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def check_origin(origin: str | None, host: str | None) -> None:
    """A browser's cross-site post carries another Origin: refuse it (same-origin only)."""
    if origin is not None and urlsplit(origin).netloc != host:
        raise ApiInputError("cross-origin requests are refused", status=403)


def image_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value or len(value) > 4096:
        raise ApiInputError(f"{name}: expected a recorded image path")
    return value


def stars_field(body: dict[str, Any]) -> int:
    value = body.get("stars")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ApiInputError("stars: expected a whole number from 1 to 5")
    return value


def tags_field(body: dict[str, Any]) -> tuple[str, ...]:
    value = body.get("tags", [])
    if not isinstance(value, list) or not all(isinstance(t, str) and 0 < len(t) <= 100 for t in value):
        raise ApiInputError("tags: expected a list of short strings")
    return tuple(value)


def outcome_field(body: dict[str, Any]) -> str:
    value = body.get("outcome")
    if value not in ("a", "b", "tie"):
        raise ApiInputError('outcome: expected "a", "b" or "tie"')
    return str(value)
