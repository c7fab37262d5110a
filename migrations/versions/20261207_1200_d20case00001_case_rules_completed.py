"""Case rules completed (issue #20): the contract with the recipient where the
programme requires it, the supervisor's approval of plans where the provider
requires it (``case_provider_setting``), the follow-up after closure
(programme interval, due date on the case, ``case_follow_up`` records), and
``case_file.programme`` as a foreign key to ``programme.code``.

Existing rows: the programmes get the seeded rules (app/programmes/seed.py,
``LATER_RULES``); cases closed before have no follow-up due date; cases
already in accompaniment keep going (the contract and the approval are asked
of the next activation).

Revision ID: d20case00001
Revises: c18jour00001
Create Date: 2026-12-07 12:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "d20case00001"
down_revision = "c18jour00001"
branch_labels = None
depends_on = None

FORMS = ("visit", "phone", "online", "office")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


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
    from app.programmes.seed import LATER_RULES

    recreate = "always" if _sqlite() else "auto"
    with op.batch_alter_table("programme", recreate=recreate) as batch:
        batch.add_column(
            sa.Column("requires_contract", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("follow_up_days", sa.Integer(), nullable=True))
    conn = op.get_bind()
    for code, values in LATER_RULES.items():
        conn.execute(
            sa.text(
                "UPDATE programme SET requires_contract = :c, follow_up_days = :d "
                "WHERE code = :code"
            ),
            {"c": values["requires_contract"], "d": values["follow_up_days"], "code": code},
        )

    with op.batch_alter_table("case_file", recreate=recreate) as batch:
        batch.add_column(sa.Column("plan_agreed_by_fk", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("plan_approved_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("plan_approved_by_fk", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("contract_number", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("contract_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("follow_up_due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("follow_up_done_on", sa.Date(), nullable=True))
        batch.create_index(batch.f("ix_case_file_follow_up_due_on"), ["follow_up_due_on"])
        batch.create_foreign_key(
            batch.f("fk_case_file_plan_agreed_by_fk_ab_user"),
            "ab_user",
            ["plan_agreed_by_fk"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            batch.f("fk_case_file_plan_approved_by_fk_ab_user"),
            "ab_user",
            ["plan_approved_by_fk"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            batch.f("fk_case_file_programme_programme"), "programme", ["programme"], ["code"]
        )

    op.create_table(
        "case_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=False),
        sa.Column(
            "form",
            sa.Enum(
                *FORMS,
                name="contactform",
                native_enum=False,
                create_constraint=True,
                length=max(map(len, FORMS)) + 8,
            ),
            nullable=False,
        ),
        sa.Column("outcome", sa.Text(), nullable=False),
        *_audit_columns("case_follow_up"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_case_follow_up_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_follow_up")),
    )
    op.create_index(op.f("ix_case_follow_up_case_id"), "case_follow_up", ["case_id"])
    op.create_table(
        "case_provider_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column(
            "plan_approval_required", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        *_audit_columns("case_provider_setting"),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_case_provider_setting_provider_id_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_provider_setting")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_case_provider_setting_provider_id")),
    )


def downgrade():
    op.drop_table("case_provider_setting")
    op.drop_index(op.f("ix_case_follow_up_case_id"), table_name="case_follow_up")
    op.drop_table("case_follow_up")
    recreate = "always" if _sqlite() else "auto"
    with op.batch_alter_table("case_file", recreate=recreate) as batch:
        batch.drop_constraint(batch.f("fk_case_file_programme_programme"), type_="foreignkey")
        batch.drop_constraint(
            batch.f("fk_case_file_plan_approved_by_fk_ab_user"), type_="foreignkey"
        )
        batch.drop_constraint(batch.f("fk_case_file_plan_agreed_by_fk_ab_user"), type_="foreignkey")
        batch.drop_index(batch.f("ix_case_file_follow_up_due_on"))
        for column in (
            "follow_up_done_on",
            "follow_up_due_on",
            "contract_on",
            "contract_number",
            "plan_approved_by_fk",
            "plan_approved_on",
            "plan_agreed_by_fk",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("programme", recreate=recreate) as batch:
        batch.drop_column("follow_up_days")
        batch.drop_column("requires_contract")
