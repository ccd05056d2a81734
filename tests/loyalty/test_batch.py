"""The four loyalty batch types, as the runner drives them: validated objects in, items out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, ValidationError

from geode.app import App
from geode.batches.handler import BatchHandler
from geode.loyalty.batch import (
    BalanceAdjustmentHandler,
    BalanceInquiryHandler,
    CashbackHandler,
    RedeemHandler,
)
from geode.loyalty.schemas import BalanceAdjustment, BalanceInquiry, Cashback, Redeem
from geode.tenants.service import TenantInfo
from tests.loyalty.conftest import AddCustomers, Apply, decode

INQUIRY = BalanceInquiryHandler()
ADJUST = BalanceAdjustmentHandler()
CASHBACK = CashbackHandler()
REDEEM = RedeemHandler()
WHEN = "2024-05-01T12:30:00+02:00"


def cashback(customer: str, txn: str, amount: Any) -> dict[str, Any]:
    return {"customerId": customer, "transactionId": txn, "transactionTime": WHEN, "amount": amount}


def redeem(customer: str, txn: str, **fields: Any) -> dict[str, Any]:
    return {"customerId": customer, "transactionId": txn, "transactionTime": WHEN, **fields}


def adjust(customer: str, amount: int, **fields: Any) -> dict[str, Any]:
    return {"customerId": customer, "amount": amount, "reason": "goodwill", **fields}


def inquire(apply: Apply, *customers: str) -> list[tuple[bool, dict[str, Any]]]:
    return apply(INQUIRY, [{"customerId": c} for c in customers])


def test_handlers_declare_their_batch_type() -> None:
    handlers: list[BatchHandler] = [INQUIRY, ADJUST, CASHBACK, REDEEM]
    assert [(h.type, h.operation, h.key_fields, h.schema) for h in handlers] == [
        ("balance-inquiry", "Balance Inquiry Batch Job", ("customerId",), BalanceInquiry),
        ("balance-adjustment", "Balance Adjustment Batch Job", ("customerId",), BalanceAdjustment),
        ("cashback", "Cashback Reward Batch Job", ("customerId", "transactionId"), Cashback),
        ("redeem", "Redemption Batch Job", ("customerId", "transactionId"), Redeem),
    ]


def test_inquiry_item_is_exactly_the_balance(apply: Apply, add_customers: AddCustomers) -> None:
    add_customers("c1", "c2")
    apply(CASHBACK, [cashback("c1", "t1", Decimal("1234.99"))])
    assert inquire(apply, "c1", "c2") == [
        (
            True,
            {
                "customerId": "c1",
                "pointsBalance": 1234,
                "pointsValue": Decimal("12.34"),
                "currency": "EUR",
            },
        ),
        (
            True,
            {
                "customerId": "c2",
                "pointsBalance": 0,
                "pointsValue": Decimal("0.00"),
                "currency": "EUR",
            },
        ),
    ]
    ((_, item),) = inquire(apply, "c1")
    assert str(item["pointsValue"]) == "12.34"  # a Decimal with cents, never a float


def test_inquiry_uses_the_stored_program(
    app: App, tenant: TenantInfo, apply: Apply, add_customers: AddCustomers
) -> None:
    from geode.loyalty.service import set_program

    add_customers("c1")
    apply(ADJUST, [adjust("c1", 3)])
    with app.engine.begin() as connection:
        set_program(connection, tenant.id, earn_rate=1, point_value="0.005", currency="USD")
    # 3 x 0.005 = 0.015, half-even to 0.02
    assert inquire(apply, "c1") == [
        (
            True,
            {
                "customerId": "c1",
                "pointsBalance": 3,
                "pointsValue": Decimal("0.02"),
                "currency": "USD",
            },
        )
    ]


def test_unknown_customers_fail_for_every_type(apply: Apply, add_customers: AddCustomers) -> None:
    add_customers("c1")
    error = "no customer with customerId 'ghost'; create it with the customers batch type first"
    assert inquire(apply, "ghost", "c1")[0] == (False, {"customerId": "ghost", "error": error})
    assert apply(ADJUST, [adjust("ghost", 5)]) == [(False, {"customerId": "ghost", "error": error})]
    assert apply(CASHBACK, [cashback("ghost", "t1", 5)]) == [
        (False, {"customerId": "ghost", "transactionId": "t1", "error": error})
    ]
    assert apply(REDEEM, [redeem("ghost", "r1", points=1)]) == [
        (False, {"customerId": "ghost", "transactionId": "r1", "error": error})
    ]


def test_cashback_earns_points_rounded_down(
    app: App, tenant: TenantInfo, apply: Apply, add_customers: AddCustomers
) -> None:
    add_customers("c1")
    results = apply(
        CASHBACK, [cashback("c1", "t1", Decimal("12.99")), cashback("c1", "t2", Decimal("0.99"))]
    )
    assert results == [
        (
            True,
            {
                "customerId": "c1",
                "transactionId": "t1",
                "message": "earned 12 points; balance is now 12",
            },
        ),
        (
            True,
            {
                "customerId": "c1",
                "transactionId": "t2",
                "message": "earned 0 points; balance is now 12",
            },
        ),
    ]
    with app.engine.connect() as connection:
        stored = connection.execute(
            sa.text(
                "select transaction_time, amount from loyalty_entries "
                "where tenant_id = :t and transaction_id = 't1'"
            ),
            {"t": tenant.id},
        ).one()
    # Stored exactly, and the time in UTC.
    assert Decimal(str(stored.amount)) == Decimal("12.99")
    assert "10:30:00" in str(stored.transaction_time)


def test_redeem_by_amount_rounds_up_and_by_points_is_exact(
    apply: Apply, add_customers: AddCustomers
) -> None:
    add_customers("c1")
    apply(ADJUST, [adjust("c1", 1000)])
    results = apply(
        REDEEM,
        [
            redeem("c1", "r1", amount=Decimal("1.005")),  # 100.5 points -> 101
            redeem("c1", "r2", points=99, holdReference="hold-1"),
        ],
    )
    assert [item["message"] for _, item in results] == [
        "redeemed 101 points; balance is now 899",
        "redeemed 99 points; balance is now 800",
    ]


def test_redeem_never_overdraws_and_says_why(apply: Apply, add_customers: AddCustomers) -> None:
    add_customers("c1")
    apply(ADJUST, [adjust("c1", 50)])
    ((ok, item),) = apply(REDEEM, [redeem("c1", "r1", amount=Decimal("0.51"))])
    assert not ok
    assert item == {
        "customerId": "c1",
        "transactionId": "r1",
        "error": "insufficient points: the balance is 50 points and this redeem asks for 51 points "
        "(amount 0.51 EUR at 0.01 EUR per point, rounded up); the balance cannot go below zero",
    }
    ((ok, item),) = apply(ADJUST, [adjust("c1", -51)])
    assert not ok and "the balance is 50 points" in item["error"]
    assert inquire(apply, "c1")[0][1]["pointsBalance"] == 50


def test_objects_of_a_slice_apply_in_order(apply: Apply, add_customers: AddCustomers) -> None:
    add_customers("c1")
    results = apply(
        ADJUST,
        [
            adjust("c1", -10),
            adjust("c1", 100),
            adjust("c1", -60),
            adjust("c1", -60),
            adjust("c1", -40),
        ],
    )
    assert [ok for ok, _ in results] == [False, True, True, False, True]
    assert results[1][1]["message"] == "adjusted the balance by +100 points; balance is now 100"
    assert results[2][1]["message"] == "adjusted the balance by -60 points; balance is now 40"
    assert "the balance is 40 points" in results[3][1]["error"]
    assert inquire(apply, "c1")[0][1]["pointsBalance"] == 0


def test_replay_succeeds_without_changes_and_conflict_fails(
    app: App, tenant: TenantInfo, apply: Apply, add_customers: AddCustomers
) -> None:
    add_customers("c1", "c2")
    first = apply(CASHBACK, [cashback("c1", "t1", Decimal("40.00"))])
    assert first[0][0]
    replay = apply(
        CASHBACK,
        [cashback("c1", "t1", 40), cashback("c2", "t1", 40), cashback("c1", "t1", Decimal("41"))],
    )
    assert replay[0] == (
        True,
        {
            "customerId": "c1",
            "transactionId": "t1",
            "message": "already recorded: transactionId 't1' earned 40 points; nothing changed",
        },
    )
    assert replay[1][0] is False and replay[2][0] is False
    assert (
        "already recorded as a cashback with customerId 'c1' and amount 40.00"
        in replay[1][1]["error"]
    )
    assert "this one has customerId 'c2' and amount 40" in replay[1][1]["error"]
    assert "this one has customerId 'c1' and amount 41" in replay[2][1]["error"]
    with app.engine.connect() as connection:
        count = connection.execute(
            sa.text("select count(*) from loyalty_entries where tenant_id = :t"), {"t": tenant.id}
        ).scalar_one()
    assert count == 1
    assert inquire(apply, "c1", "c2")[0][1]["pointsBalance"] == 40


def test_redeem_replay_after_balance_moved_still_succeeds(
    apply: Apply, add_customers: AddCustomers
) -> None:
    add_customers("c1")
    apply(ADJUST, [adjust("c1", 100)])
    apply(REDEEM, [redeem("c1", "r1", points=80)])
    # The balance is 20 now: a replay of r1 must not be judged as a new 80-point redeem.
    ((ok, item),) = apply(REDEEM, [redeem("c1", "r1", points=80)])
    assert (
        ok
        and item["message"]
        == "already recorded: transactionId 'r1' redeemed 80 points; nothing changed"
    )
    assert inquire(apply, "c1")[0][1]["pointsBalance"] == 20


def test_adjustment_with_transaction_id_is_idempotent(
    apply: Apply, add_customers: AddCustomers
) -> None:
    add_customers("c1")
    results = apply(
        ADJUST,
        [
            adjust("c1", 10, transactionId="a1"),
            adjust("c1", 10, transactionId="a1"),
            adjust("c1", 10),
        ],
    )
    assert [item["message"] for _, item in results] == [
        "adjusted the balance by +10 points; balance is now 10",
        "already recorded: transactionId 'a1' adjusted the balance by +10 points; nothing changed",
        "adjusted the balance by +10 points; balance is now 20",
    ]


@pytest.mark.parametrize(
    ("schema", "obj", "message"),
    [
        (Redeem, redeem("c1", "r1"), "exactly one of points"),
        (Redeem, redeem("c1", "r1", points=1, amount=1), "exactly one of points"),
        (Redeem, redeem("c1", "r1", points=0), "greater than 0"),
        (Redeem, redeem("c1", "r1", points="5"), "valid integer"),
        (Cashback, cashback("c1", "t1", 0), "greater than 0"),
        (Cashback, cashback("c1", "t1", 1.5), "not a binary float"),
        (Cashback, cashback("c1", "t1", Decimal("0.000000001")), "decimal places"),
        (Cashback, {**cashback("c1", "t1", 1), "extra": 1}, "Extra inputs"),
        (BalanceAdjustment, adjust("c1", 0), "must not be zero"),
        (BalanceAdjustment, adjust("c1", 5, reason="  "), "must not be blank"),
        (BalanceAdjustment, {"customerId": "c1", "amount": 5}, "reason"),
        (BalanceInquiry, {"customerId": ""}, "at least 1 character"),
    ],
)
def test_schemas_refuse_invalid_objects(
    schema: type[BaseModel], obj: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        schema.model_validate(obj)


@pytest.mark.parametrize("schema", [BalanceInquiry, BalanceAdjustment, Cashback, Redeem])
def test_schema_examples_are_valid_objects(schema: type[BaseModel]) -> None:
    documented = schema.model_json_schema()
    assert documented["additionalProperties"] is False
    assert all(field.get("description") for name, field in documented["properties"].items())
    for example in documented["examples"]:
        schema.model_validate(decode(example))
