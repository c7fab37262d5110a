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


#: Tables whose rows have an edit form or a writable API and had no version.
VERSIONED = ("specialist", "case_household_member", "case_need", "case_contact",
             "case_referral", "case_review", "training_session", "training_participant")


def upgrade():
    # Plain ADD COLUMN (no batch copy): SQLite adds a NOT NULL column with a
    # default in place, and rebuilding a table would drop its triggers.
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1",
                                       nullable=False))


def downgrade():
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
