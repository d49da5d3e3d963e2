"""PipelineRunner: runs the enabled stages against an ImageBackend, saves PNGs, writes one record."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from stablenew import __version__
from stablenew.adapters.pipeline.png_files import png_size, save_png
from stablenew.domain.config.pipeline import PipelineConfig, StageConfig, effective_stages
from stablenew.domain.errors import CancelledError, StableNewError
from stablenew.domain.ports.clock import Clock
from stablenew.domain.ports.image_backend import ImageBackend
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.ports.record_sink import RecordSink
from stablenew.domain.records.builder import build_learning_record
from stablenew.domain.records.infotext import format_infotext, postprocess_infotext
from stablenew.domain.records.record import LearningContext
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError, FailureKind
from stablenew.domain.run.generation import ProgressListener, StageOutput, StageRequest, guarded_progress
from stablenew.domain.run.results import (
    CANCELLED,
    FAILED,
    SUCCESS,
    ImageArtifact,
    PipelineRunResult,
    StageEvent,
)

log = logging.getLogger("stablenew.pipeline")


def _listener_failed(error: Exception) -> None:
    log.debug("progress listener failed: %s", error, exc_info=error)


@dataclass(frozen=True, slots=True)
class _Source:
    """An image a stage feeds the next one: its bytes and the infotext it was saved with."""

    data: bytes | None = None
    infotext: str | None = None


@dataclass
class _Attempt:
    outcome: str = SUCCESS
    error: str | None = None
    error_kind: FailureKind | None = None
    images: list[ImageArtifact] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


def _with_inherited_seed(config: PipelineConfig, stage: StageConfig, used_seed: int | None) -> StageConfig:
    """A stage that inherits a random seed (-1) runs with the seed the stage before it really used;
    one whose own table says ``seed = -1`` still gets a fresh random seed."""
    own = config.stage(stage.stage)
    if used_seed is None or stage.params.get("seed") != -1 or (own is not None and "seed" in own.params):
        return stage
    return stage.with_params(seed=used_seed)


class PipelineRunner(PipelineRun):
    """Feeds each stage the previous stage's images; a failing stage ends the run, never raises."""

    def __init__(
        self, *, backend: ImageBackend, clock: Clock, output_dir: Path | str, server: str = "",
        fsync: Callable[[int], None] = os.fsync,
    ) -> None:
        self._fsync = fsync  # a seam: tests watch what is made durable, and when
        self.backend = backend
        self.clock = clock
        self.output_dir = Path(output_dir)
        self.server = server

    def run(
        self,
        config: PipelineConfig,
        *,
        record_sink: RecordSink | None = None,
        learning_context: LearningContext | None = None,
        cancel: CancelToken | None = None,
        progress: ProgressListener | None = None,
    ) -> PipelineRunResult:
        started = self.clock.now()
        run_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:10]}"
        events: list[StageEvent] = []
        inputs: list[_Source] = [_Source()]
        used_seed: int | None = None
        report = guarded_progress(progress, _listener_failed) if progress is not None else None
        for index, stage in enumerate(effective_stages(config), start=1):
            stage = _with_inherited_seed(config, stage, used_seed)
            event, inputs = self._stage(config, stage, index, run_id, inputs, cancel, report)
            events.append(event)
            seed = event.params.get("seed")
            if isinstance(seed, int) and not isinstance(seed, bool) and seed != -1:
                used_seed = seed
            if event.outcome != SUCCESS:
                break
        failed = next((e for e in events if e.outcome != SUCCESS), None)
        result = PipelineRunResult(
            run_id=run_id, started_at=started, ended_at=self.clock.now(), success=failed is None,
            events=tuple(events), error=f"{failed.stage}: {failed.error}" if failed else None,
            cancelled=failed is not None and failed.outcome == CANCELLED, backend=self.backend.name,
            server=self.server,
        )
        if record_sink is None:
            return result
        try:
            record_sink.append_record_or_stop(build_learning_record(config, result, learning_context), cancel)
        except OSError as exc:  # read-only directory, full disk ...: the run itself still stands
            log.warning("learning record for run %s was not written: %s", run_id, exc)
            return replace(result, record_error=str(exc))
        except (TypeError, ValueError) as exc:  # a value JSON cannot hold (e.g. NaN in metadata)
            log.warning("learning record for run %s could not be encoded: %s", run_id, exc)
            return replace(result, record_error=f"cannot be encoded as JSON: {exc}")
        except Exception as exc:  # any other sink failure (or Ctrl-C while waiting) fails this record only
            log.warning("learning record for run %s was not written: %r", run_id, exc)
            reason = str(exc) if isinstance(exc, StableNewError) else f"{type(exc).__name__}: {exc}"
            return replace(result, record_error=reason)
        return result

    def _stage(
        self, config: PipelineConfig, stage: StageConfig, index: int, run_id: str,
        inputs: list[_Source], cancel: CancelToken | None, progress: ProgressListener | None,
    ) -> tuple[StageEvent, list[_Source]]:
        started, t0 = self.clock.now(), self.clock.monotonic()
        attempt, produced = _Attempt(params=dict(stage.params)), list[_Source]()
        try:
            for source in inputs:
                if cancel is not None and cancel.cancelled:
                    raise CancelledError(cancel.reason or "cancelled")
                request = StageRequest(
                    stage=stage.stage, params=stage.params, prompt=config.prompt,
                    negative_prompt=config.negative_prompt, input_image=source.data, run_id=run_id,
                )
                output = self.backend.generate(request, cancel, progress)
                attempt.params.update(output.params)
                if not output.images:
                    raise BackendError(f"{self.backend.name} returned no image", kind=FailureKind.NO_IMAGES)
                offset = len(attempt.images)
                produced.extend(self._save(config, stage, index, run_id, output, offset, attempt, source))
        except CancelledError as exc:
            attempt.outcome, attempt.error, attempt.error_kind = CANCELLED, str(exc), FailureKind.CANCELLED
        except BackendError as exc:
            attempt.outcome, attempt.error, attempt.error_kind = FAILED, str(exc), exc.kind
            if exc.retries:
                attempt.params["retries"] = exc.retries
        except Exception as exc:  # a run never raises: any surprise is this stage's failure
            attempt.outcome, attempt.error = FAILED, f"{type(exc).__name__}: {exc}"
            io_error = isinstance(exc, OSError)
            attempt.error_kind = FailureKind.IO_ERROR if io_error else FailureKind.INTERNAL_ERROR
            log.debug("stage %s failed", stage.stage, exc_info=True)
        event = StageEvent(
            stage=stage.stage, started_at=started, ended_at=self.clock.now(),
            duration_s=self.clock.monotonic() - t0, outcome=attempt.outcome, error=attempt.error,
            error_kind=attempt.error_kind, images=tuple(attempt.images), params=attempt.params,
        )
        return event, produced

    def _save(
        self, config: PipelineConfig, stage: StageConfig, index: int, run_id: str, output: StageOutput,
        offset: int, attempt: _Attempt, source: _Source,
    ) -> list[_Source]:
        produced: list[_Source] = []
        for number, image in enumerate(output.images, start=offset):
            seed = output.params.get("seed") if image.seed is None else image.seed
            params = {**stage.params, **output.params, "seed": seed}
            infotext, extra_text = self._infotext(config, stage, params, image.data, source)
            meta = {"run_id": run_id, "stage": stage.stage, "backend": self.backend.name, "params": params,
                    "prompt": config.prompt, "negative_prompt": config.negative_prompt}
            if config.metadata:
                meta["metadata"] = dict(config.metadata)
            # absolute, so the record names the image from any working directory (resume, sheets, ratings)
            name = f"{index:02d}-{stage.stage}-{number:03d}.png"
            path = Path(os.path.abspath(self.output_dir)) / "runs" / run_id / name
            infotext = image.infotext or infotext
            extra_text = {**extra_text, **image.extra_text}
            attempt.images.append(save_png(image.data, path, infotext=infotext, metadata=meta,
                                           extra_text=extra_text, seed=params["seed"], fsync=self._fsync))
            produced.append(_Source(image.data, infotext))
        return produced

    def _infotext(
        self, config: PipelineConfig, stage: StageConfig, params: dict[str, Any], data: bytes,
        source: _Source,
    ) -> tuple[str, dict[str, str]]:
        """A1111's infotext for one image: an upscale keeps its source's and adds `Postprocess …` keys."""
        version = f"StableNew {__version__} ({self.backend.name})"
        if stage.stage == "upscale":
            kept, postprocessing = postprocess_infotext(source.infotext, params)
            if kept is None:  # a source without infotext: the prompts and the postprocess keys
                bare = format_infotext(config.prompt, config.negative_prompt, {}, version)
                kept = f"{bare}, {postprocessing}"
            return kept, {"postprocessing": postprocessing}
        size = png_size(data)
        return format_infotext(config.prompt, config.negative_prompt, params, version, size=size), {}
