"""access token lifecycle (expiry, revocation, last use)

Placeholder: filled in by the change that needs it; until then it changes nothing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 03:10:00
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
