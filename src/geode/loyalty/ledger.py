"""Posting a slice of ledger requests: set-based reads, in-order rules, set-based writes.

`loyalty_entries` is append-only; `loyalty_accounts.points_balance` is the
running sum of a customer's entries and is written in the same transaction
(the caller's), so the two never disagree. Per slice:

1. read the program and which customers exist;
2. PostgreSQL only: take a transaction advisory lock per transactionId, so two
   workers recording the same transactionId for different customers (whose
   account locks do not meet) queue instead of one failing on the unique index;
3. create missing accounts and lock them all (`accounts.lock_accounts`);
   the lock also guards each account's `last_seq`, so new entries are numbered
   in posting order (the order the ledger is read in);
4. read the entries already recorded under the slice's transactionIds;
5. apply the requests in order in memory, so a redeem sees the cashback
   before it in the same slice, and a replay sees the entry it repeats;
6. insert the new entries and update the touched balances and `last_seq`s,
   each in one statement.

Every lock is taken before the reads that depend on it, and in the same order
by every worker: advisory locks, then account rows, both sorted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa

from geode.db import bulk
from geode.ids import new_id
from geode.loyalty import accounts
from geode.loyalty.models import LoyaltyEntry
from geode.loyalty.program import get_program
from geode.loyalty.rules import MAX_BALANCE, Program, points_earned, points_to_redeem
from geode.money import money_text, to_money
from geode.timestamps import utcnow
from geode.util import with_article

_entries: sa.Table = LoyaltyEntry.__table__  # type: ignore[assignment]
ENTRY_COLUMNS = (
    "tenant_id", "id", "customer_identifier", "kind", "transaction_id", "transaction_time",
    "points", "amount", "reason", "hold_reference", "balance_after", "created_at", "seq",
)  # fmt: skip


class Kind(StrEnum):
    """`loyalty_entries.kind`; a transactionId is unique per tenant and kind."""

    CASHBACK = "cashback"
    REDEEM = "redeem"
    ADJUSTMENT = "adjustment"


@dataclass(frozen=True, slots=True)
class LedgerRequest:
    """One change asked for, as the client sent it: `points` or a money `amount`.

    A cashback's amount earns points (rounded down); a redeem spends `points`
    or the points its amount costs (rounded up); an adjustment's `points` is
    signed (negative = debit). Entries store the signed change.
    """

    kind: Kind
    customer_id: str
    points: int | None = None
    amount: Decimal | None = None
    transaction_id: str | None = None
    transaction_time: str | None = None
    reason: str | None = None
    hold_reference: str | None = None


@dataclass(frozen=True, slots=True)
class Posted:
    """The entry that holds the request: new, or the earlier one it replays."""

    points: int
    balance_after: int
    replay: bool = False


@dataclass(frozen=True, slots=True)
class Refused:
    error: str


Outcome = Posted | Refused
TransactionKey = tuple[Kind, str]


@dataclass(frozen=True, slots=True)
class _Recorded:
    """What a stored entry says about the request that made it (for replays)."""

    customer_id: str
    points: int
    amount: Decimal | None
    balance_after: int


def post(
    connection: sa.Connection, tenant_id: str, requests: Sequence[LedgerRequest]
) -> list[Outcome]:
    """Apply `requests` in order inside the caller's transaction; one outcome each."""
    if not requests:
        return []
    now = utcnow()
    program = get_program(connection, tenant_id)
    known = accounts.existing_customers(connection, tenant_id, (r.customer_id for r in requests))
    keys = {(r.kind, r.transaction_id) for r in requests if r.transaction_id is not None}
    _lock_transactions(connection, tenant_id, keys)
    held = accounts.lock_accounts(connection, tenant_id, known, now)
    recorded = _recorded(connection, tenant_id, keys)

    outcomes: list[Outcome] = []
    rows: list[tuple[object, ...]] = []
    touched: dict[str, accounts.Held] = {}
    for request in requests:
        if request.customer_id not in known:
            outcomes.append(Refused(accounts.unknown_customer(request.customer_id)))
            continue
        key = None if request.transaction_id is None else (request.kind, request.transaction_id)
        earlier = None if key is None else recorded.get(key)
        if earlier is not None:
            outcomes.append(_replay(request, earlier))
            continue
        delta = _delta(request, program)
        account = held[request.customer_id]
        refusal = _refusal(request, program, account.balance, delta)
        if refusal is not None:
            outcomes.append(Refused(refusal))
            continue
        account.balance += delta
        account.last_seq += 1
        touched[request.customer_id] = account
        balance = account.balance
        rows.append(_entry_row(tenant_id, request, delta, account, now))
        if key is not None:
            recorded[key] = _Recorded(request.customer_id, delta, request.amount, balance)
        outcomes.append(Posted(delta, balance))

    bulk.insert_rows(connection, "loyalty_entries", ENTRY_COLUMNS, rows)
    accounts.write_balances(connection, tenant_id, touched, now)
    return outcomes


