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
        text = raw.decode("utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
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
