"""Discovery validates names before anything runs: unknown → exit 2, field + close matches, no generation."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.backends.a1111_helpers import (
    a1111_container,
    app_toml,
    closed_port_url,
    generation_requests,
    pipeline,
    pipeline_toml,
)
from tests.servers import a1111_fixtures
from tests.servers.a1111_catalog import DEFAULT_MODELS
from tests.servers.a1111_server import FakeA1111Server
from typer.testing import CliRunner

from stablenew.adapters.backends.a1111 import names
from stablenew.cli import app
from stablenew.domain.errors import ConfigError

a1111_server = a1111_fixtures.a1111_server  # the fixtures, by name
a1111_server_factory = a1111_fixtures.a1111_server_factory

runner = CliRunner()


@pytest.mark.parametrize(
    ("body", "field", "expected"),
    [
        ('[txt2img]\nsampler_name = "Eular a"\n', "txt2img.sampler_name",
         'unknown sampler "Eular a" (close matches: Euler a, Euler'),
        ('[txt2img]\nmodel = "sd16.safetensors"\n', "txt2img.model",
         'unknown model "sd16.safetensors" (close matches: sd15.safetensors [6ce0161689]'),
        ('[txt2img]\nscheduler = "Karas"\n', "txt2img.scheduler",
         'unknown scheduler "Karas" (close matches: Karras'),
        ('[txt2img]\nvae = "vae-ft-mse"\n', "txt2img.vae", 'unknown VAE "vae-ft-mse"'),
        ('[txt2img]\n[upscale]\nupscaler = "R-ESRGAN 8x+"\n', "upscale.upscaler",
         'unknown upscaler "R-ESRGAN 8x+" (close matches: R-ESRGAN 4x+'),
        ('[txt2img]\n[img2img]\nsampler_name = "Zebra"\n', "img2img.sampler_name",
         'unknown sampler "Zebra" (the server has: DPM++ 2M, DPM++ SDE'),
    ],
)
def test_unknown_name_is_bad_input_and_nothing_is_generated(
    a1111_server: FakeA1111Server, tmp_path: Path, body: str, field: str, expected: str,
) -> None:
    config = app_toml(tmp_path / "app.toml", a1111_server.base_url)
    plan = pipeline_toml(tmp_path / "pipe.toml", body)
    result = runner.invoke(app, ["run", str(plan), "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert f"{plan}: {field}: {expected}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert generation_requests(a1111_server) == 0
    assert not (tmp_path / "output").exists()


def test_inherited_unknown_model_is_reported_where_it_was_written(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    backend = a1111_container(a1111_server, tmp_path).backend()
    config = pipeline(txt2img={"model": "nope"}, img2img={})
    with pytest.raises(ConfigError) as caught:
        backend.validate([pipeline(), config], source="plan.toml")
    assert (caught.value.source, caught.value.field) == ("plan.toml", "txt2img.model")


def test_discovery_lists_are_fetched_once_per_backend(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    container = a1111_container(a1111_server, tmp_path)
    backend = container.backend()
    backend.validate([pipeline(), pipeline(txt2img={"sampler_name": "Euler"})])
    assert container.pipeline_controller().run(pipeline()).success
    assert [a1111_server.count(p) for p in ("/sdapi/v1/samplers", "/sdapi/v1/sd-models")] == [1, 1]


def test_adetailer_needs_the_extension(a1111_server_factory, tmp_path: Path) -> None:
    server = a1111_server_factory(scripts=("Refiner", "Seed"))
    config = app_toml(tmp_path / "app.toml", server.base_url)
    plan = pipeline_toml(tmp_path / "pipe.toml", "[txt2img]\n[adetailer]\n")
    result = runner.invoke(app, ["run", str(plan), "--config", str(config)])
    assert result.exit_code == 2 and "adetailer: the server has no ADetailer extension" in result.stderr
    assert generation_requests(server) == 0


def test_unreachable_server_at_validation_exits_1_with_the_reason(tmp_path: Path) -> None:
    config = app_toml(tmp_path / "app.toml", closed_port_url(), retries=0)
    plan = pipeline_toml(tmp_path / "pipe.toml", "[txt2img]\n")
    result = runner.invoke(app, ["run", str(plan), "--config", str(config)])
    assert result.exit_code == 1 and "connection refused" in result.stderr


def test_malformed_discovery_list_is_named(a1111_server_factory, tmp_path: Path) -> None:
    from tests.servers.a1111_server import Fault

    server = a1111_server_factory()
    server.add_fault("/sdapi/v1/samplers", Fault("malformed_json"))
    backend = a1111_container(server, tmp_path).backend()
    status = backend.check()
    assert not status.usable and "malformed response" in status.reason


def test_name_matching_follows_a1111() -> None:
    models = names.model_names(DEFAULT_MODELS)
    title = "sd15.safetensors [6ce0161689]"
    for alias in ("sd15", "sd15.safetensors", title, "6ce0161689", DEFAULT_MODELS[0]["filename"],
                  DEFAULT_MODELS[0]["sha256"], "Sd15"):
        assert models.resolve(alias) == title, alias
    assert models.resolve("sd1") is None
    vaes = names.vae_names([{"model_name": "x.safetensors", "filename": "/m/VAE/x.safetensors"}])
    assert [vaes.resolve(v) for v in ("Automatic", "None", "x", "/m/VAE/x.safetensors")] == [
        "Automatic", "None", "x.safetensors", "x.safetensors"]
    empty = names.upscaler_names([])
    assert empty.unknown("x") == 'unknown upscaler "x" (the server has: none)'
