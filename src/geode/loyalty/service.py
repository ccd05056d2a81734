"""The loyalty ledger's front: programs, balances, ledger posting and history.

Functions take a connection and never commit; callers own the transaction
(the batch runner, the CLI, tests). The ledger rules live in
`geode.loyalty.ledger`, the arithmetic in `geode.loyalty.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from geode.errors import InvalidInputError, NotFoundError
from geode.loyalty import accounts
from geode.loyalty.ledger import Kind, LedgerRequest, Outcome, Posted, Refused, post
from geode.loyalty.models import LoyaltyEntry
from geode.loyalty.program import get_program, set_program
from geode.loyalty.rules import DEFAULT_PROGRAM, Program, points_value
from geode.money import to_money
from geode.timestamps import stored_timestamp

__all__ = [
    "DEFAULT_PROGRAM",
    "Balance",
    "Kind",
    "LedgerRequest",
    "Outcome",
    "Posted",
    "Program",
    "Refused",
    "balances",
    "get_balance",
    "get_program",
    "list_entries",
    "post",
    "set_program",
]

MAX_PAGE = 1000
SEQUENCE_PATTERN = re.compile(r"[0-9]{1,18}")
"""An `after` made of digits only is a sequence number (an id has 24 characters)."""
_entries: sa.Table = LoyaltyEntry.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Balance:
    """A customer's points and their money value (cents, half-even) in the program currency."""

    customer_id: str
    points: int
    value: Decimal
    currency: str

    def as_item(self) -> dict[str, Any]:
        """The balance-inquiry response item; `pointsValue` is a Decimal (a JSON number)."""
        return {
            "customerId": self.customer_id,
            "pointsBalance": self.points,
            "pointsValue": self.value,
            "currency": self.currency,
        }


def balances(
    connection: sa.Connection, tenant_id: str, customer_ids: Sequence[str]
) -> dict[str, Balance]:
    """Balances of the customers that exist (no account yet = 0 points); three reads in all."""
    program = get_program(connection, tenant_id)
    known = accounts.existing_customers(connection, tenant_id, customer_ids)
    points = accounts.read_balances(connection, tenant_id, known)
    return {
        customer_id: Balance(
            customer_id,
            points.get(customer_id, 0),
            points_value(points.get(customer_id, 0), program.point_value),
            program.currency,
        )
        for customer_id in known
    }


def get_balance(connection: sa.Connection, tenant_id: str, customer_id: str) -> Balance:
    found = balances(connection, tenant_id, [customer_id]).get(customer_id)
    if found is None:
        raise NotFoundError(accounts.unknown_customer(customer_id))
    return found


def list_entries(
    connection: sa.Connection,
    tenant_id: str,
    customer_id: str,
    *,
    after_id: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """A customer's ledger in posting order (`sequence` 1, 2, 3...); page with `after_id`.

    `after_id` is the id of an entry of this ledger (the `next` of a page: the
    form clients already keep) or a sequence number; the page starts right
    after it. Ids do not sort in posting order (seconds, then a per-process
    part), so an id is turned into its entry's sequence, never compared.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit must be between 1 and {MAX_PAGE}")
    condition = sa.and_(
        _entries.c.tenant_id == tenant_id, _entries.c.customer_identifier == customer_id
    )
    query = sa.select(_entries).where(condition)
    if after_id is not None:
        query = query.where(_entries.c.seq > _after_seq(connection, condition, after_id))
    rows = connection.execute(query.order_by(_entries.c.seq).limit(limit)).mappings()
    return [
        {
            "id": row["id"],
            "customerId": row["customer_identifier"],
            "kind": row["kind"],
            "transactionId": row["transaction_id"],
            "transactionTime": _timestamp_or_none(row["transaction_time"]),
            "points": int(row["points"]),
            "amount": None if row["amount"] is None else to_money(row["amount"]),
            "reason": row["reason"],
            "holdReference": row["hold_reference"],
            "balanceAfter": int(row["balance_after"]),
            "createdAt": stored_timestamp(row["created_at"]),
            "sequence": int(row["seq"]),
        }
        for row in rows
    ]


def _after_seq(connection: sa.Connection, ledger: sa.ColumnElement[bool], after: str) -> int:
    if SEQUENCE_PATTERN.fullmatch(after):
        return int(after)
    seq = connection.execute(
        sa.select(_entries.c.seq).where(ledger, _entries.c.id == after)
    ).scalar_one_or_none()
    if seq is None:
        raise InvalidInputError(
            f"after: '{after}' is not an entry of this customer's ledger; pass the `next` of "
            "the previous page, an entry's id, or an entry's sequence number"
        )
    return int(seq)


def _timestamp_or_none(value: object) -> str | None:
    return None if value is None else stored_timestamp(value)
