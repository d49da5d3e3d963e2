"""procedural: milliseconds per 512×512 txt2img image from the built-in backend (target well under 50 ms)."""

from __future__ import annotations

import statistics
import time

from stablenew.adapters.backends.procedural import ProceduralBackend
from stablenew.domain.run.generation import StageRequest

TARGET_MS = 50.0


def main(images: int = 60) -> bool:
    """Generate `images` distinct 512×512 images (PNG-encoded); print the median and p95 in ms."""
    backend = ProceduralBackend()
    timings: list[float] = []
    for seed in range(images):
        request = StageRequest(
            stage="txt2img",
            params={"seed": seed, "steps": 30, "cfg_scale": 7.0, "width": 512, "height": 512,
                    "sampler_name": "Euler a", "scheduler": "Karras"},
            prompt="a lighthouse at dusk, oil painting",
        )
        start = time.perf_counter()
        backend.generate(request)
        timings.append((time.perf_counter() - start) * 1000)
    median = statistics.median(timings)
    p95 = sorted(timings)[int(0.95 * (len(timings) - 1))]
    ok = median < TARGET_MS
    print(f"procedural: 512x512 txt2img median {median:.1f} ms, p95 {p95:.1f} ms over {images} images "
          f"(target < {TARGET_MS:.0f} ms) {'ok' if ok else 'MISSED'}")
    return ok


if __name__ == "__main__":
    main()
