"""Checks of the fake AUTOMATIC1111 server itself, over real HTTP on 127.0.0.1 with httpx."""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from typing import Any

import httpx
import pytest
from PIL import Image

from .a1111_fixtures import a1111_server, a1111_server_factory  # noqa: F401 - fixtures
from .a1111_server import FakeA1111Server, Fault

V1 = "/sdapi/v1"


@pytest.fixture
def client(a1111_server: FakeA1111Server) -> httpx.Client:  # noqa: F811
    with httpx.Client(base_url=a1111_server.base_url, timeout=5) as c:
        yield c


def png(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (10, 20, 30)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def decode(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64)))


def txt2img(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"prompt": "a cat", "steps": 4, "width": 64, "height": 48, **fields}
    response = client.post(f"{V1}/txt2img", json=body)
    assert response.status_code == 200, response.text
    return response.json()


# -- catalog endpoints ----------------------------------------------------------------------------

def test_catalog_endpoints_have_the_a1111_shapes(client: httpx.Client) -> None:
    models = client.get(f"{V1}/sd-models").json()
    assert models[0] == {
        "title": "sd15.safetensors [6ce0161689]", "model_name": "sd15", "hash": "6ce0161689",
        "sha256": "6ce0161689b3853acaa03779ec93eafe75a02f4ced659bee03f50797806fa2fa",
        "filename": "/models/Stable-diffusion/sd15.safetensors", "config": None,
    }
    assert models[1]["title"] == "sdxl_base.safetensors [31e35c80fc]"
    samplers = {s["name"]: s for s in client.get(f"{V1}/samplers").json()}
    assert {"Euler a", "Euler", "DPM++ 2M", "DPM++ SDE", "DDIM"} <= samplers.keys()
    assert samplers["Euler a"]["aliases"] == ["k_euler_a", "k_euler_ancestral"]
    assert samplers["DPM++ 2M"]["options"] == {"scheduler": "karras"}
    schedulers = {s["name"]: s for s in client.get(f"{V1}/schedulers").json()}
    assert schedulers["karras"] == {"name": "karras", "label": "Karras", "aliases": None, "default_rho": 7.0,
                                    "need_inner_model": False}
    assert {"automatic", "uniform", "exponential"} <= schedulers.keys()
    upscalers = {u["name"]: u for u in client.get(f"{V1}/upscalers").json()}
    assert {"None", "Lanczos", "R-ESRGAN 4x+", "ESRGAN_4x"} <= upscalers.keys()
    assert set(upscalers["ESRGAN_4x"]) == {"name", "model_name", "model_path", "model_url", "scale"}
    vaes = client.get(f"{V1}/sd-vae").json()
    assert all(set(v) == {"model_name", "filename"} for v in vaes) and vaes
    options = client.get(f"{V1}/options").json()
    assert options["sd_model_checkpoint"] == "sd15.safetensors [6ce0161689]"
    assert client.get(f"{V1}/cmd-flags").json()["api"] is True
    assert client.get("/internal/ping").json() == {}
    assert "adetailer" in client.get(f"{V1}/scripts").json()["img2img"]


def test_custom_catalog_is_served() -> None:
    only = {"name": "Only", "model_name": None, "model_path": None, "model_url": None, "scale": 2}
    with FakeA1111Server(upscalers=[only]) as srv:
        assert [u["name"] for u in httpx.get(f"{srv.base_url}{V1}/upscalers").json()] == ["Only"]
    with pytest.raises(ValueError):
        FakeA1111Server(models=[])


def test_unknown_path_and_wrong_method(client: httpx.Client) -> None:
    missing = client.get("/sdapi/v1/nope")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
    wrong = client.get(f"{V1}/txt2img")
    assert (wrong.status_code, wrong.json()) == (405, {"detail": "Method Not Allowed"})


def test_progress_when_idle(client: httpx.Client) -> None:
    progress = client.get(f"{V1}/progress").json()
    assert progress["progress"] == 0 and progress["eta_relative"] == 0 and progress["current_image"] is None
    assert progress["state"]["job"] == "" and progress["state"]["job_count"] == 0
    assert {"interrupted", "skipped", "sampling_step", "sampling_steps", "textinfo"} <= {
        *progress["state"], *progress}


def test_options_can_be_set_like_a1111(client: httpx.Client, a1111_server: FakeA1111Server) -> None:  # noqa: F811
    assert client.post(f"{V1}/options", json={"sd_model_checkpoint": "sdxl_base"}).json() is None
    assert client.get(f"{V1}/options").json()["sd_model_checkpoint"] == "sdxl_base.safetensors [31e35c80fc]"
    assert a1111_server.current_model["model_name"] == "sdxl_base"
    bad = client.post(f"{V1}/options", json={"sd_model_checkpoint": "nope.ckpt"})
    assert bad.status_code == 500 and bad.json()["error"] == "RuntimeError"


