"""Jobs on Celery, files in object storage (issue #24) - placeholder reserved for its owner.

Revision ID: d24jobs00001
Revises: d22sel000001
Create Date: 2026-12-07 12:20:00
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "d24jobs00001"
down_revision = "d22sel000001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
