"""The names an A1111 server offers, as NameSets (domain.name_matching matches them the A1111 way)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import Any

from stablenew.domain.config.name_matching import NameChoice, NameSet

PASS_THROUGH_VAES = ("Automatic", "None")
# A1111's own schedulers (modules/sd_schedulers.py, v1.10), for servers older than 1.9 that have no
# /sdapi/v1/schedulers: there they exist only as suffixes of combined sampler names.
BUILT_IN_SCHEDULERS: tuple[dict[str, Any], ...] = tuple(
    {"name": name, "label": label, "aliases": aliases}
    for name, label, aliases in (
        ("automatic", "Automatic", None), ("uniform", "Uniform", None), ("karras", "Karras", None),
        ("exponential", "Exponential", None), ("polyexponential", "Polyexponential", None),
        ("sgm_uniform", "SGM Uniform", ["SGMUniform"]), ("kl_optimal", "KL Optimal", None),
        ("align_your_steps", "Align Your Steps", None), ("simple", "Simple", None),
        ("normal", "Normal", None), ("ddim", "DDIM", None), ("beta", "Beta", None),
    )
)


def _strings(*values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values if isinstance(v, str) and v))


def model_names(rows: Iterable[Mapping[str, Any]]) -> NameSet:
    """Checkpoints by title, file name (path or base name), model name, short hash or sha256."""
    choices = []
    for row in rows:
        filename = str(row.get("filename") or "")
        base = posixpath.basename(filename.replace("\\", "/"))
        title = str(row.get("title") or base)
        bare_title = title.rsplit(" [", 1)[0] if title.endswith("]") else title
        aliases = _strings(row.get("model_name"), filename, base, bare_title, posixpath.splitext(base)[0],
                           row.get("hash"), row.get("sha256"))
        choices.append(NameChoice(title, aliases))
    return NameSet("model", tuple(choices))


def vae_names(rows: Iterable[Mapping[str, Any]]) -> NameSet:
    """VAEs by model name, file name or stem; "Automatic" and "None" are always accepted."""
    choices = [NameChoice(name, ()) for name in PASS_THROUGH_VAES]
    for row in rows:
        name = str(row.get("model_name") or "")
        filename = str(row.get("filename") or "")
        base = posixpath.basename(filename.replace("\\", "/"))
        choices.append(NameChoice(name, _strings(filename, base, posixpath.splitext(name)[0])))
    return NameSet("VAE", tuple(choices))


def sampler_names(rows: Iterable[Mapping[str, Any]]) -> NameSet:
    """Samplers by name or alias."""
    choices = (NameChoice(str(r["name"]), _strings(*(r.get("aliases") or ()))) for r in rows)
    return NameSet("sampler", tuple(choices))


def scheduler_names(rows: Iterable[Mapping[str, Any]]) -> NameSet:
    """Schedulers by label or name (or alias); the label ("Karras") is what is sent."""
    return NameSet("scheduler", tuple(
        NameChoice(str(r.get("label") or r["name"]), _strings(r.get("name"), *(r.get("aliases") or ())))
        for r in rows))


def upscaler_names(rows: Iterable[Mapping[str, Any]]) -> NameSet:
    """Upscalers by name."""
    return NameSet("upscaler", tuple(NameChoice(str(r["name"]), ()) for r in rows))


def first_names(names: NameSet, limit: int | None = None) -> tuple[str, ...]:
    """The canonical names (up to `limit` when given), for reports."""
    return names.canonical[:limit]