def _sign(kind: Kind) -> int:
    """A redeem's points are spent: the entry records them negated."""
    return -1 if kind is Kind.REDEEM else 1


def _delta(request: LedgerRequest, program: Program) -> int:
    if request.points is not None:
        return _sign(request.kind) * request.points
    if request.amount is None:
        raise ValueError(f"{with_article(request.kind)} request needs points or an amount")
    if request.kind is Kind.CASHBACK:
        return points_earned(request.amount, program.earn_rate)
    if request.kind is Kind.REDEEM:
        return -points_to_redeem(request.amount, program.point_value)
    raise ValueError(f"{with_article(request.kind)} request gives points, not an amount")


def _refusal(request: LedgerRequest, program: Program, balance: int, delta: int) -> str | None:
    if balance + delta < 0:
        asked = f"{-delta} points"
        if request.amount is not None:
            asked += (
                f" (amount {request.amount} {program.currency} at "
                f"{program.point_value} {program.currency} per point, rounded up)"
            )
        return (
            f"insufficient points: the balance is {balance} points and this {request.kind} "
            f"asks for {asked}; the balance cannot go below zero"
        )
    if balance + delta > MAX_BALANCE:
        return f"the balance of {balance} points cannot grow by {delta} points (maximum reached)"
    return None


def _replay(request: LedgerRequest, earlier: _Recorded) -> Outcome:
    """Same transactionId again: a no-op when the values match, a conflict otherwise."""
    sent_points = _sign(request.kind) * earlier.points  # as the client would have sent them
    same = earlier.customer_id == request.customer_id and earlier.amount == request.amount
    if same and request.amount is None:
        same = sent_points == request.points
    if same:
        return Posted(earlier.points, earlier.balance_after, replay=True)
    return Refused(
        f"transactionId '{request.transaction_id}' is already recorded as "
        f"{with_article(request.kind)} with "
        f"{_describe(earlier.customer_id, earlier.amount, sent_points)}; this one has "
        f"{_describe(request.customer_id, request.amount, request.points)}. "
        "Send a new transactionId for a new transaction"
    )


def _describe(customer_id: str, amount: Decimal | None, points: int | None) -> str:
    what = f"amount {amount}" if amount is not None else f"points {points}"
    return f"customerId '{customer_id}' and {what}"


def _entry_row(
    tenant_id: str, request: LedgerRequest, delta: int, account: accounts.Held, now: str
) -> tuple[object, ...]:
    return (
        tenant_id,
        new_id(),
        request.customer_id,
        request.kind.value,
        request.transaction_id,
        request.transaction_time,
        delta,
        None if request.amount is None else money_text(request.amount),
        request.reason,
        request.hold_reference,
        account.balance,
        now,
        account.last_seq,
    )


def _lock_transactions(
    connection: sa.Connection, tenant_id: str, keys: set[TransactionKey]
) -> None:
    if connection.dialect.name != "postgresql" or not keys:
        return
    # Volatile functions in the select list run after ORDER BY: locks go in hash order.
    connection.execute(
        sa.text(
            "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(x, 0) AS k "
            "FROM unnest(CAST(:keys AS text[])) AS x) AS held ORDER BY k"
        ),
        {"keys": [f"geode.loyalty/{tenant_id}/{kind}/{txn}" for kind, txn in keys]},
    )


def _recorded(
    connection: sa.Connection, tenant_id: str, keys: set[TransactionKey]
) -> dict[TransactionKey, _Recorded]:
    found: dict[TransactionKey, _Recorded] = {}
    kinds = sorted({kind.value for kind, _ in keys})
    for chunk in bulk.chunked(sorted({txn for _, txn in keys})):
        rows = connection.execute(
            sa.select(
                _entries.c.kind,
                _entries.c.transaction_id,
                _entries.c.customer_identifier,
                _entries.c.points,
                _entries.c.amount,
                _entries.c.balance_after,
            ).where(
                _entries.c.tenant_id == tenant_id,
                _entries.c.kind.in_(kinds),
                _entries.c.transaction_id.in_(chunk),
            )
        )
        for kind, txn, customer_id, points, amount, balance_after in rows:
            found[(Kind(kind), txn)] = _Recorded(
                customer_id,
                int(points),
                None if amount is None else to_money(amount),
                int(balance_after),
            )
    return found
