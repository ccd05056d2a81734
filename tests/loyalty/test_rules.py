"""The loyalty arithmetic: earn rounds down, redeem rounds up, value rounds half-even."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from geode.errors import InvalidInputError
from geode.loyalty.rules import (
    DEFAULT_PROGRAM,
    Program,
    check_program,
    points_earned,
    points_to_redeem,
    points_value,
)
from geode.loyalty.schemas import AMOUNT_DECIMAL_PLACES, MAX_AMOUNT

amounts = st.decimals(
    min_value=Decimal("0.00000001"), max_value=MAX_AMOUNT, places=AMOUNT_DECIMAL_PLACES
)
rates = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("1000"), places=8)
balances = st.integers(min_value=0, max_value=2**63 - 1)


@given(amount=amounts, rate=rates)
@example(amount=Decimal("10.99"), rate=Decimal("1.5"))
@example(amount=Decimal("0.99999999"), rate=Decimal("1.00000001"))
def test_earning_rounds_down_to_whole_points(amount: Decimal, rate: Decimal) -> None:
    points = points_earned(amount, rate)
    exact = Fraction(amount) * Fraction(rate)
    assert points <= exact < points + 1


@given(amount=amounts, point_value=rates)
@example(amount=Decimal("1.00"), point_value=Decimal("0.03"))
def test_redeeming_an_amount_rounds_up_so_points_cover_it(
    amount: Decimal, point_value: Decimal
) -> None:
    points = points_to_redeem(amount, point_value)
    # The points spent are worth at least the amount, and one point fewer would not be.
    assert Fraction(points) * Fraction(point_value) >= Fraction(amount)
    assert Fraction(points - 1) * Fraction(point_value) < Fraction(amount)


@given(points=balances, point_value=rates)
def test_value_rounds_half_even_to_cents(points: int, point_value: Decimal) -> None:
    value = points_value(points, point_value)
    assert value.as_tuple().exponent == -2
    cents = Fraction(value) * 100
    error = Fraction(value) - Fraction(points) * Fraction(point_value)
    assert abs(error) <= Fraction(1, 200)
    if abs(error) == Fraction(1, 200):
        assert cents.numerator % 2 == 0  # ties go to the even cent


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        ("12.99", "1", 12),
        ("0.99", "1", 0),
        ("10.99", "1.5", 16),  # 16.485
        ("100", "0.1", 10),
        ("3.33", "3", 9),  # 9.99
    ],
)
def test_earning_examples(amount: str, rate: str, expected: int) -> None:
    assert points_earned(Decimal(amount), Decimal(rate)) == expected


@pytest.mark.parametrize(
    ("amount", "point_value", "expected"),
    [
        ("1.00", "0.01", 100),
        ("1.01", "0.02", 51),  # 50.5
        ("1.00", "0.03", 34),  # 33.33...
        ("0.01", "0.03", 1),
    ],
)
def test_redeem_examples(amount: str, point_value: str, expected: int) -> None:
    assert points_to_redeem(Decimal(amount), Decimal(point_value)) == expected


@pytest.mark.parametrize(
    ("points", "point_value", "expected"),
    [
        (1234, "0.01", "12.34"),
        (1, "0.005", "0.00"),  # 0.005: tie, down to the even cent
        (3, "0.005", "0.02"),  # 0.015: tie, up to the even cent
        (0, "0.01", "0.00"),
        (2**63 - 1, "1000000", "9223372036854775807000000.00"),
    ],
)
def test_value_examples(points: int, point_value: str, expected: str) -> None:
    value = points_value(points, Decimal(point_value))
    assert str(value) == expected


def test_default_program_is_one_point_per_euro_worth_a_cent() -> None:
    assert Program(Decimal("1"), Decimal("0.01"), "EUR") == DEFAULT_PROGRAM
    assert check_program(DEFAULT_PROGRAM) is DEFAULT_PROGRAM


@pytest.mark.parametrize(
    ("program", "message"),
    [
        (Program(Decimal("-1"), Decimal("0.01"), "EUR"), "earn rate"),
        (Program(Decimal("1"), Decimal("0"), "EUR"), "point value"),
        (Program(Decimal("1"), Decimal("0.000000001"), "EUR"), "decimal places"),
        (Program(Decimal("1000001"), Decimal("0.01"), "EUR"), "earn rate"),
        (Program(Decimal("1"), Decimal("0.01"), "eur"), "currency"),
    ],
)
def test_check_program_refuses_unusable_rules(program: Program, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        check_program(program)


def test_trailing_zeros_are_not_decimal_places() -> None:
    program = Program(Decimal("1"), Decimal("0.0100000000000"), "EUR")
    assert check_program(program) is program
