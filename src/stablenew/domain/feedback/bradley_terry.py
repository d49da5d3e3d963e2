"""Bradley–Terry strengths per axis value from "image A is better than image B" preferences.

A preference between two images whose values differ on an axis is one comparison of those two
values (a tie counts half a win each). Strengths are fitted by Hunter's MM algorithm with one
virtual win and loss against an average opponent per value, so they stay finite; they are reported
as log-strengths centred on the axis (0 = average; +0.69 = twice as likely to win as average).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from stablenew.domain.feedback.design import AxisSpec, value_key
from stablenew.domain.feedback.observations import PreferenceOutcome, PreferencePair

_PRIOR = 1.0
_ROUNDS = 200
_SCORE_A = {PreferenceOutcome.A: 1.0, PreferenceOutcome.B: 0.0, PreferenceOutcome.TIE: 0.5}


@dataclass(frozen=True, slots=True)
class Strength:
    """One value's centred log-strength and how many comparisons it took part in."""

    log_strength: float
    comparisons: int


def axis_strengths(
    pairs: Iterable[PreferencePair], axes: Sequence[AxisSpec]
) -> list[dict[Hashable, Strength]]:
    """Per axis (same order as `axes`), the strength of each compared value."""
    wins: list[dict[tuple[Hashable, Hashable], float]] = [{} for _ in axes]
    for pair in pairs:
        score_a = _SCORE_A[pair.outcome]
        for i, axis in enumerate(axes):
            if axis.label not in pair.values_a or axis.label not in pair.values_b:
                continue
            a, b = value_key(pair.values_a[axis.label]), value_key(pair.values_b[axis.label])
            if a == b:
                continue
            wins[i][(a, b)] = wins[i].get((a, b), 0.0) + score_a
            wins[i][(b, a)] = wins[i].get((b, a), 0.0) + 1.0 - score_a
    return [_fit(table) for table in wins]


def _fit(wins: dict[tuple[Hashable, Hashable], float]) -> dict[Hashable, Strength]:
    items = sorted({a for a, _ in wins}, key=repr)
    if not items:
        return {}
    games = {(a, b): wins[(a, b)] + wins.get((b, a), 0.0) for a, b in wins}
    total_wins = {i: _PRIOR + sum(w for (a, _), w in wins.items() if a == i) for i in items}
    counts = {i: round(sum(n for (a, _), n in games.items() if a == i)) for i in items}
    strength = dict.fromkeys(items, 1.0)
    for _ in range(_ROUNDS):
        updated = {}
        for i in items:
            denominator = 2 * _PRIOR / (strength[i] + 1.0)  # one win and one loss against strength 1
            denominator += sum(n / (strength[i] + strength[b]) for (a, b), n in games.items() if a == i)
            updated[i] = total_wins[i] / denominator
        strength = updated
    logs = {i: math.log(s) for i, s in strength.items()}
    centre = sum(logs.values()) / len(logs)
    return {i: Strength(logs[i] - centre, counts[i]) for i in items}
