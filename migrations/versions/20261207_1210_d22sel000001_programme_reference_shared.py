"""One programme reference for selection and training (issue #22).

The selection round's and the training course's programme columns become
references to ``programme.code`` (``servicemen``, ``family``, ``centre``)
instead of their own enums; the values are mapped:

    selection_round.programme  resilience_centres -> centre, families -> family
    training_course.programme  resilience_centres -> centre

and back on downgrade (a programme added to the reference after the upgrade
has no value in the old enums: the downgrade refuses while such rows exist).

Also: the provider's changes of key data awaiting the ministry's re-check
(``provider.changes_pending``, ``changes_fields``, ``changes_noted_on``), and the
figures of a monthly act of services pre-filled from the portal's data
(``selection_act.activities`` ... ``meetings``).

Revision ID: d22sel000001
Revises: d20case00001
Create Date: 2026-12-07 12:10:00
"""

from alembic import op
import sqlalchemy as sa

revision = "d22sel000001"
down_revision = "d20case00001"
branch_labels = None
depends_on = None

#: table -> (old enum's name, old values, {old value: programme code})
COLUMNS = {
    "selection_round": (
        "programme",
        ("resilience_centres", "servicemen", "families"),
        {"resilience_centres": "centre", "families": "family"},
    ),
    "training_course": (
        "trainingprogramme",
        ("resilience_centres", "servicemen", "family"),
        {"resilience_centres": "centre"},
    ),
}


ACT_FIGURES = ("activities", "participants", "visits", "cases_served", "cases_opened", "meetings")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _old_type(enum_name, values):
    return sa.Enum(*values, name=enum_name, native_enum=False, create_constraint=True, length=26)


def _remap(table: str, mapping: dict) -> None:
    for old, new in mapping.items():
        op.execute(
            sa.text(f"UPDATE {table} SET programme = :new WHERE programme = :old").bindparams(
                new=new, old=old
            )
        )


def upgrade():
    with op.batch_alter_table("provider") as batch:
        batch.add_column(
            sa.Column("changes_pending", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("changes_fields", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("changes_noted_on", sa.DateTime(), nullable=True))
        batch.create_index(
            batch.f("ix_provider_changes_pending"), ["changes_pending"], unique=False
        )
    with op.batch_alter_table("selection_act") as batch:
        for name in ACT_FIGURES:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
    for table, (enum_name, values, mapping) in COLUMNS.items():
        check = op.f(f"ck_{table}_{enum_name}")
        fk = op.f(f"fk_{table}_programme_programme")
        if _sqlite():
            # SQLite cannot alter a column or a constraint: batch mode rebuilds the table.
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.alter_column(
                    "programme",
                    existing_type=_old_type(enum_name, values),
                    type_=sa.String(length=20),
                    existing_nullable=False,
                )
            _remap(table, mapping)
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.create_foreign_key(fk, "programme", ["programme"], ["code"])
        else:
            op.drop_constraint(check, table, type_="check")
            op.alter_column(
                table,
                "programme",
                existing_type=sa.String(length=26),
                type_=sa.String(length=20),
                existing_nullable=False,
            )
            _remap(table, mapping)
            op.create_foreign_key(fk, table, "programme", ["programme"], ["code"])


def downgrade():
    bind = op.get_bind()
    for table, (enum_name, values, mapping) in COLUMNS.items():
        back = {new: old for old, new in mapping.items()}
        known = set(values) | set(back)
        stray = [
            code
            for (code,) in bind.execute(sa.text(f"SELECT DISTINCT programme FROM {table}"))
            if code not in known
        ]
        if stray:
            raise RuntimeError(
                f"{table} refers to programmes the old enum does not know ({', '.join(stray)}): "
                "move those rows to a seeded programme before downgrading."
            )
        check = op.f(f"ck_{table}_{enum_name}")
        fk = op.f(f"fk_{table}_programme_programme")
        if _sqlite():
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.drop_constraint(fk, type_="foreignkey")
            _remap(table, back)
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.alter_column(
                    "programme",
                    existing_type=sa.String(length=20),
                    type_=_old_type(enum_name, values),
                    existing_nullable=False,
                )
        else:
            op.drop_constraint(fk, table, type_="foreignkey")
            _remap(table, back)
            op.alter_column(
                table,
                "programme",
                existing_type=sa.String(length=20),
                type_=sa.String(length=26),
                existing_nullable=False,
            )
            listed = ", ".join(f"'{v}'" for v in values)
            op.create_check_constraint(check, table, f"programme IN ({listed})")
    with op.batch_alter_table("selection_act") as batch:
        for name in reversed(ACT_FIGURES):
            batch.drop_column(name)
    with op.batch_alter_table("provider") as batch:
        batch.drop_index(batch.f("ix_provider_changes_pending"))
        batch.drop_column("changes_noted_on")
        batch.drop_column("changes_fields")
        batch.drop_column("changes_pending")
