"""Options shared by the commands, and building the container from them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from stablenew.container import Container, build_container
from stablenew.settings import load_app_config

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="App config TOML (default ./stablenew.toml).")
]


def _path(value: str) -> Path:
    """A path option; an empty one would silently mean the current folder, so it is refused."""
    if not value.strip():
        raise typer.BadParameter("is empty (give a path)")
    return Path(value)


RecordsOpt = Annotated[
    Path | None, typer.Option("--records", parser=_path, help="Learning record log (JSONL).")
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", parser=_path, help="Directory for images and records.")
]
BackendOpt = Annotated[str | None, typer.Option("--backend", help="procedural | a1111 | comfyui")]
FeedbackOpt = Annotated[
    Path | None, typer.Option("--feedback", help="Feedback log (JSONL; default beside the record log).")
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]


def open_container(
    config: Path | None, *, output: Path | None = None, backend: str | None = None,
    records: Path | None = None, learning: bool | None = None, feedback: Path | None = None,
) -> Container:
    """App config from file + env, with command-line options on top, wired into the container."""
    overrides: dict[str, Any] = {"output_dir": output, "backend": backend}
    app_config = load_app_config(config, **overrides)
    section: dict[str, Any] = app_config.learning.model_dump()
    if records is not None:
        section["records_path"] = records
    if feedback is not None:
        section["feedback_path"] = feedback
    if learning is not None:
        section["enabled"] = learning
    app_config = app_config.model_copy(update={"learning": type(app_config.learning)(**section)})
    return build_container(app_config)
