from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from geode.db.base import TIMESTAMP, Base, Id


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    identifier: Mapped[str] = mapped_column(sa.String(64), unique=True)
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
