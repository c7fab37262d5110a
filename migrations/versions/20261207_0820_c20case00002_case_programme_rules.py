"""Case register follows the programmes' rules (issue #20): intake and consent,
repeatable assessment acts, plan items with goals and needs (measures are codes
of the programme's catalogue), service term and extensions, review due dates,
the family's agreement to the plan, the beneficiary's community, sex and new
categories, household relations, the register of military units with the
unit, service stage and hand-over on the case, closure reasons of the pilots.

Existing rows: the application date is the opening date; the plan of a case
already in accompaniment counts as agreed on the day it was drawn up; the
meeting clock, the term and the assessment deadline are derived from the
seeded programme rules; each date of existing needs becomes an assessment act.

Revision ID: c20case00002
Revises: c20prog00001
Create Date: 2026-12-07 08:10:00
"""

from alembic import op
import sqlalchemy as sa

revision = "c20case00002"
down_revision = "c20prog00001"
branch_labels = None
depends_on = None

OLD_REASONS = (
    "goals_achieved",
    "refused",
    "moved",
    "lost_contact",
    "transferred_out",
    "died",
    "other",
)
NEW_REASONS = OLD_REASONS[:-1] + (
    "term_expired",
    "veterans_specialist",
    "children_service",
    "serviceman_killed",
    "serviceman_missing",
    "serviceman_captured",
    "other",
)
OLD_CATEGORIES = ("serviceman", "family_member", "veteran", "difficult_family", "idp", "other")
NEW_CATEGORIES = OLD_CATEGORIES[:-1] + (
    "family_fallen",
    "family_missing",
    "family_captive",
    "demobilised",
    "combatant",
    "other",
)
OLD_MEASURES = (
    "documents_help",
    "inform_social_protection",
    "inform_health",
    "inform_education",
    "inform_legal_aid",
    "psychosocial_consultation",
    "family_consultation",
    "representation",
    "mobilisation_assistance",
    "support_group",
    "resilience_training",
)
INTAKE = ("self", "military_unit", "cnap", "hromada_manager", "children_service", "other_provider")
STAGES = ("conscription", "mobilisation", "service", "discharge", "killed", "missing", "captured")
SEX = ("female", "male")
CONSENT = ("processing", "processing_transfer")
RELATIONS = (
    "spouse",
    "child",
    "parent",
    "sibling",
    "grandparent",
    "grandchild",
    "guardian",
    "other",
)


def _enum(values, name):
    return sa.Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(v) for v in values) + 8,
    )


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


def _retype_enum(batch, table, column, values, name, nullable):
    """A CHECK of an enum column with other values (SQLite: the batch rebuild)."""
    if _sqlite():
        batch.alter_column(column, existing_nullable=nullable, type_=_enum(values, name))


def _retype_enum_pg(table, column, values, name):
    if _sqlite():
        return
    op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
    listed = ", ".join(f"'{v}'" for v in values)
    op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, f"{column} IN ({listed})")
    op.alter_column(
        table, column, type_=sa.String(max(len(v) for v in values) + 8), existing_nullable=True
    )


