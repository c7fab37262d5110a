"""Case register programme rules (issue #20) - placeholder, filled by its owner.

Revision ID: c20case00002
Revises: c20prog00001
Create Date: 2026-12-07 08:10:00
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "c20case00002"
down_revision = "c20prog00001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
