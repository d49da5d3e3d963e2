"""Inline SVG charts: each value of an axis as its effect on the stars with a 95 % interval."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WIDTH, ROW, LEFT, RIGHT = 560, 26, 150, 20


def _x(value: float, low: float, high: float) -> float:
    return LEFT + (value - low) / (high - low) * (WIDTH - LEFT - RIGHT)


def axis_chart(axis: Mapping[str, Any]) -> dict[str, Any]:
    """Geometry for one axis: per value a label, a dot at its effect and a bar over its interval,
    on a symmetric star scale around 0 (the axis average); unrated values get no mark."""
    rated = [v for v in axis["values"] if v["effect"] is not None]
    reach = max([0.5] + [abs(b) for v in rated for b in (v["ci95"] or (v["effect"], v["effect"]))])
    low, high = -reach, reach
    rows = []
    for i, value in enumerate(axis["values"]):
        y = 20 + i * ROW
        row: dict[str, Any] = {"label": str(value["value"]), "y": y, "n": value["n_images"]}
        if value["effect"] is not None:
            lo, hi = value["ci95"] or (value["effect"], value["effect"])
            row.update(x=round(_x(value["effect"], low, high), 1), x1=round(_x(lo, low, high), 1),
                       x2=round(_x(hi, low, high), 1), effect=value["effect"])
        rows.append(row)
    return {
        "title": f"{axis['stage']}.{axis['variable']}",
        "width": WIDTH,
        "height": 30 + len(axis["values"]) * ROW,
        "zero": round(_x(0.0, low, high), 1),
        "low": round(low, 2),
        "high": round(high, 2),
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "rows": rows,
    }
