"""import: files/s importing PNGs with A1111 infotext vs a bare Pillow loop (target ratio ≥ 0.5),
and peak Python memory at a tenth of the files vs all of them (target: flat)."""

from __future__ import annotations

import random
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

from PIL import Image, PngImagePlugin

from stablenew.adapters.clock import SystemClock
from stablenew.adapters.files import PillowImageLibrary
from stablenew.adapters.records import JsonlRecordSource, LearningRecordWriter
from stablenew.controller.import_controller import ImportController
from stablenew.domain.records.infotext import format_infotext

TARGET_RATIO = 0.5
SAMPLERS = ("Euler a", "DPM++ 2M", "DDIM")


def _make(folder: Path, count: int) -> None:
    """`count` distinct 512x512 PNGs (a usual A1111 size), each with an infotext as A1111 writes it."""
    rng = random.Random(1)
    base = Image.linear_gradient("L").resize((512, 512)).convert("RGB")
    for i in range(count):
        params = {
            "steps": rng.randrange(10, 40),
            "sampler_name": SAMPLERS[i % 3],
            "scheduler": "Karras",
            "cfg_scale": rng.choice((5.0, 7.0, 9.0)),
            "seed": i,
            "width": 512,
            "height": 512,
            "model": "sd15.safetensors [6ce0161689]",
        }
        info = PngImagePlugin.PngInfo()
        info.add_text("parameters", format_infotext(f"a lighthouse, number {i}", "blurry", params, "1.10.1"))
        image = base.copy()
        image.putpixel((i % 512, i // 512 % 512), (255, 0, 0))  # every file different
        image.save(folder / f"{i:05d}.png", pnginfo=info)


def _bare(folder: Path, *, text_api: bool) -> float:
    """The baseline: open each file with Pillow and read its `parameters` text chunk, through Pillow's
    text-chunk API `image.text` (`text_api`: it decodes the pixels to reach chunks after them), or
    from `image.info` (only the chunks Pillow parsed on open; the cheapest possible loop)."""
    start = time.perf_counter()
    for path in sorted(folder.iterdir()):
        with Image.open(path) as image:
            assert (image.text if text_api else image.info)["parameters"]
    return time.perf_counter() - start


def _import(
    folder: Path, log: Path, limit: int | None = None, *, trace: bool = False
) -> tuple[float, int, int]:
    """(seconds, records added, peak traced bytes when `trace`) importing `folder` (first `limit` files)."""
    controller = ImportController(
        library=PillowImageLibrary(),
        sink_factory=LearningRecordWriter,
        source_factory=JsonlRecordSource,
        records_path=log,
        clock=SystemClock(),
    )
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    added = 0
    for n, outcome in enumerate(controller.run([str(folder)])):
        added += outcome.record is not None
        if limit is not None and n + 1 >= limit:
            break
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    return seconds, added, peak


def main(files: int = 10_000) -> bool:
    """Import `files` generated PNGs; print files/s, the bare loop's files/s, the ratio and memory."""
    root = Path(tempfile.mkdtemp(prefix="stablenew-bench-import-"))
    try:
        folder = root / "library"
        folder.mkdir()
        _make(folder, files)
        bare = _bare(folder, text_api=True)
        cheapest = _bare(folder, text_api=False)
        seconds, added, _peak = _import(folder, root / "records.jsonl")  # timed without tracing
        _s, _a, small_peak = _import(folder, root / "small.jsonl", limit=max(1, files // 10), trace=True)
        _s, _a, peak = _import(folder, root / "traced.jsonl", trace=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    ratio = bare / seconds
    ok = ratio >= TARGET_RATIO and added == files
    print(
        f"import: {files} PNGs in {seconds:.2f} s = {files / seconds:.0f} files/s; bare Pillow loop "
        f"(image.text) {files / bare:.0f} files/s; ratio {ratio:.2f} (target ≥ {TARGET_RATIO}); "
        f"against image.info only ({files / cheapest:.0f} files/s) {cheapest / seconds:.2f}; "
        f"peak Python memory {small_peak / 1e6:.1f} MB at {max(1, files // 10)} files, "
        f"{peak / 1e6:.1f} MB at {files} {'ok' if ok else 'MISSED'}"
    )
    return ok


if __name__ == "__main__":
    main()
