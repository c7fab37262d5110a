"""Programme reference shared by cases, selection and training (issue #20): the
programmes with their rules and their catalogues of measures, seeded.

Revision ID: c20prog00001
Revises: b21cen7e0001
Create Date: 2026-12-07 08:10:00
"""

from alembic import op
import sqlalchemy as sa

revision = "c20prog00001"
down_revision = "b21cen7e0001"
branch_labels = None
depends_on = None


def _audit_columns(table):
    return [
        sa.Column(
            "created_on",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "changed_on",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("created_by_fk", sa.Integer(), nullable=True),
        sa.Column("changed_by_fk", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_fk"],
            ["ab_user.id"],
            name=op.f(f"fk_{table}_created_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_fk"],
            ["ab_user.id"],
            name=op.f(f"fk_{table}_changed_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
    ]


def upgrade():
    # The seed rows (app/programmes/seed.py, append-only data with its sources).
    from app.programmes.seed import measure_rows, programme_rows

    programmes = op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "meeting_forms", sa.String(length=100), server_default="visit,office", nullable=False
        ),
        sa.Column("meeting_interval_days", sa.Integer(), nullable=True),
        sa.Column("term_months", sa.Integer(), nullable=True),
        sa.Column("extension_months", sa.Integer(), nullable=True),
        sa.Column("max_extensions", sa.Integer(), server_default="0", nullable=False),
        sa.Column("review_interval_days", sa.Integer(), nullable=True),
        sa.Column("assessment_deadline_working_days", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_audit_columns("programme"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
        sa.UniqueConstraint("code", name=op.f("uq_programme_code")),
        sa.UniqueConstraint("name", name=op.f("uq_programme_name")),
    )
    measures = op.create_table(
        "programme_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_code", sa.String(length=20), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_audit_columns("programme_measure"),
        sa.ForeignKeyConstraint(
            ["programme_code"],
            ["programme.code"],
            name=op.f("fk_programme_measure_programme_code_programme"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_measure")),
        sa.UniqueConstraint("programme_code", "code", name="uq_programme_measure_code"),
    )
    op.create_index(
        op.f("ix_programme_measure_programme_code"),
        "programme_measure",
        ["programme_code"],
        unique=False,
    )
    op.bulk_insert(programmes, programme_rows())
    op.bulk_insert(measures, measure_rows())


def downgrade():
    op.drop_index(op.f("ix_programme_measure_programme_code"), table_name="programme_measure")
    op.drop_table("programme_measure")
    op.drop_table("programme")
