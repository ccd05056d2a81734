"""The ledger service on SQLite and PostgreSQL: programs, posting, balances, history."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App
from geode.errors import InvalidInputError, NotFoundError
from geode.loyalty import service
from geode.loyalty.ledger import Kind, LedgerRequest, Outcome, Posted, Refused
from geode.tenants.service import TenantInfo
from tests.loyalty.conftest import AddCustomers


def post(app: App, tenant: TenantInfo, *requests: LedgerRequest) -> list[Outcome]:
    with app.engine.begin() as connection:
        return service.post(connection, tenant.id, requests)


def cashback(customer: str, txn: str, amount: str) -> LedgerRequest:
    return LedgerRequest(
        Kind.CASHBACK,
        customer,
        amount=Decimal(amount),
        transaction_id=txn,
        transaction_time="2024-05-01T12:00:00.000000Z",
    )


def redeem(
    customer: str, txn: str, *, points: int | None = None, amount: str | None = None
) -> LedgerRequest:
    return LedgerRequest(
        Kind.REDEEM,
        customer,
        points=points,
        amount=None if amount is None else Decimal(amount),
        transaction_id=txn,
        transaction_time="2024-05-01T12:00:00.000000Z",
    )


def adjust(customer: str, points: int, txn: str | None = None) -> LedgerRequest:
    return LedgerRequest(
        Kind.ADJUSTMENT, customer, points=points, transaction_id=txn, reason="test"
    )


def balance(app: App, tenant: TenantInfo, customer: str) -> int:
    with app.engine.connect() as connection:
        return service.get_balance(connection, tenant.id, customer).points


def entries(app: App, tenant: TenantInfo, customer: str) -> list[dict[str, Any]]:
    with app.engine.connect() as connection:
        return service.list_entries(connection, tenant.id, customer, limit=1000)


def ledger_rows(app: App, tenant: TenantInfo) -> list[Sequence[Any]]:
    with app.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                sa.text("select * from loyalty_entries where tenant_id = :t order by id"),
                {"t": tenant.id},
            )
        ]


def test_program_defaults_until_one_is_stored(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        assert service.get_program(connection, tenant.id) == service.DEFAULT_PROGRAM
        service.set_program(
            connection, tenant.id, earn_rate=Decimal("1.5"), point_value="0.03", currency="USD"
        )
        assert service.get_program(connection, tenant.id) == service.Program(
            Decimal("1.5"), Decimal("0.03"), "USD"
        )
        service.set_program(connection, tenant.id, earn_rate=2, point_value="0.5", currency="GBP")
        assert service.get_program(connection, tenant.id) == service.Program(
            Decimal("2"), Decimal("0.5"), "GBP"
        )


def test_set_program_refuses_invalid_rules(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection, pytest.raises(InvalidInputError, match="point value"):
        service.set_program(connection, tenant.id, earn_rate=1, point_value=0, currency="EUR")


def test_earn_rounds_down_and_redeem_by_amount_rounds_up(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1")
    with app.engine.begin() as connection:
        service.set_program(
            connection, tenant.id, earn_rate="1.5", point_value="0.03", currency="EUR"
        )
    # 10.99 x 1.5 = 16.485 -> 16; 1.00 / 0.03 = 33.33 -> 34.
    assert post(app, tenant, cashback("c1", "t1", "10.99")) == [Posted(16, 16)]
    assert post(app, tenant, redeem("c1", "t2", amount="0.40")) == [Posted(-14, 2)]
    assert post(app, tenant, adjust("c1", 32)) == [Posted(32, 34)]
    assert post(app, tenant, redeem("c1", "t3", amount="1.00")) == [Posted(-34, 0)]
    assert balance(app, tenant, "c1") == 0


def test_balance_never_goes_below_zero(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1")
    post(app, tenant, adjust("c1", 100))
    outcomes = post(
        app,
        tenant,
        redeem("c1", "r1", points=101),
        redeem("c1", "r2", amount="1.01"),  # 101 points at 0.01
        adjust("c1", -101),
        redeem("c1", "r3", points=100),
        adjust("c1", -1),
    )
    assert all(isinstance(o, Refused) for o in outcomes[:3])
    assert outcomes[3] == Posted(-100, 0)
    assert isinstance(outcomes[4], Refused)
    assert isinstance(outcomes[0], Refused) and "balance is 100 points" in outcomes[0].error
    assert "asks for 101 points" in outcomes[0].error
    assert (
        isinstance(outcomes[1], Refused)
        and "amount 1.01 EUR at 0.01 EUR per point" in outcomes[1].error
    )
    assert balance(app, tenant, "c1") == 0


def test_requests_of_a_slice_apply_in_order(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1", "c2")
    outcomes = post(
        app,
        tenant,
        redeem("c1", "r0", points=10),  # nothing earned yet
        cashback("c1", "t1", "50"),
        redeem("c1", "r1", points=30),  # sees the cashback just before
        redeem("c1", "r2", points=30),  # sees the redeem just before: 20 left
        cashback("c2", "t1", "5"),  # same transactionId, other customer: a conflict
    )
    assert isinstance(outcomes[0], Refused)
    assert outcomes[1:4] == [Posted(50, 50), Posted(-30, 20), outcomes[3]]
    assert isinstance(outcomes[3], Refused) and "balance is 20 points" in outcomes[3].error
    assert isinstance(outcomes[4], Refused) and "already recorded" in outcomes[4].error
    assert balance(app, tenant, "c1") == 20
    assert balance(app, tenant, "c2") == 0


def test_replay_changes_nothing_and_conflicts_are_refused(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1", "c2")
    assert post(app, tenant, cashback("c1", "t1", "25.50")) == [Posted(25, 25)]
    before = ledger_rows(app, tenant)

    # 25.5 is the same amount as 25.50: a replay, from a later slice and within one.
    again = post(app, tenant, cashback("c1", "t1", "25.5"), cashback("c1", "t1", "25.50"))
    assert again == [Posted(25, 25, replay=True)] * 2
    conflicts = post(app, tenant, cashback("c1", "t1", "26"), cashback("c2", "t1", "25.50"))
    assert all(isinstance(o, Refused) for o in conflicts)
    assert isinstance(conflicts[0], Refused)
    assert conflicts[0].error == (
        "transactionId 't1' is already recorded as a cashback with customerId 'c1' and "
        "amount 25.50; this one has customerId 'c1' and amount 26. "
        "Send a new transactionId for a new transaction"
    )
    assert ledger_rows(app, tenant) == before
    assert balance(app, tenant, "c1") == 25


def test_redeem_replay_compares_what_was_sent(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1")
    post(app, tenant, adjust("c1", 1000))
    assert post(app, tenant, redeem("c1", "r1", points=300)) == [Posted(-300, 700)]
    assert post(app, tenant, redeem("c1", "r1", points=300)) == [Posted(-300, 700, replay=True)]
    (by_amount,) = post(app, tenant, redeem("c1", "r1", amount="3.00"))
    assert isinstance(by_amount, Refused)
    assert (
        "customerId 'c1' and points 300; this one has customerId 'c1' and amount 3.00"
        in by_amount.error
    )
    (other_points,) = post(app, tenant, redeem("c1", "r1", points=301))
    assert isinstance(other_points, Refused)
    assert balance(app, tenant, "c1") == 700


def test_transaction_ids_are_unique_per_kind(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1")
    outcomes = post(
        app, tenant, cashback("c1", "x", "10"), redeem("c1", "x", points=5), adjust("c1", 1, "x")
    )
    assert outcomes == [Posted(10, 10), Posted(-5, 5), Posted(1, 6)]


def test_adjustments_without_transaction_id_are_not_deduplicated(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1")
    assert post(app, tenant, adjust("c1", 5), adjust("c1", 5)) == [Posted(5, 5), Posted(5, 10)]
    assert post(app, tenant, adjust("c1", 5, "a1"), adjust("c1", 5, "a1")) == [
        Posted(5, 15),
        Posted(5, 15, replay=True),
    ]
    (conflict,) = post(app, tenant, adjust("c1", -5, "a1"))
    assert (
        isinstance(conflict, Refused)
        and "points 5; this one has customerId 'c1' and points -5" in conflict.error
    )


def test_unknown_customer_is_refused_and_gets_no_account(app: App, tenant: TenantInfo) -> None:
    (outcome,) = post(app, tenant, cashback("ghost", "t1", "10"))
    assert outcome == Refused(
        "no customer with customerId 'ghost'; create it with the customers batch type first"
    )
    with app.engine.connect() as connection:
        with pytest.raises(NotFoundError, match="ghost"):
            service.get_balance(connection, tenant.id, "ghost")
        count = connection.execute(
            sa.text("select count(*) from loyalty_accounts where tenant_id = :t"), {"t": tenant.id}
        ).scalar_one()
    assert count == 0


def test_ledger_is_append_only_and_sums_to_the_balance(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1", "c2")
    post(app, tenant, cashback("c1", "t1", "120.75"), cashback("c2", "t1b", "9.99"))
    first = ledger_rows(app, tenant)
    post(
        app,
        tenant,
        redeem("c1", "r1", amount="0.55"),
        redeem("c1", "r1", amount="0.55"),
        adjust("c1", -20),
        redeem("c2", "r2", points=100),  # refused
        adjust("c2", 7),
    )
    after = ledger_rows(app, tenant)
    assert after[: len(first)] == first  # earlier lines untouched
    assert len(after) == len(first) + 3
    for customer in ("c1", "c2"):
        lines = entries(app, tenant, customer)
        assert sum(line["points"] for line in lines) == balance(app, tenant, customer)
        running = 0
        for line in lines:
            running += line["points"]
            assert line["balanceAfter"] == running
    assert balance(app, tenant, "c1") == 120 - 55 - 20
    assert balance(app, tenant, "c2") == 16


def test_list_entries_shows_the_ledger_in_order_and_pages(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1")
    post(app, tenant, cashback("c1", "t1", "12.50"), redeem("c1", "r1", points=2))
    with app.engine.begin() as connection:
        service.post(
            connection,
            tenant.id,
            [
                LedgerRequest(
                    Kind.REDEEM,
                    "c1",
                    points=3,
                    transaction_id="r2",
                    transaction_time="2024-05-02T08:00:00.000000Z",
                    hold_reference="hold-1",
                )
            ],
        )
    lines = entries(app, tenant, "c1")
    assert [(line["kind"], line["points"], line["balanceAfter"]) for line in lines] == [
        ("cashback", 12, 12),
        ("redeem", -2, 10),
        ("redeem", -3, 7),
    ]
    first = lines[0]
    assert first["amount"] == Decimal("12.50") and str(first["amount"]) == "12.50"
    assert first["transactionId"] == "t1"
    assert first["transactionTime"] == "2024-05-01T12:00:00.000000Z"
    assert lines[2]["holdReference"] == "hold-1" and lines[2]["amount"] is None
    with app.engine.connect() as connection:
        page = service.list_entries(connection, tenant.id, "c1", after_id=lines[0]["id"], limit=1)
        assert page == [lines[1]]
        with pytest.raises(InvalidInputError):
            service.list_entries(connection, tenant.id, "c1", limit=0)


def test_balances_value_points_at_the_program_rate(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1", "c2")
    post(app, tenant, adjust("c1", 1234))
    with app.engine.connect() as connection:
        found = service.balances(connection, tenant.id, ["c1", "c2", "ghost"])
    assert found == {
        "c1": service.Balance("c1", 1234, Decimal("12.34"), "EUR"),
        "c2": service.Balance("c2", 0, Decimal("0.00"), "EUR"),
    }


def test_tenants_do_not_share_customers_or_transaction_ids(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    from geode.tenants.service import create_tenant

    add_customers("c1")
    with app.engine.begin() as connection:
        other = create_tenant(connection, f"{tenant.identifier}-b")
    post(app, tenant, cashback("c1", "t1", "10"))
    (outcome,) = post(app, other, cashback("c1", "t1", "10"))
    assert isinstance(outcome, Refused) and "no customer" in outcome.error
