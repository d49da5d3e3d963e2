"""Discovery: ADetailer asked about once per backend; an A1111 older than 1.9 (no /schedulers) is usable."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.backends.a1111_helpers import TXT2IMG, a1111_container, pipeline
from tests.servers import a1111_fixtures
from tests.servers.a1111_catalog import LEGACY_SAMPLERS
from tests.servers.a1111_server import FakeA1111Server, Fault

from stablenew.domain.errors import ConfigError

a1111_server = a1111_fixtures.a1111_server  # the fixtures, by name
a1111_server_factory = a1111_fixtures.a1111_server_factory
SCRIPTS = "/sdapi/v1/scripts"


def test_adetailer_is_looked_up_once_per_backend(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    backend = a1111_container(a1111_server, tmp_path).backend()
    configs = [pipeline(txt2img={"steps": 2}, adetailer={"ad_model": "face_yolov8n.pt"}) for _ in range(5)]
    for _ in range(10):  # a plan validates every step
        backend.validate(configs)
    assert a1111_server.count(SCRIPTS) == 1
    backend.check()  # a check re-reads what the server offers
    backend.validate(configs)
    assert a1111_server.count(SCRIPTS) == 2


def _legacy(factory) -> FakeA1111Server:
    return factory(samplers=LEGACY_SAMPLERS, schedulers_route=False)


def test_a_server_without_the_schedulers_route_is_usable(a1111_server_factory, tmp_path: Path) -> None:
    server = _legacy(a1111_server_factory)
    status = a1111_container(server, tmp_path).backend().check()
    assert status.usable and status.reason == "" and status.version == "v1.8.0"
    assert status.schedulers == () and "DPM++ 2M Karras" in status.samplers
    assert server.count("/sdapi/v1/schedulers") == 1


@pytest.mark.parametrize(
    ("stage", "sent"),
    [
        ({"sampler_name": "DPM++ 2M Karras"}, "DPM++ 2M Karras"),  # a combined name, as listed
        ({"sampler_name": "dpm++ 2m karras", "scheduler": "Automatic"}, "DPM++ 2M Karras"),
        ({"sampler_name": "DPM++ 2M", "scheduler": "Karras"}, "DPM++ 2M Karras"),  # folded into one name
        ({"sampler_name": "DPM++ 2M", "scheduler": "karras"}, "DPM++ 2M Karras"),
        ({"sampler_name": "DPM++ 2M Karras", "scheduler": "Karras"}, "DPM++ 2M Karras"),
        ({"sampler_name": "Euler a"}, "Euler a"),
    ],
)
def test_legacy_sampler_names_run_on_an_old_server(
    a1111_server_factory, tmp_path: Path, stage: dict, sent: str,
) -> None:
    server = _legacy(a1111_server_factory)
    result = a1111_container(server, tmp_path).pipeline_controller().run(
        pipeline(txt2img={"steps": 2, "width": 64, "height": 64, **stage}))
    assert result.success, result.error
    (body,) = server.payloads(TXT2IMG)
    assert body["sampler_name"] == sent and body["scheduler"] is None  # an old server has no scheduler field
    assert result.events[0].params["sampler_name"] == sent


@pytest.mark.parametrize(
    ("stage", "field", "message"),
    [
        ({"sampler_name": "Euler a", "scheduler": "Karras"}, "txt2img.scheduler",
         'unknown sampler "Euler a Karras"'),
        ({"sampler_name": "DPM++ 2M", "scheduler": "Beta"}, "txt2img.scheduler", "older than 1.9"),
        ({"sampler_name": "DPM++ 2M", "scheduler": "Fancy"}, "txt2img.scheduler",
         'unknown scheduler "Fancy"'),
        ({"sampler_name": "Euler Karras"}, "txt2img.sampler_name", 'unknown sampler "Euler Karras"'),
    ],
)
def test_a_schedule_the_old_server_cannot_run_is_refused_before_anything_runs(
    a1111_server_factory, tmp_path: Path, stage: dict, field: str, message: str,
) -> None:
    server = _legacy(a1111_server_factory)
    backend = a1111_container(server, tmp_path).backend()
    with pytest.raises(ConfigError) as caught:
        backend.validate([pipeline(txt2img=stage)], source="pipe.toml")
    assert caught.value.field == field and message in str(caught.value)
    assert server.count(TXT2IMG) == 0


def test_other_404s_still_fail_discovery_with_the_api_hint(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:

    a1111_server.add_fault("/sdapi/v1/samplers", Fault("status", status=404))
    status = a1111_container(a1111_server, tmp_path).backend().check()
    assert not status.usable and "not the A1111 API (is it started with --api" in status.reason
