"""Workflow templates per stage: the user's API-format JSON file, or a built-in graph, with its mapping."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stablenew.adapters.backends.comfyui import workflow
from stablenew.adapters.backends.comfyui.mapping import Graph, NodeMapping, build_mapping
from stablenew.adapters.backends.comfyui.stage_values import Hires
from stablenew.domain.errors import ConfigError

SETTING = {
    "txt2img": "workflow",
    "img2img": "img2img_workflow",
    "adetailer": "adetailer_workflow",
    "upscale": "upscale_workflow",
}
MAPPING_SETTING = {
    "txt2img": "mapping",
    "img2img": "img2img_mapping",
    "adetailer": "adetailer_mapping",
    "upscale": "upscale_mapping",
}


@dataclass(frozen=True, slots=True)
class Template:
    """A graph to deep-copy per run, its node mapping, and where it came from (for the record)."""

    graph: Graph
    mapping: NodeMapping
    origin: str

    def fresh(self) -> Graph:
        """A deep copy to fill in; the template stays untouched."""
        return copy.deepcopy(self.graph)


def load_workflow(path: Path, setting: str) -> Graph:
    """Read an API-format workflow; ConfigError for a missing file, bad JSON or the UI (non-API) format."""
    where = f"comfyui.{setting}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("file not found", source=str(path), field=where) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"is not a readable JSON workflow ({exc})", source=str(path), field=where) from None
    if isinstance(data, dict) and "nodes" in data and "links" in data:
        raise ConfigError(
            'this is ComfyUI\'s UI format; export the workflow with "Save (API Format)"',
            source=str(path),
            field=where,
        )
    bad = (
        [k for k, v in data.items() if not isinstance(v, dict) or "class_type" not in v]
        if isinstance(data, dict)
        else ["(top level)"]
    )
    if not data or bad:
        raise ConfigError(
            f"expected an API-format graph {{node_id: {{class_type, inputs}}}}; bad nodes: "
            f"{', '.join(bad[:5]) or '(empty)'}",
            source=str(path),
            field=where,
        )
    graph: dict[str, dict[str, Any]] = data
    return graph


class Templates:
    """Loads each stage's template once; built-in graphs where the config names no workflow."""

    def __init__(
        self, workflows: Mapping[str, Path | None], mappings: Mapping[str, Mapping[str, Any]]
    ) -> None:
        self.workflows = dict(workflows)
        self.mappings = {stage: dict(m) for stage, m in mappings.items()}
        self._cache: dict[str, Template] = {}

    def for_stage(
        self,
        stage: str,
        *,
        upscale_model: str | None = None,
        upscale_method: str = "lanczos",
        scale_by: float = 2.0,
        hires: Hires | None = None,
    ) -> Template:
        """The template for `stage`; the built-in upscale and hires graphs depend on their choices."""
        path = self.workflows.get(stage)
        if hires is not None:
            return self._hires(path, hires)
        if path is None and stage == "upscale":
            graph = workflow.upscale_graph(model=upscale_model, method=upscale_method, scale_by=scale_by)
            return Template(
                graph,
                build_mapping(graph, {}, stage=stage, where="comfyui.upscale_mapping"),
                "built-in upscale",
            )
        if stage in self._cache:
            return self._cache[stage]
        where = f"comfyui.{MAPPING_SETTING[stage]}"
        if path is not None:
            graph, origin = load_workflow(path, SETTING[stage]), str(path)
            mapping = build_mapping(
                graph, self.mappings.get(stage, {}), stage=stage, where=where, source=origin
            )
        elif stage in ("txt2img", "img2img"):
            graph = workflow.txt2img_graph() if stage == "txt2img" else workflow.img2img_graph()
            origin, mapping = f"built-in {stage}", build_mapping(graph, {}, stage=stage, where=where)
        else:
            raise ConfigError(
                "stock ComfyUI has no ADetailer; set [comfyui] adetailer_workflow to an API-format "
                "workflow (e.g. Impact Pack FaceDetailer) or disable the stage",
                field="adetailer",
            )
        self._cache[stage] = Template(graph, mapping, origin)
        return self._cache[stage]

    @staticmethod
    def _hires(path: Path | None, hires: Hires) -> Template:
        """The built-in txt2img graph with a hires pass; a user workflow must hold its own second pass."""
        if path is not None:
            raise ConfigError(
                f"hires fix is built into the built-in txt2img graph only; {path} is your own workflow: put "
                "the second pass in it and leave enable_hr out",
                field="txt2img.enable_hr",
            )
        graph = workflow.txt2img_hires_graph(
            latent_method=hires.latent_method, model=hires.model, scale_by=hires.scale_by, steps=hires.steps,
            denoise=hires.denoise,
        )
        mapping = build_mapping(graph, workflow.HIRES_MAPPING, stage="txt2img", where="comfyui.mapping")
        return Template(graph, mapping, "built-in txt2img + hires fix")
