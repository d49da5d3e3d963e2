"""Values exchanged with an image backend: one stage request in, images and what ran out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class StageRequest:
    """Generate one stage: effective params, prompts, and the input image (PNG bytes) if any."""

    stage: str
    params: Mapping[str, Any]
    prompt: str
    negative_prompt: str = ""
    input_image: bytes | None = None
    run_id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    """One encoded image (PNG bytes) with the seed and infotext the backend reports for it."""

    data: bytes
    seed: int | None = None
    infotext: str | None = None
    extra_text: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StageOutput:
    """What a backend returns for a stage: images and the parameters that really ran."""

    images: tuple[GeneratedImage, ...]
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


@dataclass(frozen=True, slots=True)
class BackendStatus:
    """What `backends check` reports: reachable or not, why, and what the server offers."""

    name: str
    usable: bool
    reason: str = ""
    version: str | None = None
    models: tuple[str, ...] = ()
    samplers: tuple[str, ...] = ()
    schedulers: tuple[str, ...] = ()
    upscalers: tuple[str, ...] = ()
    vaes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StageProgress:
    """How far the running stage is: `fraction` 0..1, sampling `step` of `total` when known, and a
    backend's own note (`detail`: A1111's job text, the ComfyUI node)."""

    stage: str
    fraction: float
    step: int | None = None
    total: int | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "fraction", min(max(float(self.fraction), 0.0), 1.0))

    def describe(self) -> str:
        """`txt2img 12/20` when the step is known, else `txt2img 45%`."""
        if self.step is not None and self.total:
            return f"{self.stage} {self.step}/{self.total}"
        return f"{self.stage} {self.fraction:.0%}"


# Told how far the running stage is; called by a backend from any thread (see ImageBackend.generate).
ProgressListener = Callable[[StageProgress], None]


def _ignore(_error: Exception) -> None:
    return None


def guarded_progress(
    listener: ProgressListener | None, on_error: Callable[[Exception], None] = _ignore
) -> ProgressListener:
    """`listener` made safe for a backend to call: None becomes a no-op, and an exception it raises
    goes to `on_error` instead of the stage (a broken display must never fail a run)."""

    def report(progress: StageProgress) -> None:
        if listener is None:
            return
        try:
            listener(progress)
        except Exception as exc:
            on_error(exc)

    return report
