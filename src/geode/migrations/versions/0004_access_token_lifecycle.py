"""access token lifecycle (expiry, revocation, last use)

Access tokens get an optional note (`name`), an optional expiry, a revocation
time and the time they were last used. Existing tokens keep working: they
never expire, are not revoked and have not been seen in use yet.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 03:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")
_COLUMNS = ("name", "expires_at", "revoked_at", "last_used_at")


def upgrade() -> None:
    # Nullable additions only: SQLite adds them in place, without rebuilding the table.
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("expires_at", _TIMESTAMP, nullable=True))
        batch_op.add_column(sa.Column("revoked_at", _TIMESTAMP, nullable=True))
        batch_op.add_column(sa.Column("last_used_at", _TIMESTAMP, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        for column in reversed(_COLUMNS):
            batch_op.drop_column(column)
