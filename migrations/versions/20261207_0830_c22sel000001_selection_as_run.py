"""Competitive selection as run, provider register (issue #22).

Provider register: legal form, РНОКПП of a sole proprietor (ЄДРПОУ becomes
optional: exactly one identifier), registration, Register-of-providers entry,
services, legal address, IBAN, re-check date; the ministry's eligibility
criteria, their assessment per provider, provider documents. Selection: pass
mark and appeal window on the round, the «appeals» round status, screening on
the proposal; lots, proposals per lot, teams, conflict-of-interest
declarations, appeals, service agreements and monthly acts.

Revision ID: c22sel000001
Revises: c20case00002
Create Date: 2026-12-07 08:10:00
"""

from alembic import op
import sqlalchemy as sa

revision = "c22sel000001"
down_revision = "c20case00002"
branch_labels = None
depends_on = None

ROUND_STATUS = ("announced", "accepting", "evaluating", "completed", "cancelled")


def _round_status_check(values):
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot alter a CHECK: batch mode rebuilds the table with it.
        with op.batch_alter_table("selection_round", recreate="always") as batch:
            batch.alter_column(
                "status",
                existing_nullable=False,
                type_=sa.Enum(
                    *values,
                    name="roundstatus",
                    native_enum=False,
                    create_constraint=True,
                    length=18,
                ),
            )
    else:
        op.drop_constraint(op.f("ck_selection_round_roundstatus"), "selection_round", type_="check")
        listed = ", ".join(f"'{v}'" for v in values)
        op.create_check_constraint(
            op.f("ck_selection_round_roundstatus"), "selection_round", f"status IN ({listed})"
        )