# -- txt2img / img2img -----------------------------------------------------------------------------

def test_txt2img_returns_images_parameters_and_info(client: httpx.Client) -> None:
    result = txt2img(client, negative_prompt="blurry", seed=-1, sampler_name="Euler a", scheduler="karras",
                     cfg_scale=7)
    assert result["parameters"]["seed"] == -1
    assert result["parameters"]["prompt"] == "a cat"
    info = json.loads(result["info"])
    assert isinstance(info["seed"], int) and info["seed"] >= 0
    assert info["all_seeds"] == [info["seed"]]
    assert (info["width"], info["height"], info["steps"], info["batch_size"]) == (64, 48, 4, 1)
    assert (info["sampler_name"], info["cfg_scale"]) == ("Euler a", 7.0)
    assert (info["sd_model_name"], info["sd_model_hash"], info["sd_vae_name"]) == ("sd15", "6ce0161689", None)
    assert info["version"] == "v1.10.1" and len(info["job_timestamp"]) == 14
    assert info["infotexts"] == [
        "a cat\nNegative prompt: blurry\nSteps: 4, Sampler: Euler a, Schedule type: Karras, CFG scale: 7.0, "
        f"Seed: {info['seed']}, Size: 64x48, Model hash: 6ce0161689, Model: sd15, Version: v1.10.1"
    ]
    (image_b64,) = result["images"]
    image = decode(image_b64)
    assert (image.format, image.size) == ("PNG", (64, 48))
    assert image.info["parameters"] == info["infotexts"][0]


def test_random_seeds_differ_and_fixed_seeds_are_kept(client: httpx.Client) -> None:
    first = json.loads(txt2img(client)["info"])["seed"]
    second = json.loads(txt2img(client)["info"])["seed"]
    assert first != second
    assert json.loads(txt2img(client, seed=123)["info"])["seed"] == 123


def test_batches_make_batch_size_times_n_iter_images(client: httpx.Client) -> None:
    result = txt2img(client, seed=10, batch_size=2, n_iter=2)
    info = json.loads(result["info"])
    assert len(result["images"]) == 4 and info["index_of_first_image"] == 0
    assert info["all_seeds"] == [10, 11, 12, 13]
    assert "Batch size: 2, Batch pos: 1" in info["infotexts"][1]
    assert txt2img(client, send_images=False)["images"] == []


def test_return_grid_puts_a_grid_first(client: httpx.Client, a1111_server: FakeA1111Server) -> None:  # noqa: F811
    a1111_server.return_grid = True
    result = txt2img(client, batch_size=3)
    assert len(result["images"]) == 4 and json.loads(result["info"])["index_of_first_image"] == 1
    assert decode(result["images"][0]).size == (128, 96)


@pytest.mark.parametrize("name", ["sdxl_base.safetensors [31e35c80fc]", "sdxl_base", "31e35c80fc",
                                  "/models/Stable-diffusion/sdxl_base.safetensors", "sdxl_base.safetensors"])
def test_checkpoint_override_is_matched_like_a1111(client: httpx.Client, name: str) -> None:
    info = json.loads(txt2img(client, override_settings={"sd_model_checkpoint": name})["info"])
    assert (info["sd_model_name"], info["sd_model_hash"]) == ("sdxl_base", "31e35c80fc")


def test_unknown_checkpoint_silently_keeps_the_current_model(client: httpx.Client) -> None:
    info = json.loads(txt2img(client, override_settings={"sd_model_checkpoint": "missing.ckpt"})["info"])
    assert info["sd_model_name"] == "sd15"


def test_override_settings_restore_afterwards_false_persists(client: httpx.Client) -> None:
    txt2img(client, override_settings={"sd_model_checkpoint": "sdxl_base", "sd_vae": "sdxl_vae.safetensors"},
            override_settings_restore_afterwards=False)
    info = json.loads(txt2img(client)["info"])
    assert (info["sd_model_name"], info["sd_vae_name"]) == ("sdxl_base", "sdxl_vae.safetensors")
    assert "VAE: sdxl_vae.safetensors" in info["infotexts"][0]


