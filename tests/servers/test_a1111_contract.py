"""Contract: the A1111 adapter reads what a real A1111 1.10.1 sent (tests/fixtures/recorded), and the
test server answers in the same shapes. Where the two disagreed, the recording won."""

from __future__ import annotations

import base64
import io
import json

import httpx
import pytest
from PIL import Image

from stablenew.adapters.backends.a1111 import response
from stablenew.adapters.backends.a1111.client import A1111Client
from stablenew.adapters.backends.http import RetryPolicy
from stablenew.domain.run.failures import BackendError, FailureKind
from tests.servers import a1111_fixtures
from tests.servers.recorded import A1111, recorded, replay

a1111_server = a1111_fixtures.a1111_server  # the fixtures, by name
a1111_server_factory = a1111_fixtures.a1111_server_factory
V1 = "/sdapi/v1"


def _client(url: str) -> A1111Client:
    return A1111Client(httpx.Client(base_url=url), connect_timeout_s=5.0, policy=RetryPolicy(retries=0))


def _png(width: int, height: int) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (1, 2, 3)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_recorded_422_is_a_bad_request_naming_the_field() -> None:
    exchange = recorded(A1111, "post-txt2img-422-steps-string")
    with replay(exchange) as url, pytest.raises(BackendError) as caught:
        _client(url).request("POST", f"{V1}/txt2img", exchange["request"]["json"], timeout_s=5.0)
    assert caught.value.kind is FailureKind.BAD_REQUEST
    assert "HTTP 422: body.steps: value is not a valid integer" in str(caught.value)


def test_a_recorded_401_is_unauthorized_with_the_credentials_hint() -> None:
    exchange = recorded(A1111, "auth-get-sd-models-no-credentials")
    assert "www-authenticate" not in exchange["response"]["headers"]
    with replay(exchange) as url, pytest.raises(BackendError) as caught:
        _client(url).request("GET", f"{V1}/sd-models", timeout_s=5.0)
    assert caught.value.kind is FailureKind.UNAUTHORIZED
    assert "[a1111] username and password" in str(caught.value)


def test_the_nowebui_sysinfo_404_is_not_the_api() -> None:
    exchange = recorded(A1111, "get-internal-sysinfo-nowebui")
    with replay(exchange) as url, pytest.raises(BackendError) as caught:
        _client(url).request("GET", "/internal/sysinfo", timeout_s=5.0)
    assert caught.value.kind is FailureKind.NOT_API


def test_a_recorded_generation_answer_reads_its_seed_sampler_and_images() -> None:
    body = recorded(A1111, "post-txt2img-batch2")["response"]["json"]
    body = {**body, "images": [_png(64, 64) for _ in body["images"]]}  # the recording cut the base64
    output = response.generation_output(body, "A1111 at http://h: POST /sdapi/v1/txt2img", retries=0)
    info = json.loads(recorded(A1111, "post-txt2img-batch2")["response"]["json"]["info"])
    assert [image.seed for image in output.images] == info["all_seeds"]  # two images, no grid
    assert output.params["seed"] == info["seed"] and output.params["scheduler"] == "Automatic"


def test_the_test_servers_422_and_401_have_a1111s_shape(a1111_server_factory) -> None:
    real_422 = recorded(A1111, "post-txt2img-422-steps-string")["response"]
    real_401 = recorded(A1111, "auth-get-sd-models-no-credentials")["response"]
    srv = a1111_server_factory(username="user", password="secret")
    anonymous = httpx.get(f"{srv.base_url}{V1}/sd-models")
    assert anonymous.status_code == 401 and anonymous.json().keys() == real_401["json"].keys()
    assert "www-authenticate" not in anonymous.headers  # A1111 sends no challenge
    bad = httpx.post(f"{srv.base_url}{V1}/txt2img", json={"steps": "abc"}, auth=("user", "secret"))
    assert bad.status_code == 422
    (item,) = bad.json()["detail"]
    (real_item,) = real_422["json"]["detail"]
    assert item.keys() >= real_item.keys() and item["loc"] == real_item["loc"]


def test_the_test_server_returns_no_grid_for_a_batch(a1111_server) -> None:
    real = recorded(A1111, "post-txt2img-batch2")
    answer = httpx.post(f"{a1111_server.base_url}{V1}/txt2img", timeout=30,
                        json={**real["request"]["json"], "override_settings": {}})
    assert answer.status_code == 200
    assert len(answer.json()["images"]) == len(real["response"]["json"]["images"]) == 2
    assert isinstance(answer.json()["info"], str)  # a JSON string, as A1111 sends it
