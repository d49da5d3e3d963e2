"""parse_pipeline_config and coerce_field: every rule, each error naming its field path."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from stablenew.domain.config.rules import coerce_field, parse_pipeline_config, parse_stage
from stablenew.domain.config.stage_fields import FieldSpec, field_spec
from stablenew.domain.errors import ConfigError


def _error(data: object, where: str = "") -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_pipeline_config(data, where=where)
    return caught.value


def test_a_full_config_is_read() -> None:
    config = parse_pipeline_config(
        {
            "prompt": "p",
            "negative_prompt": "n",
            "prompt_pack": "pack",
            "prompt_id": "id",
            "upscale": {"upscaler": "Lanczos"},
            "txt2img": {"steps": 3, "cfg_scale": 5},
            "metadata": {"k": [1, "a"]},
            "img2img": {"enabled": False},
        }
    )
    assert [s.stage for s in config.stages] == ["txt2img", "img2img", "upscale"]  # canonical order
    assert config.txt2img.get("cfg_scale") == 5.0 and isinstance(config.txt2img.get("cfg_scale"), float)
    assert [s.stage for s in config.enabled_stages()] == ["txt2img", "upscale"]
    assert config.metadata == {"k": [1, "a"]}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ([], None, "expected a table"),
        ({"prompt": 3, "txt2img": {}}, "prompt", "expected a string, got 3"),
        ({"prompt": "  ", "txt2img": {}}, "prompt", "is required (a non-empty string)"),
        ({"prompt": "p", "txt2img": []}, "txt2img", "expected a table of txt2img settings, got []"),
        (
            {"prompt": "p", "txt2img": {"enabled": "yes"}},
            "txt2img.enabled",
            "expected true or false, got 'yes'",
        ),
        ({"prompt": "p", "txt2img": {}, "metadata": 1}, "metadata", "expected a table"),
        (
            {"prompt": "p", "txt2img": {}, "extra": 1},
            "extra",
            "unknown field (expected one of: prompt, "
            "negative_prompt, prompt_pack, prompt_id, txt2img, img2img, adetailer, upscale, metadata)",
        ),
        ({"prompt": "p", "txt2img": {}, "upscale": {}}, "upscale.upscaler", "is required"),
        (
            {"prompt": "p", "adetailer": {}},
            "adetailer",
            "needs an input image, so an enabled stage that produces "
            "one must come before it (stage order: txt2img → img2img → adetailer → upscale)",
        ),
        (
            {"prompt": "p"},
            None,
            "no enabled stage (expected at least one of: txt2img, img2img, adetailer, upscale)",
        ),
        (
            {"prompt": "p", "txt2img": {}, "metadata": {"a": {"b": [1, float("inf")]}}},
            "metadata.a.b[1]",
            "expected a finite number, got inf",
        ),
        (
            {"prompt": "p", "txt2img": {}, "metadata": {"a": object}},
            "metadata.a",
            "expected a string, number, true/false, array or table, got <class 'object'>",
        ),
    ],
)
def test_config_errors_name_the_field(data: object, field: str | None, message: str) -> None:
    error = _error(data)
    assert (error.field, error.message) == (field, message)


def test_where_prefixes_the_field_path() -> None:
    assert _error({"prompt": "p", "txt2img": {"steps": 0}}, where="base").field == "base.txt2img.steps"
    assert _error({"prompt": "p"}, where="base").field == "base"
    assert _error({"prompt": "p", "img2img": {}}, where="base").field == "base.img2img"


def test_toml_dates_in_metadata_become_iso_strings() -> None:
    config = parse_pipeline_config(
        {
            "prompt": "p",
            "txt2img": {},
            "metadata": {
                "day": date(2024, 5, 1),
                "at": datetime(2024, 5, 1, 12, 30),
                "t": time(8, 0),
                "none": None,
                "ok": True,
            },
        }
    )
    assert config.metadata == {
        "day": "2024-05-01",
        "at": "2024-05-01T12:30:00",
        "t": "08:00:00",
        "none": None,
        "ok": True,
    }


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        (FieldSpec("b", "bool"), True, True),
        (FieldSpec("s", "str"), "Euler a", "Euler a"),
        (FieldSpec("i", "int", 1, 150), 150, 150),
        (FieldSpec("f", "float", 0, 1), 1, 1.0),
        (FieldSpec("u", "float", 0, 8, exclusive_minimum=True), 8, 8.0),
        (FieldSpec("seed", "int", -1, 2**32 - 1), -1, -1),
    ],
)
def test_coerce_accepts(spec: FieldSpec, value: object, expected: object) -> None:
    result = coerce_field(spec, value, "x")
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("spec", "value", "message"),
    [
        (FieldSpec("b", "bool"), 1, "expected true or false, got 1"),
        (FieldSpec("s", "str"), "", "expected a non-empty string, got ''"),
        (FieldSpec("i", "int", 1, 150), True, "expected an integer, got True"),
        (FieldSpec("i", "int", 1, 150), 2.0, "expected an integer, got 2.0"),
        (FieldSpec("i", "int", 1, 150), 151, "151 is out of range (expected 1–150)"),
        (FieldSpec("f", "float", 1, 30), float("nan"), "expected a number, got nan"),
        (FieldSpec("f", "float", 1, 30), 0.5, "0.5 is out of range (expected 1–30)"),
        (
            FieldSpec("u", "float", 0, 8, exclusive_minimum=True),
            0,
            "0.0 is out of range (expected > 0 and ≤ 8)",
        ),
        (
            FieldSpec("u", "float", 0, 8, exclusive_minimum=True),
            8.5,
            "8.5 is out of range (expected > 0 and ≤ 8)",
        ),
    ],
)
def test_coerce_refuses(spec: FieldSpec, value: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        coerce_field(spec, value, "txt2img.x")
    assert (caught.value.field, caught.value.message) == ("txt2img.x", message)


@pytest.mark.parametrize(
    ("stage", "name", "low", "high"),
    [
        ("txt2img", "steps", 1, 150),
        ("txt2img", "cfg_scale", 1, 30),
        ("img2img", "denoising_strength", 0, 1),
        ("txt2img", "width", 64, 2048),
        ("img2img", "height", 64, 2048),
        ("txt2img", "clip_skip", 1, 12),
    ],
)
def test_design_ranges_hold(stage: str, name: str, low: float, high: float) -> None:
    spec = field_spec(stage, name)
    assert coerce_field(spec, low, "x") == low and coerce_field(spec, high, "x") == high
    for bad in (low - 1, high + 1):
        with pytest.raises(ConfigError):
            coerce_field(spec, bad, "x")


def test_parse_stage_keeps_enabled_flag() -> None:
    stage = parse_stage("img2img", {"enabled": False, "denoising_strength": 0.2}, "img2img")
    assert not stage.enabled and stage.params == {"denoising_strength": 0.2}
