"""Tenants, their access tokens and their settings.

A tenant's settings (languages, VAT types, price variants, stock locations) are
lists in the user's order (`position`); `tenants.configure` replaces them.
Every setting is keyed within its tenant, VAT type ids included: settings copied
from one tenant to another of the same database (`tenant show --json` into
`tenant configure`) keep their ids, so an exported catalogue's `vatTypeId`s
still name them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from geode import limits
from geode.db.base import TIMESTAMP, Base, Id

# Exact on both stores: NUMERIC on PostgreSQL, canonical text on SQLite (as money).
VAT_PERCENT = sa.Numeric(7, limits.VAT_PERCENT_DECIMAL_PLACES).with_variant(sa.Text(), "sqlite")


class Tenant(Base):
    __tablename__ = "tenants"
    # An index, not a constraint: SQLite adds one without rebuilding the table (0007).
    __table_args__ = (sa.Index("uq_tenants_root_item_id", "root_item_id", unique=True),)

    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    identifier: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    # The root folder of the tenant's item tree. Virtual: no item row has this id;
    # an item whose parent is this id is at the top level.
    root_item_id: Mapped[str] = mapped_column(Id())


class TenantStaticToken(Base):
    """The static token a tenant's Catalogue API requires, as its sha256 (0011); a tenant
    without a row serves its published catalogue to anyone. See `tenants.static_tokens`."""

    __tablename__ = "tenant_static_tokens"

    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[str] = mapped_column(TIMESTAMP)


class AccessToken(Base):
    __tablename__ = "access_tokens"

    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    expires_at: Mapped[str | None] = mapped_column(TIMESTAMP)
    revoked_at: Mapped[str | None] = mapped_column(TIMESTAMP)
    # Written at most once a minute per token: see `service.check_token`.
    last_used_at: Mapped[str | None] = mapped_column(TIMESTAMP)


class TenantLanguage(Base):
    __tablename__ = "tenant_languages"

    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(limits.LANGUAGE_CODE_MAX_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(limits.NAME_MAX_LENGTH))
    position: Mapped[int] = mapped_column(sa.Integer())


class VatType(Base):
    __tablename__ = "vat_types"
    __table_args__ = (
        # Per tenant, not global (0010): two tenants may hold the same VAT type id.
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "name"),
        # At most one default per tenant (the service keeps it exactly one).
        sa.Index(
            "uq_vat_types_default",
            "tenant_id",
            unique=True,
            sqlite_where=sa.text("is_default"),
            postgresql_where=sa.text("is_default"),
        ),
    )

    id: Mapped[str] = mapped_column(Id())
    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(sa.String(limits.NAME_MAX_LENGTH))
    percent: Mapped[str] = mapped_column(VAT_PERCENT)  # Decimal on PostgreSQL
    is_default: Mapped[bool] = mapped_column(sa.Boolean())
    position: Mapped[int] = mapped_column(sa.Integer())


class PriceVariant(Base):
    __tablename__ = "price_variants"

    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)
    identifier: Mapped[str] = mapped_column(sa.String(limits.KEY_MAX_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(limits.NAME_MAX_LENGTH))
    currency: Mapped[str] = mapped_column(sa.String(limits.CURRENCY_MAX_LENGTH))
    position: Mapped[int] = mapped_column(sa.Integer())


class StockLocation(Base):
    __tablename__ = "stock_locations"

    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)
    identifier: Mapped[str] = mapped_column(sa.String(limits.KEY_MAX_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(limits.NAME_MAX_LENGTH))
    position: Mapped[int] = mapped_column(sa.Integer())
