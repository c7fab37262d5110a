"""Contains-search that does not read the whole table.

``number contains "000123"`` is ``LIKE '%000123%'``: no B-tree index helps, so
on a million cases every such search, and its count, reads the whole table
(~0.3 s on SQLite). A trigram index answers it from the index:

* **SQLite**: an FTS5 table with the ``trigram`` tokenizer over the column
  (external content, kept in step by triggers, so every write path, ORM or
  bulk, updates it); the filter asks it for the matching row ids.
* **PostgreSQL**: a ``pg_trgm`` GIN index on the column; FAB's ``ILIKE`` uses it
  as is. Where the extension cannot be created the search still works, unindexed.

A column is indexed by :func:`trigram_index` (in its models module, for
databases built from the models: tests, ``create_all``) and by a migration
calling :func:`install` (version 1 of this DDL: change it only through a new
migration). Views get the indexed "contains" through :class:`IndexedFilterConverter`.
On SQLite, a later migration that rebuilds the table (Alembic batch mode copies
it) drops the triggers: such a migration must call :func:`install` again.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterContains, SQLAFilterConverter

log = logging.getLogger(__name__)

#: Trigrams need three characters; shorter patterns fall back to LIKE.
MIN_PATTERN = 3
#: (table, column) pairs that have a trigram index.
INDEXED: set[tuple[str, str]] = set()


def fts_table(table: str, column: str) -> str:
    return f"{table}_{column}_fts"


def trgm_index(table: str, column: str) -> str:
    return f"ix_{table}_{column}_trgm"


def _sqlite_ddl(table: str, column: str) -> list[str]:
    fts = fts_table(table, column)
    delete = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({column}, content='{table}', "
        "content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {column} ON {table} "
        f"BEGIN {delete} {insert} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def install(connection: sa.Connection, table: str, column: str) -> None:
    """Create the trigram index of ``table.column`` (idempotent)."""
    if connection.dialect.name == "sqlite":
        for statement in _sqlite_ddl(table, column):
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        try:
            with connection.begin_nested():
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except sa.exc.DBAPIError as exc:
            log.warning(
                "pg_trgm is not available (%s): %s.%s search stays unindexed",
                exc.__class__.__name__,
                table,
                column,
            )
            return
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {trgm_index(table, column)} ON {table} "
            f"USING gin ({column} gin_trgm_ops)"
        )


def uninstall(connection: sa.Connection, table: str, column: str) -> None:
    if connection.dialect.name == "sqlite":
        fts = fts_table(table, column)
        for suffix in ("_ai", "_ad", "_au"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {fts}{suffix}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {fts}")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {trgm_index(table, column)}")


def trigram_index(table: sa.Table, column: str) -> None:
    """Declare ``table.column`` indexed; databases created from the models get it too."""
    INDEXED.add((table.name, column))
    sa.event.listen(
        table,
        "after_create",
        lambda target, connection, **kw: install(connection, table.name, column),
    )


def is_index_object(name: str | None) -> bool:
    """For Alembic's comparison: objects that are not in the models' metadata."""
    return name is not None and any(
        name.startswith(fts_table(t, c)) or name == trgm_index(t, c) for t, c in INDEXED
    )


def indexed_contains(
    model: Any, column: str, value: str, dialect: str
) -> sa.ColumnElement[bool] | None:
    """``column contains value`` as a condition answered by the trigram index where
    the column has one on SQLite (PostgreSQL's ILIKE uses its GIN index as is);
    None where the plain ILIKE is the way (no index, or a pattern too short)."""
    table = model.__table__.name
    if (table, column) not in INDEXED or dialect != "sqlite" or len(value or "") < MIN_PATTERN:
        return None
    fts = fts_table(table, column)
    matching = (
        sa.text(f"SELECT rowid FROM {fts} WHERE {column} LIKE :pattern")
        .bindparams(pattern=f"%{value}%")
        .columns(rowid=sa.Integer)
    )
    condition: sa.ColumnElement[bool] = model.id.in_(matching.subquery().select())
    return condition


class FilterContainsIndexed(FilterContains):
    """FAB's "contains", answered by the trigram index where there is one."""

    def apply(self, query: Any, value: str) -> Any:  # FAB's Query in, Query out
        condition = indexed_contains(
            self.model, self.column_name, value, query.session.get_bind().dialect.name
        )
        if condition is None:
            return super().apply(query, value)
        return query.filter(condition)


class IndexedFilterConverter(SQLAFilterConverter):
    """FAB's filter converter with "contains" going through :class:`FilterContainsIndexed`.

    It also remembers which filters a column gets: FAB works it out again for
    every column of the model each time it builds a ``Filters`` (three times
    per list page, ~3 ms on the case register), though it depends only on the
    model's column types.
    """

    conversion_table = tuple(
        (
            kind,
            sorted(
                (FilterContainsIndexed if f is FilterContains else f for f in filters),
                key=lambda f: f is not FilterContainsIndexed,
            ),
        )
        for kind, filters in SQLAFilterConverter.conversion_table
    )
    _classes: dict[tuple[Any, ...], tuple[type[BaseFilter], ...]] = {}

    def convert(self, col_name: str) -> list[BaseFilter] | None:
        key = (type(self), type(self.datamodel), self.datamodel.obj, col_name)
        classes = self._classes.get(key)
        if classes is None:
            classes = next(
                (
                    tuple(filters)
                    for kind, filters in self.conversion_table
                    if getattr(self.datamodel, kind)(col_name)
                ),
                (),
            )
            self._classes[key] = classes
        if not classes:
            return None
        return [cls(col_name, self.datamodel) for cls in classes]
