"""loyalty ledger entries get a per-account posting sequence

Placeholder: filled in by the change that needs it; until then it changes nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 03:10:00
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
