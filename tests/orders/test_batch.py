"""The orders batch type: one paid order per object, created once, money exact."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec import UNSET
from pydantic import ValidationError

from geode.app import App
from geode.batches.handler import BatchHandler, ObjectResult
from geode.customers.models import Customer
from geode.customers.schemas import CustomerInput
from geode.db import bulk
from geode.orders.batch import EXAMPLE, OrderBatchObject, OrdersHandler, line_sub_total
from geode.orders.export import order_operations
from geode.orders.models import Order
from geode.orders.schemas import OrderInput
from geode.orders.writer import OrderBatch
from geode.tenants.service import TenantInfo

_orders: sa.Table = Order.__table__  # type: ignore[assignment]
_customers: sa.Table = Customer.__table__  # type: ignore[assignment]
HANDLER = OrdersHandler()
PROPERTY = settings(max_examples=300, deadline=None)

ORDER_JSON = """{"customerId": "c-1", "orderId": "ORD-1", "orderDate": "2024-05-01T14:30:00+02:00",
 "totalPaid": 123456789012345.12345678, "currency": "USD",
 "lineItems": [
   {"sku": "TS-M", "name": "T-shirt", "quantity": 3, "price": 19.99},
   {"name": "Cheese", "quantity": 2, "price": 19.995},
   {"sku": null, "name": "Gift wrap", "quantity": 1, "price": 0}
 ]}"""


def decode(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def order(**fields: Any) -> dict[str, Any]:
    return {
        "customerId": "c-1",
        "orderId": "ORD-1",
        "orderDate": "2024-05-01T12:00:00Z",
        "totalPaid": Decimal("10.00"),
        **fields,
    }


def apply(app: App, tenant: TenantInfo, *objects: dict[str, Any]) -> list[ObjectResult]:
    """Validate like the runner, apply in one transaction."""
    models = [OrderBatchObject.model_validate(obj) for obj in objects]
    with app.engine.begin() as connection:
        results = HANDLER.apply(connection, tenant.id, models)
    assert len(results) == len(objects)
    return results


def orders(app: App, tenant: TenantInfo) -> list[dict[str, Any]]:
    with app.engine.connect() as connection:
        return [
            dict(r)
            for r in connection.execute(
                sa.select(_orders)
                .where(_orders.c.tenant_id == tenant.id)
                .order_by(_orders.c.resource_identifier)
            ).mappings()
        ]


def lines(app: App, tenant: TenantInfo, order_id: str) -> list[dict[str, Any]]:
    """The order's cart, as stored in its document."""
    with app.engine.connect() as connection:
        cart = connection.execute(
            sa.select(_orders.c.cart).where(
                _orders.c.tenant_id == tenant.id, _orders.c.id == order_id
            )
        ).scalar_one()
    items: list[dict[str, Any]] = json.loads(cart)
    return items


def money(value: Any) -> str | None:
    """Stored money as text: SQLite keeps TEXT, PostgreSQL returns a Decimal with its scale."""
    return None if value is None else str(value)


# -- the handler and its schema ----------------------------------------------------------


def test_handler_plugs_into_the_runner() -> None:
    handler: BatchHandler = HANDLER
    assert handler.type == "orders"
    assert handler.operation == "Order Creation Batch Job"
    assert handler.key_fields == ("orderId", "customerId")
    assert handler.schema is OrderBatchObject


def test_schema_is_documented_and_its_example_is_valid() -> None:
    schema = OrderBatchObject.model_json_schema()
    assert schema["examples"] == [EXAMPLE]
    OrderBatchObject.model_validate(decode(json.dumps(EXAMPLE)))
    assert sorted(schema["required"]) == ["customerId", "orderDate", "orderId", "totalPaid"]
    assert all(prop.get("description") for prop in schema["properties"].values())
    assert "EUR" in schema["properties"]["currency"]["description"]
    line = schema["$defs"]["LineItem"]
    assert line["additionalProperties"] is False
    assert sorted(line["required"]) == ["name", "price", "quantity"]


