"""Server-side sessions: one row per login (web or API), the revocation list.

Revision ID: b17a5e55d001
Revises: b16c0e0a1d01
Create Date: 2026-12-07 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b17a5e55d001"
down_revision = "b16c0e0a1d01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "portal_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_portal_session_user_id", "portal_session", ["user_id"], unique=False)
    op.create_index("ix_portal_session_ended_at", "portal_session", ["ended_at"], unique=False)


def downgrade():
    op.drop_index("ix_portal_session_ended_at", table_name="portal_session")
    op.drop_index("ix_portal_session_user_id", table_name="portal_session")
    op.drop_table("portal_session")
