from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from geode.db.base import JSON_TEXT, MONEY, TIMESTAMP, Base, Id


class Order(Base):
    """An order keeps a snapshot of its customer; it is linked by identifier.

    `content_hash` fingerprints everything the order was written from, so an
    upsert can tell "unchanged" without reading the lines back.
    `fingerprint` is the natural key of an upsert that names neither `id` nor
    `resourceIdentifier`: the hash of its content, so re-runs never duplicate.
    """

    __tablename__ = "orders"
    __table_args__ = (
        # Partial: most orders have neither key, and need no index entry for it.
        sa.Index(
            "uq_orders_resource_identifier", "tenant_id", "resource_identifier", unique=True,
            sqlite_where=sa.text("resource_identifier IS NOT NULL"),
            postgresql_where=sa.text("resource_identifier IS NOT NULL"),
        ),
        sa.Index(
            "uq_orders_fingerprint", "tenant_id", "fingerprint", unique=True,
            sqlite_where=sa.text("fingerprint IS NOT NULL"),
            postgresql_where=sa.text("fingerprint IS NOT NULL"),
        ),
        sa.Index("ix_orders_customer", "tenant_id", "customer_identifier"),
    )  # fmt: skip

    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    resource_identifier: Mapped[str | None] = mapped_column(sa.Text)
    fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    content_hash: Mapped[str] = mapped_column(sa.String(32))
    customer_identifier: Mapped[str] = mapped_column(sa.Text)
    customer: Mapped[str] = mapped_column(JSON_TEXT)
    total: Mapped[str | None] = mapped_column(JSON_TEXT)
    total_gross: Mapped[str | None] = mapped_column(MONEY)
    total_net: Mapped[str | None] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(sa.String(8))
    payment: Mapped[str | None] = mapped_column(JSON_TEXT)
    payment_status: Mapped[str | None] = mapped_column(sa.String(24))
    type: Mapped[str | None] = mapped_column(sa.String(24))
    meta: Mapped[str | None] = mapped_column(JSON_TEXT)
    applied_promotions: Mapped[str | None] = mapped_column(JSON_TEXT)
    related_order_ids: Mapped[str | None] = mapped_column(JSON_TEXT)
    pipelines: Mapped[str | None] = mapped_column(JSON_TEXT)
    additional_information: Mapped[str | None] = mapped_column(sa.Text)
    stock_location_identifier: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


class OrderLine(Base):
    """A cart line. Scalars used in queries are columns; the rest is JSON."""

    __tablename__ = "order_lines"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"], ondelete="CASCADE"
        ),
    )

    tenant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    order_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    position: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    sku: Mapped[str | None] = mapped_column(sa.Text)
    name: Mapped[str] = mapped_column(sa.Text)
    quantity: Mapped[str] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(sa.String(8))
    price_gross: Mapped[str | None] = mapped_column(MONEY)
    price_net: Mapped[str | None] = mapped_column(MONEY)
    sub_total_gross: Mapped[str | None] = mapped_column(MONEY)
    sub_total_net: Mapped[str | None] = mapped_column(MONEY)
    details: Mapped[str | None] = mapped_column(JSON_TEXT)
