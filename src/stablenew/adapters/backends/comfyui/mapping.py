"""Which node input receives each of our fields: found by class_type and links, or set in config."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from stablenew.domain.errors import ConfigError

Graph = dict[str, dict[str, Any]]
Target = tuple[str, str]  # (node id, input name)
SAMPLER_CLASSES = ("KSampler", "FaceDetailer")
SAMPLER_FIELDS = {
    "seed": "seed",
    "steps": "steps",
    "cfg": "cfg",
    "sampler_name": "sampler_name",
    "scheduler": "scheduler",
    "denoise": "denoise",
}
FIELDS = (
    *SAMPLER_FIELDS,
    "ckpt_name",
    "vae_name",
    "positive",
    "negative",
    "width",
    "height",
    "batch_size",
    "image",
    "filename_prefix",
    "upscale_model",
    "scale_by",
    "upscale_method",
    "bbox_threshold",
)
REQUIRED = {
    "txt2img": ("seed", "steps", "cfg", "sampler_name", "scheduler", "positive", "width", "height"),
    "img2img": ("seed", "steps", "cfg", "sampler_name", "scheduler", "positive", "image", "denoise"),
    "adetailer": ("seed", "steps", "cfg", "sampler_name", "scheduler", "positive", "image", "denoise"),
    "upscale": ("image",),
}


@dataclass(frozen=True, slots=True)
class NodeMapping:
    """Our field → the node inputs that receive it (a field may feed several nodes, e.g. two SaveImage)."""

    targets: Mapping[str, tuple[Target, ...]]

    def get(self, field: str) -> tuple[Target, ...]:
        """The inputs that receive `field` (empty when the workflow has none)."""
        return self.targets.get(field, ())

    def apply(self, graph: Graph, values: Mapping[str, Any]) -> None:
        """Write each value into every input mapped for it (fields without a target are skipped)."""
        for field, value in values.items():
            for node_id, name in self.get(field):
                graph[node_id].setdefault("inputs", {})[name] = value


def _links(node: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for name, value in node.get("inputs", {}).items():
        if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
            yield name, value[0]


def _upstream(graph: Graph, start: str, classes: tuple[str, ...]) -> str | None:
    """The nearest node of one of `classes` feeding `start` (breadth first along links)."""
    seen, queue = {start}, deque([start])
    while queue:
        node_id = queue.popleft()
        if node_id in graph and graph[node_id].get("class_type") in classes:
            return node_id
        for _name, source in _links(graph.get(node_id, {})):
            if source not in seen:
                seen.add(source)
                queue.append(source)
    return None


def _of_class(graph: Graph, *classes: str) -> list[str]:
    return [n for n, node in graph.items() if isinstance(node, dict) and node.get("class_type") in classes]


def _link_source(graph: Graph, node_id: str, name: str) -> str | None:
    return dict(_links(graph[node_id])).get(name)


def detect(graph: Graph) -> dict[str, tuple[Target, ...]]:
    """Auto-detect the standard graph's mapping: KSampler and what its links lead to."""
    found: dict[str, tuple[Target, ...]] = {}
    for field, cls, name in (
        ("filename_prefix", "SaveImage", "filename_prefix"),
        ("upscale_model", "UpscaleModelLoader", "model_name"),
        ("scale_by", "ImageScaleBy", "scale_by"),
        ("upscale_method", "ImageScaleBy", "upscale_method"),
        ("vae_name", "VAELoader", "vae_name"),
    ):
        if nodes := _of_class(graph, cls):
            found[field] = tuple((n, name) for n in nodes)
    samplers = _of_class(graph, *SAMPLER_CLASSES)
    if len(samplers) == 1:
        sampler = samplers[0]
        found.update({f: ((sampler, n),) for f, n in SAMPLER_FIELDS.items() if n in graph[sampler]["inputs"]})
        if graph[sampler]["class_type"] == "FaceDetailer":
            found["bbox_threshold"] = ((sampler, "bbox_threshold"),)
        for field, link in (("positive", "positive"), ("negative", "negative")):
            source = _link_source(graph, sampler, link)
            text = _upstream(graph, source, ("CLIPTextEncode",)) if source else None
            if text is not None:
                found[field] = ((text, "text"),)
        ckpt = _upstream(graph, sampler, ("CheckpointLoaderSimple",))
        if ckpt is not None:
            found["ckpt_name"] = ((ckpt, "ckpt_name"),)
        latent = _upstream(graph, sampler, ("EmptyLatentImage",))
        if latent is not None:
            found.update({f: ((latent, f),) for f in ("width", "height", "batch_size")})
    loaders = [n for n in _of_class(graph, "LoadImage")]
    if len(loaders) == 1:
        found["image"] = ((loaders[0], "image"),)
    return found


def _parse_target(field: str, value: Any, graph: Graph, where: str) -> tuple[Target, ...]:
    items = value if isinstance(value, list) else [value]
    targets = []
    for item in items:
        node_id, dot, name = str(item).partition(".")
        if not dot or not name:
            raise ConfigError(
                f'expected "NODE_ID.input" (e.g. "3.seed"), got {item!r}', field=f"{where}.{field}"
            )
        if node_id not in graph:
            raise ConfigError(
                f"node {node_id!r} is not in the workflow (nodes: {', '.join(graph)})",
                field=f"{where}.{field}",
            )
        targets.append((node_id, name))
    return tuple(targets)


def build_mapping(
    graph: Graph, overrides: Mapping[str, Any], *, stage: str, where: str, source: str | None = None
) -> NodeMapping:
    """Detected mapping with `overrides` ("3.seed") on top; ConfigError when a needed field has no input."""
    targets = detect(graph)
    for field, value in overrides.items():
        if field not in FIELDS:
            raise ConfigError(
                f"unknown field; expected one of {', '.join(FIELDS)}", source=source, field=f"{where}.{field}"
            )
        try:
            targets[field] = _parse_target(field, value, graph, where)
        except ConfigError as exc:
            raise exc.with_source(source) if source else exc from None
    missing = [f for f in (*REQUIRED.get(stage, ()), "filename_prefix") if f not in targets]
    if missing:
        samplers = _of_class(graph, *SAMPLER_CLASSES)
        hint = f" (it has {len(samplers)} KSampler nodes: {', '.join(samplers)})" if len(samplers) > 1 else ""
        raise ConfigError(
            f"the {stage} workflow has no input for {', '.join(missing)}{hint}; "
            f'set them, e.g. {missing[0]} = "NODE_ID.input"',
            source=source,
            field=where,
        )
    return NodeMapping(targets)
