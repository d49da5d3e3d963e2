"""Names matched the way A1111 matches them (alias, then any case), with close matches for typos."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

CLOSE_LIMIT, CLOSE_CUTOFF, LISTED = 4, 0.6, 12


def close_matches(
    name: str,
    candidates: Sequence[str],
    *,
    aliases: Mapping[str, Sequence[str]] | None = None,
    limit: int = CLOSE_LIMIT,
    cutoff: float = CLOSE_CUTOFF,
) -> list[str]:
    """Up to `limit` candidates scoring >= `cutoff`, best first (ties keep the candidates' order).

    Case is ignored; each candidate scores by its best spelling (itself or one of `aliases[candidate]`).
    """
    wanted, scores = name.casefold(), {}
    for candidate in candidates:
        spellings = (candidate, *(aliases or {}).get(candidate, ()))
        scores[candidate] = max(
            difflib.SequenceMatcher(None, wanted, spelling.casefold()).ratio() for spelling in spellings
        )
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    return [candidate for candidate, score in ranked if score >= cutoff][:limit]


def unknown_name_message(
    kind: str,
    name: str,
    candidates: Sequence[str],
    aliases: Mapping[str, Sequence[str]] | None = None,
    *,
    offered_by: str = "the server",
) -> str:
    """`unknown sampler "Eular a" (close matches: Euler a, Euler)`, else (up to 12 of) what there is."""
    close = close_matches(name, candidates, aliases=aliases)
    if close:
        return f'unknown {kind} "{name}" (close matches: {", ".join(close)})'
    listed = ", ".join(candidates[:LISTED]) + (", ..." if len(candidates) > LISTED else "")
    return f'unknown {kind} "{name}" ({offered_by} has: {listed or "none"})'


@dataclass(frozen=True, slots=True)
class NameChoice:
    """One offered thing: the canonical name to send, and every other spelling that means it."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NameSet:
    """One kind of name (sampler, model ...): resolve a spelling to its canonical name, or explain."""

    kind: str
    choices: tuple[NameChoice, ...]
    offered_by: str = "the server"
    _exact: dict[str, str] = field(init=False, repr=False, compare=False)
    _folded: dict[str, str] = field(init=False, repr=False, compare=False)

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
        """The canonical names, in the offered order."""
        return tuple(choice.name for choice in self.choices)

    def resolve(self, name: str) -> str | None:
        """The canonical name for `name` (exact spelling first, then ignoring case), or None."""
        return self._exact.get(name) or self._folded.get(name.casefold())

    def unknown(self, name: str) -> str:
        """The message for a name `resolve` does not know (see unknown_name_message)."""
        aliases = {choice.name: choice.aliases for choice in self.choices}
        return unknown_name_message(self.kind, name, self.canonical, aliases, offered_by=self.offered_by)


def split_legacy_sampler(name: str, samplers: NameSet, schedulers: NameSet) -> tuple[str, str] | None:
    """A1111's old combined names ("DPM++ 2M Karras") as (sampler, scheduler), when both are known."""
    for choice in schedulers.choices:
        for suffix in (choice.name, *choice.aliases):
            if name.endswith(" " + suffix):
                sampler = samplers.resolve(name[: -(len(suffix) + 1)])
                if sampler is not None:
                    return sampler, choice.name
    return None


def unknown_field_message(name: str, allowed: Sequence[str]) -> str:
    """`unknown field (did you mean cfg_scale? expected one of: ...)` for a misspelt table key."""
    close = close_matches(name, list(allowed), limit=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"unknown field ({hint}expected one of: {', '.join(allowed)})"
