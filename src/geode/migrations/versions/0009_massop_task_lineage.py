"""mass-operation tasks: a task from its first moment, and what a retry was made from

A task row now exists while its file is validated (status `validating`), so it
records the source it reads (path, size, modification time: a resume after a
kill re-validates from it), the validation's progress, and the problems of a
refused file (status `invalid`). `retry_of` names the task a retry re-runs the
failed and skipped operations of; a log row keeps the `input` of a failed or
skipped operation, so a retry needs no spool.

Nullable additions only: SQLite adds them in place, without rebuilding the
tables, and existing rows read as "not recorded".

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _task_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("source_path", sa.Text(), nullable=True),
        sa.Column("source_size", sa.BigInteger(), nullable=True),
        sa.Column("source_mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("bytes_read", sa.BigInteger(), nullable=True),
        sa.Column("operations_read", sa.Integer(), nullable=True),
        sa.Column("problems", sa.Text(), nullable=True),
        sa.Column("retry_of", sa.String(length=24), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("massop_tasks", schema=None) as batch_op:
        for column in _task_columns():
            batch_op.add_column(column)
    with op.batch_alter_table("massop_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("input", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("massop_logs", schema=None) as batch_op:
        batch_op.drop_column("input")
    with op.batch_alter_table("massop_tasks", schema=None) as batch_op:
        for column in reversed(_task_columns()):
            batch_op.drop_column(column.name)
