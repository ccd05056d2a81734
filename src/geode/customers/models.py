from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from geode.db.base import JSON_TEXT, TIMESTAMP, Base, Id


class Customer(Base):
    """One person or organisation; `identifier` is the natural key within a tenant.

    Nested parts (addresses, meta, externalReferences, parents) are JSON
    documents: they are always read and written with their customer.
    """

    __tablename__ = "customers"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "identifier"),)

    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    identifier: Mapped[str] = mapped_column(sa.Text)
    type: Mapped[str] = mapped_column(sa.String(16))
    first_name: Mapped[str | None] = mapped_column(sa.Text)
    middle_name: Mapped[str | None] = mapped_column(sa.Text)
    last_name: Mapped[str | None] = mapped_column(sa.Text)
    email: Mapped[str | None] = mapped_column(sa.Text)
    phone: Mapped[str | None] = mapped_column(sa.Text)
    company_name: Mapped[str | None] = mapped_column(sa.Text)
    tax_number: Mapped[str | None] = mapped_column(sa.Text)
    birth_date: Mapped[str | None] = mapped_column(sa.Text)
    addresses: Mapped[str | None] = mapped_column(JSON_TEXT)
    meta: Mapped[str | None] = mapped_column(JSON_TEXT)
    external_references: Mapped[str | None] = mapped_column(JSON_TEXT)
    parents: Mapped[str | None] = mapped_column(JSON_TEXT)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


class CustomerGroup(Base):
    __tablename__ = "customer_groups"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "identifier"),)

    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    identifier: Mapped[str] = mapped_column(sa.Text)
    name: Mapped[str | None] = mapped_column(sa.Text)
    parents: Mapped[str | None] = mapped_column(JSON_TEXT)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)
