"""AppConfig: stablenew.toml (or --config FILE) overridden by STABLENEW_* environment variables."""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, InitSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from stablenew.domain.errors import ConfigError

DEFAULT_CONFIG_FILE = Path("stablenew.toml")
_FILE_DATA: ContextVar[dict[str, Any] | None] = ContextVar("stablenew_config_file_data", default=None)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # no infinite or NaN time-out


def check_base_url(value: str, credentials: str) -> str:
    """`value` when it is an http(s) URL with a host and no user:password@ part (never echoed back,
    since it may hold a password); otherwise a validation error saying what is expected."""
    expected = "must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:7860"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
        httpx.URL(value)
    except (ValueError, httpx.InvalidURL):
        raise PydanticCustomError("base_url", expected) from None
    if parts.username is not None or parts.password is not None:
        raise PydanticCustomError("base_url", "must not hold a user name or password (user:pass@host); "
                                  + credentials)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise PydanticCustomError("base_url", expected)
    return value


def _not_empty(value: object) -> object:
    """An empty path would mean the current folder: refuse it rather than guess."""
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("empty_path", "is empty (give a file path)")
    return value


class LearningSettings(_Section):
    """Passive learning records for `stablenew run` (learning runs always record)."""

    enabled: bool = False
    records_path: Path | None = None  # default: <output_dir>/learning/learning_records.jsonl
    feedback_path: Path | None = None  # default: feedback.jsonl beside the record log

    @field_validator("records_path", "feedback_path", mode="before")
    @classmethod
    def _records_path(cls, value: object) -> object:
        return _not_empty(value)


class FeedbackSettings(_Section):
    """Ratings and preferences (`stablenew rate`, `prefer`)."""

    rater: str | None = Field(default=None, min_length=1)  # default: the OS user name


class RecommendSettings(_Section):
    """The recommendation model behind `recommend`, `learn confirm` and `report` (docs/feedback.md)."""

    ridge: float = Field(default=1.0, gt=0)  # pseudo-ratings pulling effects and rater offsets to 0
    bootstrap: int = Field(default=400, ge=10, le=100_000)  # resamples of whole steps
    seed: int = 0  # the resampling's seed: the same ratings always give the same answer
    near_best: float = Field(default=0.25, gt=0)  # stars: how close to the best counts as "near"
    p_recommend: float = Field(default=0.9, gt=0, le=1)  # P(pick near the best) for "recommended"
    min_ratings: int = Field(default=8, ge=1)  # ratings every chosen value needs for "recommended"
    min_steps: int = Field(default=2, ge=1)  # from at least this many steps
    top: int = Field(default=3, ge=1)  # candidates `learn confirm` re-runs by default


class GridSettings(_Section):
    """Contact sheets of learning plans (one annotated grid per plan, per Z value)."""

    enabled: bool = True
    max_megapixels: float = Field(default=200.0, gt=0)


class _ServerSection(_Section):
    """What every generation server's section has: timeouts, the retry count, several servers."""

    connect_timeout_s: float = Field(default=10.0, gt=0)
    stage_timeout_s: float = Field(default=600.0, gt=0)  # the whole stage, retries included
    retries: int = Field(default=3, ge=0, le=10)
    # several servers of this kind (one per GPU): a plan's steps are pulled by whichever is free
    base_urls: list[str] = []
    # a server with this many server faults in a row is taken out for server_cooldown_s, then probed
    server_failures_to_remove: int = Field(default=3, ge=1)
    server_cooldown_s: float = Field(default=30.0, ge=0)

    def server_urls(self, base_url: str) -> list[str]:
        """The servers to use: `base_urls` when given, else the one `base_url`."""
        return list(self.base_urls) or [base_url]


def _check_base_urls(urls: list[str], credentials: str) -> list[str]:
    """Each URL checked like base_url; a duplicate (after normalising a trailing slash) refused."""
    seen: set[str] = set()
    for index, url in enumerate(urls):
        try:
            check_base_url(url, credentials)
        except PydanticCustomError as exc:
            raise PydanticCustomError("base_urls", f"[{index}] {exc.message()}") from None
        key = url.rstrip("/").lower()
        if key in seen:
            raise PydanticCustomError("base_urls", f"[{index}] {url!r} is listed twice")
        seen.add(key)
    return urls


