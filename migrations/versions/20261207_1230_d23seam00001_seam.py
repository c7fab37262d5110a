"""FAB seam (issue #23) - placeholder reserved for its owner.

Revision ID: d23seam00001
Revises: d24jobs00001
Create Date: 2026-12-07 12:30:00
"""

from alembic import op
import sqlalchemy as sa

revision = "d23seam00001"
down_revision = "d24jobs00001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
