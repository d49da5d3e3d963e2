"""The names an A1111 server offers, matched the way A1111 matches them, with close-match hints."""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PASS_THROUGH_VAES = ("Automatic", "None")


@dataclass(frozen=True, slots=True)
class Choice:
    """One offered thing: the canonical name to send, and every alias A1111 accepts for it."""

    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Names:
    """One kind of name (sampler, model ...): resolve an alias to its canonical name, or suggest."""

    kind: str
    choices: tuple[Choice, ...]
    _exact: dict[str, str] = field(init=False, repr=False)
    _folded: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        exact: dict[str, str] = {}
        folded: dict[str, str] = {}
        for choice in self.choices:
            for alias in (choice.name, *choice.aliases):
                exact.setdefault(alias, choice.name)
                folded.setdefault(alias.casefold(), choice.name)
        object.__setattr__(self, "_exact", exact)
        object.__setattr__(self, "_folded", folded)

    @property
    def canonical(self) -> tuple[str, ...]:
        """The canonical names, in the server's order."""
        return tuple(choice.name for choice in self.choices)

    def resolve(self, name: str) -> str | None:
        """The canonical name for `name` (exact alias first, then ignoring case), or None."""
        return self._exact.get(name) or self._folded.get(name.casefold())

    def unknown(self, name: str) -> str:
        """`unknown sampler "Eular a" (close matches: Euler a, Euler)` or the list of what there is."""
        scores: dict[str, float] = {}
        for choice in self.choices:
            for alias in (choice.name, *choice.aliases):
                ratio = difflib.SequenceMatcher(None, name.casefold(), alias.casefold()).ratio()
                scores[choice.name] = max(scores.get(choice.name, 0.0), ratio)
        close = [n for n, score in sorted(scores.items(), key=lambda item: -item[1]) if score >= 0.6][:4]
        if close:
            return f'unknown {self.kind} "{name}" (close matches: {", ".join(close)})'
        listed = ", ".join(self.canonical[:12]) + (", ..." if len(self.choices) > 12 else "")
        return f'unknown {self.kind} "{name}" (the server has: {listed or "none"})'


def _strings(*values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values if isinstance(v, str) and v))


def model_names(rows: Iterable[Mapping[str, Any]]) -> Names:
    """Checkpoints by title, file name (path or base name), model name, short hash or sha256."""
    choices = []
    for row in rows:
        filename = str(row.get("filename") or "")
        base = posixpath.basename(filename.replace("\\", "/"))
        title = str(row.get("title") or base)
        bare_title = title.rsplit(" [", 1)[0] if title.endswith("]") else title
        aliases = _strings(row.get("model_name"), filename, base, bare_title, posixpath.splitext(base)[0],
                           row.get("hash"), row.get("sha256"))
        choices.append(Choice(title, aliases))
    return Names("model", tuple(choices))


def vae_names(rows: Iterable[Mapping[str, Any]]) -> Names:
    """VAEs by model name, file name or stem; "Automatic" and "None" are always accepted."""
    choices = [Choice(name, ()) for name in PASS_THROUGH_VAES]
    for row in rows:
        name = str(row.get("model_name") or "")
        filename = str(row.get("filename") or "")
        base = posixpath.basename(filename.replace("\\", "/"))
        choices.append(Choice(name, _strings(filename, base, posixpath.splitext(name)[0])))
    return Names("VAE", tuple(choices))


def sampler_names(rows: Iterable[Mapping[str, Any]]) -> Names:
    """Samplers by name or alias."""
    return Names("sampler", tuple(Choice(str(r["name"]), _strings(*(r.get("aliases") or ()))) for r in rows))


def scheduler_names(rows: Iterable[Mapping[str, Any]]) -> Names:
    """Schedulers by label or name (or alias); the label ("Karras") is what is sent."""
    return Names("scheduler", tuple(
        Choice(str(r.get("label") or r["name"]), _strings(r.get("name"), *(r.get("aliases") or ())))
        for r in rows))


def upscaler_names(rows: Iterable[Mapping[str, Any]]) -> Names:
    """Upscalers by name."""
    return Names("upscaler", tuple(Choice(str(r["name"]), ()) for r in rows))


def split_legacy_sampler(name: str, samplers: Names, schedulers: Names) -> tuple[str, str] | None:
    """A1111's old combined names ("DPM++ 2M Karras") as (sampler, scheduler), when both are known."""
    for choice in schedulers.choices:
        for suffix in (choice.name, *choice.aliases):
            if name.endswith(" " + suffix):
                sampler = samplers.resolve(name[: -(len(suffix) + 1)])
                if sampler is not None:
                    return sampler, choice.name
    return None


def first_names(names: Names, limit: int = 200) -> tuple[str, ...]:
    """Up to `limit` canonical names, for reports."""
    return names.canonical[:limit]