@pytest.mark.parametrize(
    ("fields", "loc", "error_type"),
    [
        ({"orderid": "x"}, ("orderid",), "extra_forbidden"),
        ({"orderId": ""}, ("orderId",), "string_too_short"),
        ({"orderId": "  "}, ("orderId",), "value_error"),
        ({"customerId": ""}, ("customerId",), "string_too_short"),
        ({"orderDate": 1714564800}, ("orderDate",), "value_error"),
        ({"orderDate": "last tuesday"}, ("orderDate",), "datetime_from_date_parsing"),
        ({"totalPaid": Decimal("-0.01")}, ("totalPaid",), "greater_than_equal"),
        ({"totalPaid": Decimal("1E+40")}, ("totalPaid",), "value_error"),
        ({"totalPaid": Decimal("0.123456789")}, ("totalPaid",), "value_error"),
        ({"totalPaid": True}, ("totalPaid",), "decimal_type"),
        ({"currency": "eur"}, ("currency",), "value_error"),
        ({"currency": "EURO"}, ("currency",), "value_error"),
        ({"currency": "EUR\n"}, ("currency",), "value_error"),
        ({"currency": None}, ("currency",), "string_type"),
        (
            {"lineItems": [{"name": "x", "quantity": 0, "price": 1}]},
            ("lineItems", 0, "quantity"),
            "greater_than",
        ),
        (
            {"lineItems": [{"name": "x", "quantity": 1, "price": Decimal("-1")}]},
            ("lineItems", 0, "price"),
            "greater_than_equal",
        ),
        (
            {"lineItems": [{"name": "x", "quantity": Decimal("1.5"), "price": 1}]},
            ("lineItems", 0, "quantity"),
            "value_error",
        ),
        (
            {"lineItems": [{"name": "x", "quantity": 10**30, "price": 1}]},
            ("lineItems", 0, "quantity"),
            "value_error",
        ),
        (
            {"lineItems": [{"name": "", "quantity": 1, "price": 1}]},
            ("lineItems", 0, "name"),
            "string_too_short",
        ),
        ({"lineItems": [{"quantity": 1, "price": 1}]}, ("lineItems", 0, "name"), "missing"),
        (
            {"lineItems": [{"name": "x", "quantity": 1, "price": 1, "qty": 2}]},
            ("lineItems", 0, "qty"),
            "extra_forbidden",
        ),
    ],
)
def test_invalid_objects_name_the_field(
    fields: dict[str, Any], loc: tuple[Any, ...], error_type: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        OrderBatchObject.model_validate(order(**fields))
    error = caught.value.errors()[0]
    assert (error["loc"], error["type"]) == (loc, error_type)


@pytest.mark.parametrize("missing", ["customerId", "orderId", "orderDate", "totalPaid"])
def test_required_fields(missing: str) -> None:
    obj = order()
    del obj[missing]
    with pytest.raises(ValidationError) as caught:
        OrderBatchObject.model_validate(obj)
    assert caught.value.errors()[0]["loc"] == (missing,)


# -- money -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "quantity", "sub_total"),
    [
        ("19.99", "3", "59.97"),
        ("19.99", "1.5", "29.98"),  # 29.985: half-even keeps the 8 (half-up would give 29.99)
        ("0.125", "1", "0.12"),
        ("0.135", "1", "0.14"),
        ("1.005", "3", "3.02"),  # 3.015
        ("0.333", "3", "1.00"),  # 0.999
        ("0", "7", "0.00"),
        ("10", "2", "20.00"),
        # 30 significant digits: rounding the product to 28 digits first would give .00
        ("1000000000000.00500000000000001", "1", "1000000000000.01"),
    ],
)
def test_line_sub_total_rounds_half_even_to_cents(
    price: str, quantity: str, sub_total: str
) -> None:
    result = line_sub_total(Decimal(price), Decimal(quantity))
    assert str(result) == sub_total


