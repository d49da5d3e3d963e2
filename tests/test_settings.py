"""AppConfig: defaults, stablenew.toml or --config FILE, STABLENEW_* env on top, errors naming the source."""

from __future__ import annotations

from pathlib import Path

import pytest

from stablenew.domain.errors import ConfigError
from stablenew.settings import AppConfig, load_app_config


def test_defaults() -> None:
    config = load_app_config()
    assert config.backend == "procedural" and config.output_dir == Path("output")
    assert config.learning.enabled is False
    assert config.records_path == Path("output/learning/learning_records.jsonl")
    assert config.a1111.password is None


def test_working_directory_file_then_env_then_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    Path("stablenew.toml").write_text(
        'output_dir = "out"\n[learning]\nenabled = true\n[a1111]\nretries = 5\n'
    )
    assert load_app_config().learning.enabled is True and load_app_config().output_dir == Path("out")
    monkeypatch.setenv("STABLENEW_LEARNING__ENABLED", "false")
    monkeypatch.setenv("STABLENEW_A1111__RETRIES", "1")
    config = load_app_config(output_dir=Path("cli"), backend=None)
    assert config.learning.enabled is False and config.a1111.retries == 1 and config.output_dir == Path("cli")
    assert config.records_path == Path("cli/learning/learning_records.jsonl")


def test_config_option_beats_the_working_directory_file() -> None:
    Path("stablenew.toml").write_text('backend = "comfyui"\n')
    Path("other.toml").write_text('[learning]\nrecords_path = "r.jsonl"\n')
    config = load_app_config(Path("other.toml"))
    assert config.backend == "procedural" and config.records_path == Path("r.jsonl")


def test_the_password_is_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STABLENEW_A1111__USERNAME", "alice")  # a password needs a username
    monkeypatch.setenv("STABLENEW_A1111__PASSWORD", "hunter2")
    config = load_app_config()
    assert config.a1111.password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(config) and "hunter2" not in str(config.model_dump())


@pytest.mark.parametrize(
    ("file_text", "env", "overrides", "message"),
    [
        ("[learning]\nenabeld = true\n", {}, {}, "stablenew.toml: learning.enabeld: unknown field"),
        (
            "backend = 3\n",
            {},
            {},
            "stablenew.toml: backend: Input should be 'procedural', 'a1111' or 'comfyui'",
        ),
        (
            "",
            {"STABLENEW_A1111__RETRIES": "99"},
            {},
            "environment (STABLENEW_*): a1111.retries: Input should be less than or equal to 10",
        ),
        (
            None,
            {"STABLENEW_BACKEND": "x"},
            {},
            "environment (STABLENEW_*): backend: Input should be 'procedural', 'a1111' or 'comfyui'",
        ),
        (
            "",
            {},
            {"backend": "nope"},
            "command line: backend: Input should be 'procedural', 'a1111' or 'comfyui'",
        ),
        ("a = \n", {}, {}, "stablenew.toml: is not valid TOML (Invalid value (at line 1, column 5))"),
    ],
)
def test_errors_name_where_the_bad_value_came_from(
    monkeypatch: pytest.MonkeyPatch, file_text: str | None, env: dict, overrides: dict, message: str
) -> None:
    if file_text is not None:
        Path("stablenew.toml").write_text(file_text)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_app_config(**overrides)
    assert str(caught.value) == message


def test_unreadable_config_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"absent\.toml: file not found"):
        load_app_config(Path("absent.toml"))
    Path("bin.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match=r"bin\.toml: cannot be read"):
        load_app_config(Path("bin.toml"))


def test_app_config_is_a_settings_class() -> None:
    assert AppConfig().backend == "procedural"
