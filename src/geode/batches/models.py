from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from geode.db.base import JSON_TEXT, TIMESTAMP, Base, Id


class BatchJob(Base):
    """One `POST .../batch/{type}` request and its progress.

    The objects are kept in `payload` so a job survives a restart; `cursor`
    is the checkpoint: objects before it have their result rows, written in
    the same transaction as their effects.
    """

    __tablename__ = "batch_jobs"
    __table_args__ = (
        sa.Index("ix_batch_jobs_tenant", "tenant_id", "id"),
        sa.Index("ix_batch_jobs_status", "status"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"))
    type: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16))
    object_count: Mapped[int] = mapped_column(sa.Integer)
    cursor: Mapped[int] = mapped_column(sa.Integer, default=0)
    finished_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    error_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    stop_requested: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    payload: Mapped[str] = mapped_column(JSON_TEXT)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    started_at: Mapped[str | None] = mapped_column(TIMESTAMP)
    finished_at: Mapped[str | None] = mapped_column(TIMESTAMP)


class BatchResult(Base):
    """What happened to one object of a job: its keys and a message or an error."""

    __tablename__ = "batch_results"

    job_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("batch_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    ok: Mapped[bool] = mapped_column(sa.Boolean)
    item: Mapped[str] = mapped_column(JSON_TEXT)