def _exact_cents(price: Decimal, quantity: Decimal) -> Decimal:
    """Half-to-even rounding of the exact rational product, independent of decimal contexts."""
    cents = Fraction(price) * Fraction(quantity) * 100
    whole, rest = divmod(cents, 1)
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    return (Decimal(int(whole)) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


AMOUNT = st.decimals(min_value=0, max_value=10**9 - 1, places=8, allow_nan=False)
QUANTITY = st.integers(min_value=1, max_value=10**6).map(Decimal)


@PROPERTY
@given(price=AMOUNT, quantity=QUANTITY)
def test_line_sub_total_is_the_exact_product_rounded(price: Decimal, quantity: Decimal) -> None:
    OrderBatchObject.model_validate(
        order(lineItems=[{"name": "x", "quantity": quantity, "price": price}])
    )
    assert line_sub_total(price, quantity) == _exact_cents(price, quantity)


# -- creating orders ---------------------------------------------------------------------------


def test_an_order_is_registered_with_every_field(app: App, tenant: TenantInfo) -> None:
    results = apply(app, tenant, decode(ORDER_JSON))
    assert [(r.ok, r.item) for r in results] == [
        (True, {"orderId": "ORD-1", "customerId": "c-1", "message": "Order created successfully"})
    ]
    [stored] = orders(app, tenant)
    assert stored["resource_identifier"] == "ORD-1"
    assert stored["customer_identifier"] == "c-1"
    assert json.loads(stored["customer"]) == {"identifier": "c-1"}
    assert money(stored["total_gross"]) == "123456789012345.12345678"
    assert stored["total_net"] is None
    assert stored["currency"] == "USD"
    assert stored["payment_status"] == "paid"
    assert stored["fingerprint"] is None

    stored_lines = lines(app, tenant, stored["id"])
    assert [
        (
            line.get("sku"),
            line["name"],
            line["quantity"],
            line["price"]["currency"],
            line["price"]["gross"],
            line["subTotal"]["gross"],
        )
        for line in stored_lines
    ] == [
        ("TS-M", "T-shirt", "3", "USD", "19.99", "59.97"),
        (None, "Cheese", "2", "USD", "19.995", "39.99"),
        (None, "Gift wrap", "1", "USD", "0", "0.00"),
    ]

    # The mass-operation export shows the same order, amounts exact.
    with app.engine.connect() as connection:
        [exported] = list(order_operations(connection, tenant.id))
    assert exported.resourceIdentifier == "ORD-1"
    assert exported.createdAt == "2024-05-01T12:30:00.000000Z"
    assert exported.customer.identifier == "c-1"
    assert exported.paymentStatus == "paid"
    assert exported.total.currency == "USD"  # type: ignore[union-attr]
    assert str(exported.total.gross) == "123456789012345.12345678"  # type: ignore[union-attr]
    assert [
        (item.name, item.sku, str(item.quantity), str(item.price.gross), str(item.subTotal.gross))  # type: ignore[union-attr]
        for item in exported.cart
    ] == [
        ("T-shirt", "TS-M", "3", "19.99", "59.97"),
        ("Cheese", UNSET, "2", "19.995", "39.99"),
        ("Gift wrap", UNSET, "1", "0", "0.00"),
    ]


def test_currency_defaults_to_eur_and_line_items_are_optional(app: App, tenant: TenantInfo) -> None:
    results = apply(app, tenant, order(orderId="A"), order(orderId="B", lineItems=None))
    assert all(r.ok for r in results)
    stored = orders(app, tenant)
    assert [(o["resource_identifier"], o["currency"], money(o["total_gross"])) for o in stored] == [
        ("A", "EUR", "10.00"),
        ("B", "EUR", "10.00"),
    ]
    assert lines(app, tenant, stored[0]["id"]) == []
    with app.engine.connect() as connection:
        assert [op.cart for op in order_operations(connection, tenant.id)] == [[], []]


def test_order_date_is_stored_in_utc(app: App, tenant: TenantInfo) -> None:
    apply(
        app,
        tenant,
        order(orderId="tz", orderDate="2024-01-01T01:00:00+03:00"),
        order(orderId="naive", orderDate="2024-01-01T01:00:00"),
    )
    with app.engine.connect() as connection:
        created = {
            op.resourceIdentifier: op.createdAt for op in order_operations(connection, tenant.id)
        }
    assert created == {
        "tz": "2023-12-31T22:00:00.000000Z",
        "naive": "2024-01-01T01:00:00.000000Z",
    }


def test_negative_zero_is_stored_as_zero(app: App, tenant: TenantInfo) -> None:
    apply(app, tenant, order(totalPaid=Decimal("-0.00")))
    assert money(orders(app, tenant)[0]["total_gross"]) == "0.00"


def test_the_customer_record_is_not_touched(app: App, tenant: TenantInfo) -> None:
    apply(app, tenant, order())
    with app.engine.connect() as connection:
        count = connection.execute(
            sa.select(sa.func.count()).where(_customers.c.tenant_id == tenant.id)
        ).scalar_one()
    assert count == 0


# -- an orderId is used once --------------------------------------------------------------------


def test_a_stored_order_id_fails_and_the_order_is_left_as_it_was(
    app: App, tenant: TenantInfo
) -> None:
    apply(app, tenant, order(lineItems=[{"name": "Mug", "quantity": 1, "price": 10}]))
    [before] = orders(app, tenant)
    before_lines = lines(app, tenant, before["id"])

    results = apply(
        app,
        tenant,
        order(orderId="ORD-0"),
        order(totalPaid=Decimal("99.99"), customerId="c-2", lineItems=[]),
        order(orderId="ORD-2"),
    )
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].item == {
        "orderId": "ORD-1",
        "customerId": "c-2",
        "error": (
            f"Order 'ORD-1' already exists as order {before['id']}; it was not changed or "
            "duplicated. Use a new orderId for a new order."
        ),
    }
    after = {o["resource_identifier"]: o for o in orders(app, tenant)}
    assert sorted(after) == ["ORD-0", "ORD-1", "ORD-2"]
    assert after["ORD-1"] == before
    assert lines(app, tenant, before["id"]) == before_lines


def test_an_order_id_repeated_in_one_request_is_created_once(app: App, tenant: TenantInfo) -> None:
    results = apply(
        app,
        tenant,
        order(totalPaid=Decimal("1.00")),
        order(totalPaid=Decimal("2.00")),
        order(totalPaid=Decimal("1.00")),
    )
    [stored] = orders(app, tenant)
    assert [r.ok for r in results] == [True, False, False]
    assert results[1].item["error"] == (
        f"Order 'ORD-1' appears earlier in this request and was created there as order "
        f"{stored['id']}; this copy was not applied. Use a new orderId for a new order."
    )
    assert money(stored["total_gross"]) == "1.00"


def test_an_order_registered_by_a_mass_operation_counts_as_stored(
    app: App, tenant: TenantInfo
) -> None:
    with app.engine.begin() as connection:
        batch = OrderBatch(connection, tenant.id, "2024-01-01T00:00:00.000000Z")
        applied = batch.register(
            OrderInput(customer=CustomerInput(identifier="c-9"), cart=[]), "ORD-1"
        )
        bulk.execute(connection, batch.plan())
    [result] = apply(app, tenant, order())
    assert not result.ok
    assert applied.resource_id in result.item["error"]
    assert [o["customer_identifier"] for o in orders(app, tenant)] == ["c-9"]