@pytest.mark.parametrize(("sampler", "scheduler", "expected"), [
    ("Nonexistent", None, ("DPM++ 2M", "Automatic")),
    ("DPM++ 2M Karras", None, ("DPM++ 2M", "Automatic")),
    ("DPM++ 2M", "exponential", ("DPM++ 2M", "Exponential")),
    ("Euler", "Bogus", ("Euler", "Automatic")),
    (None, None, ("Euler", "Automatic")),
])
def test_sampler_resolution_falls_back_silently(client: httpx.Client, sampler: str | None,
                                                scheduler: str | None, expected: tuple[str, str]) -> None:
    info = json.loads(txt2img(client, sampler_name=sampler, scheduler=scheduler)["info"])
    assert info["sampler_name"] == expected[0]
    assert f"Sampler: {expected[0]}, Schedule type: {expected[1]}," in info["infotexts"][0]


def test_an_older_a1111_has_no_schedulers_route_and_ignores_the_scheduler(a1111_server_factory) -> None:  # noqa: F811
    from .a1111_catalog import LEGACY_SAMPLERS

    server = a1111_server_factory(samplers=LEGACY_SAMPLERS, schedulers_route=False)
    with httpx.Client(base_url=server.base_url, timeout=5) as old:
        missing = old.get(f"{V1}/schedulers")
        assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
        assert old.get("/internal/sysinfo").json()["Version"] == "v1.8.0"
        for sampler, scheduler, ran in (("DPM++ 2M", "Karras", "DPM++ 2M"), ("k_dpmpp_2m_ka", None,
                                        "DPM++ 2M Karras"), ("Nonexistent", None, "DPM++ 2M Karras")):
            info = json.loads(txt2img(old, sampler_name=sampler, scheduler=scheduler)["info"])
            assert info["sampler_name"] == ran and "Schedule type" not in info["infotexts"][0]


def test_img2img_accepts_plain_and_data_url_images(client: httpx.Client) -> None:
    for init in (png(), "data:image/png;base64," + png()):
        body = {"init_images": [init], "prompt": "p", "width": 40, "height": 32, "steps": 2,
                "denoising_strength": 0.3}
        response = client.post(f"{V1}/img2img", json=body)
        assert response.status_code == 200, response.text
        result = response.json()
        assert decode(result["images"][0]).size == (40, 32)
        assert result["parameters"]["init_images"] is None  # A1111 drops them unless include_init_images
        info = json.loads(result["info"])
        assert info["denoising_strength"] == 0.3 and "Denoising strength: 0.3" in info["infotexts"][0]


def test_img2img_errors(client: httpx.Client) -> None:
    missing = client.post(f"{V1}/img2img", json={"prompt": "p"})
    assert missing.status_code == 404 and missing.json()["detail"] == "Init image not found"
    garbage = client.post(f"{V1}/img2img", json={"init_images": ["not an image"]})
    assert garbage.status_code == 500 and garbage.json()["detail"] == "Invalid encoded image"


def test_adetailer_request_is_recorded_and_reported(client: httpx.Client,
                                                    a1111_server: FakeA1111Server) -> None:  # noqa: F811
    face = {"ad_model": "face_yolov8n.pt", "ad_prompt": "a face", "ad_denoising_strength": 0.35}
    args = [True, False, face, {"ad_model": "hand_yolov8n.pt"}]
    response = client.post(f"{V1}/img2img", json={"init_images": [png()], "width": 64, "height": 64,
                                                  "alwayson_scripts": {"ADetailer": {"args": args}}})
    assert response.status_code == 200
    info = json.loads(response.json()["info"])
    assert info["extra_generation_params"]["ADetailer model"] == "face_yolov8n.pt"
    assert info["extra_generation_params"]["ADetailer model 2nd"] == "hand_yolov8n.pt"
    assert "ADetailer denoising strength: 0.35" in info["infotexts"][0]
    assert a1111_server.payloads(f"{V1}/img2img")[0]["alwayson_scripts"]["ADetailer"]["args"] == args
    unknown = client.post(f"{V1}/txt2img", json={"alwayson_scripts": {"ControlNet": {"args": []}}})
    assert unknown.status_code == 422 and unknown.json()["detail"] == "always on script ControlNet not found"


def test_validation_errors_look_like_fastapi(client: httpx.Client) -> None:
    headers = {"Content-Type": "application/json"}
    bad_json = client.post(f"{V1}/txt2img", content=b"{not json", headers=headers)
    assert bad_json.status_code == 422
    assert bad_json.json()["detail"][0]["type"] == "value_error.jsondecode"
    bad_type = client.post(f"{V1}/txt2img", json={"steps": "many"})
    assert bad_type.status_code == 422
    assert bad_type.json()["detail"] == [
        {"loc": ["body", "steps"], "msg": "value is not a valid integer", "type": "type_error.integer"}]
    assert client.post(f"{V1}/txt2img").status_code == 422
    assert txt2img(client, width="64", steps=3.0)["parameters"]["width"] == 64  # pydantic-1 coercion


