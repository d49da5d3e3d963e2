"""Settings from a ComfyUI API-format graph, found by following links from the saved image back."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

from stablenew.domain.imports.settings import COMFYUI, Settings

SAVE_CLASSES = ("SaveImage", "Image Save", "SaveImageWebsocket", "PreviewImage")
SAMPLER_CLASSES = ("KSampler", "KSamplerAdvanced")
CHECKPOINT_CLASSES = ("CheckpointLoaderSimple", "CheckpointLoader", "ImageOnlyCheckpointLoader")
TEXT_CLASSES = ("CLIPTextEncode",)
LATENT_CLASSES = ("EmptyLatentImage", "EmptySD3LatentImage")
# ComfyUI sampler / scheduler → A1111's names (the reverse of the backend's translation).
SAMPLERS = {"euler": "Euler", "euler_ancestral": "Euler a", "lms": "LMS", "heun": "Heun", "dpm_2": "DPM2",
            "dpm_2_ancestral": "DPM2 a", "dpmpp_2s_ancestral": "DPM++ 2S a", "dpmpp_2m": "DPM++ 2M",
            "dpmpp_sde": "DPM++ SDE", "dpmpp_2m_sde": "DPM++ 2M SDE", "dpmpp_3m_sde": "DPM++ 3M SDE",
            "dpm_fast": "DPM fast", "dpm_adaptive": "DPM adaptive", "lcm": "LCM", "ddim": "DDIM",
            "uni_pc": "UniPC"}
SCHEDULERS = {"normal": "Normal", "karras": "Karras", "exponential": "Exponential",
              "sgm_uniform": "SGM Uniform", "simple": "Simple", "ddim_uniform": "DDIM", "beta": "Beta",
              "kl_optimal": "KL Optimal"}

Graph = Mapping[str, Any]


def _node(graph: Graph, node_id: str) -> Mapping[str, Any]:
    node = graph.get(node_id)
    return node if isinstance(node, Mapping) else {}


def _inputs(graph: Graph, node_id: str) -> Mapping[str, Any]:
    inputs = _node(graph, node_id).get("inputs")
    return inputs if isinstance(inputs, Mapping) else {}


def _link(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str | int):
        return str(value[0])
    return None


def _upstream(graph: Graph, start: str | None, classes: tuple[str, ...]) -> str | None:
    """The nearest node of `classes` feeding `start`, breadth first along links (start included)."""
    if start is None:
        return None
    seen, queue = {start}, deque([start])
    while queue:
        node_id = queue.popleft()
        if _node(graph, node_id).get("class_type") in classes:
            return node_id
        for value in _inputs(graph, node_id).values():
            source = _link(value)
            if source is not None and source not in seen:
                seen.add(source)
                queue.append(source)
    return None


def _savers(graph: Graph) -> Iterator[str]:
    for node_id, node in graph.items():
        if isinstance(node, Mapping) and node.get("class_type") in SAVE_CLASSES:
            yield str(node_id)


def _literal(graph: Graph, node_id: str, name: str) -> Any:
    """An input's value; a link to a primitive node (one literal `value`) is followed once."""
    value = _inputs(graph, node_id).get(name)
    source = _link(value)
    if source is None:
        return value
    inputs = _inputs(graph, source)
    literals = [v for v in inputs.values() if _link(v) is None]
    return literals[0] if len(literals) == 1 else None


def _text(graph: Graph, sampler: str, name: str) -> str | None:
    node = _upstream(graph, _link(_inputs(graph, sampler).get(name)), TEXT_CLASSES)
    value = _literal(graph, node, "text") if node is not None else None
    return value if isinstance(value, str) else None


def settings_from_graph(graph: Graph) -> Settings:
    """The saved image's sampler (the KSampler/KSamplerAdvanced nearest the first save node, by
    links), its checkpoint, prompts and latent size; what could not be found is listed in `missing`."""
    params: dict[str, Any] = {}
    missing: list[str] = []
    prompts = {"prompt": "", "negative_prompt": ""}
    saver = next(_savers(graph), None)
    sampler = _upstream(graph, saver, SAMPLER_CLASSES) if saver is not None else None
    if sampler is None:
        missing.append("a KSampler feeding the saved image" if saver else "a SaveImage node")
        return Settings(COMFYUI, missing=tuple(missing))
    advanced = _node(graph, sampler).get("class_type") == "KSamplerAdvanced"
    fields = {"steps": "steps", "cfg": "cfg_scale", "sampler_name": "sampler_name", "scheduler": "scheduler",
              "noise_seed" if advanced else "seed": "seed"}
    for theirs, ours in fields.items():
        value = _literal(graph, sampler, theirs)
        if value is None:
            missing.append(ours)
        elif ours == "sampler_name":
            params[ours] = SAMPLERS.get(str(value), str(value))
        elif ours == "scheduler":
            params[ours] = SCHEDULERS.get(str(value), str(value))
        else:
            params[ours] = value
    denoise = _literal(graph, sampler, "denoise")
    stage = "txt2img"
    if isinstance(denoise, int | float) and not isinstance(denoise, bool) and denoise < 1:
        stage, params["denoising_strength"] = "img2img", float(denoise)
    checkpoint = _upstream(graph, _link(_inputs(graph, sampler).get("model")), CHECKPOINT_CLASSES)
    model = _literal(graph, checkpoint, "ckpt_name") if checkpoint is not None else None
    if isinstance(model, str):
        params["model"] = model
    else:
        missing.append("model")
    for name, key in (("positive", "prompt"), ("negative", "negative_prompt")):
        text = _text(graph, sampler, name)
        if text is None:
            missing.append(key)
        else:
            prompts[key] = text
    latent = _upstream(graph, _link(_inputs(graph, sampler).get("latent_image")), LATENT_CLASSES)
    for name in ("width", "height") if latent is not None else ():
        value = _literal(graph, latent or "", name)
        if isinstance(value, int) and not isinstance(value, bool):
            params[name] = value
    return Settings(COMFYUI, prompts["prompt"], prompts["negative_prompt"], stage, params,
                    missing=tuple(missing))
