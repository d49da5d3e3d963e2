"""ImageBackend port: something that turns one stage request into images."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.generation import BackendStatus, StageOutput, StageProgress, StageRequest

ProgressListener = Callable[[StageProgress], None]
log = logging.getLogger("stablenew.backend")


class ImageBackend(ABC):
    """A generation server (A1111, ComfyUI) or the built-in procedural generator."""

    name: str = "backend"
    _progress_listener: ProgressListener | None = None

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

    def set_progress_listener(self, listener: ProgressListener | None) -> None:
        """Call `listener` with a StageProgress while a stage runs (None: stop); backends that cannot
        tell how far they are never call it. It runs on the thread that called `generate`."""
        self._progress_listener = listener

    def _report_progress(self, progress: StageProgress) -> None:
        """Hand `progress` to the listener; its errors are logged, never raised (a broken display
        must not fail a run)."""
        listener = self._progress_listener
        if listener is None:
            return
        try:
            listener(progress)
        except Exception:
            log.debug("progress listener failed", exc_info=True)
