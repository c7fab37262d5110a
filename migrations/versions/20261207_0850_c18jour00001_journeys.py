"""Journeys (issue #18): spare revision for the lead - placeholder.

Revision ID: c18jour00001
Revises: c18cent00001
Create Date: 2026-12-07 08:10:00
"""

from alembic import op
import sqlalchemy as sa

revision = "c18jour00001"
down_revision = "c18cent00001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
