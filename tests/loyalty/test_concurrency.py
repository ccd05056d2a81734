"""Several workers on one PostgreSQL database: balances are locked, never overdrawn.

SQLite needs no test here: every writer takes the database lock up front
(BEGIN IMMEDIATE), so its transactions never interleave.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from geode.app import App, create_app
from geode.customers.models import Customer
from geode.ids import new_id
from geode.loyalty import service
from geode.loyalty.ledger import Kind, LedgerRequest, Outcome, Posted, Refused
from geode.settings import Settings
from geode.tenants.service import TenantInfo, create_tenant
from geode.timestamps import utcnow

DEADLINE_SECONDS = 120


@pytest.fixture
def pg(postgresql_url: str, tmp_path: Path) -> Iterator[tuple[App, TenantInfo]]:
    app = create_app(Settings(database_url=postgresql_url, data_dir=tmp_path), migrate=False)
    with app.engine.begin() as connection:
        tenant = create_tenant(connection, f"t-{new_id()[-12:]}")
        now = utcnow()
        connection.execute(
            sa.insert(Customer.__table__),  # type: ignore[arg-type]
            [
                {
                    "tenant_id": tenant.id,
                    "id": new_id(),
                    "identifier": f"c{i}",
                    "type": "individual",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, 4)
            ],
        )
        service.post(
            connection,
            tenant.id,
            [
                LedgerRequest(Kind.ADJUSTMENT, f"c{i}", points=100, reason="seed")
                for i in range(1, 4)
            ],
        )
    yield app, tenant
    app.engine.dispose()


def redeem(customer: str, txn: str, points: int) -> LedgerRequest:
    return LedgerRequest(Kind.REDEEM, customer, points=points, transaction_id=txn)


def post(app: App, tenant: TenantInfo, *requests: LedgerRequest) -> list[Outcome]:
    with app.engine.begin() as connection:
        return service.post(connection, tenant.id, requests)


def check_ledger(app: App, tenant: TenantInfo, customer: str) -> int:
    with app.engine.connect() as connection:
        points = service.get_balance(connection, tenant.id, customer).points
        lines = service.list_entries(connection, tenant.id, customer, limit=1000)
    assert points >= 0
    assert sum(line["points"] for line in lines) == points
    return points


def lock_waits(app: App) -> int:
    """Transactions of this database now blocked on a lock held by another."""
    with app.engine.connect() as connection:
        return int(
            connection.execute(
                sa.text(
                    "select count(*) from pg_stat_activity "
                    "where datname = current_database() and wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


def hold_then_race(
    app: App, tenant: TenantInfo, first: LedgerRequest, second: LedgerRequest
) -> tuple[list[Outcome], list[Outcome], bool]:
    """`first` posts and holds its transaction open; `second` posts meanwhile. The
    first commits once the second is seen waiting on a lock (or has finished);
    the last value says whether it was seen waiting."""
    posted, release = threading.Event(), threading.Event()
    results: dict[str, list[Outcome]] = {}

    def hold() -> None:
        with app.engine.begin() as connection:
            results["first"] = service.post(connection, tenant.id, [first])
            posted.set()
            assert release.wait(DEADLINE_SECONDS)

    def race() -> None:
        results["second"] = post(app, tenant, second)

    holder = threading.Thread(target=hold)
    holder.start()
    assert posted.wait(DEADLINE_SECONDS)
    racer = threading.Thread(target=race)
    racer.start()
    deadline = time.monotonic() + DEADLINE_SECONDS  # a bound against hangs only
    while not (waited := lock_waits(app) > 0) and racer.is_alive():
        assert time.monotonic() < deadline, "the second post neither waited nor finished"
        time.sleep(0.01)
    release.set()
    holder.join()
    racer.join()
    return results["first"], results["second"], waited


def test_a_concurrent_redeem_waits_for_the_lock_and_sees_the_new_balance(
    pg: tuple[App, TenantInfo],
) -> None:
    app, tenant = pg
    first, second, waited = hold_then_race(
        app, tenant, redeem("c1", "a", 70), redeem("c1", "b", 70)
    )
    assert first == [Posted(-70, 30)]
    (refused,) = second
    assert isinstance(refused, Refused) and "the balance is 30 points" in refused.error
    assert waited  # it queued behind the lock instead of reading 100
    assert check_ledger(app, tenant, "c1") == 30


def test_the_same_transaction_id_for_two_customers_at_once_is_a_conflict_not_a_crash(
    pg: tuple[App, TenantInfo],
) -> None:
    app, tenant = pg
    first, second, _ = hold_then_race(
        app, tenant, redeem("c1", "same", 10), redeem("c2", "same", 10)
    )
    assert first == [Posted(-10, 90)]
    (refused,) = second
    assert isinstance(refused, Refused) and "already recorded as a redeem" in refused.error
    assert check_ledger(app, tenant, "c2") == 100


def test_many_workers_redeeming_at_once_never_overdraw_nor_deadlock(
    pg: tuple[App, TenantInfo],
) -> None:
    app, tenant = pg
    customers = ["c1", "c2", "c3"]
    start = threading.Barrier(8)

    def worker(n: int) -> list[Outcome]:
        order = customers[:]
        random.Random(n).shuffle(order)  # each slice names the accounts in its own order
        start.wait()
        outcomes: list[Outcome] = []
        for round_ in range(3):
            outcomes += post(app, tenant, *(redeem(c, f"w{n}-{round_}-{c}", 15) for c in order))
        return outcomes

    with ThreadPoolExecutor(8) as pool:
        outcomes = [o for result in pool.map(worker, range(8)) for o in result]

    # 100 points cover six 15-point redeems per customer, whatever the interleaving.
    assert sum(isinstance(o, Posted) for o in outcomes) == 6 * len(customers)
    for customer in customers:
        assert check_ledger(app, tenant, customer) == 10
    with app.engine.connect() as connection:
        value = service.get_balance(connection, tenant.id, "c1").value
    assert value == Decimal("0.10")


def test_concurrent_slices_number_one_account_in_the_order_they_post(
    pg: tuple[App, TenantInfo],
) -> None:
    """Eight connections post for c1 at once: the sequence has no gap or duplicate, and read
    in its order each balanceAfter is the running sum (c1 was seeded with 100)."""
    app, tenant = pg
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        start.wait()
        for round_ in range(6):
            post(
                app, tenant,
                LedgerRequest(Kind.ADJUSTMENT, "c1", points=n + 1, reason="race"),
                LedgerRequest(Kind.ADJUSTMENT, "c2", points=1, reason="race"),
                redeem("c1", f"w{n}-{round_}", 3),
            )  # fmt: skip

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(worker, range(8)))

    with app.engine.connect() as connection:
        lines = service.list_entries(connection, tenant.id, "c1", limit=1000)
        balance = service.get_balance(connection, tenant.id, "c1").points
    assert [line["sequence"] for line in lines] == list(range(1, 1 + 1 + 8 * 6 * 2))
    running = 0
    for line in lines:
        running += line["points"]
        assert line["balanceAfter"] == running
    assert running == balance
