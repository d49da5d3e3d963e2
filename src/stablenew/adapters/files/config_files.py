"""TOML/JSON files → plain data → domain values; every error names the file."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.errors import ConfigError, InputError

MAX_DEPTH = 64  # deeper data would only exhaust Python's recursion limit further on


def read_data_file(path: Path | str, error: type[InputError] = ConfigError) -> dict[str, Any]:
    """A TOML file (or JSON for ``.json``) as a dict; unreadable or malformed → `error` naming it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error("file not found", source=str(path)) from None
    except OSError as exc:
        raise error(f"cannot be read ({exc.strerror})", source=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")  # a UTF-8 byte-order mark (Windows editors write one) is dropped
        data = (json.loads(text, object_pairs_hook=_refuse_duplicate_keys) if path.suffix.lower() == ".json"
                else tomllib.loads(text))
    except DuplicateKeyError as exc:
        raise error(f"is not valid JSON (the key {exc.key!r} appears twice in one object)",
                    source=str(path)) from None
    except UnicodeDecodeError:
        raise error("is not UTF-8 text", source=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"is not valid TOML ({exc})", source=str(path)) from None
    except json.JSONDecodeError as exc:
        raise error(f"is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})",
                    source=str(path)) from None
    except RecursionError:
        raise error(f"nests too deeply (at most {MAX_DEPTH} levels of tables and arrays)",
                    source=str(path)) from None
    if not isinstance(data, dict):
        raise error("expected a table/object at the top level", source=str(path))
    if _too_deep(data):
        raise error(f"nests too deeply (at most {MAX_DEPTH} levels of tables and arrays)", source=str(path))
    return data


class DuplicateKeyError(ValueError):
    """A JSON object names one key twice (json keeps the last silently; TOML refuses it)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json's object hook: the object as a dict, or DuplicateKeyError for a repeated key."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise DuplicateKeyError(key)
        data[key] = value
    return data


def _too_deep(data: Any) -> bool:
    """True when tables/arrays nest deeper than MAX_DEPTH (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > MAX_DEPTH:
                    return True
                stack.append((child, depth + 1))
    return False


def load_pipeline_config(path: Path | str) -> PipelineConfig:
    """Read and check a pipeline config file."""
    data = read_data_file(path)
    try:
        return parse_pipeline_config(data)
    except InputError as exc:
        raise exc.with_source(str(path)) from None
