"""`POST /api/v4.0/integrations/batch/orders`: register paid orders in bulk.

Each object becomes one order through `OrderBatch.register`, exactly as an
`order/register` mass operation with `resourceIdentifier` = `orderId` would:

| object field | order                                                            |
| ------------ | ---------------------------------------------------------------- |
| `orderId`    | `resourceIdentifier` (unique per tenant)                         |
| `customerId` | `customer.identifier` (the customer record is not touched)       |
| `orderDate`  | `createdAt` (UTC)                                                |
| `totalPaid`  | `total.gross`, in `currency`                                     |
| `lineItems`  | `cart`: name, sku, quantity, unit `price.gross`, `subTotal.gross` |
| -            | `paymentStatus` = `paid`                                         |

An order is created once: an `orderId` already stored, or sent earlier in the
same request, fails that object and leaves the existing order as it is.
`lineItems` may be left out; the order then has an empty cart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, localcontext
from typing import Annotated, Any, Final, Self

import sqlalchemy as sa
from msgspec import UNSET
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
from geode.batches.fields import KeyText, NonEmptyName, checked_by
from geode.batches.handler import ObjectResult, failed, narrow, succeeded
from geode.customers.batch import CustomerId, not_blank, require_text
from geode.customers.schemas import CustomerInput
from geode.db import bulk
from geode.limits import NumberRule
from geode.money import round_money
from geode.orders.schemas import CartItem, OrderInput, Price
from geode.orders.writer import OrderBatch
from geode.outcomes import OperationFailed
from geode.timestamps import format_timestamp, utcnow

__all__ = ["LineItem", "OrderBatchObject", "OrdersHandler", "line_sub_total", "order_input"]

MAX_DIGITS: Final = limits.MONEY_INTEGER_DIGITS + limits.MONEY_DECIMAL_PLACES
"""Digits an amount may have (docs/limits.md); bounds magnitude and keeps arithmetic exact."""
CURRENCY_PATTERN: Final = r"^[A-Z]{3}$"
LINE_QUANTITY: Final = NumberRule(
    "line-quantity",
    Decimal(0),
    Decimal(limits.QUANTITY_MAX),
    0,
    integer=True,
    exclusive_minimum=True,
    description=f"a quantity is a whole number from 1 to {limits.QUANTITY_MAX:,}",
)
EXAMPLE: Final[dict[str, Any]] = {
    "customerId": "12345",
    "orderId": "ORD-1001",
    "orderDate": "2024-05-01T12:30:00Z",
    "totalPaid": 59.97,
    "currency": "EUR",
    "lineItems": [
        {"sku": "TS-BLUE-M", "name": "T-shirt, blue, M", "quantity": 3, "price": 19.99},
    ],
}


def _positive_zero(value: Decimal) -> Decimal:
    """`-0` passes `>= 0`; store it as `0` (same exponent)."""
    return value.copy_abs()


Amount = Annotated[
    Decimal,
    Field(ge=0, allow_inf_nan=False),
    checked_by(limits.MONEY),
    WithJsonSchema(limits.MONEY.json_schema()),
    AfterValidator(_positive_zero),
]


def _currency(value: str) -> str:
    if not re.fullmatch(CURRENCY_PATTERN, value):
        raise ValueError(f"{value!r} is not a currency code; write three capital letters, e.g. EUR")
    return value


Currency = Annotated[
    str,
    AfterValidator(_currency),
    WithJsonSchema({"type": "string", "pattern": CURRENCY_PATTERN}),
]


class LineItem(BaseModel):
    """One cart line: what was bought, how many, at what unit price."""

    model_config = ConfigDict(extra="forbid", title="Order line item")

    sku: KeyText | None = Field(
        default=None, description="Stock keeping unit.", examples=["TS-BLUE-M"]
    )
    name: Annotated[NonEmptyName, Field(description="Product name.")]
    quantity: Annotated[
        Decimal,
        Field(gt=0, allow_inf_nan=False),
        checked_by(LINE_QUANTITY),
        WithJsonSchema(LINE_QUANTITY.json_schema()),
    ] = Field(
        description=(
            f"How many were bought: a whole number from 1 to {limits.QUANTITY_MAX:,}, as in "
            "a mass-operation cart."
        ),
        examples=[3],
    )
    price: Amount = Field(
        description=(
            "Unit price paid, in the order's currency: zero or more, at most "
            f"{limits.MONEY_INTEGER_DIGITS} digits before the decimal point and "
            f"{limits.MONEY_DECIMAL_PLACES} after. The line total is price x quantity, rounded "
            "half-to-even to 2 decimal places, and must stay within the same bounds."
        ),
        examples=[19.99],
    )

    @model_validator(mode="after")
    def _line_total_fits(self) -> Self:
        total = line_sub_total(self.price, self.quantity)
        problem = limits.MONEY.problem(total)
        if problem is not None:
            raise ValueError(f"the line total price x quantity ({total}) does not fit: {problem}")
        return self


class OrderBatchObject(BaseModel):
    """One paid order to register, keyed by `orderId`.

    An order is created once: sending an `orderId` that already exists fails
    that object and leaves the stored order unchanged. Unknown fields are
    refused, so a misspelt field name is reported, not ignored.
    """

    model_config = ConfigDict(
        extra="forbid",
        title="Order",
        json_schema_extra={"examples": [EXAMPLE]},
    )

    customerId: CustomerId = Field(description="Your id of the customer who placed the order.")
    orderId: Annotated[
        KeyText,
        Field(
            description=(
                f"Your unique id of the order (1 to {limits.KEY_MAX_LENGTH} characters, no "
                "control or invisible formatting characters)."
            ),
            examples=["ORD-1001"],
        ),
        AfterValidator(not_blank),
    ]
    orderDate: Annotated[datetime, BeforeValidator(require_text)] = Field(
        description="When the order was placed, ISO-8601; without an offset it is taken as UTC.",
        examples=["2024-05-01T12:30:00Z"],
    )
    totalPaid: Amount = Field(
        description=(
            "What the customer paid for the whole order: zero or more, at most "
            f"{limits.MONEY_INTEGER_DIGITS} digits before the decimal point and "
            f"{limits.MONEY_DECIMAL_PLACES} after."
        ),
        examples=[59.97],
    )
    currency: Currency = Field(
        default="EUR",
        description="ISO 4217 code of the amounts, three capital letters; EUR when left out.",
        examples=["EUR"],
    )
    lineItems: list[LineItem] | None = Field(
        default=None,
        description="The products bought. Optional: without it the order has no cart lines.",
    )


def line_sub_total(price: Decimal, quantity: Decimal) -> Decimal:
    """price x quantity, computed exactly, then rounded half-to-even to cents."""
    with localcontext() as context:
        # Enough digits for the exact product of two MAX_DIGITS numbers, plus cents.
        context.prec = 2 * MAX_DIGITS + 2
        return round_money(price * quantity)


def order_input(obj: OrderBatchObject) -> OrderInput:
    """The `order/register` input for one object."""
    currency = obj.currency
    cart = [
        CartItem(
            name=item.name,
            quantity=item.quantity,
            sku=UNSET if item.sku is None else item.sku,
            price=Price(currency=currency, gross=item.price),
            subTotal=Price(currency=currency, gross=line_sub_total(item.price, item.quantity)),
        )
        for item in obj.lineItems or ()
    ]
    return OrderInput(
        customer=CustomerInput(identifier=obj.customerId),
        cart=cart,
        total=Price(currency=currency, gross=obj.totalPaid),
        paymentStatus="paid",
        createdAt=format_timestamp(obj.orderDate),
    )


def duplicate_error(order_id: str, existing_id: str, *, in_this_request: bool) -> str:
    if in_this_request:
        return (
            f"Order '{order_id}' appears earlier in this request and was created there as "
            f"order {existing_id}; this copy was not applied. Use a new orderId for a new order."
        )
    return (
        f"Order '{order_id}' already exists as order {existing_id}; it was not changed or "
        "duplicated. Use a new orderId for a new order."
    )


class OrdersHandler:
    """Order Creation Batch Job: registers new paid orders, set-based."""

    schema: type[BaseModel] = OrderBatchObject
    type: str = "orders"
    operation: str = "Order Creation Batch Job"
    key_fields: tuple[str, ...] = ("orderId", "customerId")

    def apply(
        self, connection: sa.Connection, tenant_id: str, objects: Sequence[BaseModel]
    ) -> list[ObjectResult]:
        models = narrow(objects, OrderBatchObject)
        batch = OrderBatch(connection, tenant_id, utcnow())
        batch.prefetch(resource_identifiers=[obj.orderId for obj in models])
        created: set[str] = set()
        results: list[ObjectResult] = []
        for obj in models:
            keys: dict[str, Any] = {"orderId": obj.orderId, "customerId": obj.customerId}
            existing = batch.find_by_resource_identifier(obj.orderId)
            if existing is not None:
                error = duplicate_error(
                    obj.orderId, existing.id, in_this_request=existing.id in created
                )
                results.append(failed(keys, error))
                continue
            try:
                applied = batch.register(order_input(obj), obj.orderId)
            except OperationFailed as exc:
                results.append(failed(keys, exc.message))
                continue
            created.add(applied.resource_id)
            results.append(succeeded(keys, "Order created successfully"))
        bulk.execute(connection, batch.plan())
        return results
