"""The ledger's posting sequence on SQLite and PostgreSQL: numbered under the account
lock, listed and paged by it, with the running sum equal to every `balanceAfter`."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App
from geode.errors import InvalidInputError
from geode.loyalty import service
from geode.loyalty.ledger import Kind, LedgerRequest, Outcome, Posted, Refused
from geode.tenants.service import TenantInfo
from tests.loyalty.conftest import AddCustomers


def post(app: App, tenant: TenantInfo, *requests: LedgerRequest) -> list[Outcome]:
    with app.engine.begin() as connection:
        return service.post(connection, tenant.id, requests)


def adjust(customer: str, points: int, txn: str | None = None) -> LedgerRequest:
    return LedgerRequest(Kind.ADJUSTMENT, customer, points=points, transaction_id=txn)


def redeem(customer: str, txn: str, points: int) -> LedgerRequest:
    return LedgerRequest(Kind.REDEEM, customer, points=points, transaction_id=txn)


def page(app: App, tenant: TenantInfo, customer: str, **kwargs: Any) -> list[dict[str, Any]]:
    with app.engine.connect() as connection:
        return service.list_entries(connection, tenant.id, customer, **kwargs)


def assert_running_sums(lines: list[dict[str, Any]]) -> None:
    running = 0
    for line in lines:
        running += line["points"]
        assert line["balanceAfter"] == running, line


def test_each_account_numbers_its_entries_one_by_one_in_posting_order(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1", "c2")
    outcomes = post(
        app, tenant,
        adjust("c1", 10), adjust("c2", 5), redeem("c1", "r1", 4),
        redeem("c2", "r2", 50),  # refused: no entry, no number used
        adjust("c1", 1, txn="a1"), adjust("c1", 1, txn="a1"),  # a replay: no second entry
        adjust("nobody", 3),  # refused
    )  # fmt: skip
    assert outcomes[0:3] == [Posted(10, 10), Posted(5, 5), Posted(-4, 6)]
    assert isinstance(outcomes[3], Refused) and isinstance(outcomes[6], Refused)
    post(app, tenant, adjust("c2", 7), adjust("c1", -2))

    c1 = page(app, tenant, "c1", limit=1000)
    assert [(e["sequence"], e["points"], e["balanceAfter"]) for e in c1] == [
        (1, 10, 10), (2, -4, 6), (3, 1, 7), (4, -2, 5),
    ]  # fmt: skip
    c2 = page(app, tenant, "c2", limit=1000)
    assert [(e["sequence"], e["points"], e["balanceAfter"]) for e in c2] == [(1, 5, 5), (2, 7, 12)]
    with app.engine.connect() as connection:
        last = dict(
            connection.execute(
                sa.text(
                    "SELECT customer_identifier, last_seq FROM loyalty_accounts"
                    " WHERE tenant_id = :t"
                ),
                {"t": tenant.id},
            ).all()
        )
    assert last == {"c1": 4, "c2": 2}  # the next entry of each takes the next number


def test_paging_with_after_never_skips_nor_repeats(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1", "c2")
    for round_ in range(7):
        post(app, tenant, adjust("c1", round_ + 1), adjust("c2", 1), redeem("c1", f"r{round_}", 1))
    everything = page(app, tenant, "c1", limit=1000)
    assert [e["sequence"] for e in everything] == list(range(1, 15))
    assert_running_sums(everything)

    seen: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        lines = page(app, tenant, "c1", after_id=after, limit=3)
        seen += lines
        if len(lines) < 3:
            break
        after = lines[-1]["id"]  # what the REST `next` carries
    assert seen == everything

    # A sequence number is a cursor too; 0 starts at the first entry, the end gives nothing.
    assert page(app, tenant, "c1", after_id="0", limit=2) == everything[:2]
    assert page(app, tenant, "c1", after_id="12", limit=5) == everything[12:]
    assert page(app, tenant, "c1", after_id="14", limit=5) == []


@pytest.mark.parametrize("which", ["unknown id", "another customer's entry"])
def test_an_after_that_is_not_an_entry_of_this_ledger_is_refused(
    app: App, tenant: TenantInfo, add_customers: AddCustomers, which: str
) -> None:
    add_customers("c1", "c2")
    post(app, tenant, adjust("c1", 1), adjust("c2", 1))
    after = "0" * 24 if which == "unknown id" else page(app, tenant, "c2", limit=1)[0]["id"]
    with pytest.raises(InvalidInputError, match="not an entry of this customer's ledger"):
        page(app, tenant, "c1", after_id=after, limit=10)


def test_a_conflicting_adjustment_is_worded_with_the_right_article(
    app: App, tenant: TenantInfo, add_customers: AddCustomers
) -> None:
    add_customers("c1")
    post(app, tenant, adjust("c1", 5, txn="same"))
    (refused,) = post(app, tenant, adjust("c1", 6, txn="same"))
    assert isinstance(refused, Refused)
    assert "is already recorded as an adjustment with customerId 'c1'" in refused.error
