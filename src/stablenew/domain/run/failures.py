"""FailureKind: the one vocabulary of why a stage failed, the same on every backend."""

from __future__ import annotations

import re
from enum import StrEnum

from stablenew.domain.errors import StableNewError


class FailureKind(StrEnum):
    """Why a stage did not produce its images; a record's `error_kind` holds the value."""

    CONNECTION_REFUSED = "connection_refused"  # nothing answered at the server's address
    CONNECTION_ERROR = "connection_error"  # the connection broke (reset, protocol error, TLS ...)
    TIMEOUT = "timeout"  # the stage's deadline passed
    STALLED = "stalled"  # the server made no progress for the stall limit
    UNAUTHORIZED = "unauthorized"  # the server wants (other) credentials (HTTP 401/403)
    NOT_API = "not_api"  # the address answers, but not as the expected API (404, an HTML page)
    SERVER_ERROR = "server_error"  # HTTP 5xx without a more precise kind
    OUT_OF_MEMORY = "out_of_memory"  # the server ran out of (GPU) memory
    BAD_REQUEST = "bad_request"  # the server or the backend rejected the request (422, node_errors ...)
    BAD_RESPONSE = "bad_response"  # the answer is not what the API documents (not JSON, no id ...)
    BAD_IMAGE = "bad_image"  # an image (input or answer) cannot be decoded
    EXECUTION_ERROR = "execution_error"  # the server accepted the job and it failed while running
    INTERRUPTED = "interrupted"  # someone else stopped the job on the server
    CANCELLED = "cancelled"  # we were asked to stop (Ctrl-C, SIGTERM)
    NO_IMAGES = "no_images"  # the job ended without (new) images
    IO_ERROR = "io_error"  # saving the images failed on this machine
    INTERNAL_ERROR = "internal_error"  # a bug in StableNew
    UNKNOWN = "unknown"  # a tag this version does not know (a newer writer, a third-party backend)

    @classmethod
    def parse(cls, value: object) -> FailureKind | None:
        """The kind a record's `error_kind` means; tags of older versions map to today's names.

        None stays None; a tag nobody knows becomes UNKNOWN (records keep reading, never raise).
        """
        if value is None:
            return None
        text = str(value)
        if text in _VALUES:
            return cls(text)
        if text in _LEGACY:
            return _LEGACY[text]
        status = _HTTP.fullmatch(text)
        if status:
            return http_status_kind(int(status.group(1)))
        return cls.UNKNOWN

    @property
    def unreachable(self) -> bool:
        """True for kinds that say the server cannot be used at all: nothing answers, the connection
        breaks, or the address is not the expected API (what a circuit breaker counts)."""
        return self in _UNREACHABLE


class BackendError(StableNewError):
    """A generation backend failed to produce a stage's images, for the reason `kind`."""

    def __init__(self, message: str, *, kind: FailureKind = FailureKind.UNKNOWN, retries: int = 0) -> None:
        super().__init__(message)
        self.kind = FailureKind(kind)
        self.retries = retries


def out_of_memory(text: str) -> bool:
    """True when a server's error text (A1111's 500 detail, ComfyUI's exception) says memory ran out."""
    return _OUT_OF_MEMORY.search(text) is not None


def http_status_kind(status: int) -> FailureKind:
    """The kind of an HTTP error status when nothing in the body says more."""
    if status in (401, 403):
        return FailureKind.UNAUTHORIZED
    if status in (404, 405):
        return FailureKind.NOT_API
    if 400 <= status < 500:
        return FailureKind.BAD_REQUEST
    return FailureKind.SERVER_ERROR


_VALUES = frozenset(kind.value for kind in FailureKind)
_UNREACHABLE = frozenset({FailureKind.CONNECTION_REFUSED, FailureKind.CONNECTION_ERROR, FailureKind.NOT_API})
_OUT_OF_MEMORY = re.compile(r"out of memory|outofmemory|can't allocate memory|cannot allocate memory", re.I)
_HTTP = re.compile(r"http_(\d{3})(?:_\w+)?")
# error_kind strings written by StableNew before FailureKind existed
_LEGACY = {
    "oom": FailureKind.OUT_OF_MEMORY,
    "malformed_response": FailureKind.BAD_RESPONSE,
    "invalid_config": FailureKind.BAD_REQUEST,
    "node_errors": FailureKind.BAD_REQUEST,
    "stale_output": FailureKind.NO_IMAGES,
    "backend_error": FailureKind.UNKNOWN,
}
