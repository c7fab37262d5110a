"""Resilience centres at work (placeholder, filled by its issue's work).

Revision ID: b21cen7e0001
Revises: b25d1rec7001
Create Date: 2026-12-07 07:10:00
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "b21cen7e0001"
down_revision = "b25d1rec7001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
