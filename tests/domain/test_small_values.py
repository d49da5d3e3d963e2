"""Infotext, field specs, errors and the cancel token."""

from __future__ import annotations

import threading

from stablenew.domain.config.stage_fields import STAGE_DEFAULTS, STAGE_FIELDS, FieldSpec, field_spec
from stablenew.domain.errors import ConfigError, InputError, PlanError
from stablenew.domain.records.infotext import format_infotext
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError, FailureKind


def test_infotext_reads_like_a1111() -> None:
    text = format_infotext(
        "a fox",
        "blurry",
        {
            "steps": 20,
            "sampler_name": "DPM++ 2M",
            "cfg_scale": 7.0,
            "seed": 5,
            "width": 512,
            "height": 768,
            "model": "a,b",
            "vae": None,
        },
        "StableNew 0.1.0",
    )
    assert text == (
        "a fox\nNegative prompt: blurry\nSteps: 20, Sampler: DPM++ 2M, CFG scale: 7.0, Seed: 5, "
        'Size: 512x768, Model: "a,b", Version: StableNew 0.1.0'
    )
    assert format_infotext("p", "", {}, "v") == "p\nVersion: v"


def test_field_specs_describe_their_ranges() -> None:
    assert field_spec("txt2img", "steps").describe_range() == "1–150"
    assert field_spec("upscale", "upscaling_resize").describe_range() == "> 0 and ≤ 8"
    assert FieldSpec("x", "int", 0).describe_range() == "≥ 0"
    assert field_spec("txt2img", "seed").describe_range() == "-1–4294967295"
    assert FieldSpec("x", "float", 0.5, 1.5).describe_range() == "0.5–1.5"
    assert FieldSpec("x", "str").describe_range() == ""
    assert field_spec("upscale", "steps") is None and field_spec("nope", "steps") is None
    for stage, defaults in STAGE_DEFAULTS.items():  # every default is a field the stage accepts
        assert set(defaults) <= set(STAGE_FIELDS[stage])


def test_input_errors_name_source_and_field() -> None:
    error = ConfigError("expected an integer", field="txt2img.steps")
    assert str(error.with_source("a.toml")) == "a.toml: txt2img.steps: expected an integer"
    assert str(PlanError("bad", field="values")) == "values: bad" and str(InputError("bad")) == "bad"
    assert isinstance(error.with_source("a"), ConfigError)
    backend = BackendError("down", kind=FailureKind.CONNECTION_REFUSED, retries=2)
    assert (backend.kind, backend.retries, str(backend)) == ("connection_refused", 2, "down")


def test_cancel_runs_callbacks_once_and_can_unregister() -> None:
    token = CancelToken()
    calls: list[str] = []
    token.on_cancel(lambda: calls.append("a"))
    remove = token.on_cancel(lambda: calls.append("b"))
    remove()
    remove()
    assert not token.cancelled and not token.wait(0.001)
    token.cancel("stop")
    token.cancel("again")
    assert token.cancelled and token.reason == "stop" and calls == ["a"] and token.wait(0)
    token.on_cancel(lambda: calls.append("late"))()  # already cancelled: runs at once
    assert calls == ["a", "late"]


def test_cancel_wakes_a_waiting_thread() -> None:
    token = CancelToken()
    woke: list[bool] = []
    thread = threading.Thread(target=lambda: woke.append(token.wait(5)))
    thread.start()
    token.cancel()
    thread.join(5)
    assert woke == [True]
