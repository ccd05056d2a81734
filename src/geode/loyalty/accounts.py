"""Loyalty accounts: which customers exist, and their balances, read or locked per slice.

A debit is only safe if no other worker changes the balance between the read
and the write. On PostgreSQL the slice's account rows are locked with
`SELECT ... FOR UPDATE`; on SQLite every writer already holds the database
lock (BEGIN IMMEDIATE). Locks are always taken in one global order (code
point order of the identifier) so two workers cannot deadlock on them.

The same lock numbers the entries: `last_seq` is read with the balance and
written back with it, so each account's entries get 1, 2, 3... in the order
their transactions commit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from geode.customers.lookup import existing_customers, unknown_customer
from geode.customers.models import Customer
from geode.db import bulk
from geode.loyalty.models import LoyaltyAccount

_customers: sa.Table = Customer.__table__  # type: ignore[assignment]
_accounts: sa.Table = LoyaltyAccount.__table__  # type: ignore[assignment]


@dataclass(slots=True)
class Held:
    """A locked account as the slice changes it: its balance and its newest entry's `seq`."""

    balance: int
    last_seq: int


def read_balances(
    connection: sa.Connection, tenant_id: str, identifiers: Collection[str]
) -> dict[str, int]:
    """Balances without locking (inquiries); a customer without an account has none here."""
    balances: dict[str, int] = {}
    for chunk in bulk.chunked(sorted(set(identifiers))):
        rows = connection.execute(
            sa.select(_accounts.c.customer_identifier, _accounts.c.points_balance).where(
                _accounts.c.tenant_id == tenant_id, _accounts.c.customer_identifier.in_(chunk)
            )
        )
        balances.update((row[0], int(row[1])) for row in rows)
    return balances


def lock_accounts(
    connection: sa.Connection, tenant_id: str, identifiers: Collection[str], now: str
) -> dict[str, Held]:
    """Create the missing accounts (balance 0, no entries), then lock all of them.

    Both steps go in sorted order: inserting a row another transaction is
    inserting waits for it like a lock does.
    """
    ordered = sorted(set(identifiers))
    if not ordered:
        return {}
    insert = _insert_for(connection)
    for chunk in bulk.chunked(ordered, 1000):
        values = [
            {
                "tenant_id": tenant_id,
                "customer_identifier": identifier,
                "points_balance": 0,
                "updated_at": now,
                "last_seq": 0,
            }
            for identifier in chunk
        ]
        connection.execute(insert(_accounts).values(values).on_conflict_do_nothing())
    postgres = connection.dialect.name == "postgresql"
    identifier = _accounts.c.customer_identifier
    held: dict[str, Held] = {}
    for chunk in bulk.chunked(ordered):
        query = sa.select(identifier, _accounts.c.points_balance, _accounts.c.last_seq).where(
            _accounts.c.tenant_id == tenant_id, identifier.in_(chunk)
        )
        if postgres:
            # COLLATE "C": byte order of UTF-8, i.e. the code point order `sorted` used.
            query = query.order_by(sa.collate(identifier, "C")).with_for_update()
        held.update((row[0], Held(int(row[1]), int(row[2]))) for row in connection.execute(query))
    return held


def write_balances(
    connection: sa.Connection, tenant_id: str, accounts: dict[str, Held], now: str
) -> None:
    """Store the balances and newest `seq`s of the accounts a slice changed (still locked)."""
    bulk.update_rows(
        connection,
        "loyalty_accounts",
        ["points_balance", "last_seq", "updated_at"],
        ["tenant_id", "customer_identifier"],
        [
            (account.balance, account.last_seq, now, tenant_id, identifier)
            for identifier, account in accounts.items()
        ],
    )


def _insert_for(connection: sa.Connection) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (the generic one does not)."""
    return postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert


__all__ = ["existing_customers", "unknown_customer"]
