"""ImageBackend port: something that turns one stage request into images."""

from __future__ import annotations

from abc import ABC, abstractmethod

from stablenew.domain.cancel import CancelToken
from stablenew.domain.config import PipelineConfig
from stablenew.domain.generation import BackendStatus, StageOutput, StageRequest


class ImageBackend(ABC):
    """A generation server (A1111, ComfyUI) or the built-in procedural generator."""

    name: str = "backend"

    @abstractmethod
    def generate(self, request: StageRequest, cancel: CancelToken | None = None) -> StageOutput:
        """Run one stage; raise BackendError on failure, CancelledError when cancelled."""
        raise NotImplementedError

    @abstractmethod
    def check(self) -> BackendStatus:
        """Reachability, version and what the backend offers (models, samplers, ...)."""
        raise NotImplementedError

    def validate(self, configs: list[PipelineConfig], *, source: str | None = None) -> None:
        """Raise ConfigError when a config names something the backend does not have."""
        return None
