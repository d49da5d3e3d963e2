"""ProceduralBackend: synthetic, deterministic, offline images (not Stable Diffusion output)."""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Mapping
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from stablenew.adapters.backends.procedural import catalog
from stablenew.adapters.backends.procedural.catalog import MODELS
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
    StageRequest,
)

LABEL = "SYNTHETIC - StableNew procedural backend"
_FILTERS = {"Nearest": Image.Resampling.NEAREST, "Lanczos": Image.Resampling.LANCZOS}


def _rng(*parts: Any) -> random.Random:
    digest = hashlib.sha256(repr(parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _colour(rng: random.Random, saturation: float) -> tuple[int, int, int]:
    base = [rng.randrange(256) for _ in range(3)]
    mean = sum(base) / 3
    return tuple(max(0, min(255, int(mean + (c - mean) * saturation))) for c in base)  # type: ignore[return-value]


def _pattern(
    request: StageRequest, params: Mapping[str, Any], seed: int, size: tuple[int, int]
) -> Image.Image:
    """A picture whose layout follows prompt+seed, detail follows steps, contrast follows cfg."""
    steps, cfg = int(params.get("steps", 20)), float(params.get("cfg_scale", 7.0))
    palette = _rng("palette", params.get("sampler_name"), params.get("scheduler"), params.get("model"))
    layout = _rng("layout", request.prompt, request.negative_prompt, seed, request.stage)
    saturation = 0.4 + min(cfg, 30.0) / 12.0
    top, bottom = _colour(palette, saturation), _colour(palette, saturation)
    mask = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)
    draw = ImageDraw.Draw(image)
    w, h = size
    for _ in range(min(steps, 150) // 2 + 3):
        x, y = layout.randrange(w), layout.randrange(h)
        r = layout.randrange(max(4, w // 30), max(8, w // 5))
        fill = _colour(layout, saturation)
        if layout.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        else:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=fill)
    if cfg < 4:
        image = image.filter(ImageFilter.BoxBlur(int(8 - 2 * cfg)))
    return image


def _hires(request: StageRequest, params: Mapping[str, Any], seed: int, first: Image.Image) -> Image.Image:
    """Hires fix simulated: the first pass resized by hr_scale, then a second pass of
    hr_second_pass_steps (0: the first pass's) blended in at hr_denoising_strength."""
    scale = float(params.get("hr_scale", 2.0))
    size = (int(first.width * scale), int(first.height * scale))
    upscaler = str(params.get("hr_upscaler") or "Latent")
    resample = _FILTERS.get(upscaler, Image.Resampling.BILINEAR if upscaler.startswith("Latent")
                            else Image.Resampling.BICUBIC)
    second = {**params, "steps": int(params.get("hr_second_pass_steps") or params.get("steps", 20))}
    detail = _pattern(request, second, seed + 1, size)
    return Image.blend(first.resize(size, resample), detail, float(params.get("hr_denoising_strength", 0.7)))


def _label(image: Image.Image, text: str) -> None:
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, image.height - 14, image.width, image.height), fill=(0, 0, 0))
    draw.text((3, image.height - 13), text, fill=(255, 255, 255))


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class ProceduralBackend(ImageBackend):
    """Deterministic: the same request gives the same PNG bytes. Draws a seed only when asked -1."""

    name = "procedural"

    def __init__(self, seed_source: random.Random | None = None) -> None:
        self._seeds = seed_source or random.SystemRandom()

    def check(self) -> BackendStatus:
        return BackendStatus(
            name=self.name, usable=True, version="procedural-1 (synthetic images)", models=MODELS,
            samplers=catalog.SAMPLERS.canonical, schedulers=catalog.SCHEDULERS.canonical,
            upscalers=catalog.UPSCALERS.canonical,
        )

    def validate(self, configs: list[PipelineConfig], *, source: str | None = None) -> None:
        """ConfigError (exit 2) for a sampler, scheduler or upscaler A1111 would not know; models pass."""
        catalog.validate_configs(configs, source=source)

    def canonical_names(self, stage: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """A1111's names for the sampler, scheduler and upscalers in `params` (models pass as given)."""
        return {**params, **catalog.canonical(params)}

    def generate(
        self,
        request: StageRequest,
        cancel: CancelToken | None = None,
        progress: ProgressListener | None = None,
    ) -> StageOutput:
        """Draw the stage's images in-process (milliseconds each): no progress worth reporting."""
        if cancel is not None and cancel.cancelled:
            raise CancelledError("cancelled before the stage started")
        params = dict(request.params)
        if request.stage == "upscale":
            return self._upscale(request, params)
        seed = int(params.get("seed", -1))
        if seed == -1:
            seed = self._seeds.randrange(2**32 - 1)
        count = int(params.get("batch_size", 1))
        images = tuple(self._one(request, params, seed + i) for i in range(count))
        return StageOutput(images=images, params={"seed": seed, "all_seeds": [seed + i for i in range(count)],
                                                  "model": params.get("model") or MODELS[0]})

    def _one(self, request: StageRequest, params: dict[str, Any], seed: int) -> GeneratedImage:
        source = self._input(request)
        size = (int(params.get("width") or source.width), int(params.get("height") or source.height)) \
            if source else (int(params.get("width", 512)), int(params.get("height", 512)))
        image = _pattern(request, params, seed, size)
        if request.stage == "txt2img" and params.get("enable_hr") is True:
            image = _hires(request, params, seed, image)
        if source is not None:
            strength = float(params.get("ad_denoising_strength" if request.stage == "adetailer"
                                        else "denoising_strength", 0.75))
            base = source.resize(size)
            if request.stage == "adetailer":
                mask = Image.new("L", size, 0)
                ImageDraw.Draw(mask).ellipse((size[0] // 4, size[1] // 6, 3 * size[0] // 4, 2 * size[1] // 3),
                                             fill=int(255 * strength))
                image = Image.composite(image, base, mask)
            else:
                image = Image.blend(base, image, strength)
        _label(image, f"{LABEL} seed={seed}")
        return GeneratedImage(data=_encode(image), seed=seed)

    def _upscale(self, request: StageRequest, params: dict[str, Any]) -> StageOutput:
        source = self._input(request)
        if source is None:
            raise BackendError("upscale needs an input image", kind=FailureKind.BAD_REQUEST)
        factor = float(params.get("upscaling_resize", 2.0))
        size = (max(1, round(source.width * factor)), max(1, round(source.height * factor)))
        resample = _FILTERS.get(str(params.get("upscaler")), Image.Resampling.BICUBIC)
        return StageOutput(images=(GeneratedImage(data=_encode(source.resize(size, resample))),),
                           params={"upscaler": params.get("upscaler"), "upscaling_resize": factor})

    @staticmethod
    def _input(request: StageRequest) -> Image.Image | None:
        if request.input_image is None:
            return None
        try:
            with Image.open(io.BytesIO(request.input_image)) as image:
                return image.convert("RGB")
        except OSError as exc:
            raise BackendError(f"input image is not readable: {exc}", kind=FailureKind.BAD_IMAGE) from exc
