"""tenant static tokens: a tenant may require one to read its Catalogue API

`tenant_static_tokens` holds, per tenant, the sha256 of the static token
(`geode tenant static-token create`) its Catalogue API requires. A tenant
without a row, every existing tenant, serves its published catalogue to
anyone, as before. A table of its own: `tenants`, which every tenant's rows
refer to, is not rebuilt on SQLite either way.

Downgrade drops the table: tenants that required a token become public.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tenant_static_tokens",
        sa.Column("tenant_id", sa.String(length=24), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_tenant_static_tokens_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tenant_static_tokens")),
    )


def downgrade() -> None:
    op.drop_table("tenant_static_tokens")
