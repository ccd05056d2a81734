"""Objects of the four loyalty batch types, in the Gameball v4 shapes.

Pydantic models, because the batch API documents its request bodies through
OpenAPI; the runner validates each object with them before the ledger sees
it. Money arrives as `Decimal` (the runner parses JSON floats as Decimal) and
a float is refused outright, so an amount is never rounded on the way in.
Bounds keep every product inside a BIGINT balance.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Final, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from geode import limits
from geode.batches.fields import FreeText, KeyText
from geode.limits import NumberRule

MAX_POINTS = limits.POINTS_MAX
"""Largest points change one object may ask for."""
MAX_AMOUNT = Decimal("1000000000000")
"""Largest money amount one object may carry (10^12 currency units)."""
AMOUNT_DECIMAL_PLACES = limits.MONEY_DECIMAL_PLACES
AMOUNT: Final = NumberRule(
    "loyalty-amount",
    Decimal(0),
    MAX_AMOUNT,
    AMOUNT_DECIMAL_PLACES,
    exclusive_minimum=True,
    description=(
        f"an amount is more than zero, at most {MAX_AMOUNT:,} with at most "
        f"{AMOUNT_DECIMAL_PLACES} decimal places"
    ),
)


def _exact_number(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise ValueError("must be an exact decimal number, not a binary float")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _not_zero(value: int) -> int:
    if value == 0:
        raise ValueError("must not be zero: a positive amount credits, a negative one debits")
    return value


CustomerId = Annotated[
    KeyText,
    Field(description="The customer's identifier, as created with the customers batch type."),
]
TransactionId = Annotated[
    KeyText,
    Field(
        description=(
            "Your id for this transaction. It is recorded once per batch type: sending it "
            "again with the same values succeeds without changing anything."
        ),
    ),
]
TransactionTime = Annotated[
    datetime,
    Field(description="When the transaction happened (ISO-8601; no offset means UTC)."),
]
Money = Annotated[
    Decimal,
    BeforeValidator(_exact_number),
    Field(gt=0, le=MAX_AMOUNT, decimal_places=AMOUNT_DECIMAL_PLACES),
    WithJsonSchema(AMOUNT.json_schema()),
]


class _Object(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BalanceInquiry(_Object):
    """Read a customer's points balance and what it is worth; changes nothing."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"customerId": "cust-1001"}]})

    customerId: CustomerId


class BalanceAdjustment(_Object):
    """Credit or debit points by hand (goodwill, corrections); never below zero."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "customerId": "cust-1001",
                    "amount": -250,
                    "reason": "Points expired after account review",
                    "transactionId": "adj-2024-0042",
                }
            ]
        }
    )

    customerId: CustomerId
    amount: Annotated[
        int,
        Field(
            strict=True,
            ge=-MAX_POINTS,
            le=MAX_POINTS,
            description="Whole points: positive credits, negative debits; not zero.",
        ),
        AfterValidator(_not_zero),
    ]
    reason: Annotated[
        FreeText,
        Field(min_length=1, description="Why the balance changes; kept in the ledger."),
        AfterValidator(_not_blank),
    ]
    transactionId: Annotated[
        KeyText | None,
        Field(
            description=(
                "Optional. When given, the adjustment is recorded once: a replay with the "
                "same values succeeds without changing anything."
            ),
        ),
    ] = None


class Cashback(_Object):
    """Reward a purchase: amount x the program's earn rate, rounded down to whole points."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "customerId": "cust-1001",
                    "transactionId": "order-77812",
                    "transactionTime": "2024-05-01T12:30:00Z",
                    "amount": 129.90,
                }
            ]
        }
    )

    customerId: CustomerId
    transactionId: TransactionId
    transactionTime: TransactionTime
    amount: Annotated[Money, Field(description="Money spent, in the program's currency; > 0.")]


class Redeem(_Object):
    """Spend points, given either as points or as a money amount to cover."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "customerId": "cust-1001",
                    "transactionId": "order-77813",
                    "transactionTime": "2024-05-02T09:00:00Z",
                    "amount": 5.00,
                },
                {
                    "customerId": "cust-1001",
                    "transactionId": "order-77814",
                    "transactionTime": "2024-05-02T09:05:00Z",
                    "points": 300,
                    "holdReference": "hold-5521",
                },
            ]
        }
    )

    customerId: CustomerId
    transactionId: TransactionId
    transactionTime: TransactionTime
    points: Annotated[
        int | None,
        Field(strict=True, gt=0, le=MAX_POINTS, description="Points to spend. Or give amount."),
    ] = None
    amount: Annotated[
        Money | None,
        Field(
            description=(
                "Money value to cover, in the program's currency; converted to points at the "
                "point value, rounded up. Or give points."
            )
        ),
    ] = None
    holdReference: Annotated[
        KeyText | None,
        Field(description="Optional reference of a hold; kept in the ledger."),
    ] = None

    @model_validator(mode="after")
    def _points_or_amount(self) -> Self:
        if (self.points is None) == (self.amount is None):
            raise ValueError(
                "give exactly one of points (points to spend) or amount (money value to "
                "cover, converted to points rounded up)"
            )
        return self
