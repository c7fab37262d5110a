"""Centre coordinates and import/export round trip (issue #18) - placeholder, filled by its owner.

Revision ID: c18cent00001
Revises: c22sel000001
Create Date: 2026-12-07 08:10:00
"""

from alembic import op
import sqlalchemy as sa

revision = "c18cent00001"
down_revision = "c22sel000001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
