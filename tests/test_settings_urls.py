"""base_url must be an http(s) URL with a host and no credentials; a password needs a username.
Each is bad input (exit 2, one line naming the source and field) that never shows the password."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stablenew.cli import app
from stablenew.domain.errors import ConfigError
from stablenew.settings import load_app_config

runner = CliRunner()
SECRET = "Zq9-s3cret-PASS"
EXPECTED = "must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:7860"


def _toml(text: str) -> Path:
    path = Path("stablenew.toml")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("url", ["http://[::1", "localhost:7860", "ftp://host", "http://", "http://h:99999",
                                 "http://host name", f"alice:{SECRET}@host", "  "])
@pytest.mark.parametrize("section", ["a1111", "comfyui"])
def test_a_bad_base_url_is_a_config_error_naming_file_and_field(url: str, section: str) -> None:
    _toml(f'[{section}]\nbase_url = "{url}"\n')
    with pytest.raises(ConfigError) as caught:
        load_app_config()
    assert str(caught.value) == f"stablenew.toml: {section}.base_url: {EXPECTED}"
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:7860", "https://sd.example.com/api/", "http://[::1]:7860"])
def test_good_base_urls_are_kept(url: str) -> None:
    _toml(f'[a1111]\nbase_url = "{url}"\n[comfyui]\nbase_url = "{url}"\n')
    config = load_app_config()
    assert config.a1111.base_url == config.comfyui.base_url == url


def test_a_url_with_a_password_is_refused_without_echoing_it() -> None:
    _toml(f'backend = "a1111"\n[a1111]\nbase_url = "http://alice:{SECRET}@127.0.0.1:7860"\n')
    Path("pipe.toml").write_text('prompt = "x"\n[txt2img]\n', encoding="utf-8")
    result = runner.invoke(app, ["run", "pipe.toml"])
    assert result.exit_code == 2
    assert result.stderr == ("error: stablenew.toml: a1111.base_url: must not hold a user name or password "
                             "(user:pass@host); set a1111.username and a1111.password instead\n")
    debug = subprocess.run([sys.executable, "-m", "stablenew", "run", "pipe.toml", "--debug"],
                           capture_output=True, text=True, timeout=60)
    assert debug.returncode != 0 and "a1111.base_url: must not hold" in debug.stderr
    assert SECRET not in debug.stdout + debug.stderr


def test_a_comfyui_url_with_credentials_is_refused_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STABLENEW_COMFYUI__BASE_URL", f"http://bob:{SECRET}@127.0.0.1:8188")
    with pytest.raises(ConfigError) as caught:
        load_app_config()
    assert str(caught.value) == ("environment (STABLENEW_*): comfyui.base_url: must not hold a user name or "
                                 "password (user:pass@host); ComfyUI takes no credentials in its URL")


def test_a_password_without_a_username_is_exit_2_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    Path("pipe.toml").write_text('prompt = "x"\n[txt2img]\n', encoding="utf-8")
    _toml(f'[a1111]\npassword = "{SECRET}"\n')
    result = runner.invoke(app, ["run", "pipe.toml"])
    assert result.exit_code == 2
    assert result.stderr == "error: stablenew.toml: a1111.username: is required when a password is set\n"
    assert SECRET not in result.output
    Path("stablenew.toml").unlink()
    monkeypatch.setenv("STABLENEW_A1111__PASSWORD", SECRET)
    result = runner.invoke(app, ["backends", "check"])
    assert result.exit_code == 2 and SECRET not in result.output
    assert result.stderr == ("error: environment (STABLENEW_*): a1111.username: is required when a password "
                             "is set\n")
    monkeypatch.setenv("STABLENEW_A1111__USERNAME", "alice")
    assert load_app_config().a1111.username == "alice"
