"""AppConfig: stablenew.toml (or --config FILE) overridden by STABLENEW_* environment variables."""

from __future__ import annotations

import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, InitSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from stablenew.domain.errors import ConfigError

DEFAULT_CONFIG_FILE = Path("stablenew.toml")
_FILE_DATA: ContextVar[dict[str, Any]] = ContextVar("stablenew_config_file_data", default={})


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LearningSettings(_Section):
    """Passive learning records for `stablenew run` (learning runs always record)."""

    enabled: bool = False
    records_path: Path | None = None  # default: <output_dir>/learning/learning_records.jsonl


class A1111Settings(_Section):
    """AUTOMATIC1111 webui API (started with --api)."""

    base_url: str = "http://127.0.0.1:7860"
    username: str | None = None
    password: SecretStr | None = None
    connect_timeout_s: float = Field(default=10.0, gt=0)
    stage_timeout_s: float = Field(default=600.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10)


class ComfyUISettings(_Section):
    """ComfyUI API."""

    base_url: str = "http://127.0.0.1:8188"
    workflow: Path | None = None
    connect_timeout_s: float = Field(default=10.0, gt=0)
    stage_timeout_s: float = Field(default=600.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10)


class AppConfig(BaseSettings):
    """Application settings; see docs and README for every key."""

    model_config = SettingsConfigDict(env_prefix="STABLENEW_", env_nested_delimiter="__", extra="forbid")

    backend: Literal["procedural", "a1111", "comfyui"] = "procedural"
    output_dir: Path = Path("output")
    learning: LearningSettings = LearningSettings()
    a1111: A1111Settings = A1111Settings()
    comfyui: ComfyUISettings = ComfyUISettings()

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, InitSettingsSource(settings_cls, init_kwargs=_FILE_DATA.get())

    @property
    def records_path(self) -> Path:
        """Where records go: [learning] records_path, else under output_dir."""
        return self.learning.records_path or self.output_dir / "learning" / "learning_records.jsonl"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("file not found", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot be read ({exc})", source=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"is not valid TOML ({exc})", source=str(path)) from None


def load_app_config(config_file: Path | None = None, **overrides: Any) -> AppConfig:
    """Read `config_file` (or ./stablenew.toml when present), then env, then explicit overrides."""
    path = config_file or (DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None)
    data = _read_toml(path) if path else {}
    token = _FILE_DATA.set(data)
    try:
        return AppConfig(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        source = str(path) if path else "environment (STABLENEW_*)"
        raise ConfigError(message, source=source, field=field) from None
    finally:
        _FILE_DATA.reset(token)
