"""Money is exact: no floats in, banker's rounding, and text without exponents."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geode.errors import InvalidInputError
from geode.money import CENT, money_text, round_money, to_money

PROPERTY = settings(max_examples=200, deadline=None)


# -- to_money ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0.1, 1.0, 150.1, float("nan"), float("inf"), -0.0])
def test_to_money_refuses_floats(value: float) -> None:
    with pytest.raises(InvalidInputError, match="exact number, not float"):
        to_money(value)


@pytest.mark.parametrize("value", [True, False])
def test_to_money_refuses_booleans(value: bool) -> None:
    with pytest.raises(InvalidInputError, match="not bool"):
        to_money(value)


@pytest.mark.parametrize(
    "value",
    [
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "inf",
        "-Infinity",
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
    ],
)
def test_to_money_refuses_non_finite_values(value: object) -> None:
    with pytest.raises(InvalidInputError, match="not a finite amount"):
        to_money(value)


@pytest.mark.parametrize("value", ["", "abc", "1,50", "0x10", "1.2.3", None, [1], {"gross": 1}])
def test_to_money_refuses_what_is_not_a_number(value: object) -> None:
    with pytest.raises(InvalidInputError, match="is not a number"):
        to_money(value)


def test_to_money_error_has_the_invalid_input_code() -> None:
    with pytest.raises(InvalidInputError) as caught:
        to_money(0.5)
    assert caught.value.code == "invalid_input"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (150, "150"),
        (-3, "-3"),
        (10**30, "1" + "0" * 30),
        ("150.10", "150.10"),
        ("0.1", "0.1"),
        ("-2.675", "-2.675"),
        ("1e3", "1E+3"),
        (Decimal("150.10"), "150.10"),
        (Decimal("0.000001"), "0.000001"),
    ],
)
def test_to_money_is_exact(value: object, expected: str) -> None:
    result = to_money(value)
    assert isinstance(result, Decimal)
    assert str(result) == expected  # same digits and exponent, not just an equal number


def test_to_money_keeps_a_decimal_as_given() -> None:
    value = Decimal("12.340")
    assert to_money(value) is value


def test_to_money_keeps_trailing_zeros_of_strings() -> None:
    assert to_money("150.10").as_tuple() == Decimal("150.10").as_tuple()


@PROPERTY
@given(st.integers(min_value=-(10**40), max_value=10**40))
def test_to_money_of_any_int_is_that_int(value: int) -> None:
    assert to_money(value) == value
    assert to_money(str(value)) == value


@PROPERTY
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_to_money_of_finite_decimal_text_is_that_decimal(value: Decimal) -> None:
    assert to_money(str(value)).as_tuple() == value.as_tuple()


# -- round_money ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.675", "2.68"),  # half to even: 7 is odd, goes up
        ("2.665", "2.66"),  # 6 is even, stays
        ("2.685", "2.68"),
        ("2.695", "2.70"),
        ("0.005", "0.00"),
        ("0.015", "0.02"),
        ("0.025", "0.02"),
        ("-2.675", "-2.68"),
        ("-2.665", "-2.66"),
        ("2.6651", "2.67"),  # above half rounds up whatever the digit
        ("2.6649", "2.66"),
        ("1", "1.00"),
        ("150.1", "150.10"),
    ],
)
def test_round_money_is_bankers_rounding_to_cents(value: str, expected: str) -> None:
    result = round_money(Decimal(value))
    assert str(result) == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "quantum", "expected"),
    [
        ("12.5", "1", "12"),
        ("13.5", "1", "14"),
        ("1.2345", "0.001", "1.234"),
        ("1.2355", "0.001", "1.236"),
    ],
)
def test_round_money_to_other_minor_units(value: str, quantum: str, expected: str) -> None:
    assert str(round_money(Decimal(value), Decimal(quantum))) == expected


def test_cent_is_one_hundredth() -> None:
    assert Decimal("0.01") == CENT


@PROPERTY
@given(
    st.decimals(
        min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=6
    )
)
def test_round_money_is_within_half_a_cent_and_idempotent(value: Decimal) -> None:
    rounded = round_money(value)
    assert abs(rounded - value) <= Decimal("0.005")
    assert round_money(rounded) == rounded
    assert rounded.as_tuple().exponent == -2


# -- money_text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("150.10"), "150.10"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1.5E+6"), "1500000"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("-2.5E-3"), "-0.0025"),
        (Decimal("0E-8"), "0.00000000"),
        (Decimal("0"), "0"),
    ],
)
def test_money_text_never_uses_exponent_notation(value: Decimal, expected: str) -> None:
    assert money_text(value) == expected


@PROPERTY
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_money_text_is_plain_digits_and_parses_back_equal(value: Decimal) -> None:
    text = money_text(value)
    assert "e" not in text.lower()
    assert text.lstrip("-").replace(".", "", 1).isdigit()
    assert Decimal(text) == value


@PROPERTY
@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**15), max_value=10**15
    )
)
def test_money_text_keeps_cents(value: Decimal) -> None:
    # What SQLite TEXT stores: two amounts with cents compare equal exactly when their text does.
    text = money_text(value)
    assert text == money_text(Decimal(text))
    assert text.split(".")[1] == f"{value:.2f}".split(".")[1]
