"""ImageBackend port: something that turns one stage request into images."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.generation import (
    BackendStatus,
    ProgressListener,
    StageOutput,
    StageRequest,
)

__all__ = ["ImageBackend", "ProgressListener"]


class ImageBackend(ABC):
    """A generation server (A1111, ComfyUI) or the built-in procedural generator.

    One instance may serve several runs at once: it keeps no per-run state (no listener, no logger
    of the core's); what belongs to one call is passed with that call.
    """

    name: str = "backend"

    @abstractmethod
    def generate(
        self,
        request: StageRequest,
        cancel: CancelToken | None = None,
        progress: ProgressListener | None = None,
    ) -> StageOutput:
        """Run one stage; raise BackendError on failure, CancelledError when cancelled.

        `progress`, when given, is called with a StageProgress while the stage runs, from any thread;
        a backend that cannot tell how far it is never calls it, and an exception it raises never
        fails the stage (wrap it with `guarded_progress`).
        """
        raise NotImplementedError

    @abstractmethod
    def check(self) -> BackendStatus:
        """Reachability, version and what the backend offers (models, samplers, ...)."""
        raise NotImplementedError

    @abstractmethod
    def validate(self, configs: list[PipelineConfig], *, source: str | None = None) -> None:
        """Raise ConfigError when a config names something the backend does not have.

        A backend that checks nothing says so in its own implementation (`return None` with a reason).
        """
        raise NotImplementedError

    def canonical_names(self, stage: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """`params` with every name in them (model, VAE, sampler, scheduler, upscaler) as this backend
        spells what it would run (`k_euler_a` → `Euler a`), for names `validate` accepted; a backend
        without name lists returns them as given."""
        return dict(params)
