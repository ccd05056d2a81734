"""storage limits (column widths that match the documented input limits)

Placeholder: filled in by the change that needs it; until then it changes nothing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 03:10:00
"""

from __future__ import annotations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
