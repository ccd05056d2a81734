from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from geode.db.base import JSON_TEXT, TIMESTAMP, Base, Id


class CustomerEvent(Base):
    """One tracked event of a customer (`{eventName: metadata}` in a batch object)."""

    __tablename__ = "customer_events"
    __table_args__ = (
        sa.Index("ix_customer_events_customer", "tenant_id", "customer_identifier", "id"),
    )

    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    customer_identifier: Mapped[str] = mapped_column(sa.Text)
    event_name: Mapped[str] = mapped_column(sa.Text)
    metadata_: Mapped[str | None] = mapped_column("metadata", JSON_TEXT)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
