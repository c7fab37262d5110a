"""Case register at national scale: trigram index for contains-search on case
numbers (FTS5 on SQLite, pg_trgm on PostgreSQL) and composite indexes so that
every list filter with the default order is one index walk.

Revision ID: 7d41c2e9b5f3
Revises: 5b7e0c1a9d20
Create Date: 2026-11-23 16:00:00
"""

from alembic import op

from app.common.textsearch import install, uninstall

revision = "7d41c2e9b5f3"
down_revision = "5b7e0c1a9d20"
branch_labels = None
depends_on = None

NEW_INDEXES = {
    "ix_case_file_provider_status_opened": ["provider_id", "status", "opened_on"],
    "ix_case_file_status_opened": ["status", "opened_on"],
    "ix_case_file_opened_id": ["opened_on", "id"],
    "ix_case_file_programme_opened": ["programme", "opened_on"],
    "ix_case_file_programme_status": ["programme", "status"],
    "ix_case_file_status_due": ["status", "next_contact_due", "assigned_worker_id"],
}
#: Prefixes of the new ones.
OLD_INDEXES = {
    "ix_case_file_provider_status": ["provider_id", "status"],
    "ix_case_file_status": ["status"],
    "ix_case_file_programme": ["programme"],
    "ix_case_file_opened_on": ["opened_on"],
}


def upgrade():
    with op.batch_alter_table("case_file") as batch_op:
        for name in OLD_INDEXES:
            batch_op.drop_index(name)
        for name, columns in NEW_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    install(op.get_bind(), "case_file", "number")
    op.execute("ANALYZE")  # planner statistics for the new indexes


def downgrade():
    uninstall(op.get_bind(), "case_file", "number")
    with op.batch_alter_table("case_file") as batch_op:
        for name in NEW_INDEXES:
            batch_op.drop_index(name)
        for name, columns in OLD_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
