"""save_png: A1111 `parameters` infotext plus a StableNew JSON chunk, written by atomic rename."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.fakes.fake_backend import tiny_png

from stablenew.adapters.pipeline.png_files import JSON_CHUNK, read_png_text, save_png


def test_png_text_chunks_and_artifact(tmp_path: Path) -> None:
    path = tmp_path / "runs" / "r1" / "01-txt2img-000.png"
    artifact = save_png(
        tiny_png(size=(16, 8)),
        path,
        infotext="a fox\nSteps: 20, Seed: 5",
        metadata={"run_id": "r1", "params": {"seed": 5}},
        extra_text={"prompt": "{}"},
        seed=5,
    )
    assert path.is_file() and not list(path.parent.glob(".*.partial"))
    assert (artifact.width, artifact.height, artifact.seed) == (16, 8, 5)
    assert artifact.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and artifact.path == str(path)
    text = read_png_text(path)
    assert text["parameters"] == "a fox\nSteps: 20, Seed: 5" and text["prompt"] == "{}"
    assert json.loads(text[JSON_CHUNK]) == {"run_id": "r1", "params": {"seed": 5}}


def test_a_jpeg_from_a_server_is_stored_as_png_and_odd_metadata_is_stringified(tmp_path: Path) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(buffer, format="JPEG")
    path = tmp_path / "x.png"
    save_png(buffer.getvalue(), path, infotext="p", metadata={"when": Path("a/b")}, extra_text={}, seed=None)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(read_png_text(path)[JSON_CHUNK]) == {"when": "a/b"}
