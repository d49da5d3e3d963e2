"""The record an imported image becomes: shaped like a generated run's, with `imported` facts."""

from __future__ import annotations

from typing import Any

from stablenew.domain.imports.image_file import ImageFile
from stablenew.domain.imports.settings import Settings
from stablenew.domain.records.record import RECORD_SCHEMA, LearningRecord

RUN_TYPE_IMPORTED = "imported"


def import_run_id(sha256: str) -> str:
    """The run id of an imported image: from its content, so the same image always gets the same one."""
    return f"import-{sha256[:20]}"


def imported_record(
    file: ImageFile, settings: Settings, *, imported_at: str, pack: str | None
) -> LearningRecord:
    """One record for one image: its settings as the config's stage table, the file as the stage's
    only image, and where it came from under `imported` (format, path, sha256, size, file time)."""
    params: dict[str, Any] = dict(settings.params)
    params.setdefault("width", file.width)
    params.setdefault("height", file.height)
    seed = params.get("seed") if isinstance(params.get("seed"), int) else None
    image = {
        "path": file.path,
        "sha256": file.sha256,
        "width": file.width,
        "height": file.height,
        "seed": seed,
    }
    event_params = dict(params)
    if settings.extra.get("Model hash"):
        event_params["model_hash"] = settings.extra["Model hash"]
    config: dict[str, Any] = {"prompt": settings.prompt, "negative_prompt": settings.negative_prompt}
    if pack is not None:
        config["prompt_pack"] = pack
    config[settings.stage] = params
    data: dict[str, Any] = {
        "schema": RECORD_SCHEMA,
        "run_id": import_run_id(file.sha256),
        "timestamp": imported_at,
        "ended_at": imported_at,
        "success": True,
        "cancelled": False,
        "error": None,
        "run_type": RUN_TYPE_IMPORTED,
        "backend": settings.source_format,
        "prompt": settings.prompt,
        "negative_prompt": settings.negative_prompt,
        "prompt_pack": pack,
        "prompt_id": None,
        "seed": seed,
        "config": config,
        "stages": [settings.stage],
        "stage_events": [
            {
                "stage": settings.stage,
                "started_at": file.modified,
                "ended_at": file.modified,
                "duration_s": 0.0,
                "outcome": "success",
                "error": None,
                "error_kind": None,
                "images": [image],
                "params": event_params,
            }
        ],
        "stage_summary": {settings.stage: {"duration_s": 0.0, "outcome": "success", "images": 1}},
        "total_duration_s": 0.0,
        "outputs": {settings.stage: [file.path]},
        "images": [file.path],
        "learning": None,
        "metadata": {},
        "imported": {
            "source_format": settings.source_format,
            "path": file.path,
            "sha256": file.sha256,
            "size_bytes": file.size_bytes,
            "file_time": file.modified,
            "format": file.format,
            "width": file.width,
            "height": file.height,
            "partial": bool(settings.missing),
            "missing": list(settings.missing),
            "extra": dict(settings.extra),
            "source_run_id": settings.run_id,
        },
    }
    return LearningRecord(data)


def record_hashes(record: LearningRecord) -> set[str]:
    """Every image sha256 a record names (imported or generated), for dedupe."""
    hashes: set[str] = set()
    for event in record.data.get("stage_events") or ():
        for image in (event.get("images") or ()) if isinstance(event, dict) else ():
            if isinstance(image, dict) and isinstance(image.get("sha256"), str):
                hashes.add(image["sha256"])
    return hashes
