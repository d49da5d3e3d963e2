"""Which settings an image's text metadata carries: ours, a ComfyUI graph, or A1111's infotext."""

from __future__ import annotations

import json
from collections.abc import Mapping

from stablenew.domain.imports.comfy_graph import settings_from_graph
from stablenew.domain.imports.settings import OUR_CHUNK, Settings, settings_from_infotext, settings_from_ours


def read_settings(text: Mapping[str, str]) -> Settings | None:
    """The settings in an image's text metadata: ours first, then a ComfyUI graph, then A1111's
    infotext; None when it carries none we can read."""
    if OUR_CHUNK in text:
        ours = settings_from_ours(text[OUR_CHUNK])
        if ours is not None:
            return ours
    if "prompt" in text:
        try:
            graph = json.loads(text["prompt"])
        except ValueError:
            graph = None
        if isinstance(graph, Mapping) and graph:
            return settings_from_graph(graph)
    parameters = text.get("parameters", "").strip()
    return settings_from_infotext(parameters) if parameters else None
