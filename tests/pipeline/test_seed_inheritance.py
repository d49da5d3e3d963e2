"""A stage that inherits a random seed runs with the seed the stage before it really used
(docs/config.md); one that says `seed = -1` itself still gets a fresh random seed."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from tests.fakes import FakeClock, FakeImageBackend, MemoryRecordSink

from stablenew.adapters.backends.procedural import ProceduralBackend
from stablenew.adapters.pipeline import PipelineRunner
from stablenew.adapters.pipeline.png_files import read_png_text
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.ports.image_backend import ImageBackend


def _run(tmp_path: Path, backend: ImageBackend, img2img: dict[str, Any], txt2img_seed: int = -1):
    config = parse_pipeline_config({
        "prompt": "a red fox",
        "txt2img": {"steps": 4, "width": 64, "height": 64, "seed": txt2img_seed},
        "img2img": {"denoising_strength": 0.4, **img2img},
    })
    sink = MemoryRecordSink()
    runner = PipelineRunner(backend=backend, clock=FakeClock(), output_dir=tmp_path / "out")
    result = runner.run(config, record_sink=sink)
    assert result.success, result.error
    (record,) = sink.records
    return result, record


def test_procedural_img2img_inherits_the_random_seed_txt2img_really_used(tmp_path: Path) -> None:
    result, record = _run(tmp_path, ProceduralBackend(random.Random(3)), {})
    txt2img, img2img = result.events
    assert txt2img.params["seed"] != -1
    assert img2img.params["seed"] == txt2img.params["seed"]
    assert record.config["img2img"]["seed"] == record.config["txt2img"]["seed"] == txt2img.params["seed"]
    assert record.requested_config["img2img"] == {"denoising_strength": 0.4}
    png = read_png_text(img2img.images[0].path)
    assert f"Seed: {txt2img.params['seed']}" in png["parameters"]


def test_an_explicit_seed_minus_one_draws_a_fresh_seed(tmp_path: Path) -> None:
    result, record = _run(tmp_path, ProceduralBackend(random.Random(3)), {"seed": -1})
    txt2img, img2img = result.events
    assert -1 not in (txt2img.params["seed"], img2img.params["seed"])
    assert img2img.params["seed"] != txt2img.params["seed"]
    assert record.config["img2img"]["seed"] == img2img.params["seed"]


def test_the_fake_backend_is_asked_for_the_seed_txt2img_used(tmp_path: Path) -> None:
    backend = FakeImageBackend(seed=4321)
    _run(tmp_path, backend, {})
    assert [r.params["seed"] for r in backend.requests] == [-1, 4321]


def test_fixed_seeds_are_unchanged(tmp_path: Path) -> None:
    backend = FakeImageBackend()
    _run(tmp_path, backend, {}, txt2img_seed=42)
    _run(tmp_path, backend, {"seed": 7}, txt2img_seed=-1)
    assert [r.params["seed"] for r in backend.requests] == [42, 42, -1, 7]