class A1111Settings(_ServerSection):
    """AUTOMATIC1111 webui API (started with --api)."""

    base_url: str = "http://127.0.0.1:7860"
    username: str | None = None
    password: SecretStr | None = None
    # a1111: per-stage read timeouts ({"upscale" = 120}), backoff base, progress polling and stall limit
    stage_timeouts_s: dict[Literal["txt2img", "img2img", "adetailer", "upscale"], float] = {}
    retry_backoff_s: float = Field(default=1.0, ge=0)
    progress_interval_s: float = Field(default=0.5, gt=0)
    stall_timeout_s: float = Field(default=120.0, gt=0)
    interrupt_grace_s: float = Field(default=10.0, ge=0)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return check_base_url(value, "set a1111.username and a1111.password instead")

    @field_validator("base_urls")
    @classmethod
    def _base_urls(cls, value: list[str]) -> list[str]:
        return _check_base_urls(value, "set a1111.username and a1111.password instead")

    @model_validator(mode="after")
    def _password_needs_username(self) -> A1111Settings:
        if self.password is not None and not self.username:
            raise PydanticCustomError("username_required", "is required when a password is set",
                                      {"field": "username"})
        return self


class ComfyUISettings(_ServerSection):
    """ComfyUI API."""

    base_url: str = "http://127.0.0.1:8188"
    workflow: Path | None = None
    # comfyui: API-format workflows per stage (a path in the config file is relative to its folder),
    # node mappings {field = "NODE_ID.input"} on top of auto-detection, backoff, polling, stall limit
    img2img_workflow: Path | None = None
    adetailer_workflow: Path | None = None
    upscale_workflow: Path | None = None
    mapping: dict[str, str | list[str]] = {}
    img2img_mapping: dict[str, str | list[str]] = {}
    adetailer_mapping: dict[str, str | list[str]] = {}
    upscale_mapping: dict[str, str | list[str]] = {}
    retry_backoff_s: float = Field(default=0.5, ge=0)
    poll_interval_s: float = Field(default=0.5, gt=0)
    stall_timeout_s: float = Field(default=120.0, gt=0)
    request_timeout_s: float = Field(default=60.0, gt=0)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return check_base_url(value, "ComfyUI takes no credentials in its URL")

    @field_validator("base_urls")
    @classmethod
    def _base_urls(cls, value: list[str]) -> list[str]:
        return _check_base_urls(value, "ComfyUI takes no credentials in its URL")


class AppConfig(BaseSettings):
    """Application settings; see docs and README for every key."""

    model_config = SettingsConfigDict(env_prefix="STABLENEW_", env_nested_delimiter="__", extra="forbid")

    backend: Literal["procedural", "a1111", "comfyui"] = "procedural"
    output_dir: Path = Path("output")
    learning: LearningSettings = LearningSettings()
    grid: GridSettings = GridSettings()
    recommend: RecommendSettings = RecommendSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    a1111: A1111Settings = A1111Settings()
    comfyui: ComfyUISettings = ComfyUISettings()

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        file_settings = InitSettingsSource(settings_cls, init_kwargs=_FILE_DATA.get() or {})
        return init_settings, env_settings, file_settings

    @property
    def records_path(self) -> Path:
        """Where records go: [learning] records_path, else under output_dir."""
        return self.learning.records_path or self.output_dir / "learning" / "learning_records.jsonl"

    @property
    def feedback_path(self) -> Path:
        """Where ratings go: [learning] feedback_path, else feedback.jsonl beside the record log."""
        return self.learning.feedback_path or self.records_path.parent / "feedback.jsonl"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("file not found", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot be read ({exc})", source=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"is not valid TOML ({exc})", source=str(path)) from None
    except RecursionError:
        raise ConfigError("nests too deeply", source=str(path)) from None


def _source_of(key: str, overrides: dict[str, Any], path: Path | None) -> str:
    """Which input gave the bad top-level `key`: the command line, the environment, or the file."""
    if overrides.get(key) is not None:
        return "command line"
    env_name = f"STABLENEW_{key}".upper()
    if path is None or any(name.upper().startswith(env_name) for name in os.environ):
        return "environment (STABLENEW_*)"
    return str(path)


def _anchor_workflows(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """ComfyUI workflow paths written in the config file are relative to the file's folder."""
    section = data.get("comfyui")
    if isinstance(section, dict):
        for key in ("workflow", "img2img_workflow", "adetailer_workflow", "upscale_workflow"):
            if isinstance(section.get(key), str) and not Path(section[key]).is_absolute():
                section[key] = str(folder / section[key])
    return data


def _ctx_field(error: Any) -> tuple[str, ...]:
    """The field a model-level check blames (its error's ctx names it), if any."""
    field = (error.get("ctx") or {}).get("field")
    return (field,) if isinstance(field, str) else ()


def load_app_config(config_file: Path | None = None, **overrides: Any) -> AppConfig:
    """Read `config_file` (or ./stablenew.toml when present), then env, then explicit overrides."""
    path = config_file or (DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None)
    data = _anchor_workflows(_read_toml(path), path.parent) if path else {}
    token = _FILE_DATA.set(data)
    try:
        return AppConfig(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in (*first["loc"], *_ctx_field(first)))
        message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        source = _source_of(str(first["loc"][0]), overrides, path)
        raise ConfigError(message, source=source, field=field) from None
    finally:
        _FILE_DATA.reset(token)
