"""Resilience centres at work (issue #21): staff assignments, community applications,
activities and daily visits with monthly figures, monthly reports, structured opening
hours and a publishing step; premises, agreement and planned date on the centre.

Revision ID: b21cen7e0001
Revises: b25d1rec7001
Create Date: 2026-12-07 07:10:00
"""

from alembic import op
import sqlalchemy as sa

revision = "b21cen7e0001"
down_revision = "b25d1rec7001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "centre_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column(
            "direction",
            sa.Enum(
                "psychoeducation",
                "counselling",
                "support_groups",
                "skills",
                name="direction",
                native_enum=False,
                create_constraint=True,
                length=23,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "individual_consultation",
                "family_consultation",
                "group_session",
                "self_help_group",
                "information_event",
                "skills_training",
                "other",
                name="activitykind",
                native_enum=False,
                create_constraint=True,
                length=31,
            ),
            nullable=False,
        ),
        sa.Column(
            "format",
            sa.Enum(
                "individual",
                "family",
                "group",
                "online",
                name="activityformat",
                native_enum=False,
                create_constraint=True,
                length=18,
            ),
            nullable=False,
        ),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("veterans", sa.Integer(), server_default="0", nullable=False),
        sa.Column("idp", sa.Integer(), server_default="0", nullable=False),
        sa.Column("others", sa.Integer(), server_default="0", nullable=False),
        sa.Column("women", sa.Integer(), server_default="0", nullable=False),
        sa.Column("men", sa.Integer(), server_default="0", nullable=False),
        sa.Column("children", sa.Integer(), server_default="0", nullable=False),
        sa.Column("adults", sa.Integer(), server_default="0", nullable=False),
        sa.Column("seniors", sa.Integer(), server_default="0", nullable=False),
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
            ["centre_id"], ["centre.id"], name=op.f("fk_centre_activity_centre_id_centre")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_activity_changed_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_activity_created_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["specialist.id"],
            name=op.f("fk_centre_activity_facilitator_id_specialist"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre_activity")),
    )
    with op.batch_alter_table("centre_activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_centre_activity_centre_day", ["centre_id", "held_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_centre_activity_facilitator_id"), ["facilitator_id"], unique=False
        )

    op.create_table(
        "centre_community_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("oblast_id", sa.Integer(), nullable=False),
        sa.Column("hromada_id", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_phone", sa.String(length=13), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("premises_address", sa.String(length=300), nullable=False),
        sa.Column("premises_area", sa.Float(), nullable=True),
        sa.Column("rooms_individual", sa.Integer(), nullable=True),
        sa.Column("rooms_group", sa.Integer(), nullable=True),
        sa.Column("shelter", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("acc_entrance", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("acc_toilet", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("acc_parking", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("acc_tactile", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("acc_visual", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("acc_hearing_loop", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("premises_owner", sa.String(length=300), nullable=True),
        sa.Column("benefactor_consent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("social_passport", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "approved",
                "rejected",
                name="applicationstatus",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            server_default="submitted",
            nullable=False,
        ),
        sa.Column("decided_on", sa.DateTime(), nullable=True),
        sa.Column("decided_by_fk", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("centre_name", sa.String(length=300), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("planned_open_on", sa.Date(), nullable=True),
        sa.Column("centre_id", sa.Integer(), nullable=True),
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
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_centre_community_application_centre_id_centre"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_community_application_changed_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_community_application_created_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_community_application_decided_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hromada_id"],
            ["geo_hromada.id"],
            name=op.f("fk_centre_community_application_hromada_id_geo_hromada"),
        ),
        sa.ForeignKeyConstraint(
            ["oblast_id"],
            ["geo_oblast.id"],
            name=op.f("fk_centre_community_application_oblast_id_geo_oblast"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_centre_community_application_provider_id_provider"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre_community_application")),
    )
    with op.batch_alter_table("centre_community_application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_centre_community_application_centre_id"), ["centre_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_centre_community_application_hromada_id"), ["hromada_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_centre_community_application_oblast_id"), ["oblast_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_centre_community_application_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_centre_community_application_status"), ["status"], unique=False
        )

    op.create_table(
        "centre_month_figures",
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("oblast_id", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), server_default="0", nullable=False),
        sa.Column("activities", sa.Integer(), server_default="0", nullable=False),
        sa.Column("participants", sa.Integer(), server_default="0", nullable=False),
        sa.Column("veterans", sa.Integer(), server_default="0", nullable=False),
        sa.Column("idp", sa.Integer(), server_default="0", nullable=False),
        sa.Column("others", sa.Integer(), server_default="0", nullable=False),
        sa.Column("women", sa.Integer(), server_default="0", nullable=False),
        sa.Column("men", sa.Integer(), server_default="0", nullable=False),
        sa.Column("children", sa.Integer(), server_default="0", nullable=False),
        sa.Column("adults", sa.Integer(), server_default="0", nullable=False),
        sa.Column("seniors", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dir_psychoeducation", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dir_counselling", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dir_support_groups", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dir_skills", sa.Integer(), server_default="0", nullable=False),
        sa.Column("kind_individual_consultation", sa.Integer(), server_default="0", nullable=False),
        sa.Column("kind_family_consultation", sa.Integer(), server_default="0", nullable=False),
        sa.Column("kind_group_session", sa.Integer(), server_default="0", nullable=False),
        sa.Column("kind_self_help_group", sa.Integer(), server_default="0", nullable=False),
        sa.Column("kind_information_event", sa.Integer(), server_default="0", nullable=False),
        sa.Column("kind_skills_training", sa.Integer(), server_default="0", nullable=False),
        sa.Column("kind_other", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_centre_month_figures_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["oblast_id"],
            ["geo_oblast.id"],
            name=op.f("fk_centre_month_figures_oblast_id_geo_oblast"),
        ),
        sa.PrimaryKeyConstraint("centre_id", "month", name=op.f("pk_centre_month_figures")),
    )
    with op.batch_alter_table("centre_month_figures", schema=None) as batch_op:
        batch_op.create_index("ix_centre_month_figures_month", ["month"], unique=False)
        batch_op.create_index(
            "ix_centre_month_figures_oblast_month", ["oblast_id", "month"], unique=False
        )

    op.create_table(
        "centre_opening_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_centre_opening_hours_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre_opening_hours")),
    )
    with op.batch_alter_table("centre_opening_hours", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_centre_opening_hours_centre_id"), ["centre_id"], unique=False
        )
        batch_op.create_index(
            "ix_centre_opening_hours_day", ["weekday", "opens", "closes"], unique=False
        )

    op.create_table(
        "centre_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "accepted",
                "returned",
                name="reportstatus",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("visits", sa.Integer(), server_default="0", nullable=False),
        sa.Column("activities", sa.Integer(), server_default="0", nullable=False),
        sa.Column("participants", sa.Integer(), server_default="0", nullable=False),
        sa.Column("submitted_on", sa.DateTime(), nullable=True),
        sa.Column("submitted_by_fk", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.DateTime(), nullable=True),
        sa.Column("decided_by_fk", sa.Integer(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
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
            ["centre_id"], ["centre.id"], name=op.f("fk_centre_report_centre_id_centre")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_report_changed_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_report_created_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_report_decided_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_report_submitted_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre_report")),
        sa.UniqueConstraint("centre_id", "month", name="uq_centre_report_month"),
    )
    with op.batch_alter_table("centre_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_centre_report_month"), ["month"], unique=False)
        batch_op.create_index(batch_op.f("ix_centre_report_status"), ["status"], unique=False)

    op.create_table(
        "centre_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("specialist_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "psychologist",
                "social_manager",
                "social_worker",
                name="staffrole",
                native_enum=False,
                create_constraint=True,
                length=22,
            ),
            nullable=False,
        ),
        sa.Column(
            "employment",
            sa.Enum(
                "full",
                "part",
                name="employment",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            server_default="full",
            nullable=False,
        ),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
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
            ["centre_id"], ["centre.id"], name=op.f("fk_centre_staff_centre_id_centre")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_staff_changed_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_staff_created_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["specialist.id"],
            name=op.f("fk_centre_staff_specialist_id_specialist"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre_staff")),
    )
    with op.batch_alter_table("centre_staff", schema=None) as batch_op:
        batch_op.create_index("ix_centre_staff_centre_end", ["centre_id", "end_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_centre_staff_specialist_id"), ["specialist_id"], unique=False
        )

    op.create_table(
        "centre_visit_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visits", sa.Integer(), server_default="0", nullable=False),
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
            ["centre_id"], ["centre.id"], name=op.f("fk_centre_visit_day_centre_id_centre")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_visit_day_changed_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_centre_visit_day_created_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre_visit_day")),
        sa.UniqueConstraint("centre_id", "day", name="uq_centre_visit_day"),
    )
    # Plain ADD COLUMN on the centre (no batch copy of a table others refer to).
    for column in (
        sa.Column("social_managers", sa.Integer(), server_default="0", nullable=False),
        sa.Column("planned_open_on", sa.Date(), nullable=True),
        sa.Column("premises_area", sa.Float(), nullable=True),
        sa.Column("rooms_individual", sa.Integer(), nullable=True),
        sa.Column("rooms_group", sa.Integer(), nullable=True),
        sa.Column("shelter", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("premises_owner", sa.String(length=300), nullable=True),
        sa.Column("agreement_number", sa.String(length=50), nullable=True),
        sa.Column("agreement_signed_on", sa.Date(), nullable=True),
        sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("published_on", sa.DateTime(), nullable=True),
    ):
        op.add_column("centre", column)
    op.create_index("ix_centre_planned_open_on", "centre", ["planned_open_on"], unique=False)
    op.create_index("ix_centre_published", "centre", ["published"], unique=False)

    # The meaning of the old fields, moved:
    # * psychologists / social_workers were typed staff counts; they stay as the
    #   centre's staffing plan (positions foreseen), and the counts shown come from
    #   the staff assignments from now on (nothing to convert: no assignment existed).
    # * the four directions are parts of one service: a working centre delivers all.
    # * the public directory listed every operating centre: those stay published.
    op.execute(
        "UPDATE centre SET dir_psychoeducation = true, dir_counselling = true, "
        "dir_support_groups = true, dir_skills = true "
        "WHERE status IN ('operating', 'suspended')"
    )
    op.execute(
        "UPDATE centre SET published = true, published_on = CURRENT_TIMESTAMP "
        "WHERE status = 'operating'"
    )


def downgrade():
    op.drop_index("ix_centre_published", table_name="centre")
    op.drop_index("ix_centre_planned_open_on", table_name="centre")
    with op.batch_alter_table("centre", schema=None) as batch_op:
        for name in (
            "published_on",
            "published",
            "agreement_signed_on",
            "agreement_number",
            "premises_owner",
            "shelter",
            "rooms_group",
            "rooms_individual",
            "premises_area",
            "planned_open_on",
            "social_managers",
        ):
            batch_op.drop_column(name)

    op.drop_table("centre_visit_day")
    with op.batch_alter_table("centre_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_centre_staff_specialist_id"))
        batch_op.drop_index("ix_centre_staff_centre_end")

    op.drop_table("centre_staff")
    with op.batch_alter_table("centre_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_centre_report_status"))
        batch_op.drop_index(batch_op.f("ix_centre_report_month"))

    op.drop_table("centre_report")
    with op.batch_alter_table("centre_opening_hours", schema=None) as batch_op:
        batch_op.drop_index("ix_centre_opening_hours_day")
        batch_op.drop_index(batch_op.f("ix_centre_opening_hours_centre_id"))

    op.drop_table("centre_opening_hours")
    with op.batch_alter_table("centre_month_figures", schema=None) as batch_op:
        batch_op.drop_index("ix_centre_month_figures_oblast_month")
        batch_op.drop_index("ix_centre_month_figures_month")

    op.drop_table("centre_month_figures")
    with op.batch_alter_table("centre_community_application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_centre_community_application_status"))
        batch_op.drop_index(batch_op.f("ix_centre_community_application_provider_id"))
        batch_op.drop_index(batch_op.f("ix_centre_community_application_oblast_id"))
        batch_op.drop_index(batch_op.f("ix_centre_community_application_hromada_id"))
        batch_op.drop_index(batch_op.f("ix_centre_community_application_centre_id"))

    op.drop_table("centre_community_application")
    with op.batch_alter_table("centre_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_centre_activity_facilitator_id"))
        batch_op.drop_index("ix_centre_activity_centre_day")

    op.drop_table("centre_activity")
