"""tenant settings: languages, VAT types, price variants, stock locations, root item

Every tenant gets the id of the root folder of its item tree (`root_item_id`,
virtual: no item row carries it) and four settings lists. Tenants created
before this revision get what `geode tenant create` gives a new one: language
`en` (English), price variant `default` (Default, EUR), stock location
`default` (Default), one default VAT type `Standard` at 0 %, and a new root id.

Downgrade drops the four tables and the column; the settings are lost.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 06:00:00
"""

from __future__ import annotations

import os
import time

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.String(length=24)
_NAME = sa.String(length=1024)
_KEY = sa.String(length=256)
_PERCENT = sa.Numeric(7, 4).with_variant(sa.Text(), "sqlite")
_PROCESS = os.urandom(5)


def _new_id(count: int) -> str:
    """`geode.ids.new_id`'s layout, written out so this file never changes with the code."""
    stamp = int(time.time()).to_bytes(4, "big")
    return (stamp + _PROCESS + (count & 0xFFFFFF).to_bytes(3, "big")).hex()


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")
    )


def _create_tables() -> None:
    op.create_table(
        "tenant_languages",
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", _NAME, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _tenant_fk("tenant_languages"),
        sa.PrimaryKeyConstraint("tenant_id", "code", name=op.f("pk_tenant_languages")),
    )
    op.create_table(
        "vat_types",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("name", _NAME, nullable=False),
        sa.Column("percent", _PERCENT, nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _tenant_fk("vat_types"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vat_types")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_vat_types_tenant_id_name")),
    )
    op.create_index(
        "uq_vat_types_default",
        "vat_types",
        ["tenant_id"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )
    op.create_table(
        "price_variants",
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("identifier", _KEY, nullable=False),
        sa.Column("name", _NAME, nullable=False),
        sa.Column("currency", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _tenant_fk("price_variants"),
        sa.PrimaryKeyConstraint("tenant_id", "identifier", name=op.f("pk_price_variants")),
    )
    op.create_table(
        "stock_locations",
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("identifier", _KEY, nullable=False),
        sa.Column("name", _NAME, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _tenant_fk("stock_locations"),
        sa.PrimaryKeyConstraint("tenant_id", "identifier", name=op.f("pk_stock_locations")),
    )


def _backfill(connection: sa.Connection) -> None:
    tenant_ids = connection.execute(sa.text("SELECT id FROM tenants ORDER BY id")).scalars().all()
    if not tenant_ids:
        return
    counter = int.from_bytes(os.urandom(2))
    ids = [(_new_id(counter + 2 * n), _new_id(counter + 2 * n + 1)) for n in range(len(tenant_ids))]
    connection.execute(
        sa.text("UPDATE tenants SET root_item_id = :root WHERE id = :t"),
        [{"root": root, "t": t} for t, (root, _) in zip(tenant_ids, ids, strict=True)],
    )
    each = [{"t": t, "vat": vat} for t, (_, vat) in zip(tenant_ids, ids, strict=True)]
    connection.execute(
        sa.text(
            "INSERT INTO tenant_languages (tenant_id, code, name, position)"
            " VALUES (:t, 'en', 'English', 0)"
        ),
        each,
    )
    connection.execute(
        sa.text(
            "INSERT INTO price_variants (tenant_id, identifier, name, currency, position)"
            " VALUES (:t, 'default', 'Default', 'EUR', 0)"
        ),
        each,
    )
    connection.execute(
        sa.text(
            "INSERT INTO stock_locations (tenant_id, identifier, name, position)"
            " VALUES (:t, 'default', 'Default', 0)"
        ),
        each,
    )
    connection.execute(
        sa.text(
            "INSERT INTO vat_types (id, tenant_id, name, percent, is_default, position)"
            " VALUES (:vat, :t, 'Standard', :percent, :yes, 0)"
        ).bindparams(
            sa.bindparam("percent", type_=_PERCENT), sa.bindparam("yes", type_=sa.Boolean())
        ),
        [{**row, "percent": "0", "yes": True} for row in each],
    )


def upgrade() -> None:
    # SQLite cannot make a column NOT NULL without rebuilding the table, and `tenants`
    # cannot be rebuilt with foreign keys on (every table refers to it): there the
    # column is added NOT NULL with a placeholder default, filled at once below.
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "tenants",
        sa.Column("root_item_id", _ID, nullable=not sqlite, server_default="" if sqlite else None),
    )
    _create_tables()
    _backfill(op.get_bind())
    if not sqlite:
        op.alter_column("tenants", "root_item_id", existing_type=_ID, nullable=False)
    op.create_index("uq_tenants_root_item_id", "tenants", ["root_item_id"], unique=True)


def downgrade() -> None:
    op.drop_table("stock_locations")
    op.drop_table("price_variants")
    op.drop_index("uq_vat_types_default", table_name="vat_types")
    op.drop_table("vat_types")
    op.drop_table("tenant_languages")
    op.drop_index("uq_tenants_root_item_id", table_name="tenants")
    # In place on SQLite too (ALTER TABLE ... DROP COLUMN, SQLite 3.35+): no rebuild.
    op.drop_column("tenants", "root_item_id")
