"""loyalty ledger entries get a per-account posting sequence

`loyalty_entries.seq` numbers each customer's entries 1, 2, 3... in posting
order, and `loyalty_accounts.last_seq` holds the newest one, so the next entry
is numbered under the account's row lock. The ledger is listed and paged by
`seq` (a unique index) instead of by id, which only sorts by second, then by a
per-process random part.

Backfill: entries posted before this revision carry no sequence, so it is
rebuilt "as best known". Each customer's entries are first ranked by
(`created_at`, `id`): the slice's start time, then the id, which is exact
within one process's slice. That guess can be wrong where two workers posted
for one customer in the same second. The balance chain settles it: an entry
posted on a balance B has `balance_after - points = B`, and accounts start at
0. The entries are walked from balance 0, each step taking the earliest-ranked
entry that continues the chain; if none does (a ledger that was edited by
hand), the earliest-ranked entry left comes next and the walk continues from
its balance. The result is the true posting order wherever the chain and the
timestamps can tell; otherwise a consistent one. Accounts are read one at a
time, so memory stays bounded by the largest ledger.

Downgrade drops both columns and restores the id index; nothing else is lost.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 03:10:00
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Entry = tuple[str, int, int]
"""(id, points, balance_after), in the (created_at, id) rank order."""


def posting_order(entries: Sequence[Entry]) -> list[str]:
    """The ids of one account's entries in the order they were most likely posted."""
    by_start: dict[int, list[int]] = defaultdict(list)  # balance before -> ranks (a heap)
    for rank, (_, points, after) in enumerate(entries):
        by_start[after - points].append(rank)  # ranks ascend: each list is already a heap
    left = list(range(len(entries)))  # every rank, a heap too
    done = [False] * len(entries)
    order: list[str] = []
    balance = 0
    while len(order) < len(entries):
        candidates = by_start.get(balance, [])
        while candidates and done[candidates[0]]:
            heapq.heappop(candidates)
        if candidates:
            rank = heapq.heappop(candidates)
        else:  # the chain breaks: go on from the earliest entry left
            while done[left[0]]:
                heapq.heappop(left)
            rank = heapq.heappop(left)
        done[rank] = True
        entry_id, _, balance = entries[rank]
        order.append(entry_id)
    return order


def _backfill(connection: sa.Connection) -> None:
    accounts = connection.execute(
        sa.text("SELECT DISTINCT tenant_id, customer_identifier FROM loyalty_entries")
    ).all()
    for tenant_id, customer in accounts:
        rows = connection.execute(
            sa.text(
                "SELECT id, points, balance_after FROM loyalty_entries"
                " WHERE tenant_id = :t AND customer_identifier = :c ORDER BY created_at, id"
            ),
            {"t": tenant_id, "c": customer},
        ).all()
        order = posting_order([(row[0], int(row[1]), int(row[2])) for row in rows])
        connection.execute(
            sa.text("UPDATE loyalty_entries SET seq = :s WHERE tenant_id = :t AND id = :i"),
            [{"s": seq, "t": tenant_id, "i": entry_id} for seq, entry_id in enumerate(order, 1)],
        )
    connection.execute(
        sa.text(
            "UPDATE loyalty_accounts SET last_seq = COALESCE((SELECT MAX(e.seq)"
            " FROM loyalty_entries e WHERE e.tenant_id = loyalty_accounts.tenant_id"
            " AND e.customer_identifier = loyalty_accounts.customer_identifier), 0)"
        )
    )


def upgrade() -> None:
    with op.batch_alter_table("loyalty_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_seq", sa.BigInteger(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("loyalty_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))

    _backfill(op.get_bind())

    with op.batch_alter_table("loyalty_entries", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_index("ix_loyalty_entries_customer")
        batch_op.create_index(
            "uq_loyalty_entries_seq", ["tenant_id", "customer_identifier", "seq"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("loyalty_entries", schema=None) as batch_op:
        batch_op.drop_index("uq_loyalty_entries_seq")
        batch_op.create_index(
            "ix_loyalty_entries_customer", ["tenant_id", "customer_identifier", "id"], unique=False
        )
        batch_op.drop_column("seq")
    with op.batch_alter_table("loyalty_accounts", schema=None) as batch_op:
        batch_op.drop_column("last_seq")
