"""DocumentWriter port: the files `recommend`, `report` and `export llm` write."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from stablenew.domain.config.pipeline import PipelineConfig


class DocumentWriter(ABC):
    """Writes whole files at once: a file is either complete or absent, never half written."""

    @abstractmethod
    def write_report(self, data: Mapping[str, Any], path: str) -> None:
        """Write a self-contained HTML report of `data` (a `stablenew.llm-export/1` object), images
        as embedded thumbnails that link to the originals relative to the report."""
        raise NotImplementedError

    @abstractmethod
    def write_json(self, data: Mapping[str, Any], path: str) -> None:
        """Write `data` as JSON (UTF-8, one trailing newline)."""
        raise NotImplementedError

    @abstractmethod
    def write_config(self, config: PipelineConfig, path: str, *, comment: str) -> None:
        """Write `config` as a pipeline config file (TOML) that `stablenew run` reads, with `comment`
        lines at the top."""
        raise NotImplementedError
