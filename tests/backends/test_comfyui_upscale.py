"""The built-in upscale graph reaches `upscaling_resize` whatever the model's own scale (2x, 4x, none)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from tests.backends.comfyui_helpers import make_backend, png
from tests.servers import comfyui_fixtures
from tests.servers.comfyui_server import FakeComfyUIServer

from stablenew.domain.run.generation import StageRequest

comfyui_server = comfyui_fixtures.comfyui_server  # the fixture, by name
MODELS = {"upscale_models": ("RealESRGAN_x2plus.pth", "RealESRGAN_x4plus.pth")}


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@pytest.mark.parametrize("comfyui_server", [MODELS], indirect=True)
@pytest.mark.parametrize(
    ("upscaler", "resize", "model", "scale_by", "size"),
    [
        ("R-ESRGAN 2x+", 4.0, "RealESRGAN_x2plus.pth", 2.0, (128, 96)),
        ("R-ESRGAN 4x+", 2.0, "RealESRGAN_x4plus.pth", 0.5, (64, 48)),
        ("R-ESRGAN 4x+", 4.0, "RealESRGAN_x4plus.pth", None, (128, 96)),
        ("R-ESRGAN 2x+", 2.0, "RealESRGAN_x2plus.pth", None, (64, 48)),
        ("Lanczos", 2.0, None, 2.0, (64, 48)),
        ("Lanczos", 3.0, None, 3.0, (96, 72)),
    ],
    ids=["2x-model-resize-4", "4x-model-resize-2", "4x-model-resize-4", "2x-model-resize-2", "lanczos-2",
         "lanczos-3"],
)
def test_upscale_output_is_the_requested_size(
    comfyui_server: FakeComfyUIServer, upscaler: str, resize: float, model: str | None,
    scale_by: float | None, size: tuple[int, int],
) -> None:
    request = StageRequest(stage="upscale", params={"upscaler": upscaler, "upscaling_resize": resize},
                           prompt="p", input_image=png((32, 24)))
    output = make_backend(comfyui_server.base_url).generate(request)
    graph = comfyui_server.prompts[-1]["prompt"]
    scale_nodes = [n["inputs"]["scale_by"] for n in graph.values() if n["class_type"] == "ImageScaleBy"]
    assert scale_nodes == ([] if scale_by is None else [scale_by])
    loaders = [n["inputs"]["model_name"] for n in graph.values() if n["class_type"] == "UpscaleModelLoader"]
    assert loaders == ([] if model is None else [model])
    assert _size(output.images[0].data) == size
    assert output.params["upscaling_resize"] == resize and output.params["comfyui_upscale_model"] == model