def upgrade():
    op.create_table(
        "military_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("pilot_entry_on", sa.Date(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_audit_columns("military_unit"),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], name=op.f("fk_military_unit_provider_id_provider")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_military_unit")),
        sa.UniqueConstraint("number", name=op.f("uq_military_unit_number")),
    )
    op.create_index(op.f("ix_military_unit_provider_id"), "military_unit", ["provider_id"])

    recreate = "always" if _sqlite() else "auto"
    with op.batch_alter_table("case_file", recreate=recreate) as batch:
        batch.add_column(sa.Column("application_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("intake_source", _enum(INTAKE, "intakesource"), nullable=True))
        batch.add_column(sa.Column("assessment_due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("term_end_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("extension_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("next_review_due", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("plan_version", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("plan_agreed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("military_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("service_stage", _enum(STAGES, "servicestage"), nullable=True))
        batch.add_column(sa.Column("handover_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("handover_hromada_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_meeting_on", sa.Date(), nullable=True))
        batch.create_index(batch.f("ix_case_file_assessment_due_on"), ["assessment_due_on"])
        batch.create_index(batch.f("ix_case_file_term_end_on"), ["term_end_on"])
        batch.create_index(batch.f("ix_case_file_military_unit_id"), ["military_unit_id"])
        batch.create_foreign_key(
            batch.f("fk_case_file_military_unit_id_military_unit"),
            "military_unit",
            ["military_unit_id"],
            ["id"],
        )
        batch.create_foreign_key(
            batch.f("fk_case_file_handover_hromada_id_geo_hromada"),
            "geo_hromada",
            ["handover_hromada_id"],
            ["id"],
        )
        _retype_enum(batch, "case_file", "closure_reason", NEW_REASONS, "closurereason", True)
    _retype_enum_pg("case_file", "closure_reason", NEW_REASONS, "closurereason")
    if _sqlite():
        # the batch rebuild dropped the trigram index's triggers
        from app.common.textsearch import install

        install(op.get_bind(), "case_file", "number")

    with op.batch_alter_table("case_beneficiary", recreate=recreate) as batch:
        batch.add_column(sa.Column("sex", _enum(SEX, "sex"), nullable=True))
        batch.add_column(sa.Column("hromada_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("consent_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("consent_scope", _enum(CONSENT, "consentscope"), nullable=True))
        batch.add_column(sa.Column("consent_document", sa.String(length=200), nullable=True))
        batch.create_index(batch.f("ix_case_beneficiary_hromada_id"), ["hromada_id"])
        batch.create_foreign_key(
            batch.f("fk_case_beneficiary_hromada_id_geo_hromada"),
            "geo_hromada",
            ["hromada_id"],
            ["id"],
        )
        _retype_enum(
            batch, "case_beneficiary", "category", NEW_CATEGORIES, "beneficiarycategory", False
        )
    _retype_enum_pg("case_beneficiary", "category", NEW_CATEGORIES, "beneficiarycategory")

    with op.batch_alter_table("case_household_member", recreate=recreate) as batch:
        batch.add_column(sa.Column("relation_code", _enum(RELATIONS, "relation"), nullable=True))
        batch.add_column(sa.Column("sex", _enum(SEX, "sex"), nullable=True))
        batch.add_column(
            sa.Column("receives_services", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        _retype_enum(
            batch, "case_household_member", "category", NEW_CATEGORIES, "beneficiarycategory", False
        )
    _retype_enum_pg("case_household_member", "category", NEW_CATEGORIES, "beneficiarycategory")

    with op.batch_alter_table("case_need", recreate=recreate) as batch:
        batch.drop_constraint("uq_case_need_domain", type_="unique")
        batch.create_unique_constraint(
            "uq_case_need_domain_date", ["case_id", "domain", "assessed_on"]
        )

    with op.batch_alter_table("case_plan_item", recreate=recreate) as batch:
        # (Alembic drops the old type's CHECK itself)
        batch.alter_column(
            "measure",
            existing_nullable=False,
            existing_type=_enum(OLD_MEASURES, "measure"),
            type_=sa.String(length=40),
        )
        batch.add_column(sa.Column("goal", sa.Text(), nullable=True))
        batch.add_column(sa.Column("expected_result", sa.Text(), nullable=True))
        batch.add_column(sa.Column("need_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("partner", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("outcome", sa.Text(), nullable=True))
        batch.create_index(batch.f("ix_case_plan_item_need_id"), ["need_id"])
        batch.create_foreign_key(
            batch.f("fk_case_plan_item_need_id_case_need"),
            "case_need",
            ["need_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "case_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("participants", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        *_audit_columns("case_assessment"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_case_assessment_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assessment")),
        sa.UniqueConstraint("case_id", "assessed_on", name="uq_case_assessment_date"),
    )
    op.create_index(op.f("ix_case_assessment_case_id"), "case_assessment", ["case_id"])
    op.create_table(
        "case_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("extended_on", sa.Date(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("term_end_before", sa.Date(), nullable=False),
        sa.Column("term_end_after", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_audit_columns("case_extension"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_case_extension_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_extension")),
    )
    op.create_index(op.f("ix_case_extension_case_id"), "case_extension", ["case_id"])
    _derive_existing()


def _derive_existing():
    """The new derived columns of the cases already registered."""
    from app.cases.calendar import add_months, add_working_days

    conn = op.get_bind()
    conn.execute(sa.text("UPDATE case_file SET application_on = opened_on"))
    conn.execute(
        sa.text(
            "UPDATE case_file SET plan_agreed_on = plan_on, plan_version = 1 "
            "WHERE plan_on IS NOT NULL AND status IN ('active', 'review', "
            "'closed')"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO case_assessment (case_id, assessed_on, assessor, version) "
            "SELECT DISTINCT case_id, assessed_on, 'Оцінку внесено до запровадження актів', 1 "
            "FROM case_need"
        )
    )
    rules = {
        row.code: row
        for row in conn.execute(
            sa.text(
                "SELECT code, meeting_forms, meeting_interval_days, term_months, "
                "assessment_deadline_working_days FROM programme"
            )
        )
    }
    for code, rule in rules.items():
        forms = [f for f in (rule.meeting_forms or "").split(",") if f]
        listed = ", ".join(f"'{f}'" for f in forms) or "''"
        conn.execute(
            sa.text(
                "UPDATE case_file SET last_meeting_on = (SELECT max(contact_on) FROM case_contact "
                f"WHERE case_contact.case_id = case_file.id AND form IN ({listed})) "
                "WHERE programme = :code"
            ),
            {"code": code},
        )
        rows = conn.execute(
            sa.text(
                "SELECT id, status, opened_on, reopened_on, last_meeting_on FROM case_file "
                "WHERE programme = :code"
            ),
            {"code": code},
        ).all()
        updates = []
        for row in rows:
            opened = _date(row.opened_on)
            anchors = [_date(d) for d in (row.last_meeting_on, row.opened_on, row.reopened_on) if d]
            due = None
            if rule.meeting_interval_days and row.status != "closed":
                due = max(anchors) + __import__("datetime").timedelta(
                    days=rule.meeting_interval_days
                )
            updates.append(
                {
                    "id": row.id,
                    "due": due,
                    "term": add_months(opened, rule.term_months) if rule.term_months else None,
                    "assess": add_working_days(opened, rule.assessment_deadline_working_days)
                    if rule.assessment_deadline_working_days
                    else None,
                }
            )
        if updates:
            conn.execute(
                sa.text(
                    "UPDATE case_file SET next_contact_due = :due, term_end_on = :term, "
                    "assessment_due_on = :assess WHERE id = :id"
                ),
                updates,
            )


def _date(value):
    import datetime as dt

    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _drop_checks(batch, table, names):
    """The CHECKs of enum columns about to be dropped (SQLite's rebuild would
    otherwise copy a CHECK naming a column that is gone)."""
    for name in names:
        batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")


def downgrade():
    conn = op.get_bind()
    # values the old CHECKs do not know
    listed = ", ".join(f"'{v}'" for v in OLD_REASONS)
    conn.execute(
        sa.text(
            f"UPDATE case_file SET closure_reason = 'other' WHERE closure_reason NOT IN ({listed})"
        )
    )
    listed = ", ".join(f"'{v}'" for v in OLD_CATEGORIES)
    for table in ("case_beneficiary", "case_household_member"):
        conn.execute(
            sa.text(f"UPDATE {table} SET category = 'other' WHERE category NOT IN ({listed})")
        )
    listed = ", ".join(f"'{v}'" for v in OLD_MEASURES)
    conn.execute(sa.text(f"DELETE FROM case_plan_item WHERE measure NOT IN ({listed})"))
    conn.execute(
        sa.text(
            "DELETE FROM case_need WHERE id NOT IN (SELECT min(id) FROM case_need "
            "GROUP BY case_id, domain)"
        )
    )

    op.drop_index(op.f("ix_case_extension_case_id"), table_name="case_extension")
    op.drop_table("case_extension")
    op.drop_index(op.f("ix_case_assessment_case_id"), table_name="case_assessment")
    op.drop_table("case_assessment")
    recreate = "always" if _sqlite() else "auto"
    with op.batch_alter_table("case_plan_item", recreate=recreate) as batch:
        batch.drop_constraint(batch.f("fk_case_plan_item_need_id_case_need"), type_="foreignkey")
        batch.drop_index(batch.f("ix_case_plan_item_need_id"))
        for column in ("outcome", "partner", "need_id", "expected_result", "goal"):
            batch.drop_column(column)
        batch.alter_column(
            "measure",
            existing_nullable=False,
            existing_type=sa.String(length=40),
            type_=_enum(OLD_MEASURES, "measure"),
        )
    with op.batch_alter_table("case_need", recreate=recreate) as batch:
        batch.drop_constraint("uq_case_need_domain_date", type_="unique")
        batch.create_unique_constraint("uq_case_need_domain", ["case_id", "domain"])
    with op.batch_alter_table("case_household_member", recreate=recreate) as batch:
        _drop_checks(batch, "case_household_member", ("relation", "sex"))
        for column in ("receives_services", "sex", "relation_code"):
            batch.drop_column(column)
        _retype_enum(
            batch, "case_household_member", "category", OLD_CATEGORIES, "beneficiarycategory", False
        )
    _retype_enum_pg("case_household_member", "category", OLD_CATEGORIES, "beneficiarycategory")
    with op.batch_alter_table("case_beneficiary", recreate=recreate) as batch:
        batch.drop_constraint(
            batch.f("fk_case_beneficiary_hromada_id_geo_hromada"), type_="foreignkey"
        )
        batch.drop_index(batch.f("ix_case_beneficiary_hromada_id"))
        _drop_checks(batch, "case_beneficiary", ("consentscope", "sex"))
        for column in ("consent_document", "consent_scope", "consent_on", "hromada_id", "sex"):
            batch.drop_column(column)
        _retype_enum(
            batch, "case_beneficiary", "category", OLD_CATEGORIES, "beneficiarycategory", False
        )
    _retype_enum_pg("case_beneficiary", "category", OLD_CATEGORIES, "beneficiarycategory")
    with op.batch_alter_table("case_file", recreate=recreate) as batch:
        batch.drop_constraint(
            batch.f("fk_case_file_handover_hromada_id_geo_hromada"), type_="foreignkey"
        )
        batch.drop_constraint(
            batch.f("fk_case_file_military_unit_id_military_unit"), type_="foreignkey"
        )
        for index in (
            "ix_case_file_military_unit_id",
            "ix_case_file_term_end_on",
            "ix_case_file_assessment_due_on",
        ):
            batch.drop_index(batch.f(index))
        _drop_checks(batch, "case_file", ("servicestage", "intakesource"))
        for column in (
            "last_meeting_on",
            "handover_hromada_id",
            "handover_on",
            "service_stage",
            "military_unit_id",
            "plan_agreed_on",
            "plan_version",
            "next_review_due",
            "extension_count",
            "term_end_on",
            "assessment_due_on",
            "intake_source",
            "application_on",
        ):
            batch.drop_column(column)
        _retype_enum(batch, "case_file", "closure_reason", OLD_REASONS, "closurereason", True)
    _retype_enum_pg("case_file", "closure_reason", OLD_REASONS, "closurereason")
    if _sqlite():
        from app.common.textsearch import install

        install(op.get_bind(), "case_file", "number")
    op.drop_index(op.f("ix_military_unit_provider_id"), table_name="military_unit")
    op.drop_table("military_unit")
