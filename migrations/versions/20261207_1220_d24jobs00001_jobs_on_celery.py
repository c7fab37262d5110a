"""Jobs on Celery, files in object storage (issue #24).

A job may now be run more than once (a Celery worker lost mid-job: the task is
delivered again). ``attempts`` counts the runs that claimed it; ``applied_on``
is written in the same transaction as a task's own writes (an import's
centres), so a later attempt knows they are already saved.

Revision ID: d24jobs00001
Revises: d22sel000001
Create Date: 2026-12-07 12:20:00
"""

from alembic import op
import sqlalchemy as sa

revision = "d24jobs00001"
down_revision = "d22sel000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("applied_on", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("job") as batch:
        batch.drop_column("applied_on")
        batch.drop_column("attempts")
