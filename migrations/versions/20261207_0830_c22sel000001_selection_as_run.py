"""Competitive selection as run, provider register (issue #22) - placeholder, filled by its owner.

Revision ID: c22sel000001
Revises: c20case00002
Create Date: 2026-12-07 08:10:00
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "c22sel000001"
down_revision = "c20case00002"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