def test_extra_single_image_upscales(client: httpx.Client) -> None:
    response = client.post(f"{V1}/extra-single-image", json={
        "image": png(64, 48), "upscaler_1": "R-ESRGAN 4x+", "upscaling_resize": 2})
    assert response.status_code == 200
    assert decode(response.json()["image"]).size == (128, 96)
    assert "R-ESRGAN 4x+" in response.json()["html_info"]
    capped = client.post(f"{V1}/extra-single-image", json={
        "image": png(1500, 750), "upscaler_1": "Lanczos", "upscaling_resize": 4}).json()
    assert decode(capped["image"]).size == (2048, 1024)
    unknown = client.post(f"{V1}/extra-single-image", json={"image": png(), "upscaler_1": "Magic 9x"})
    assert unknown.status_code == 500 and unknown.json()["error"] == "AssertionError"


# -- auth ------------------------------------------------------------------------------------------

def test_basic_auth_is_required_on_sdapi_routes(a1111_server_factory) -> None:  # noqa: F811
    srv = a1111_server_factory(username="user", password="secret")
    anonymous = httpx.get(f"{srv.base_url}{V1}/sd-models")
    assert anonymous.status_code == 401 and anonymous.json()["detail"] == "Not authenticated"
    assert "www-authenticate" not in anonymous.headers  # as the recorded A1111 1.10.1
    wrong = httpx.get(f"{srv.base_url}{V1}/sd-models", auth=("user", "nope"))
    assert wrong.status_code == 401 and wrong.json()["detail"] == "Incorrect username or password"
    assert httpx.get(f"{srv.base_url}{V1}/sd-models", auth=("user", "secret")).status_code == 200
    assert httpx.get(f"{srv.base_url}/internal/ping").status_code == 200
    assert srv.requests[0].headers.get("authorization") is None
    assert srv.requests[2].headers["authorization"].startswith("Basic ")


# -- faults ----------------------------------------------------------------------------------------

def test_status_and_oom_faults(client: httpx.Client, a1111_server: FakeA1111Server) -> None:  # noqa: F811
    a1111_server.add_fault(f"{V1}/txt2img", Fault("status", status=503))
    a1111_server.add_fault(f"{V1}/txt2img", Fault("oom"))
    first = client.post(f"{V1}/txt2img", json={})
    assert first.status_code == 503 and {"error", "detail"} <= first.json().keys()
    oom = client.post(f"{V1}/txt2img", json={})
    assert oom.status_code == 500 and oom.json()["error"] == "OutOfMemoryError"
    assert oom.json()["errors"].startswith("CUDA out of memory. Tried to allocate 2.00 GiB")
    assert client.post(f"{V1}/txt2img", json={"width": 8, "height": 8, "steps": 1}).status_code == 200
    assert a1111_server.count(f"{V1}/txt2img") == 3


def test_fault_times_and_per_path_fifo(client: httpx.Client, a1111_server: FakeA1111Server) -> None:  # noqa: F811
    a1111_server.add_fault(f"{V1}/sd-models", Fault("status", status=502, times=2))
    a1111_server.add_fault(f"{V1}/sd-models", Fault("status", status=504))
    assert client.get(f"{V1}/samplers").status_code == 200  # other paths are unaffected
    codes = [client.get(f"{V1}/sd-models").status_code for _ in range(4)]
    assert codes == [502, 502, 504, 200]
    assert a1111_server.pending_faults(f"{V1}/sd-models") == 0
    with pytest.raises(ValueError):
        Fault("explode")


def test_timeout_fault_outlasts_the_client_timeout(a1111_server: FakeA1111Server) -> None:  # noqa: F811
    a1111_server.add_fault(f"{V1}/sd-models", Fault("timeout", delay_s=0.5))
    with httpx.Client(base_url=a1111_server.base_url, timeout=0.1) as short, pytest.raises(httpx.ReadTimeout):
        short.get(f"{V1}/sd-models")
    with httpx.Client(base_url=a1111_server.base_url, timeout=2) as patient:
        a1111_server.add_fault(f"{V1}/sd-models", Fault("timeout", delay_s=0.1))
        assert patient.get(f"{V1}/sd-models").status_code == 200


