"""FileDocumentWriter: each file written to a temporary sibling, then renamed into place."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from stablenew.adapters.documents.html_report import render_report
from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.ports.documents import DocumentWriter


def write_whole(path: Path, text: str) -> None:
    """Write `text` to `path` so that the file is either complete or absent (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FileDocumentWriter(DocumentWriter):
    """Writes reports, exports and presets as local files."""

    def write_report(self, data: Mapping[str, Any], path: str) -> None:
        """Render the HTML report (thumbnails embedded, originals linked relative to the report)."""
        target = Path(path)
        write_whole(target, render_report(data, target.resolve().parent))

    def write_json(self, data: Mapping[str, Any], path: str) -> None:
        """Indented JSON, UTF-8, with a trailing newline."""
        write_whole(Path(path), json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n")

    def write_config(self, config: PipelineConfig, path: str, *, comment: str) -> None:
        """TOML in the pipeline config file's shape, `comment` as `#` lines on top."""
        header = "".join(f"# {line}\n" for line in comment.splitlines())
        body = {k: v for k, v in config.to_dict().items() if v is not None}
        write_whole(Path(path), header + tomli_w.dumps(body))
