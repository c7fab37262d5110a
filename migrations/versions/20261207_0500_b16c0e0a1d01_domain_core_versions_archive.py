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
VERSIONED = (
    "specialist",
    "case_household_member",
    "case_need",
    "case_contact",
    "case_referral",
    "case_review",
    "training_session",
    "training_participant",
)


#: A registered provider is archived, never deleted: a new status value.
PROVIDER_STATUS = ("draft", "submitted", "approved", "rejected", "suspended")
PROVIDER_STATUS_COLUMNS = (
    ("provider", "status", "providerstatus"),
    ("provider_status_change", "from_status", "providerstatus_from"),
    ("provider_status_change", "to_status", "providerstatus_to"),
)


def _status_check(values):
    for table, column, name in PROVIDER_STATUS_COLUMNS:
        if op.get_bind().dialect.name == "sqlite":
            # SQLite cannot alter a CHECK: batch mode rebuilds the table with it.
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.alter_column(
                    column,
                    existing_nullable=False,
                    type_=sa.Enum(
                        *values, name=name, native_enum=False, create_constraint=True, length=17
                    ),
                )
        else:
            op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
            listed = ", ".join(f"'{v}'" for v in values)
            op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, f"{column} IN ({listed})")


def upgrade():
    _status_check(PROVIDER_STATUS + ("archived",))
    # Plain ADD COLUMN (no batch copy): SQLite adds a NOT NULL column with a
    # default in place, and rebuilding a table would drop its triggers.
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    op.execute("UPDATE provider SET status = 'suspended' WHERE status = 'archived'")
    op.execute(
        "DELETE FROM provider_status_change "
        "WHERE from_status = 'archived' OR to_status = 'archived'"
    )
    _status_check(PROVIDER_STATUS)
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
