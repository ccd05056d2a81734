"""An order's stored rows and its input form convert both ways without loss."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geode.assembly.intents import intent_registry
from geode.massops.references import read_path
from geode.orders.documents import (
    DETACHABLE,
    ORDER_COLUMNS,
    OrderRow,
    build_order,
    content_hash,
    detach_documents,
    order_document,
    order_output,
)
from geode.orders.schemas import OrderDocument, OrderFields

ORDER_ID = "0123456789abcdef01234567"
OTHER_ID = "89abcdef0123456789abcdef"
CREATED = "2024-05-01T12:30:00.000000Z"
NOW = "2024-06-01T08:00:00.000000Z"
PROPERTY = settings(max_examples=150, deadline=None)


def raw_order() -> dict[str, Any]:
    """An order/upsert using most fields, money as JSON numbers/strings as users write it."""
    return {
        "intent": "order/upsert",
        "_ref": "o1",
        "id": ORDER_ID,
        "resourceIdentifier": "web-1001",
        "customer": {"identifier": "c-1", "firstName": "Ann", "email": "ann@example.com"},
        "cart": [
            {
                "name": "Mug",
                "sku": "mug-1",
                "quantity": 2,
                "price": {"currency": "EUR", "gross": Decimal("75.05"), "net": Decimal("60.04")},
                "subTotal": {
                    "currency": "EUR",
                    "gross": Decimal("150.10"),
                    "net": Decimal("120.08"),
                },
                "meta": [{"key": "colour", "value": "blue"}],
                "type": "standard",
            },
            {
                "name": "Shipping",
                "quantity": "1",
                "price": {"currency": "EUR", "gross": "0.00"},
                "type": "shipping",
                "group": "fees",
            },
        ],
        "total": {"currency": "EUR", "gross": Decimal("150.10"), "net": Decimal("120.08")},
        "payment": [{"provider": "cash", "cash": {"cash": "till 3"}}],
        "paymentStatus": "paid",
        "type": "standard",
        "meta": [{"key": "channel", "value": "web"}],
        "appliedPromotions": [
            {
                "identifier": "p1",
                "name": "Spring",
                "mechanism": {"type": "percentage", "value": "10"},
            }
        ],
        "relatedOrderIds": [OTHER_ID],
        "additionalInformation": "leave at the door",
        "stockLocationIdentifier": "wh-1",
    }


def decode(raw: dict[str, Any]) -> Any:
    return msgspec.convert(raw, intent_registry.operation)


def build(
    data: OrderFields,
    *,
    tenant_id: str = "tenant-a",
    order_id: str = ORDER_ID,
    resource_identifier: str | None = "web-1001",
    fingerprint: str | None = None,
    created_at: str = CREATED,
    now: str = NOW,
    documents: dict[str, str] | None = None,
) -> OrderRow:
    return build_order(
        data,
        tenant_id=tenant_id,
        order_id=order_id,
        resource_identifier=resource_identifier,
        fingerprint=fingerprint,
        created_at=created_at,
        now=now,
        documents=documents,
    )


def round_trip(data: OrderFields) -> OrderDocument:
    row = build(data)
    return order_document(row, row["created_at"])


def hash_of(raw: dict[str, Any], **keys: Any) -> str:
    row = build(decode(raw), **keys)
    return str(row["content_hash"])


# -- build_order ------------------------------------------------------------------------


def test_build_order_row_has_every_column_and_exact_money_text() -> None:
    row = build(decode(raw_order()))
    assert set(row) == set(ORDER_COLUMNS)
    assert row["tenant_id"] == "tenant-a"
    assert row["id"] == ORDER_ID
    assert row["resource_identifier"] == "web-1001"
    assert row["customer_identifier"] == "c-1"
    assert row["total_gross"] == "150.10"
    assert row["total_net"] == "120.08"
    assert row["currency"] == "EUR"
    assert row["payment_status"] == "paid"
    assert row["type"] == "standard"
    assert row["additional_information"] == "leave at the door"
    assert row["stock_location_identifier"] == "wh-1"
    assert row["created_at"] == CREATED
    assert row["updated_at"] == NOW
    assert len(json.loads(row["cart"])) == 2


def test_build_order_cart_keeps_line_order_and_money_as_exact_text() -> None:
    first, second = json.loads(build(decode(raw_order()))["cart"])
    assert first["sku"] == "mug-1"
    assert first["name"] == "Mug"
    assert first["quantity"] == "2"
    assert first["price"] == {"currency": "EUR", "gross": "75.05", "net": "60.04"}
    assert first["subTotal"] == {"currency": "EUR", "gross": "150.10", "net": "120.08"}
    assert "sku" not in second
    assert second["name"] == "Shipping"
    assert second["price"] == {"currency": "EUR", "gross": "0.00"}
    assert "subTotal" not in second


def test_build_order_with_an_empty_cart_stores_an_empty_one() -> None:
    raw = raw_order()
    raw["cart"] = []
    assert build(decode(raw))["cart"] == "[]"


def test_build_order_without_total_leaves_money_columns_empty() -> None:
    raw = raw_order()
    del raw["total"]
    row = build(decode(raw))
    assert (row["total"], row["total_gross"], row["total_net"], row["currency"]) == (
        None,
        None,
        None,
        None,
    )


def test_money_columns_never_use_exponents() -> None:
    raw = raw_order()
    raw["total"] = {"currency": "EUR", "gross": Decimal("1E+3"), "net": Decimal("1E-2")}
    row = build(decode(raw))
    assert (row["total_gross"], row["total_net"]) == ("1000", "0.01")


# -- order_document: the round trip -----------------------------------------------------


def test_round_trip_gives_back_every_field() -> None:
    raw = raw_order()
    data = decode(raw)
    document = round_trip(data)
    assert isinstance(document, OrderDocument)
    expected = msgspec.to_builtins(data)
    for key in ("intent", "_ref"):
        expected.pop(key)
    assert msgspec.to_builtins(document) == expected | {"createdAt": CREATED}


def test_round_trip_keeps_money_exact() -> None:
    document = round_trip(decode(raw_order()))
    assert document.total.gross == Decimal("150.10")  # type: ignore[union-attr]
    assert str(document.total.gross) == "150.10"  # type: ignore[union-attr]
    mug, shipping = document.cart
    assert str(mug.price.gross) == "75.05"  # type: ignore[union-attr]
    assert str(mug.subTotal.gross) == "150.10"  # type: ignore[union-attr]
    assert str(shipping.price.gross) == "0.00"  # type: ignore[union-attr]
    assert mug.quantity == Decimal("2")
    assert str(document.appliedPromotions[0].mechanism.value) == "10"  # type: ignore[index]


def test_round_trip_puts_lines_back_in_position_order() -> None:
    document = round_trip(decode(raw_order()))
    assert [item.name for item in document.cart] == ["Mug", "Shipping"]


def test_round_trip_without_resource_identifier_or_optional_fields() -> None:
    raw = {"intent": "order/upsert", "customer": {"identifier": "c-9"}, "cart": []}
    data = decode(raw)
    row = build(data, resource_identifier=None)
    document = order_document(row, row["created_at"])
    assert msgspec.to_builtins(document) == {
        "customer": {"identifier": "c-9"},
        "cart": [],
        "createdAt": CREATED,
        "id": ORDER_ID,
    }


def test_order_document_uses_the_given_created_at() -> None:
    row = build(decode(raw_order()))
    document = order_document(row, "2020-01-01T00:00:00.000000Z")
    assert document.createdAt == "2020-01-01T00:00:00.000000Z"


def test_rebuilding_from_the_document_keeps_the_content_hash() -> None:
    # This is what makes a re-import (or an order/update that changes nothing) `unchanged`.
    row = build(decode(raw_order()))
    document = order_document(row, row["created_at"])
    again = build(document, now="2030-01-01T00:00:00.000000Z")
    assert again["content_hash"] == row["content_hash"]
    assert again["cart"] == row["cart"]


# -- detach_documents -------------------------------------------------------------------


def test_detached_documents_build_the_same_row() -> None:
    # The validation pass detaches an order's documents; the run builds the row from
    # what is left and the detached text. Any difference would make re-runs `updated`.
    whole = build(decode(raw_order()))
    data = decode(raw_order())
    documents = detach_documents(data)
    assert documents is not None and set(documents) == set(DETACHABLE) - {"pipelines"}
    assert data.cart == [] and data.payment is msgspec.UNSET
    assert build(data, documents=documents) == whole


def test_detaching_keeps_the_fields_asked_for_and_the_absent_ones() -> None:
    raw = raw_order()
    del raw["meta"]
    raw["appliedPromotions"] = None
    data = decode(raw)
    documents = detach_documents(data, keep={"cart"})
    assert documents is not None and set(documents) == {"payment", "relatedOrderIds"}
    assert len(data.cart) == 2 and data.appliedPromotions is None
    assert build(data, documents=documents) == build(decode(raw))


def test_an_order_without_documents_detaches_nothing() -> None:
    data = decode(
        {"intent": "order/upsert", "id": ORDER_ID, "customer": {"identifier": "c"}, "cart": []}
    )
    assert detach_documents(data, keep={"cart"}) is None


MONEY = st.decimals(min_value=0, max_value=10**12, allow_nan=False, allow_infinity=False, places=4)


@PROPERTY
@given(gross=MONEY, net=MONEY, quantity=st.integers(min_value=0, max_value=10**9).map(Decimal))
def test_round_trip_keeps_any_amount_digit_for_digit(
    gross: Decimal, net: Decimal, quantity: Decimal
) -> None:
    raw = raw_order()
    raw["total"] = {"currency": "EUR", "gross": gross, "net": net}
    raw["cart"][0]["price"] = {"currency": "EUR", "gross": gross}
    raw["cart"][0]["quantity"] = quantity
    document = round_trip(decode(raw))
    assert document.total.gross.as_tuple() == gross.as_tuple()  # type: ignore[union-attr]
    assert document.total.net.as_tuple() == net.as_tuple()  # type: ignore[union-attr]
    assert document.cart[0].price.gross.as_tuple() == gross.as_tuple()  # type: ignore[union-attr]
    assert document.cart[0].quantity.as_tuple() == quantity.as_tuple()


# -- content_hash -----------------------------------------------------------------------


def test_content_hash_is_stable() -> None:
    first = hash_of(raw_order())
    assert hash_of(raw_order()) == first
    assert hash_of(raw_order(), now="2031-01-01T00:00:00.000000Z") == first
    assert hash_of(raw_order(), tenant_id="tenant-b") == first


def test_content_hash_ignores_the_ref_and_key_order_of_the_input() -> None:
    raw = raw_order()
    reordered = dict(reversed(list(raw.items())))
    reordered["_ref"] = "another-name"
    reordered["cart"] = [dict(reversed(list(item.items()))) for item in raw["cart"]]
    assert hash_of(reordered) == hash_of(raw)


def test_content_hash_function_matches_the_stored_one() -> None:
    row = build(decode(raw_order()))
    assert content_hash(row) == row["content_hash"]


Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[str | int, ...], value: object) -> Mutation:
    def mutate(raw: dict[str, Any]) -> None:
        node: Any = raw
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _delete(path: tuple[str | int, ...]) -> Mutation:
    def mutate(raw: dict[str, Any]) -> None:
        node: Any = raw
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return mutate


def _swap_lines(raw: dict[str, Any]) -> None:
    raw["cart"].reverse()


def _add_line(raw: dict[str, Any]) -> None:
    raw["cart"].append({"name": "Spoon", "quantity": 1})


def _drop_line(raw: dict[str, Any]) -> None:
    raw["cart"].pop()


LINE_CHANGES: dict[str, Mutation] = {
    "name": _set(("cart", 0, "name"), "Cup"),
    "sku": _set(("cart", 0, "sku"), "mug-2"),
    "sku removed": _delete(("cart", 0, "sku")),
    "quantity": _set(("cart", 0, "quantity"), 3),
    "price gross": _set(("cart", 0, "price", "gross"), Decimal("75.06")),
    "price net": _set(("cart", 0, "price", "net"), Decimal("60.05")),
    "price currency": _set(("cart", 0, "price", "currency"), "USD"),
    "subTotal gross": _set(("cart", 0, "subTotal", "gross"), Decimal("150.11")),
    "subTotal net": _set(("cart", 0, "subTotal", "net"), Decimal("120.09")),
    "meta value": _set(("cart", 0, "meta", 0, "value"), "red"),
    "type": _set(("cart", 0, "type"), "digital"),
    "group": _set(("cart", 1, "group"), "other"),
    "productId": _set(("cart", 0, "productId"), OTHER_ID),
    "imageUrl": _set(("cart", 0, "imageUrl"), "https://example.com/mug.png"),
    "order of lines": _swap_lines,
    "line added": _add_line,
    "line removed": _drop_line,
}
ORDER_CHANGES: dict[str, Mutation] = {
    "total gross": _set(("total", "gross"), Decimal("150.11")),
    "total net": _set(("total", "net"), Decimal("120.07")),
    "total currency": _set(("total", "currency"), "USD"),
    "total removed": _delete(("total",)),
    "total tax": _set(("total", "tax"), {"name": "VAT", "percent": "25"}),
    "customer identifier": _set(("customer", "identifier"), "c-2"),
    "customer name": _set(("customer", "firstName"), "Anna"),
    "payment": _set(("payment", 0, "cash", "cash"), "till 4"),
    "paymentStatus": _set(("paymentStatus",), "unpaid"),
    "type": _set(("type",), "test"),
    "meta": _set(("meta", 0, "value"), "shop"),
    "appliedPromotions": _set(("appliedPromotions", 0, "mechanism", "value"), "15"),
    "relatedOrderIds": _set(("relatedOrderIds",), []),
    "pipelines": _set(("pipelines",), [{"pipelineId": "p", "stageId": "s"}]),
    "additionalInformation": _set(("additionalInformation",), "ring twice"),
    "additionalInformation removed": _delete(("additionalInformation",)),
    "stockLocationIdentifier": _set(("stockLocationIdentifier",), "wh-2"),
}


@pytest.mark.parametrize("change", list(LINE_CHANGES), ids=lambda c: f"line:{c}")
def test_content_hash_changes_with_any_line_field(change: str) -> None:
    raw = raw_order()
    changed = copy.deepcopy(raw)
    LINE_CHANGES[change](changed)
    assert hash_of(changed) != hash_of(raw)


@pytest.mark.parametrize("change", list(ORDER_CHANGES), ids=lambda c: f"order:{c}")
def test_content_hash_changes_with_any_order_field(change: str) -> None:
    raw = raw_order()
    changed = copy.deepcopy(raw)
    if change == "pipelines":  # only order/register (and stored documents) carry pipelines
        for order in (raw, changed):
            order["intent"] = "order/register"
            del order["id"]
    ORDER_CHANGES[change](changed)
    assert hash_of(changed) != hash_of(raw)


@pytest.mark.parametrize(
    "keys",
    [
        {"order_id": OTHER_ID},
        {"resource_identifier": "web-1002"},
        {"resource_identifier": None},
        {"fingerprint": "f" * 40},
        {"created_at": "2024-05-01T12:30:00.000001Z"},
    ],
)
def test_content_hash_changes_with_the_order_keys(keys: dict[str, Any]) -> None:
    assert hash_of(raw_order(), **keys) != hash_of(raw_order())


@pytest.mark.parametrize("field", ["additionalInformation", "stockLocationIdentifier"])
def test_content_hash_tells_null_from_the_text_none(field: str) -> None:
    raw = raw_order()
    raw.pop(field)
    changed = copy.deepcopy(raw)
    changed[field] = "None"
    assert hash_of(changed) != hash_of(raw)


# -- order_output -----------------------------------------------------------------------


def test_order_output_fields() -> None:
    row = build(decode(raw_order()))
    assert order_output(row) == {
        "id": ORDER_ID,
        "resourceIdentifier": "web-1001",
        "createdAt": CREATED,
        "customer": {"identifier": "c-1"},
        "total": {"gross": "150.10", "net": "120.08", "currency": "EUR"},
        "paymentStatus": "paid",
        "type": "standard",
    }


def test_order_output_without_total_or_status() -> None:
    raw = raw_order()
    for key in ("total", "paymentStatus", "type"):
        del raw[key]
    row = build(decode(raw), resource_identifier=None)
    output = order_output(row)
    assert output["total"] == {"gross": None, "net": None, "currency": None}
    assert output["resourceIdentifier"] is None
    assert output["paymentStatus"] is None
    assert output["type"] is None


@pytest.mark.parametrize("intent", ["order/register", "order/update", "order/upsert"])
def test_every_field_a_template_may_read_is_in_the_order_output(intent: str) -> None:
    row = build(decode(raw_order()))
    output = order_output(row)
    for dotted in intent_registry.outputs[intent]:
        assert read_path(output, dotted) is not None, dotted