def test_close_fault_drops_the_connection(client: httpx.Client, a1111_server: FakeA1111Server) -> None:  # noqa: F811
    a1111_server.add_fault(f"{V1}/txt2img", Fault("close"))
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(f"{V1}/txt2img", json={"prompt": "x"})
    assert a1111_server.payloads(f"{V1}/txt2img") == [{"prompt": "x"}]
    assert client.get(f"{V1}/sd-models").status_code == 200


def test_malformed_json_and_bad_base64_faults(client: httpx.Client,
                                              a1111_server: FakeA1111Server) -> None:  # noqa: F811
    a1111_server.add_fault(f"{V1}/txt2img", Fault("malformed_json"))
    a1111_server.add_fault(f"{V1}/txt2img", Fault("bad_base64"))
    malformed = client.post(f"{V1}/txt2img", json={"width": 8, "height": 8})
    assert malformed.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        malformed.json()
    bad = client.post(f"{V1}/txt2img", json={"width": 8, "height": 8, "batch_size": 2}).json()
    assert bad["images"] == ["!!!notbase64!!!", "!!!notbase64!!!"] and json.loads(bad["info"])["seed"] >= 0
    a1111_server.add_fault(f"{V1}/extra-single-image", Fault("bad_base64"))
    extra = client.post(f"{V1}/extra-single-image", json={"image": png(), "upscaler_1": "Lanczos"}).json()
    assert extra["image"] == "!!!notbase64!!!"


# -- slow generation, progress, interrupt ----------------------------------------------------------

def test_interrupt_cuts_a_slow_generation_short(client: httpx.Client,
                                                a1111_server: FakeA1111Server) -> None:  # noqa: F811
    a1111_server.generation_delay_s = 5.0
    outcome: dict[str, Any] = {}

    def generate() -> None:
        with httpx.Client(base_url=a1111_server.base_url, timeout=10) as own:
            outcome["response"] = own.post(f"{V1}/txt2img", json={"width": 16, "height": 16, "steps": 20,
                                                                  "n_iter": 2})

    worker = threading.Thread(target=generate)
    started = time.monotonic()
    worker.start()
    seen: list[float] = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        progress = client.get(f"{V1}/progress").json()
        if progress["state"]["job_count"] and progress["state"]["sampling_step"] >= 2:
            seen.append(progress["progress"])
            if len(seen) >= 2 and seen[-1] > seen[0]:
                break
        time.sleep(0.05)
    assert progress["state"]["job"] == "Batch 1 out of 2" and progress["state"]["sampling_steps"] == 20
    assert len(seen) >= 2 and 0 < seen[0] < seen[-1] < 1
    assert client.post(f"{V1}/interrupt").json() == {}
    worker.join(timeout=5)
    assert time.monotonic() - started < 3
    response = outcome["response"]
    assert response.status_code == 200
    assert len(response.json()["images"]) == 1  # the batch in progress; the second never started
    assert a1111_server.interrupts == 1
    after = client.get(f"{V1}/progress").json()
    assert after["state"]["interrupted"] is True and after["state"]["job_count"] == 0


def test_interrupt_while_idle_does_not_affect_the_next_job(client: httpx.Client,
                                                            a1111_server: FakeA1111Server) -> None:  # noqa: F811
    assert client.post(f"{V1}/interrupt").status_code == 200
    a1111_server.generation_delay_s = 0.05
    assert len(txt2img(client, n_iter=2)["images"]) == 2
    assert a1111_server.interrupts == 1


# -- recording and lifecycle -----------------------------------------------------------------------

def test_requests_are_recorded(client: httpx.Client, a1111_server: FakeA1111Server) -> None:  # noqa: F811
    client.get(f"{V1}/progress", params={"skip_current_image": "true"})
    txt2img(client, prompt="one")
    txt2img(client, prompt="two")
    client.post(f"{V1}/txt2img", content=b"garbage")
    assert [p["prompt"] for p in a1111_server.payloads(f"{V1}/txt2img")] == ["one", "two"]
    assert a1111_server.count(f"{V1}/txt2img") == 3 and a1111_server.count(f"{V1}/progress") == 1
    first = a1111_server.requests[0]
    assert (first.method, first.path, first.query, first.json) == ("GET", f"{V1}/progress",
                                                                    "skip_current_image=true", None)
    assert a1111_server.requests[-1].body == b"garbage" and a1111_server.requests[-1].json is None
    assert "host" in first.headers


def test_stop_closes_keepalive_connections() -> None:
    srv = FakeA1111Server().start()
    assert srv.base_url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=srv.base_url, timeout=2) as c:
        assert c.get("/internal/ping").status_code == 200
        srv.stop()
        with pytest.raises(httpx.TransportError):
            c.get("/internal/ping")
    srv.stop()  # idempotent
