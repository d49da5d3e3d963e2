"""Read one sweep axis's values in the A1111 X/Y/Z plot syntax: CSV items, ranges, step and count ranges."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from typing import Any

from stablenew.domain.errors import AxisValueError

MAX_AXIS_VALUES = 10_000

_INT = r"(?:[+-]\s*)?\d+"
_FLOAT = r"(?:[+-]\s*)?(?:\d+(?:\.\d*)?|\.\d+)"


def _range_re(number: str, step: str) -> re.Pattern[str]:
    """`a-b`, `a-b (+s)` or `a-b [n]` around the given number pattern (groups: a, b, s, n)."""
    tail = rf"(?:\s*\(\s*([+-]\s*{step})\s*\)|\s*\[\s*(\d+)\s*\])?"
    return re.compile(rf"({number})\s*-\s*({number}){tail}", re.ASCII)


_INT_RANGE = _range_re(_INT, r"\d+")
_FLOAT_RANGE = _range_re(_FLOAT, r"(?:\d+(?:\.\d*)?|\.\d+)")
_INT_PLAIN = re.compile(r"[+-]?\d+", re.ASCII)
_FLOAT_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NOUN = {"int": "an integer", "float": "a number", "str": "a string"}


def parse_axis_values(values: str | list[Any] | tuple[Any, ...], kind: str) -> tuple[Any, ...]:
    """Return the values of one axis as a tuple of `kind` ("int", "float" or "str").

    A string is one CSV row whose int/float items may be ranges; a list or tuple (a TOML array)
    must already hold values of the kind. Raises AxisValueError only.
    """
    if kind not in _NOUN:
        raise AxisValueError(f'unknown axis kind "{kind}"')
    if isinstance(values, list | tuple):
        return _from_list(values, kind)
    if not isinstance(values, str):
        raise AxisValueError(f"values must be a string or a list, not {type(values).__name__}")
    out: list[Any] = []
    for item in _split(values):
        room = MAX_AXIS_VALUES - len(out)
        if kind == "int":
            out += _expand(item, room, _INT_RANGE, _INT_PLAIN, int)
        elif kind == "float":
            out += _expand(item, room, _FLOAT_RANGE, _FLOAT_PLAIN, float)
        else:
            _check_count(item, 1, room)
            out.append(item)
    if not out:
        raise AxisValueError("no values")
    return tuple(out)


def _split(text: str) -> list[str]:
    """Split like A1111's CSV row (rows flattened), quotes allowed after a comma and spaces."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), skipinitialspace=True))
    except csv.Error as exc:
        raise AxisValueError(f"cannot read the values as CSV ({exc})") from None
    return [field.strip() for row in rows for field in row if field.strip()]


def _from_list(values: list[Any] | tuple[Any, ...], kind: str) -> tuple[Any, ...]:
    if not values:
        raise AxisValueError("no values")
    if len(values) > MAX_AXIS_VALUES:
        raise AxisValueError(f"more than {MAX_AXIS_VALUES} values")
    allowed = {"int": (int,), "float": (int, float), "str": (str,)}[kind]
    for value in values:
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise AxisValueError(f'"{value}" is not {_NOUN[kind]}')
    return tuple(values) if kind != "float" else tuple(_finite(value, str(value)) for value in values)


def _expand(
    item: str, room: int, ranged: re.Pattern[str], plain: re.Pattern[str], conv: Callable[[str], Any]
) -> list[Any]:
    """Expand one int or float item: a plain number or one of the three range forms."""
    if plain.fullmatch(item):
        _check_count(item, 1, room)
        return [_number(item, conv, item)]
    match = ranged.fullmatch(item)
    if match is None:
        noun = "a number range" if "-" in item[1:] else _NOUN["int" if conv is int else "float"]
        raise AxisValueError(f'"{item}" is not {noun}')
    start, end = _number(match[1], conv, item), _number(match[2], conv, item)
    if match[4] is not None:
        count = int(match[4])
        if count == 0:
            raise AxisValueError(f'"{item}" asks for 0 values')
        _check_count(item, count, room)
        try:
            values = _linspace(start, end, count)
            return [int(v) for v in values] if conv is int else [_finite(round(v, 10), item) for v in values]
        except OverflowError:
            raise AxisValueError(f'"{item}" has a number out of range') from None
    step = _number(match[3], conv, item) if match[3] else conv("1")
    if step == 0:
        raise AxisValueError(f'step 0 in "{item}"')
    if conv is int:  # A1111: range(a, b + 1, s), also for a negative s
        first, last, stride = int(start), int(end), int(step)
        _check_count(item, max(0, -((first - last - 1) // stride)), room)
        return list(range(first, last + 1, stride))
    ratio = (end + step - start) / step  # A1111: numpy.arange(a, b + s, s) has ceil(ratio) values
    count = 0 if ratio <= 0 else math.ceil(ratio) if ratio <= MAX_AXIS_VALUES else MAX_AXIS_VALUES + 1
    _check_count(item, count, room)
    return [_finite(round(start + i * step, 10), item) for i in range(count)]


def _linspace(start: float, stop: float, count: int) -> list[float]:
    """numpy.linspace(start, stop, count) with numpy's float arithmetic (count >= 1)."""
    if count == 1:
        return [float(start)]
    step = (float(stop) - float(start)) / (count - 1)
    return [i * step + float(start) for i in range(count - 1)] + [float(stop)]


def _number(text: str, conv: Callable[[str], Any], item: str) -> int | float:
    try:
        value = conv("".join(text.split()))
    except (ValueError, OverflowError):  # e.g. more digits than int() converts
        raise AxisValueError(f'"{item}" has a number out of range') from None
    return _finite(value, item) if conv is float else value


def _finite(value: float, item: str) -> float:
    try:
        value = float(value)
    except OverflowError:
        value = math.inf
    if math.isnan(value):
        raise AxisValueError(f'"{item}" is not a number')
    if not math.isfinite(value):
        raise AxisValueError(f'"{item}" has a number out of range')
    return value


def _check_count(item: str, count: int, room: int) -> None:
    if count <= 0:
        raise AxisValueError(f'"{item}" gives no values')
    if count > room:
        too_many = f'"{item}" gives more' if count > MAX_AXIS_VALUES else "more"
        raise AxisValueError(f"{too_many} than {MAX_AXIS_VALUES} values")
