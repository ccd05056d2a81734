from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from geode.db.base import JSON_TEXT, TIMESTAMP, Base, Id


class Task(Base):
    """One run of one file. `processed` is the checkpoint: operations before it
    are applied and logged, in the same transactions as their effects."""

    __tablename__ = "massop_tasks"
    __table_args__ = (sa.Index("ix_massop_tasks_tenant", "tenant_id", "created_at"),)

    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"))
    status: Mapped[str] = mapped_column(sa.String(24))
    source_name: Mapped[str] = mapped_column(sa.Text)
    spool_path: Mapped[str] = mapped_column(sa.Text)
    source_sha256: Mapped[str] = mapped_column(sa.String(64))
    total: Mapped[int] = mapped_column(sa.Integer)
    processed: Mapped[int] = mapped_column(sa.Integer, default=0)
    counts: Mapped[str] = mapped_column(JSON_TEXT)
    cancel_requested: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # True for tasks handed to workers (HTTP uploads): a worker that starts
    # resumes those; a CLI run is resumed by its user with `massop resume`.
    by_worker: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # Split into chunks for several workers (see massops.planning); then
    # progress lives in the chunk rows and `needed` holds what refs to keep.
    chunked: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    needed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    started_at: Mapped[str | None] = mapped_column(TIMESTAMP)
    finished_at: Mapped[str | None] = mapped_column(TIMESTAMP)
    # The file validated (see massops.lifecycle): a resume after a kill during
    # validation re-reads it, if its size and modification time are unchanged.
    source_path: Mapped[str | None] = mapped_column(sa.Text)
    source_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    source_mtime_ns: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Validation's progress, written about once a second while `validating`.
    bytes_read: Mapped[int | None] = mapped_column(sa.BigInteger)
    operations_read: Mapped[int | None] = mapped_column(sa.Integer)
    problems: Mapped[str | None] = mapped_column(JSON_TEXT)
    """An `invalid` task's problems (JSON list), as the refusal listed them."""
    retry_of: Mapped[str | None] = mapped_column(Id())
    """The task whose failed and skipped operations this one re-runs."""


class OperationLog(Base):
    """Exactly one entry per operation, written with the operation's effects."""

    __tablename__ = "massop_logs"
    __table_args__ = (
        # Only problems are indexed by status: successes are the bulk of rows
        # and are read in index order anyway.
        sa.Index(
            "ix_massop_logs_problems", "task_id", "status", "idx",
            sqlite_where=sa.text("status != 'success'"),
            postgresql_where=sa.text("status != 'success'"),
        ),
        {"sqlite_with_rowid": False},
    )  # fmt: skip

    task_id: Mapped[str] = mapped_column(
        Id(), sa.ForeignKey("massop_tasks.id", ondelete="CASCADE"), primary_key=True
    )
    idx: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    intent: Mapped[str] = mapped_column(sa.String(40))
    ref: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16))
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    resource_id: Mapped[str | None] = mapped_column(sa.String(24))
    key: Mapped[str | None] = mapped_column(sa.Text)
    error_code: Mapped[str | None] = mapped_column(sa.String(48))
    message: Mapped[str | None] = mapped_column(sa.Text)
    output: Mapped[str | None] = mapped_column(JSON_TEXT)
    input: Mapped[str | None] = mapped_column(JSON_TEXT)
    """A failed or skipped operation as the file had it (JSON), for `retry`:
    filled when the task finishes, before its spool is deleted (massops.retry)."""


class TaskChunk(Base):
    """A part of a chunked task that one worker runs; `processed` is its checkpoint."""

    __tablename__ = "massop_chunks"

    task_id: Mapped[str] = mapped_column(
        Id(), sa.ForeignKey("massop_tasks.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    wave: Mapped[int] = mapped_column(sa.Integer)
    size: Mapped[int] = mapped_column(sa.Integer)
    processed: Mapped[int] = mapped_column(sa.Integer, default=0)
    counts: Mapped[str] = mapped_column(JSON_TEXT)
    status: Mapped[str] = mapped_column(sa.String(16))


class ChunkFrame(Base):
    """Operations of a chunk (msgpack list of (index, spool entry)), in the
    database so a worker on any machine can read them."""

    __tablename__ = "massop_chunk_frames"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["task_id", "seq"], ["massop_chunks.task_id", "massop_chunks.seq"],
            ondelete="CASCADE",
        ),
    )  # fmt: skip

    task_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    frame: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
