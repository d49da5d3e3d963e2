"""The procedural backend: deterministic bytes, visibly different images per parameter, fast, offline."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageChops, ImageStat

from stablenew.adapters.backends.procedural import ProceduralBackend
from stablenew.domain.errors import CancelledError
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError
from stablenew.domain.run.generation import StageRequest

BASE = {
    "sampler_name": "Euler a",
    "scheduler": "Karras",
    "steps": 20,
    "cfg_scale": 7.0,
    "width": 256,
    "height": 256,
    "seed": 42,
}


def _txt2img(prompt: str = "a lighthouse", **changes: object) -> bytes:
    request = StageRequest(stage="txt2img", params={**BASE, **changes}, prompt=prompt)
    return ProceduralBackend().generate(request).images[0].data


def _img2img(source: bytes, **changes: object) -> bytes:
    params = {**BASE, "denoising_strength": 0.5, **changes}
    request = StageRequest(stage="img2img", params=params, prompt="a lighthouse", input_image=source)
    return ProceduralBackend().generate(request).images[0].data


def _pixels(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def _visibly_different(a: bytes, b: bytes) -> bool:
    first, second = _pixels(a), _pixels(b)
    if first.size != second.size:
        return True
    mean = sum(ImageStat.Stat(ImageChops.difference(first, second)).mean) / 3
    return mean > 2.0  # average channel difference in 0–255, well above encoder noise


def test_same_inputs_give_the_same_png_bytes() -> None:
    assert _txt2img() == _txt2img()
    source = _txt2img()
    assert _img2img(source) == _img2img(source)


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("prompt", "a windmill"),
        ("seed", 43),
        ("steps", 60),
        ("cfg_scale", 2.0),
        ("sampler_name", "DPM++ 2M"),
        ("width", 320),
    ],
)
def test_each_parameter_changes_the_picture(name: str, other: object) -> None:
    changed = _txt2img(other) if name == "prompt" else _txt2img(**{name: other})
    assert _visibly_different(_txt2img(), changed)


def test_denoising_strength_changes_the_picture() -> None:
    source = _txt2img()
    assert _visibly_different(
        _img2img(source, denoising_strength=0.2), _img2img(source, denoising_strength=0.9)
    )


def test_a_512_image_has_the_requested_size_even_at_150_steps() -> None:
    """Speed is measured by `python -m benchmarks procedural`, not here."""
    request = StageRequest(
        stage="txt2img", params={**BASE, "width": 512, "height": 512, "steps": 150}, prompt="x"
    )
    output = ProceduralBackend().generate(request)
    assert _pixels(output.images[0].data).size == (512, 512)


def test_a_random_seed_is_drawn_and_reported_and_batches_count_up() -> None:
    backend = ProceduralBackend(seed_source=random.Random(7))
    output = backend.generate(
        StageRequest(stage="txt2img", params={**BASE, "seed": -1, "batch_size": 2}, prompt="x")
    )
    seed = output.params["seed"]
    assert seed == random.Random(7).randrange(2**32 - 1)
    assert output.params["all_seeds"] == [seed, seed + 1] and [i.seed for i in output.images] == [
        seed,
        seed + 1,
    ]
    assert output.params["model"] == "procedural-v1"


def test_adetailer_and_upscale_work_on_the_input_image() -> None:
    backend = ProceduralBackend()
    source = _txt2img()
    detailed = (
        backend.generate(
            StageRequest(
                stage="adetailer",
                params={**BASE, "ad_denoising_strength": 0.6},
                prompt="x",
                input_image=source,
            )
        )
        .images[0]
        .data
    )
    assert _visibly_different(source, detailed)
    for upscaler in ("Lanczos", "Nearest", "R-ESRGAN 4x+"):
        output = backend.generate(
            StageRequest(
                stage="upscale",
                params={"upscaler": upscaler, "upscaling_resize": 1.5},
                prompt="x",
                input_image=source,
            )
        )
        assert _pixels(output.images[0].data).size == (384, 384)
        assert output.params == {"upscaler": upscaler, "upscaling_resize": 1.5}


def test_failures_are_backend_errors_and_cancel_is_honoured() -> None:
    backend = ProceduralBackend()
    with pytest.raises(BackendError) as missing:
        backend.generate(StageRequest(stage="upscale", params={}, prompt="x"))
    assert missing.value.kind == "bad_request"
    with pytest.raises(BackendError) as unreadable:
        backend.generate(StageRequest(stage="img2img", params=BASE, prompt="x", input_image=b"not a png"))
    assert unreadable.value.kind == "bad_image"
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        backend.generate(StageRequest(stage="txt2img", params=BASE, prompt="x"), token)


def test_check_says_it_is_synthetic_and_offline() -> None:
    status = ProceduralBackend().check()
    assert status.usable and "synthetic" in status.version
    assert "Euler a" in status.samplers and "Karras" in status.schedulers and "Lanczos" in status.upscalers
    ProceduralBackend().validate([], source="x.toml")  # accepts any names: nothing to check offline
