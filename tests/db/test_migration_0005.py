"""Migration 0005 numbers the entries already posted, as best known, and comes back out;
new entries then carry on from the last number."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from geode.db.migrate import alembic_config, upgrade
from geode.loyalty import service
from geode.loyalty.ledger import Kind, LedgerRequest, Posted

T1 = "2024-01-01T00:00:01.000000Z"
T2 = "2024-01-01T00:00:02.000000Z"
# (customer, id, created_at, points, balance_after), stored in an order that is not the posting
# order; the expected sequence is the comment's number.
ENTRIES = [
    # "a": two workers in the same second; ids put the second posting first.
    ("a", "000000000000000000000001", T1, -4, 6),  # 2: posted on a balance of 10
    ("a", "000000000000000000000002", T1, 10, 10),  # 1
    ("a", "000000000000000000000003", T2, 5, 11),  # 3
    # "b": the chain cannot tell the two identical cycles apart; (created_at, id) does.
    ("b", "000000000000000000000011", T1, 5, 5),  # 1
    ("b", "000000000000000000000012", T1, -5, 0),  # 2
    ("b", "000000000000000000000013", T2, 5, 5),  # 3
    ("b", "000000000000000000000014", T2, -5, 0),  # 4
    # "c": edited by hand, the chain breaks; the rank order goes on from there.
    ("c", "000000000000000000000021", T1, 10, 10),  # 1
    ("c", "000000000000000000000022", T2, 10, 25),  # 2
    ("c", "000000000000000000000023", T2, -5, 20),  # 3
]
EXPECTED = {
    "a": ["000000000000000000000002", "000000000000000000000001", "000000000000000000000003"],
    "b": [f"0000000000000000000000{n}" for n in (11, 12, 13, 14)],
    "c": [f"0000000000000000000000{n}" for n in (21, 22, 23)],
}


def _seed_0004(engine: Engine) -> None:
    upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO tenants (id, identifier, created_at) VALUES ('t', 'shop', :n)"),
            {"n": T1},
        )
        for number, customer in enumerate(("a", "b", "c", "d"), 1):
            connection.execute(
                sa.text(
                    "INSERT INTO customers (tenant_id, id, identifier, type, created_at,"
                    " updated_at) VALUES ('t', :i, :c, 'individual', :n, :n)"
                ),
                {"i": f"{number:024d}", "c": customer, "n": T1},
            )
        balances = {"a": 11, "b": 0, "c": 20, "d": 0}  # "d" has an account, no entries
        for customer, points in balances.items():
            connection.execute(
                sa.text(
                    "INSERT INTO loyalty_accounts (tenant_id, customer_identifier,"
                    " points_balance, updated_at) VALUES ('t', :c, :p, :n)"
                ),
                {"c": customer, "p": points, "n": T2},
            )
        for customer, entry_id, created, points, after in ENTRIES:
            connection.execute(
                sa.text(
                    "INSERT INTO loyalty_entries (tenant_id, id, customer_identifier, kind,"
                    " points, balance_after, created_at)"
                    " VALUES ('t', :i, :c, 'adjustment', :p, :b, :n)"
                ),
                {"i": entry_id, "c": customer, "p": points, "b": after, "n": created},
            )


def _sequences(engine: Engine) -> dict[str, list[str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT customer_identifier, id, seq FROM loyalty_entries ORDER BY seq")
        ).all()
    found: dict[str, list[str]] = {}
    for customer, entry_id, seq in rows:
        found.setdefault(customer, []).append(entry_id)
        assert seq == len(found[customer])  # 1, 2, 3... per customer
    return found


def test_existing_entries_are_numbered_in_posting_order_and_numbering_goes_on(
    engine: Engine,
) -> None:
    _seed_0004(engine)
    upgrade(engine, "0005")
    assert _sequences(engine) == EXPECTED
    with engine.connect() as connection:
        last = dict(
            connection.execute(
                sa.text("SELECT customer_identifier, last_seq FROM loyalty_accounts")
            ).all()
        )
    assert last == {"a": 3, "b": 4, "c": 3, "d": 0}

    upgrade(engine)
    with engine.begin() as connection:
        posted = service.post(
            connection,
            "t",
            [
                LedgerRequest(Kind.ADJUSTMENT, "a", points=1),
                LedgerRequest(Kind.ADJUSTMENT, "d", points=2),
            ],
        )
        assert posted == [Posted(1, 12), Posted(2, 2)]
        ledger = service.list_entries(connection, "t", "a")
    assert [(e["id"], e["sequence"]) for e in ledger[:3]] == [
        (entry_id, n) for n, entry_id in enumerate(EXPECTED["a"], 1)
    ]
    assert [(e["sequence"], e["balanceAfter"]) for e in ledger[3:]] == [(4, 12)]


def test_downgrade_removes_the_sequence_and_keeps_every_entry(engine: Engine) -> None:
    _seed_0004(engine)
    upgrade(engine, "0005")
    command.downgrade(alembic_config(engine), "0004")
    inspector = sa.inspect(engine)
    assert "seq" not in {c["name"] for c in inspector.get_columns("loyalty_entries")}
    assert "last_seq" not in {c["name"] for c in inspector.get_columns("loyalty_accounts")}
    assert "ix_loyalty_entries_customer" in {
        i["name"] for i in inspector.get_indexes("loyalty_entries")
    }
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM loyalty_entries")).scalar()
    assert count == len(ENTRIES)
