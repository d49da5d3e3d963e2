"""Step order that spares servers costly switches: steps sharing a model and VAE stay together."""

from __future__ import annotations

from collections.abc import Sequence

from stablenew.domain.config.stage_fields import COSTLY_FIELDS
from stablenew.domain.plan.plan import LearningRunStep

SwitchKey = tuple[tuple[str, str, str], ...]


def switch_key(step: LearningRunStep) -> SwitchKey:
    """What a server must load to run `step`: its model, VAE and upscaler values (empty when not swept)."""
    return tuple(
        (stage, variable, str(value))
        for stage, variable, value in step.assignments
        if variable in COSTLY_FIELDS
    )


def grouped_by_switch(steps: Sequence[LearningRunStep]) -> list[LearningRunStep]:
    """`steps` with every group of one switch key together, groups in order of first appearance,
    plan order kept inside each group."""
    order: dict[SwitchKey, int] = {}
    for step in steps:
        order.setdefault(switch_key(step), len(order))
    return sorted(steps, key=lambda step: order[switch_key(step)])  # sorted() is stable


def pick_for(pending: Sequence[LearningRunStep], loaded: SwitchKey | None) -> int:
    """Index in `pending` of the step a server with `loaded` should take next: the first one it can
    run without switching, else the first pending (the start of the next group)."""
    if loaded is not None:
        for index, step in enumerate(pending):
            if switch_key(step) == loaded:
                return index
    return 0
