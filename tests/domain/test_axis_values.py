"""Tests for the A1111 X/Y/Z axis value parser."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stablenew.domain.errors import AxisValueError
from stablenew.domain.plan.axis_values import MAX_AXIS_VALUES, parse_axis_values

KINDS = ("int", "float", "str")
TYPES = {"int": int, "float": float, "str": str}
PROPERTY = settings(database=None, deadline=None, max_examples=300)


def linspace_trunc(a: int, b: int, n: int) -> list[int]:
    """Reference for `a-b [n]` on an int axis: numpy.linspace(a, b, n).astype(int), in plain floats."""
    if n == 1:
        return [a]
    increment = (float(b) - float(a)) / (n - 1)
    points = [float(a) + increment * float(i) for i in range(n)]
    points[-1] = float(b)
    return [math.trunc(p) for p in points]


def assert_error(values: str | list | tuple, kind: str, message: str) -> None:
    """parse_axis_values(values, kind) raises AxisValueError with exactly `message`."""
    with pytest.raises(AxisValueError) as caught:
        parse_axis_values(values, kind)
    assert str(caught.value) == message


# ---------------------------------------------------------------- str axes


def test_str_items_are_split_stripped_and_quoted_items_keep_commas() -> None:
    assert parse_axis_values('DPM++ 2M, "Euler, a",  Heun ', "str") == ("DPM++ 2M", "Euler, a", "Heun")


def test_str_items_are_never_ranges() -> None:
    assert parse_axis_values("1-3, 4-6 [2]", "str") == ("1-3", "4-6 [2]")


def test_empty_items_are_dropped_and_lines_are_flattened() -> None:
    assert parse_axis_values(" a,, ,b\nc ", "str") == ("a", "b", "c")


@pytest.mark.parametrize("text", ["", "   ", ",,", ' , "" , '])
@pytest.mark.parametrize("kind", KINDS)
def test_no_items_is_an_error(text: str, kind: str) -> None:
    assert_error(text, kind, "no values")


# ---------------------------------------------------------------- int axes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", (7,)),
        ("-3, +4, 007", (-3, 4, 7)),
        ("1-3", (1, 2, 3)),
        ("5-5", (5,)),
        ("-3--1", (-3, -2, -1)),
        (" - 3 -  - 1 ", (-3, -2, -1)),
        ("1-10 (+3)", (1, 4, 7, 10)),
        ("1 - 10 ( + 4 )", (1, 5, 9)),
        ("10-1 (-2)", (10, 8, 6, 4)),
        ("5-1 (-1)", (5, 4, 3)),  # A1111 keeps range(a, b + 1, s) even for a negative step
        ("1-10 [4]", (1, 4, 7, 10)),
        ("0-10 [4]", (0, 3, 6, 10)),
        ("-10-0 [4]", (-10, -6, -3, 0)),  # truncation toward zero
        ("10-0 [3]", (10, 5, 0)),
        ("3-9 [1]", (3,)),
        ("4-4 [3]", (4, 4, 4)),
        ("0-2 [99]", tuple(linspace_trunc(0, 2, 99))),
        ("1-3, 7, 10-20 [3]", (1, 2, 3, 7, 10, 15, 20)),
    ],
)
def test_int_forms(text: str, expected: tuple[int, ...]) -> None:
    result = parse_axis_values(text, "int")
    assert result == expected
    assert all(type(v) is int for v in result)


def test_int_count_range_matches_numpy_float_arithmetic() -> None:
    # numpy.linspace(0, 2, 99)[49] is 0.9999999999999999, so astype(int) gives 0 there.
    assert parse_axis_values("0-2 [99]", "int")[49] == 0
    assert parse_axis_values("0-2 [99]", "int")[50] == 1


def test_exactly_max_values_is_allowed() -> None:
    assert len(parse_axis_values(f"1-{MAX_AXIS_VALUES}", "int")) == MAX_AXIS_VALUES


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", '"abc" is not an integer'),
        ("1.5", '"1.5" is not an integer'),
        ("5 [3]", '"5 [3]" is not an integer'),
        ("4-x", '"4-x" is not a number range'),
        ("1-2-3", '"1-2-3" is not a number range'),
        ("1-5 (2)", '"1-5 (2)" is not a number range'),
        ("1-5 [-2]", '"1-5 [-2]" is not a number range'),
        ("1-10 [0]", '"1-10 [0]" asks for 0 values'),
        ("1-5 (+0)", 'step 0 in "1-5 (+0)"'),
        ("1-5 (-0)", 'step 0 in "1-5 (-0)"'),
        ("5-1", '"5-1" gives no values'),
        ("1-5 (-1)", '"1-5 (-1)" gives no values'),
        ("1-99999999", '"1-99999999" gives more than 10000 values'),
        ("1-10 [10001]", '"1-10 [10001]" gives more than 10000 values'),
        ("1-6000, 1-6000", "more than 10000 values"),
        ("1" * 5000, f'"{"1" * 5000}" has a number out of range'),
        ("1-9e9 [2]", '"1-9e9 [2]" is not a number range'),
        ("1-" + "9" * 400 + " [2]", f'"1-{"9" * 400} [2]" has a number out of range'),
    ],
)
def test_int_errors(text: str, message: str) -> None:
    assert_error(text, "int", message)


def test_huge_ranges_are_rejected_before_they_are_built() -> None:
    began = time.perf_counter()
    for text, kind in [("1-999999999999", "int"), ("0-999999999999 (+0.001)", "float")]:
        with pytest.raises(AxisValueError, match="gives more than 10000 values"):
            parse_axis_values(text, kind)
    assert time.perf_counter() - began < 1.0


# ---------------------------------------------------------------- float axes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7.5, 4", (7.5, 4.0)),
        ("-0.5, +.25, 1e-3, 2.", (-0.5, 0.25, 0.001, 2.0)),
        ("1-3", (1.0, 2.0, 3.0)),
        ("1.5-3", (1.5, 2.5, 3.5)),  # A1111's arange(a, b + s, s) can pass b
        ("4-4.3 (+0.1)", (4.0, 4.1, 4.2, 4.3)),
        ("1-2 (+0.5)", (1.0, 1.5, 2.0)),
        ("1-0 (-0.25)", (1.0, 0.75, 0.5, 0.25, 0.0)),
        ("0 - 1 ( + .5 )", (0.0, 0.5, 1.0)),
        ("0-1 [5]", (0.0, 0.25, 0.5, 0.75, 1.0)),
        ("0.1-0.3 [3]", (0.1, 0.2, 0.3)),
        ("2-7 [1]", (2.0,)),
        ("1-2, 0.5, 3-4 [2]", (1.0, 2.0, 0.5, 3.0, 4.0)),
    ],
)
def test_float_forms(text: str, expected: tuple[float, ...]) -> None:
    result = parse_axis_values(text, "float")
    assert result == expected
    assert all(type(v) is float for v in result)


def test_float_step_range_kills_binary_noise() -> None:
    assert parse_axis_values("4-4.3 (+0.1)", "float")[3] == 4.3
    assert parse_axis_values("0-0.3 (+0.1)", "float") == (0.0, 0.1, 0.2, 0.3)
    assert 0 + 3 * 0.1 != 0.3  # the noise that rounding removes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", '"abc" is not a number'),
        ("nan", '"nan" is not a number'),
        ("inf", '"inf" is not a number'),
        ("1e999", '"1e999" has a number out of range'),
        ("4-x", '"4-x" is not a number range'),
        ("1-2 [2.5]", '"1-2 [2.5]" is not a number range'),
        ("1-10 [0]", '"1-10 [0]" asks for 0 values'),
        ("1-5 (+0)", 'step 0 in "1-5 (+0)"'),
        ("1-5 (+0.000)", 'step 0 in "1-5 (+0.000)"'),
        ("5-1", '"5-1" gives no values'),
        ("1-5 (-0.5)", '"1-5 (-0.5)" gives no values'),
        ("0-1 (+0.0001)", '"0-1 (+0.0001)" gives more than 10000 values'),
        ("1-" + "9" * 400, f'"1-{"9" * 400}" has a number out of range'),
    ],
)
def test_float_errors(text: str, message: str) -> None:
    assert_error(text, "float", message)


# ---------------------------------------------------------------- other inputs


@pytest.mark.parametrize(
    ("values", "kind", "expected"),
    [
        ([1, -2, 3], "int", (1, -2, 3)),
        ((4, 5), "int", (4, 5)),
        ([1, 2.5], "float", (1.0, 2.5)),
        (["1-3", "Euler, a"], "str", ("1-3", "Euler, a")),
    ],
)
def test_lists_hold_values_of_the_kind(values: list | tuple, kind: str, expected: tuple) -> None:
    result = parse_axis_values(values, kind)
    assert result == expected
    assert all(type(v) is TYPES[kind] for v in result)


@pytest.mark.parametrize(
    ("values", "kind", "message"),
    [
        ([True], "int", '"True" is not an integer'),
        ([1.0], "int", '"1.0" is not an integer'),
        (["1-3"], "int", '"1-3" is not an integer'),
        ([False], "float", '"False" is not a number'),
        (["2.5"], "float", '"2.5" is not a number'),
        ([math.nan], "float", '"nan" is not a number'),
        ([math.inf], "float", '"inf" has a number out of range'),
        ([2**1100], "float", f'"{2**1100}" has a number out of range'),
        ([1], "str", '"1" is not a string'),
        ([], "int", "no values"),
        ((), "str", "no values"),
        ([1] * (MAX_AXIS_VALUES + 1), "int", "more than 10000 values"),
    ],
)
def test_list_errors(values: list | tuple, kind: str, message: str) -> None:
    assert_error(values, kind, message)


def test_unknown_kind_and_wrong_container_are_errors() -> None:
    with pytest.raises(AxisValueError, match='unknown axis kind "bool"'):
        parse_axis_values("1", "bool")
    with pytest.raises(AxisValueError, match="must be a string or a list, not int"):
        parse_axis_values(5, "int")  # type: ignore[arg-type]


def test_unreadable_csv_is_an_axis_value_error() -> None:
    with pytest.raises(AxisValueError, match="cannot read the values as CSV"):
        parse_axis_values("a" * 200_000, "str")  # longer than csv's field limit


def test_too_many_plain_items_is_an_error() -> None:
    assert_error(",".join(["x"] * (MAX_AXIS_VALUES + 1)), "str", "more than 10000 values")


# ---------------------------------------------------------------- properties

AXIS_TEXT = st.one_of(
    st.text(),
    st.text(alphabet='0123456789+-.,eE[]() "\n'),
    st.lists(
        st.from_regex(
            r"[+-]? ?[0-9]{1,4}(\.[0-9]{0,2})? ?- ?[+-]?[0-9]{1,4}(\.[0-9]?)?"
            r"( ?\([+-][0-9]{1,2}(\.[0-9])?\)| ?\[[0-9]{1,3}\])?",
            fullmatch=True,
        ),
        min_size=1,
        max_size=3,
    ).map(", ".join),
)


@PROPERTY
@given(AXIS_TEXT, st.sampled_from(KINDS))
def test_any_text_gives_typed_values_or_an_axis_value_error(text: str, kind: str) -> None:
    try:
        result = parse_axis_values(text, kind)
    except AxisValueError as exc:
        assert str(exc)
    else:
        assert isinstance(result, tuple)
        assert 0 < len(result) <= MAX_AXIS_VALUES
        assert all(type(v) is TYPES[kind] for v in result)
        if kind == "float":
            assert all(math.isfinite(v) for v in result)


@PROPERTY
@given(st.integers(-500, 500), st.integers(-500, 500), st.integers(-40, 40).filter(bool))
def test_int_step_ranges_follow_python_range(a: int, b: int, s: int) -> None:
    text = f"{a}-{b} ({'+' if s > 0 else '-'}{abs(s)})"
    expected = tuple(range(a, b + 1, s))
    if expected:
        assert parse_axis_values(text, "int") == expected
    else:
        with pytest.raises(AxisValueError, match="gives no values"):
            parse_axis_values(text, "int")


@PROPERTY
@given(st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6), st.integers(1, 300))
def test_int_count_ranges_truncate_linspace(a: int, b: int, n: int) -> None:
    result = parse_axis_values(f"{a}-{b} [{n}]", "int")
    assert list(result) == linspace_trunc(a, b, n)
    assert len(result) == n and result[0] == a and (n == 1 or result[-1] == b)


@PROPERTY
@given(st.integers(-2000, 2000), st.integers(-2000, 2000), st.integers(1, 300))
def test_float_count_ranges_are_evenly_spaced(a100: int, b100: int, n: int) -> None:
    a, b = a100 / 100, b100 / 100
    result = parse_axis_values(f"{a}-{b} [{n}]", "float")
    assert len(result) == n and result[0] == a and (n == 1 or result[-1] == b)
    for i, value in enumerate(result):
        assert value == pytest.approx(a + (b - a) * i / max(n - 1, 1), abs=1e-9)


@PROPERTY
@given(st.integers(-2000, 2000), st.integers(-2000, 2000), st.integers(-300, 300).filter(bool))
def test_float_step_ranges_have_the_arange_count(a100: int, b100: int, s100: int) -> None:
    a, b, s = a100 / 100, b100 / 100, s100 / 100
    count = max(0, math.ceil((b + s - a) / s))
    text = f"{a}-{b} ({'+' if s > 0 else '-'}{abs(s)})"
    if count == 0:
        with pytest.raises(AxisValueError, match="gives no values"):
            parse_axis_values(text, "float")
        return
    result = parse_axis_values(text, "float")
    assert len(result) == count
    assert result == tuple(round(a + i * s, 10) for i in range(count))
