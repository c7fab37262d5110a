"""Service directory per hromada (placeholder, filled by its issue's work).

Revision ID: b25d1rec7001
Revises: b17a5e55d001
Create Date: 2026-12-07 07:00:00
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "b25d1rec7001"
down_revision = "b17a5e55d001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
