"""One plan on several real (fake-A1111) HTTP servers through the CLI: pulled work, one call per server
at a time, names checked on every server, a dying server's steps taken over by the others."""

from __future__ import annotations

import threading

import pytest
from tests.dispatch.many_servers_helpers import app_toml, plan_toml, records, step_keys_once
from tests.servers.a1111_catalog import model_entry
from tests.servers.a1111_server import FakeA1111Server, Fault
from typer.testing import CliRunner

from stablenew.cli import app

runner = CliRunner()
TXT2IMG = "/sdapi/v1/txt2img"


@pytest.fixture
def servers() -> list[FakeA1111Server]:
    started = [FakeA1111Server().start() for _ in range(3)]
    yield started
    for server in started:
        server.stop()


def learn(*args: str) -> object:
    return runner.invoke(app, ["learn", *args, "plan.toml", "--no-grid", "--config", "app.toml"])


def test_a_plan_uses_every_server_once_each_at_a_time(servers: list[FakeA1111Server]) -> None:
    for server in servers:
        server.generation_delay_s = 0.05
    app_toml(servers)
    plan = plan_toml()
    result = learn("run")
    assert result.exit_code == 0, result.output
    assert step_keys_once(plan) and len(records()) == 12
    assert {r["server"] for r in records()} == {s.base_url for s in servers}
    assert all(s.max_generations_in_flight == 1 for s in servers)
    assert sum(s.count(TXT2IMG) for s in servers) == 12


def test_an_uneven_server_pulls_fewer_steps(servers: list[FakeA1111Server]) -> None:
    servers[0].generation_delay_s = 0.4
    servers[1].generation_delay_s = servers[2].generation_delay_s = 0.02
    app_toml(servers)
    plan_toml(models="sd15", cfgs="1-12")
    assert learn("run").exit_code == 0
    assert servers[0].count(TXT2IMG) < servers[1].count(TXT2IMG) + servers[2].count(TXT2IMG)
    assert servers[0].count(TXT2IMG) <= 3


def test_a_server_dying_mid_plan_leaves_its_steps_to_the_others(servers: list[FakeA1111Server]) -> None:
    for server in servers:
        server.generation_delay_s = 0.05
    app_toml(servers)
    plan = plan_toml(models="sd15", cfgs="1-15")
    threading.Timer(0.25, servers[0].stop).start()
    result = learn("run")
    assert result.exit_code == 0, result.output
    assert step_keys_once(plan) and len(records()) == 15  # no failure record for the moved steps
    assert servers[1].count(TXT2IMG) + servers[2].count(TXT2IMG) >= 10


def test_every_server_dead_stops_the_plan_with_the_resume_hint(servers: list[FakeA1111Server]) -> None:
    app_toml(servers, server_failures_to_remove=1, server_cooldown_s=60)
    plan_toml(models="sd15", cfgs="1-6")
    for server in servers:  # they answer the name checks, then fail every generation
        server.add_fault(TXT2IMG, Fault("status", status=503, times=50))
    result = learn("run")
    assert result.exit_code == 1, result.output
    assert "stopped early (no_server)" in result.output and "learn resume" in result.output


def test_a_name_missing_on_one_server_is_exit_2_naming_that_server(servers: list[FakeA1111Server]) -> None:
    small = FakeA1111Server(models=[model_entry("sd15.safetensors", "ab" * 32)]).start()
    try:
        app_toml([servers[0], small])
        plan_toml()
        result = learn("run")
        assert result.exit_code == 2, result.output
        assert f"on server {small.base_url}" in result.output and "sdxl_base" in result.output
        assert servers[0].count(TXT2IMG) == small.count(TXT2IMG) == 0

        skipped = runner.invoke(app, ["learn", "run", "plan.toml", "--no-grid", "--config", "app.toml",
                                      "--skip-servers-missing-names"])
        assert skipped.exit_code == 0, skipped.output
        assert f"warning: server {small.base_url} left out" in skipped.output
        assert small.count(TXT2IMG) == 0 and servers[0].count(TXT2IMG) == 12
    finally:
        small.stop()


def test_a_duplicate_server_url_is_exit_2(servers: list[FakeA1111Server]) -> None:
    app_toml([servers[0], servers[0]])
    plan_toml()
    result = learn("run")
    assert result.exit_code == 2
    assert "a1111.base_urls: [1]" in result.output and "listed twice" in result.output
