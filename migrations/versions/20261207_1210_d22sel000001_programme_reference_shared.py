"""One programme reference for selection and training (issue #22) - placeholder reserved for its owner.

Revision ID: d22sel000001
Revises: d20case00001
Create Date: 2026-12-07 12:10:00
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "d22sel000001"
down_revision = "d20case00001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
