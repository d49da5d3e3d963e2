"""SystemClock and the TOML/JSON config loader (every error names the file)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest

from stablenew.adapters.clock import SystemClock
from stablenew.adapters.files import load_pipeline_config, read_data_file
from stablenew.domain.errors import ConfigError, PlanError


def test_system_clock_is_utc_and_monotonic() -> None:
    clock = SystemClock()
    assert clock.now().tzinfo is UTC
    first = clock.monotonic()
    assert clock.monotonic() >= first


def test_toml_and_json_configs_load(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('prompt = "x"\n[txt2img]\nsteps = 5\n')
    (tmp_path / "b.JSON").write_text('{"prompt": "x", "txt2img": {"steps": 5}}')
    assert load_pipeline_config(tmp_path / "a.toml") == load_pipeline_config(tmp_path / "b.JSON")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.json", b'{"prompt": ', "c.json: is not valid JSON (line 1 column 12: Expecting value)"),
        ("c.toml", b"\xff\xfe", "c.toml: is not UTF-8 text"),
        ("c.json", b"[1, 2]", "c.json: expected a table/object at the top level"),
        (
            "c.toml",
            b'prompt = "x"\n[txt2img]\ncfg_scale = 99\n',
            "c.toml: txt2img.cfg_scale: 99.0 is out of range (expected 1–30)",
        ),
    ],
)
def test_bad_files_name_the_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_pipeline_config(tmp_path / name)
    assert str(caught.value) == message.replace(name, str(tmp_path / name), 1)


def test_a_directory_cannot_be_read_and_the_error_type_is_chosen_by_the_caller(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        read_data_file(tmp_path, PlanError)
    assert str(caught.value).startswith(f"{tmp_path}: cannot be read (")
    with pytest.raises(PlanError, match="file not found"):
        read_data_file(tmp_path / "absent.toml", PlanError)
