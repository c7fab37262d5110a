"""Case rules completed (issue #20) - placeholder reserved for its owner.

Revision ID: d20case00001
Revises: c18jour00001
Create Date: 2026-12-07 12:00:00
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "d20case00001"
down_revision = "c18jour00001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
