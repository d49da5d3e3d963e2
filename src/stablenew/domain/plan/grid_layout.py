"""Contact sheet layout: which image goes in which cell of which sheet (X/Y per sheet, Z per sheet)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stablenew.domain.plan.plan import LearningPlan
from stablenew.domain.plan.steps import expand_plan

SHEET_CHUNK = "stablenew-sheet"  # the PNG text chunk that holds a sheet's `metadata` as JSON


@dataclass(frozen=True, slots=True)
class ContactSheet:
    """One annotated grid: X values across, Y values down, an image path (or None) per cell."""

    name: str  # file stem: "grid", or "grid-z01", "grid-z02" … one per Z value
    title: str
    x_label: str
    x_values: tuple[str, ...]
    y_label: str
    y_values: tuple[str, ...]
    cells: tuple[tuple[str | None, ...], ...]  # rows (Y) of columns (X)
    metadata: Mapping[str, Any] = field(default_factory=dict)  # plan and axes, JSON-ready, for the PNG


@dataclass(frozen=True, slots=True)
class ContactSheetReport:
    """What a writer did: the sheets written, a note for each sheet skipped, and a warning for each
    sheet that could not be written (an I/O error: the plan's runs and records still stand)."""

    written: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


def _text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def contact_sheets(plan: LearningPlan, images: Mapping[str, tuple[str, ...]]) -> tuple[ContactSheet, ...]:
    """Sheets for `plan`: X = first axis, Y = second, one sheet per value (combination) of the rest.

    `images` maps step keys to image paths; a cell shows the first image of its step.
    """
    axes = plan.axes
    x_axis, y_axis, z_axes = axes[0], axes[1] if len(axes) > 1 else None, axes[2:]
    by_values = {tuple(v for _, _, v in step.assignments): step.key for step in expand_plan(plan)}
    y_values = y_axis.values if y_axis is not None else (None,)
    z_combos = list(itertools.product(*(axis.values for axis in z_axes)))
    sheets = []
    for number, z_combo in enumerate(z_combos, start=1):
        rows = []
        for y in y_values:
            row = []
            for x in x_axis.values:
                values = (x, *(() if y_axis is None else (y,)), *z_combo)
                found = images.get(by_values[values]) or ()
                row.append(found[0] if found else None)
            rows.append(tuple(row))
        z_text = ", ".join(f"{axis.label}={_text(v)}" for axis, v in zip(z_axes, z_combo, strict=True))
        metadata = {
            "plan_id": plan.id,
            "plan_name": plan.name,
            "plan_file": plan.source,
            "x": {"axis": x_axis.label, "values": list(x_axis.values)},
            "y": {"axis": y_axis.label, "values": list(y_axis.values)} if y_axis is not None else None,
            "z": {axis.label: value for axis, value in zip(z_axes, z_combo, strict=True)},
            "axes": [{"stage": a.stage, "variable": a.variable, "values": list(a.values)} for a in axes],
            "cells": [list(row) for row in rows],
        }
        sheets.append(
            ContactSheet(
                name="grid" if len(z_combos) == 1 else f"grid-z{number:02d}",
                title=f"{plan.name}" + (f" | {z_text}" if z_text else ""),
                x_label=x_axis.label,
                x_values=tuple(_text(v) for v in x_axis.values),
                y_label=y_axis.label if y_axis is not None else "",
                y_values=tuple(_text(v) for v in y_values) if y_axis is not None else ("",),
                cells=tuple(rows),
                metadata=metadata,
            )
        )
    return tuple(sheets)
