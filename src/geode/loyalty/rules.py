"""The loyalty program's arithmetic, in one place, with every rounding spelled out.

Pure functions on `Decimal` and `int` (never float), so property tests can
pin them down without a database:

- earning rounds DOWN: a cashback never credits a fraction of a point the
  customer did not pay for (`points_earned`);
- redeeming a money amount rounds UP: the customer never receives more value
  than the points spent (`points_to_redeem`);
- a balance's money value rounds HALF-EVEN to cents (`points_value`), the
  same rule as `geode.money.round_money`.

Ratios are computed with `Fraction`, which is exact for any Decimal, so no
context precision can round a product across a whole-point boundary.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction

from geode.errors import InvalidInputError
from geode.money import CENT

MAX_BALANCE = 2**63 - 1
"""`loyalty_accounts.points_balance` is a BIGINT: a credit past it is refused."""
MAX_RATE = Decimal("1000000")
RATE_DECIMAL_PLACES = 8
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
# Wide enough for any balance (19 digits) times any accepted rate (15 digits).
_WIDE = Context(prec=100, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Program:
    """A tenant's loyalty rules (a `loyalty_programs` row).

    earn_rate: points earned per unit of currency spent (cashback).
    point_value: what one point is worth, in `currency` (redeem, inquiry).
    """

    earn_rate: Decimal
    point_value: Decimal
    currency: str


DEFAULT_PROGRAM = Program(earn_rate=Decimal("1"), point_value=Decimal("0.01"), currency="EUR")
"""What a tenant that never stored a program gets: 1 point per EUR spent, and
100 points are worth 1 EUR. The only place these defaults are written down."""


def check_program(program: Program) -> Program:
    """Refuse rates that would make the ledger meaningless or its arithmetic unbounded."""
    if not 0 <= program.earn_rate <= MAX_RATE:
        raise InvalidInputError(f"earn rate must be between 0 and {MAX_RATE}")
    if not 0 < program.point_value <= MAX_RATE:
        raise InvalidInputError(f"point value must be above 0 and at most {MAX_RATE}")
    for name, rate in (("earn rate", program.earn_rate), ("point value", program.point_value)):
        if _decimal_places(rate) > RATE_DECIMAL_PLACES:
            raise InvalidInputError(
                f"{name} {rate} has more than {RATE_DECIMAL_PLACES} decimal places"
            )
    if not _CURRENCY_RE.fullmatch(program.currency):
        raise InvalidInputError(
            f"currency {program.currency!r} must be a 3-letter ISO 4217 code, e.g. EUR"
        )
    return program


def points_earned(amount: Decimal, earn_rate: Decimal) -> int:
    """Whole points for spending `amount`: amount x earn_rate, rounded down."""
    return math.floor(Fraction(amount) * Fraction(earn_rate))


def points_to_redeem(amount: Decimal, point_value: Decimal) -> int:
    """Points that cover `amount`: amount / point_value, rounded up."""
    return math.ceil(Fraction(amount) / Fraction(point_value))


def points_value(points: int, point_value: Decimal) -> Decimal:
    """Money value of `points`, to the cent, half-even (always 2 decimal places)."""
    exact = _WIDE.multiply(Decimal(points), point_value)
    return exact.quantize(CENT, rounding=ROUND_HALF_EVEN, context=_WIDE)


def _decimal_places(value: Decimal) -> int:
    """Significant decimal places (12.50 has 1), exactly: `normalize` would round."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing_zeros)
