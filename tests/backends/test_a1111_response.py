"""Reading A1111 answers and naming A1111 errors, with plain values (no server needed)."""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image, PngImagePlugin

from stablenew.adapters.backends.a1111 import payloads, response
from stablenew.domain.run.failures import BackendError
from stablenew.domain.run.generation import StageRequest


def _png(text: str | None = None) -> bytes:
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("parameters", text)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (1, 2, 3)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_infotext_params_reads_quoted_values_like_a1111() -> None:
    text = 'a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, Lora hashes: "a: 1, b: 2", Seed: 5'
    assert response.infotext_params(text) == {"Steps": "20", "Sampler": "Euler a",
                                               "Lora hashes": "a: 1, b: 2", "Seed": "5"}
    assert response.infotext_params("") == {}
    assert response.infotext_params('x\nBad: "\\q"')["Bad"] == "\\q"


def test_decode_image_accepts_data_urls_and_names_bad_data() -> None:
    png = _png()
    assert response.decode_image("data:image/png;base64," + _b64(png), "w") == png
    for bad in (None, "!!!", _b64(b"not an image")):
        with pytest.raises(BackendError) as caught:
            response.decode_image(bad, "POST /x")
        assert caught.value.kind == "bad_image"


def test_generation_output_checks_the_documented_shape() -> None:
    png = _png("p\nSteps: 3, Seed: 9")
    info = {"seed": 9, "all_seeds": [9], "infotexts": ["p\nSteps: 3, Seed: 9"]}
    body = {"images": [_b64(png)], "info": info}
    output = response.generation_output(body, "w", retries=0)  # `info` already an object is fine
    assert output.images[0].seed == 9 and "retries" not in output.params
    for bad in ({"images": "x"}, {"images": [], "info": "{not json"}, {"images": [], "info": "[1]"}, []):
        with pytest.raises(BackendError) as caught:
            response.generation_output(bad, "w", retries=0)
        assert caught.value.kind == "bad_response"
    no_infotext = response.generation_output({"images": [_b64(png)], "info": json.dumps({"seed": 4})}, "w",
                                             retries=2)
    assert no_infotext.images[0].infotext is None and no_infotext.params["retries"] == 2


def test_upscale_output_without_input_infotext_and_malformed() -> None:
    out = response.upscale_output({"image": _b64(_png())}, "w", request_params={"upscaler": "Lanczos",
                                  "upscaling_resize": 2.0}, input_infotext=None, retries=1)
    assert out.images[0].infotext is None and out.params["retries"] == 1
    with pytest.raises(BackendError, match="malformed"):
        response.upscale_output({"html_info": ""}, "w", request_params={}, input_infotext=None, retries=0)
    assert response.png_parameters(b"not a png") is None
    assert response.png_parameters(_png("hello")) == "hello"


def test_payloads_need_a_readable_input_image() -> None:
    for stage in ("img2img", "upscale"):
        request = StageRequest(stage=stage, params={}, prompt="p")
        with pytest.raises(BackendError, match="needs an input image"):
            if stage == "upscale":
                payloads.upscale_body(request, {})
            else:
                payloads.generation_body(request, {})
    broken = StageRequest(stage="img2img", params={}, prompt="p", input_image=b"nope")
    with pytest.raises(BackendError) as caught:
        payloads.generation_body(broken, {})
    assert caught.value.kind == "bad_image"
