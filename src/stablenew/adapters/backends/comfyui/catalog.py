"""What a ComfyUI server offers, read from GET /object_info (combo lists of the nodes we drive)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def _combo(info: Mapping[str, Any], node: str, name: str) -> tuple[str, ...]:
    spec = info.get(node, {}).get("input", {})
    for category in ("required", "optional"):
        entry = spec.get(category, {}).get(name)
        if isinstance(entry, list) and entry and isinstance(entry[0], list):
            return tuple(str(choice) for choice in entry[0])
        if isinstance(entry, list) and len(entry) > 1 and entry[0] == "COMBO":  # newer object_info shape
            return tuple(str(choice) for choice in entry[1].get("options", ()))
    return ()


@dataclass(frozen=True, slots=True)
class Catalog:
    """The names ComfyUI accepts: checkpoints, samplers, schedulers, upscale models and methods."""

    checkpoints: tuple[str, ...]
    samplers: tuple[str, ...]
    schedulers: tuple[str, ...]
    upscale_models: tuple[str, ...]
    upscale_methods: tuple[str, ...]
    vaes: tuple[str, ...]
    node_classes: frozenset[str]

    @classmethod
    def from_object_info(cls, info: Mapping[str, Any]) -> Catalog:
        """Read the combo lists out of an /object_info document."""
        return cls(
            checkpoints=_combo(info, "CheckpointLoaderSimple", "ckpt_name"),
            samplers=_combo(info, "KSampler", "sampler_name"),
            schedulers=_combo(info, "KSampler", "scheduler"),
            upscale_models=_combo(info, "UpscaleModelLoader", "model_name"),
            upscale_methods=_combo(info, "ImageScaleBy", "upscale_method"),
            vaes=_combo(info, "VAELoader", "vae_name"),
            node_classes=frozenset(info),
        )
