"""VAT type ids per tenant: the primary key of `vat_types` becomes (tenant_id, id)

A tenant configured from another's `tenant show --json` keeps its VAT type
ids, so the other's exported catalogue (whose products name them by
`vatTypeId`) imports into it unchanged. Nothing refers to `vat_types` by a
foreign key (`items.vat_type_id` is checked against the tenant's own VAT types
when written, and `tenant configure` refuses to remove one in use), and every
lookup already filters by tenant, so only the key changes.

Every row is kept: on SQLite the table is rebuilt (batch mode copies the rows
into the new table), on PostgreSQL the constraint is swapped in place. The
partial unique index of the default is dropped before and created after, as
SQLite's reflection would not carry its `WHERE` over into the rebuilt table.

Downgrade restores the global key, which is refused, changing nothing, while
two tenants share a VAT type id (the message names them).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_SHOWN = 5


def _drop_default_index() -> None:
    op.drop_index("uq_vat_types_default", table_name="vat_types")


def _create_default_index() -> None:
    op.create_index(
        "uq_vat_types_default",
        "vat_types",
        ["tenant_id"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )


def _set_key(*columns: str) -> None:
    _drop_default_index()
    with op.batch_alter_table("vat_types", schema=None) as batch_op:
        batch_op.drop_constraint("pk_vat_types", type_="primary")
        batch_op.create_primary_key("pk_vat_types", list(columns))
    _create_default_index()


def upgrade() -> None:
    _set_key("tenant_id", "id")


def downgrade() -> None:
    shared = (
        op.get_bind()
        .execute(sa.text("SELECT id FROM vat_types GROUP BY id HAVING COUNT(*) > 1 ORDER BY id"))
        .scalars()
        .all()
    )
    if shared:
        shown = ", ".join(shared[:_SHOWN]) + (", ..." if len(shared) > _SHOWN else "")
        raise RuntimeError(
            f"cannot downgrade below 0010: {len(shared)} VAT type ids are used by more than "
            f"one tenant ({shown}), and before 0010 an id is unique in the database; give "
            "those tenants' VAT types distinct ids first; nothing was changed"
        )
    _set_key("id")
