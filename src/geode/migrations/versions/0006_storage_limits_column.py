"""storage limits: orders.currency takes any currency the inputs accept (64 characters)

The reference schema accepts any text as a currency; Geode accepts up to
`limits.CURRENCY_MAX_LENGTH` (64) characters, so the column must hold as much.
PostgreSQL enforces VARCHAR lengths, so there the column is widened in place;
SQLite does not enforce them, but the declared type is kept equal to the model's
(batch mode rebuilds the table, indexes included).

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
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column(
            "currency", existing_type=sa.String(length=8), type_=sa.String(length=64)
        )


def downgrade() -> None:
    # A longer currency cannot go back without losing it: refuse rather than cut.
    longest = op.get_bind().scalar(sa.text("SELECT max(length(currency)) FROM orders"))
    if longest is not None and longest > 8:
        raise RuntimeError("cannot downgrade: some orders have a currency longer than 8 characters")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column(
            "currency", existing_type=sa.String(length=64), type_=sa.String(length=8)
        )
