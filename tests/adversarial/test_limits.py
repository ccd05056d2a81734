"""Issue 10, points 1, 5 and 11 (invisible characters): inputs beyond Geode's limits
(docs/limits.md) are refused up front, with the path and a clear message, and nothing is
stored; on SQLite and PostgreSQL alike.

Each case was reproduced on `main`: it validated, then failed its task or job in the
store (PostgreSQL), or was stored without a word (SQLite).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from geode.api.rest.batch import parse_envelope
from geode.app import App
from geode.assembly.intents import intent_registry
from geode.errors import InvalidFileError, InvalidInputError
from geode.massops.validation import validate_file
from geode.tenants.service import TenantInfo
from tests.massops.operations import customer, order

LONG_KEY = "k" * 20_000


def with_cart_item(**fields: Any) -> dict[str, Any]:
    op = order("c1", resourceIdentifier="o-1")
    op["cart"][0].update(fields)
    return op


def with_total(**fields: Any) -> dict[str, Any]:
    op = order("c1", resourceIdentifier="o-1")
    op["total"].update(fields)
    return op


# (operation, JSON path of the problem, words the message must hold)
FILE_CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "ten-character currency is fine, 65 is too long": (
        with_total(currency="C" * 65),
        "$.operations[0].total.currency",
        "at most 64",
    ),
    "20,000-character identifier": (
        customer(LONG_KEY),
        "$.operations[0].identifier",
        "20,000 characters long; at most 256",
    ),
    "20,000-character resourceIdentifier": (
        order("c1", resourceIdentifier=LONG_KEY),
        "$.operations[0].resourceIdentifier",
        "at most 256",
    ),
    "gross 1e400": (with_total(gross=Decimal("1e400")), "$.operations[0].total.gross", "too large"),
    "30 decimal places": (
        with_total(gross=Decimal("1." + "1" * 30)),
        "$.operations[0].total.gross",
        "more than 8 decimal places",
    ),
    "negative price": (
        with_cart_item(price={"currency": "EUR", "gross": -5}),
        "$.operations[0].cart[0].price.gross",
        "too small",
    ),
    "quantity 1.5": (with_cart_item(quantity=1.5), "$.operations[0].cart[0].quantity", "whole"),
    "quantity 10^30": (
        with_cart_item(quantity=10**30),
        "$.operations[0].cart[0].quantity",
        "too large",
    ),
    "NUL in a name": (customer("c1", firstName="A\x00B"), "$.operations[0].firstName", "NUL"),
    "NUL in a meta value": (
        customer("c1", meta=[{"key": "k", "value": "x\x00"}]),
        "$.operations[0].meta[0].value",
        "NUL",
    ),
    "NUL in a payment field": (
        order("c1", payment=[{"provider": "cash", "cash": {"cash": "\x00"}}]),
        "$.operations[0].payment[0].cash.cash",
        "NUL",
    ),
    "lone surrogate in a name": (
        customer("c1", lastName="x\ud800y"),
        "$.operations[0].lastName",
        "unpaired UTF-16 surrogate",
    ),
    "lone low surrogate in an address": (
        customer("c1", addresses=[{"type": "billing", "city": "\udc00"}]),
        "$.operations[0].addresses[0].city",
        "unpaired UTF-16 surrogate",
    ),
    "U+200B in an identifier": (
        customer("a\u200bb"),
        "$.operations[0].identifier",
        "U+200B (ZERO WIDTH SPACE)",
    ),
    "U+202E in a customer identifier of an order": (
        order("evil\u202etxt.exe", resourceIdentifier="o-1"),
        "$.operations[0].customer.identifier",
        "U+202E",
    ),
    "U+FEFF in a meta key": (
        customer("c1", meta=[{"key": "\ufeffkey", "value": "v"}]),
        "$.operations[0].meta[0].key",
        "U+FEFF",
    ),
}


def write(path: Path, operations: list[dict[str, Any]]) -> Path:
    """As most tools write JSON: ASCII only, so NUL and surrogates travel as escapes."""
    text = json.dumps({"version": "0.0.1", "operations": operations}, default=str)
    path.write_text(text, encoding="utf-8")
    return path


def write_raw(path: Path, operations: list[dict[str, Any]]) -> Path:
    """Decimals as JSON numbers, exactly as written (1e400 does not fit a float)."""

    def encode(value: Any) -> str:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dict):
            return "{" + ",".join(f"{json.dumps(k)}:{encode(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ",".join(encode(v) for v in value) + "]"
        return json.dumps(value)

    path.write_text(encode({"version": "0.0.1", "operations": operations}), encoding="utf-8")
    return path


def count(app: App, table: str, tenant: TenantInfo) -> int:
    with app.engine.connect() as connection:
        return int(
            connection.scalar(
                sa.text(f"select count(*) from {table} where tenant_id = :t"), {"t": tenant.id}
            )
        )


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_a_mass_operation_file_beyond_the_limits_is_refused_up_front(
    case: str, app: App, tenant: TenantInfo, tmp_path: Path
) -> None:
    op, path, words = FILE_CASES[case]
    file = write_raw(tmp_path / "ops.json", [customer("fine"), op])
    with pytest.raises(InvalidFileError) as caught:
        app.massops.submit(tenant.id, file)
    problems = [(p["index"], p["path"], p["message"]) for p in caught.value.detail]
    expected_path = path.replace("operations[0]", "operations[1]")
    assert [(index, where) for index, where, _ in problems] == [(1, expected_path)], problems
    assert words in problems[0][2]
    assert count(app, "customers", tenant) == 0
    assert count(app, "orders", tenant) == 0


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_the_parallel_validation_agrees(case: str, tmp_path: Path) -> None:
    op, path, _ = FILE_CASES[case]
    ops = [customer(f"c{i}") for i in range(300)] + [op]
    file = write_raw(tmp_path / "ops.json", ops)
    sequential = validate_file(file, intent_registry, workers=1)
    parallel = validate_file(
        file, intent_registry, workers=2, parallel_min_bytes=0, chunk_size=4096
    )
    expected = path.replace("operations[0]", "operations[300]")
    assert [p.path for p in sequential.problems] == [expected]
    assert parallel.problems == sequential.problems


def test_values_at_the_limits_are_stored_on_both_databases(
    app: App, tenant: TenantInfo, tmp_path: Path
) -> None:
    key = "k" * 256
    op = order(key, resourceIdentifier="r" * 256)
    op["total"] = {"currency": "C" * 64, "gross": "999999999999999.99999999", "net": 0}
    op["cart"][0]["quantity"] = 1_000_000_000
    op["cart"][0]["sku"] = "s" * 256
    ops = [
        customer(key, firstName="\U0001f600 emoji and \u00e9", meta=[{"key": "m", "value": ""}]),
        op,
    ]
    task = app.massops.run(app.massops.submit(tenant.id, write(tmp_path / "ops.json", ops)).id)
    assert task.status == "complete", task
    with app.engine.connect() as connection:
        currency, gross = connection.execute(
            sa.text("select currency, total_gross from orders where tenant_id = :t"),
            {"t": tenant.id},
        ).one()
    assert currency == "C" * 64
    assert Decimal(str(gross)) == Decimal("999999999999999.99999999")


# -- the batch API -----------------------------------------------------------------------

BATCH_CASES: dict[str, tuple[str, list[dict[str, Any]], str]] = {
    "NUL in a customer name": (
        "customers",
        [{"customerId": "okk", "name": "Fine"}, {"customerId": "n1", "name": "A\u0000B"}],
        "body[1].name: text contains a NUL",
    ),
    "NUL in custom attributes": (
        "customers",
        [{"customerId": "okk"}, {"customerId": "n1", "custom": {"a": ["x\u0000"]}}],
        "body[1].custom: at a[0]: text contains a NUL",
    ),
    "20,000-character customerId": (
        "customers",
        [{"customerId": "okk"}, {"customerId": LONG_KEY}],
        "body[1].customerId: String should have at most 256 characters",
    ),
    "U+200B in a customerId": (
        "customers",
        [{"customerId": "okk"}, {"customerId": "a\u200bb"}],
        "body[1].customerId: contains the invisible character U+200B",
    ),
    "20,000-character transactionId on cashback": (
        "cashback",
        [
            {
                "customerId": "okk",
                "transactionId": LONG_KEY,
                "transactionTime": "2024-05-01T12:30:00Z",
                "amount": 10,
            }
        ],
        "body[0].transactionId: String should have at most 256 characters",
    ),
    "NUL in an event name": (
        "events",
        [{"customerId": "okk", "events": {"a\u0000": None}}],
        "[key]: text contains a NUL character",
    ),
    "U+202E in an orderId": (
        "orders",
        [{"customerId": "okk", "orderId": "x\u202e", "orderDate": "2024-05-01", "totalPaid": 1}],
        "body[0].orderId: contains the invisible character U+202E",
    ),
    "totalPaid 1e400": (
        "orders",
        [{"customerId": "okk", "orderId": "o", "orderDate": "2024-05-01", "totalPaid": "1e400"}],
        "body[0].totalPaid: 1E+400 is too large",
    ),
    "30 decimal places": (
        "orders",
        [
            {
                "customerId": "okk",
                "orderId": "o",
                "orderDate": "2024-05-01",
                "totalPaid": "1." + "1" * 30,
            }
        ],
        "more than 8 decimal places",
    ),
    "negative price": (
        "orders",
        [
            {
                "customerId": "okk",
                "orderId": "o",
                "orderDate": "2024-05-01",
                "totalPaid": 1,
                "lineItems": [{"name": "x", "quantity": 1, "price": -5}],
            }
        ],
        "body[0].lineItems[0].price: Input should be greater than or equal to 0",
    ),
    "quantity 1.5": (
        "orders",
        [
            {
                "customerId": "okk",
                "orderId": "o",
                "orderDate": "2024-05-01",
                "totalPaid": 1,
                "lineItems": [{"name": "x", "quantity": 1.5, "price": 1}],
            }
        ],
        "body[0].lineItems[0].quantity: 1.5 is not a whole number",
    ),
    "quantity 10^30": (
        "orders",
        [
            {
                "customerId": "okk",
                "orderId": "o",
                "orderDate": "2024-05-01",
                "totalPaid": 1,
                "lineItems": [{"name": "x", "quantity": 10**30, "price": 1}],
            }
        ],
        "body[0].lineItems[0].quantity: ",
    ),
}


def post(app: App, tenant: TenantInfo, type_: str, body: list[dict[str, Any]]) -> dict[str, Any]:
    """As `POST .../batch/{type}` does: parse the raw body, queue the job, run it."""
    raw = json.dumps({"body": body}).encode()
    job_id = app.batches.submit(tenant.id, type_, parse_envelope(raw))
    app.batches.run(job_id)
    return app.batches.status(tenant.id, job_id)


@pytest.mark.parametrize("case", list(BATCH_CASES))
def test_a_batch_object_beyond_the_limits_fails_alone_up_front(
    case: str, app: App, tenant: TenantInfo
) -> None:
    type_, body, words = BATCH_CASES[case]
    status = post(app, tenant, type_, body)
    assert status["status"] == "completed", status
    failed = status["response"]["failed"]
    assert len(failed) == 1 and words in failed[0]["error"], failed
    if type_ == "customers":  # the valid object of the batch is applied
        assert status["finishedCount"] == 1
        with app.engine.connect() as connection:
            stored = connection.scalars(
                sa.text("select identifier from customers where tenant_id = :t"),
                {"t": tenant.id},
            ).all()
        assert stored == ["okk"]
    if type_ == "orders":
        assert count(app, "orders", tenant) == 0


def test_a_lone_surrogate_in_a_batch_body_is_refused_naming_it() -> None:
    raw = b'{"body": [{"customerId": "a\\ud800b"}]}'
    with pytest.raises(InvalidInputError) as caught:
        parse_envelope(raw)
    assert "(byte 27) holds an unpaired surrogate escape" in str(caught.value)
