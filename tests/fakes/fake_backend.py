"""FakeImageBackend: tiny PNGs instantly; records every request; fails stages on demand."""

from __future__ import annotations

import io

from PIL import Image

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.errors import CancelledError
from stablenew.domain.ports.image_backend import ImageBackend
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError, FailureKind
from stablenew.domain.run.generation import (
    BackendStatus,
    GeneratedImage,
    ProgressListener,
    StageOutput,
    StageProgress,
    StageRequest,
    guarded_progress,
)


def tiny_png(colour: tuple[int, int, int] = (10, 20, 30), size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


class FakeImageBackend(ImageBackend):
    """`progress_steps` > 0: each stage reports that many steps to the call's listener first."""

    name = "fake"

    def __init__(
        self, *, fail_stages: dict[str, str] | None = None, seed: int = 1234, progress_steps: int = 0
    ) -> None:
        self.requests: list[StageRequest] = []
        self.fail_stages = dict(fail_stages or {})
        self.seed = seed
        self.progress_steps = progress_steps
        self._png = tiny_png()

    def validate(self, configs: list[PipelineConfig], *, source: str | None = None) -> None:
        """Knows every name: the fake checks nothing."""
        return None

    def generate(
        self,
        request: StageRequest,
        cancel: CancelToken | None = None,
        progress: ProgressListener | None = None,
    ) -> StageOutput:
        self.requests.append(request)
        report = guarded_progress(progress)
        total = self.progress_steps
        for step in range(1, total + 1):
            report(StageProgress(request.stage, step / total, step=step, total=total))
        if cancel is not None and cancel.cancelled:
            raise CancelledError("cancelled")
        if request.stage in self.fail_stages:
            raise BackendError(self.fail_stages[request.stage], kind=FailureKind.EXECUTION_ERROR)
        seed = request.params.get("seed", -1)
        used = self.seed if seed in (None, -1) else seed
        count = int(request.params.get("batch_size", 1))
        images = tuple(GeneratedImage(data=self._png, seed=used + i) for i in range(count))
        return StageOutput(images=images, params={"seed": used})

    def check(self) -> BackendStatus:
        return BackendStatus(name=self.name, usable=True, version="fake-1")