def upgrade():
    _round_status_check(ROUND_STATUS[:3] + ("appeals",) + ROUND_STATUS[3:])
    op.create_table(
        "provider_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
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
            ["changed_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_provider_criterion_changed_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_provider_criterion_created_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_criterion")),
        sa.UniqueConstraint("name", name=op.f("uq_provider_criterion_name")),
    )
    op.create_table(
        "provider_proprietor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("rnokpp", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_provider_proprietor_provider_id_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_proprietor")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_provider_proprietor_provider_id")),
        sa.UniqueConstraint("rnokpp", name=op.f("uq_provider_proprietor_rnokpp")),
    )
    op.create_table(
        "provider_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("checked_on", sa.DateTime(), nullable=False),
        sa.Column("checked_by_fk", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["checked_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_provider_check_checked_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["provider_criterion.id"],
            name=op.f("fk_provider_check_criterion_id_provider_criterion"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_provider_check_provider_id_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_check")),
        sa.UniqueConstraint("provider_id", "criterion_id", name="uq_provider_check"),
    )
    with op.batch_alter_table("provider_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_check_criterion_id"), ["criterion_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_provider_check_provider_id"), ["provider_id"], unique=False
        )
    op.create_table(
        "provider_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column(
            "doc_type",
            sa.Enum(
                "statute",
                "register_extract",
                "tax_status",
                "licence",
                "premises",
                "other_document",
                name="providerdoctype",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_on", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by_fk", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_provider_document_provider_id_provider"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_provider_document_uploaded_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_document")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_provider_document_stored_name")),
    )
    with op.batch_alter_table("provider_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_document_provider_id"), ["provider_id"], unique=False
        )
    op.create_table(
        "selection_appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("filed_by_fk", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "filed",
                "upheld",
                "dismissed",
                name="appealstatus",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            server_default="filed",
            nullable=False,
        ),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.DateTime(), nullable=True),
        sa.Column("decided_by_fk", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["selection_application.id"],
            name=op.f("fk_selection_appeal_application_id_selection_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_selection_appeal_decided_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_selection_appeal_filed_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_appeal")),
    )
    with op.batch_alter_table("selection_appeal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_selection_appeal_application_id"), ["application_id"], unique=False
        )
    op.create_table(
        "selection_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("declared_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["selection_application.id"],
            name=op.f("fk_selection_conflict_application_id_selection_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["ab_user.id"], name=op.f("fk_selection_conflict_member_id_ab_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_conflict")),
        sa.UniqueConstraint("application_id", "member_id", name="uq_selection_conflict"),
    )
    with op.batch_alter_table("selection_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_selection_conflict_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_selection_conflict_member_id"), ["member_id"], unique=False
        )
    op.create_table(
        "selection_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "hromada",
                "centre",
                "military_unit",
                name="lotkind",
                native_enum=False,
                create_constraint=True,
                length=21,
            ),
            nullable=False,
        ),
        sa.Column("hromada_id", sa.Integer(), nullable=True),
        sa.Column("centre_id", sa.Integer(), nullable=True),
        sa.Column("unit_name", sa.String(length=200), nullable=True),
        sa.Column("budget_limit", sa.Numeric(precision=14, scale=2), nullable=True),
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
            ["centre_id"], ["centre.id"], name=op.f("fk_selection_lot_centre_id_centre")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_selection_lot_changed_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_selection_lot_created_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hromada_id"], ["geo_hromada.id"], name=op.f("fk_selection_lot_hromada_id_geo_hromada")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["selection_round.id"],
            name=op.f("fk_selection_lot_round_id_selection_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_lot")),
        sa.UniqueConstraint("round_id", "number", name="uq_selection_lot_number"),
    )
    with op.batch_alter_table("selection_lot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_selection_lot_centre_id"), ["centre_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_selection_lot_hromada_id"), ["hromada_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_selection_lot_round_id"), ["round_id"], unique=False)
    op.create_table(
        "selection_team_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("specialist_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["selection_application.id"],
            name=op.f("fk_selection_team_member_application_id_selection_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["specialist.id"],
            name=op.f("fk_selection_team_member_specialist_id_specialist"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_team_member")),
        sa.UniqueConstraint("application_id", "specialist_id", name="uq_selection_team_member"),
    )
    with op.batch_alter_table("selection_team_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_selection_team_member_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_selection_team_member_specialist_id"), ["specialist_id"], unique=False
        )
    op.create_table(
        "selection_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "completed",
                "terminated",
                name="agreementstatus",
                native_enum=False,
                create_constraint=True,
                length=18,
            ),
            server_default="active",
            nullable=False,
        ),
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
            ["application_id"],
            ["selection_application.id"],
            name=op.f("fk_selection_agreement_application_id_selection_application"),
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centre.id"], name=op.f("fk_selection_agreement_centre_id_centre")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_selection_agreement_changed_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_selection_agreement_created_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["selection_lot.id"],
            name=op.f("fk_selection_agreement_lot_id_selection_lot"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_selection_agreement_provider_id_provider"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_agreement")),
        sa.UniqueConstraint("lot_id", name=op.f("uq_selection_agreement_lot_id")),
        sa.UniqueConstraint("number", name=op.f("uq_selection_agreement_number")),
    )
    with op.batch_alter_table("selection_agreement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_selection_agreement_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_selection_agreement_centre_id"), ["centre_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_selection_agreement_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_selection_agreement_status"), ["status"], unique=False)
    op.create_table(
        "selection_proposal_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("budget", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column(
            "decision",
            sa.Enum(
                "winner",
                "reserve",
                "refused",
                name="lotdecision",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["selection_application.id"],
            name=op.f("fk_selection_proposal_lot_application_id_selection_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["selection_lot.id"],
            name=op.f("fk_selection_proposal_lot_lot_id_selection_lot"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_proposal_lot")),
        sa.UniqueConstraint("application_id", "lot_id", name="uq_selection_proposal_lot"),
    )
    with op.batch_alter_table("selection_proposal_lot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_selection_proposal_lot_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_selection_proposal_lot_lot_id"), ["lot_id"], unique=False
        )
    op.create_table(
        "selection_act",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("services_summary", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "accepted",
                "returned",
                name="actstatus",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            server_default="submitted",
            nullable=False,
        ),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.DateTime(), nullable=True),
        sa.Column("decided_by_fk", sa.Integer(), nullable=True),
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
            ["agreement_id"],
            ["selection_agreement.id"],
            name=op.f("fk_selection_act_agreement_id_selection_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_selection_act_changed_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_selection_act_created_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_selection_act_decided_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_act")),
        sa.UniqueConstraint("agreement_id", "month", name="uq_selection_act_month"),
    )
    with op.batch_alter_table("selection_act", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_selection_act_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_selection_act_status"), ["status"], unique=False)
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "legal_form",
                sa.Enum(
                    "public_association",
                    "charitable_organisation",
                    "religious_organisation",
                    "communal_institution",
                    "company",
                    "sole_proprietor",
                    "other_form",
                    name="legalform",
                    native_enum=False,
                    create_constraint=True,
                    length=31,
                ),
                server_default="other_form",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("registered_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("register_number", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("register_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("services_offered", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("legal_address", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("iban", sa.String(length=29), nullable=True))
        batch_op.add_column(sa.Column("recheck_on", sa.Date(), nullable=True))
        batch_op.alter_column("edrpou", existing_type=sa.VARCHAR(length=8), nullable=True)
    # The legal form of the registered providers, from their kind of organisation.
    for kind, form in (
        ("ngo", "public_association"),
        ("charity", "charitable_organisation"),
        ("communal", "communal_institution"),
    ):
        op.execute(f"UPDATE provider SET legal_form = '{form}' WHERE kind = '{kind}'")
    with op.batch_alter_table("selection_application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("eligible", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("screening_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("screened_on", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("screened_by_fk", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_selection_application_screened_by_fk_ab_user"),
            "ab_user",
            ["screened_by_fk"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("selection_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pass_mark", sa.Numeric(precision=9, scale=3), nullable=True))
        batch_op.add_column(sa.Column("appeal_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("appeal_until", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("selection_round", schema=None) as batch_op:
        batch_op.drop_column("appeal_until")
        batch_op.drop_column("appeal_days")
        batch_op.drop_column("pass_mark")
    with op.batch_alter_table("selection_application", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_selection_application_screened_by_fk_ab_user"), type_="foreignkey"
        )
        batch_op.drop_column("screened_by_fk")
        batch_op.drop_column("screened_on")
        batch_op.drop_column("screening_reason")
        batch_op.drop_column("eligible")
    op.drop_table("provider_proprietor")
    # Sole proprietors have no ЄДРПОУ: they cannot stay in the old schema.
    op.execute(
        "DELETE FROM provider_status_change WHERE provider_id IN "
        "(SELECT id FROM provider WHERE edrpou IS NULL)"
    )
    op.execute("DELETE FROM provider WHERE edrpou IS NULL")
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_provider_legalform"), type_="check")
        batch_op.alter_column("edrpou", existing_type=sa.VARCHAR(length=8), nullable=False)
        batch_op.drop_column("recheck_on")
        batch_op.drop_column("iban")
        batch_op.drop_column("legal_address")
        batch_op.drop_column("services_offered")
        batch_op.drop_column("register_date")
        batch_op.drop_column("register_number")
        batch_op.drop_column("registered_on")
        batch_op.drop_column("legal_form")
    with op.batch_alter_table("selection_act", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selection_act_status"))
        batch_op.drop_index(batch_op.f("ix_selection_act_agreement_id"))
    op.drop_table("selection_act")
    with op.batch_alter_table("selection_proposal_lot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selection_proposal_lot_lot_id"))
        batch_op.drop_index(batch_op.f("ix_selection_proposal_lot_application_id"))
    op.drop_table("selection_proposal_lot")
    with op.batch_alter_table("selection_agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selection_agreement_status"))
        batch_op.drop_index(batch_op.f("ix_selection_agreement_provider_id"))
        batch_op.drop_index(batch_op.f("ix_selection_agreement_centre_id"))
        batch_op.drop_index(batch_op.f("ix_selection_agreement_application_id"))
    op.drop_table("selection_agreement")
    with op.batch_alter_table("selection_team_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selection_team_member_specialist_id"))
        batch_op.drop_index(batch_op.f("ix_selection_team_member_application_id"))
    op.drop_table("selection_team_member")
    with op.batch_alter_table("selection_lot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selection_lot_round_id"))
        batch_op.drop_index(batch_op.f("ix_selection_lot_hromada_id"))
        batch_op.drop_index(batch_op.f("ix_selection_lot_centre_id"))
    op.drop_table("selection_lot")
    with op.batch_alter_table("selection_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selection_conflict_member_id"))
        batch_op.drop_index(batch_op.f("ix_selection_conflict_application_id"))
    op.drop_table("selection_conflict")
    with op.batch_alter_table("selection_appeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selection_appeal_application_id"))
    op.drop_table("selection_appeal")
    with op.batch_alter_table("provider_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_document_provider_id"))
    op.drop_table("provider_document")
    with op.batch_alter_table("provider_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_check_provider_id"))
        batch_op.drop_index(batch_op.f("ix_provider_check_criterion_id"))
    op.drop_table("provider_check")
    op.drop_table("provider_criterion")
    op.execute("UPDATE selection_round SET status = 'evaluating' WHERE status = 'appeals'")
    _round_status_check(ROUND_STATUS)
