"""storage limits: orders.currency takes any currency the inputs accept (64 characters)

The reference schema accepts any text as a currency; Geode accepts up to
`limits.CURRENCY_MAX_LENGTH` (64) characters, so the column must hold as much.
PostgreSQL enforces VARCHAR lengths: the column is widened there. SQLite never
enforces them (VARCHAR has TEXT affinity), so it is left as it is rather than
rebuilding the orders table for a declaration nothing reads.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 03:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "orders", "currency", existing_type=sa.String(length=8), type_=sa.String(length=64)
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # A longer currency cannot go back without losing it: refuse rather than cut.
        longest = op.get_bind().scalar(sa.text("SELECT max(length(currency)) FROM orders"))
        if longest is not None and longest > 8:
            raise RuntimeError(
                "cannot downgrade: some orders have a currency longer than 8 characters"
            )
        op.alter_column(
            "orders", "currency", existing_type=sa.String(length=64), type_=sa.String(length=8)
        )
