"""Money is `Decimal` end to end; these helpers make rounding explicit."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from geode.errors import InvalidInputError

CENT = Decimal("0.01")


def to_money(value: object) -> Decimal:
    """Exact conversion: ints, Decimals and numeric strings; floats are refused."""
    if isinstance(value, (bool, float)):
        raise InvalidInputError(f"money must be an exact number, not {type(value).__name__}")
    try:
        result = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise InvalidInputError(f"{value!r} is not a number") from exc
    if not result.is_finite():
        raise InvalidInputError(f"{value!r} is not a finite amount")
    return result


def round_money(value: Decimal, quantum: Decimal = CENT) -> Decimal:
    """Banker's rounding to the currency's minor unit (cents by default)."""
    return value.quantize(quantum, rounding=ROUND_HALF_EVEN)


def money_text(value: Decimal) -> str:
    """Canonical text without exponent, so SQLite TEXT compares exactly."""
    return format(value, "f")
