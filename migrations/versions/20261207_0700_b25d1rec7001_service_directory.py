"""Service directory per hromada (issue #25): kinds of service and categories of
recipients (classifiers, seeded), entries, the hromada editor's scope on the
user, and a referral's pick from the directory with its outcome.

Revision ID: b25d1rec7001
Revises: b17a5e55d001
Create Date: 2026-12-07 07:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "b25d1rec7001"
down_revision = "b17a5e55d001"
branch_labels = None
depends_on = None

#: The classifiers as first seeded (app/directory/services.py keeps them current).
SERVICE_KINDS = (
    ("social_protection", "Соціальний захист і соціальні послуги"),
    ("documents", "Документи та статус"),
    ("health", "Охорона здоров'я"),
    ("rehabilitation", "Реабілітація"),
    ("psychological", "Психологічна підтримка"),
    ("legal_aid", "Правова допомога"),
    ("education", "Освіта"),
    ("employment", "Працевлаштування і перекваліфікація"),
    ("housing", "Житло"),
    ("benefits", "Пільги та виплати"),
    ("business", "Підтримка власної справи"),
    ("sport", "Спорт і дозвілля"),
    ("transition", "Перехід до цивільного життя"),
)
RECIPIENTS = (
    ("servicemen", "Військовослужбовці"),
    ("veterans", "Ветерани війни"),
    ("demobilised", "Демобілізовані"),
    ("war_disabled", "Особи з інвалідністю внаслідок війни"),
    ("families_servicemen", "Члени сімей військовослужбовців"),
    ("families_veterans", "Члени сімей ветеранів"),
    ("families_fallen", "Сім'ї загиблих (померлих) Захисників"),
    ("families_missing", "Сім'ї зниклих безвісти"),
    ("families_captive", "Сім'ї полонених"),
    ("idp", "Внутрішньо переміщені особи"),
    ("all_residents", "Усі мешканці громади"),
)


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
    kinds = op.create_table(
        "directory_service_kind",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("sort_order", sa.Integer(), server_default="100", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_audit_columns("directory_service_kind"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_service_kind")),
        sa.UniqueConstraint("code", name=op.f("uq_directory_service_kind_code")),
        sa.UniqueConstraint("name", name=op.f("uq_directory_service_kind_name")),
    )
    categories = op.create_table(
        "directory_recipient_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="100", nullable=False),
        *_audit_columns("directory_recipient_category"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_recipient_category")),
        sa.UniqueConstraint("code", name=op.f("uq_directory_recipient_category_code")),
        sa.UniqueConstraint("name", name=op.f("uq_directory_recipient_category_name")),
    )
    op.create_table(
        "directory_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "hromada",
                "oblast",
                "national",
                name="entrylevel",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            server_default="hromada",
            nullable=False,
        ),
        sa.Column("oblast_id", sa.Integer(), nullable=True),
        sa.Column("hromada_id", sa.Integer(), nullable=True),
        sa.Column(
            "provider_type",
            sa.Enum(
                "cnap",
                "hromada_department",
                "resilience_centre",
                "approved_provider",
                "state_body",
                "ngo",
                "other",
                name="providertype",
                native_enum=False,
                create_constraint=True,
                length=26,
            ),
            nullable=False,
        ),
        sa.Column("provider_name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("how_to_apply", sa.Text(), nullable=True),
        sa.Column("documents", sa.Text(), nullable=True),
        sa.Column("online_url", sa.String(length=500), nullable=True),
        sa.Column("in_person", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("hours", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=13), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("languages", sa.String(length=200), nullable=True),
        sa.Column("barrier_free", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("accessibility", sa.String(length=300), nullable=True),
        sa.Column("responsible", sa.String(length=200), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("verified_by_fk", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_audit_columns("directory_entry"),
        sa.ForeignKeyConstraint(
            ["kind_id"],
            ["directory_service_kind.id"],
            name=op.f("fk_directory_entry_kind_id_directory_service_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["oblast_id"], ["geo_oblast.id"], name=op.f("fk_directory_entry_oblast_id_geo_oblast")
        ),
        sa.ForeignKeyConstraint(
            ["hromada_id"],
            ["geo_hromada.id"],
            name=op.f("fk_directory_entry_hromada_id_geo_hromada"),
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_fk"],
            ["ab_user.id"],
            name=op.f("fk_directory_entry_verified_by_fk_ab_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_entry")),
    )
    with op.batch_alter_table("directory_entry", schema=None) as batch_op:
        batch_op.create_index("ix_directory_entry_hromada_active", ["hromada_id", "active"])
        batch_op.create_index("ix_directory_entry_kind", ["kind_id"])
        batch_op.create_index("ix_directory_entry_level_oblast", ["level", "oblast_id", "active"])
        batch_op.create_index(batch_op.f("ix_directory_entry_oblast_id"), ["oblast_id"])
        batch_op.create_index(batch_op.f("ix_directory_entry_title"), ["title"])
        batch_op.create_index("ix_directory_entry_verified", ["verified_on"])
    op.create_table(
        "directory_entry_recipient",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["directory_recipient_category.id"],
            name=op.f("fk_directory_entry_recipient_category_id_directory_recipient_category"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["directory_entry.id"],
            name=op.f("fk_directory_entry_recipient_entry_id_directory_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "entry_id", "category_id", name=op.f("pk_directory_entry_recipient")
        ),
    )
    op.create_index(
        "ix_directory_entry_recipient_category",
        "directory_entry_recipient",
        ["category_id", "entry_id"],
    )

    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hromada_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_ab_user_hromada_id"), ["hromada_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_ab_user_hromada_id_geo_hromada"),
            "geo_hromada",
            ["hromada_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("case_referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entry_id", sa.Integer(), nullable=True))
        # The enum's CHECK is created by name (a batch on PostgreSQL would not
        # create it from the type), so that the downgrade finds it on both.
        batch_op.add_column(
            sa.Column(
                "outcome",
                sa.Enum(
                    "received",
                    "refused",
                    "no_answer",
                    name="referraloutcome",
                    native_enum=False,
                    create_constraint=False,
                    length=17,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("outcome_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            "referraloutcome", "outcome IN ('received', 'refused', 'no_answer')"
        )
        batch_op.create_index(batch_op.f("ix_case_referral_entry_id"), ["entry_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_case_referral_entry_id_directory_entry"),
            "directory_entry",
            ["entry_id"],
            ["id"],
        )

    op.bulk_insert(
        kinds,
        [
            {"code": code, "name": name, "sort_order": n * 10, "active": True, "version": 1}
            for n, (code, name) in enumerate(SERVICE_KINDS, start=1)
        ],
    )
    op.bulk_insert(
        categories,
        [
            {"code": code, "name": name, "sort_order": n * 10, "version": 1}
            for n, (code, name) in enumerate(RECIPIENTS, start=1)
        ],
    )


def downgrade():
    with op.batch_alter_table("case_referral", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_referral_entry_id_directory_entry"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_case_referral_entry_id"))
        batch_op.drop_constraint("referraloutcome", type_="check")
        batch_op.drop_column("outcome_on")
        batch_op.drop_column("outcome")
        batch_op.drop_column("entry_id")
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_ab_user_hromada_id_geo_hromada"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_ab_user_hromada_id"))
        batch_op.drop_column("hromada_id")
    op.drop_index("ix_directory_entry_recipient_category", table_name="directory_entry_recipient")
    op.drop_table("directory_entry_recipient")
    op.drop_table("directory_entry")
    op.drop_table("directory_recipient_category")
    op.drop_table("directory_service_kind")
