"""Extension singletons, bound to an app in ``create_app``.

``db`` is built on FAB's declarative ``Model`` so that ``db.metadata`` holds
FAB's ``ab_*`` tables as well as ours: Alembic autogenerate then sees the whole
schema (with a plain ``SQLAlchemy()`` it would try to drop the ``ab_*`` tables).
The AppBuilder itself is NOT a singleton: one is created per app in the factory,
because a re-used instance registers no blueprints on a second app.
"""

import sqlite3

from flask import Flask, current_app
from flask_appbuilder import AppBuilder, Model
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

db = SQLAlchemy(model_class=Model)

# Deterministic constraint names for our tables (FAB's own were attached
# before this line and keep theirs): Alembic batch mode on SQLite and
# downgrades need names to find constraints again.
Model.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()


@event.listens_for(Engine, "connect")
def _sqlite_journal(dbapi_connection, _record):
    """Foreign keys enforced (below). SQLite as the embedded database of a web server: in WAL mode readers
    do not wait for a writer (a background import no longer stalls the list
    pages), and ``synchronous=NORMAL`` syncs to disk at checkpoints instead of
    at every commit. A power cut can lose the last commits, never corrupt the
    file. Every list of personal data commits an audit row: the full sync cost
    ~3 ms per page. (Production runs on PostgreSQL.)"""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # A row may not point at a row that does not exist (SQLite checks
        # nothing unless told): a delete that would orphan rows is refused
        # by the database too, not only by the services' dependants check.
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@event.listens_for(Engine, "connect")
def _sqlite_unicode_lower(dbapi_connection, _record):
    """SQLite's lower() (and so ILIKE) folds ASCII only: «Жовк» would not
    find «жовківська». Replace it with Python's Unicode lower() on SQLite
    connections; PostgreSQL folds Cyrillic itself."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function(
            "lower", 1, lambda v: v.lower() if isinstance(v, str) else v, deterministic=True
        )
        # Names sort in Ukrainian alphabetical order (app.common.finder.collated).
        from .collation import sqlite_collation

        dbapi_connection.create_collation("uk", sqlite_collation)


def get_app() -> Flask:
    """The current app itself (not the proxy): for threads and jobs that outlive
    the request."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


def get_appbuilder() -> AppBuilder:
    """The current app's AppBuilder. FAB sets ``app.appbuilder`` at run time;
    reading it here gives every caller a typed value."""
    return current_app.appbuilder  # type: ignore[attr-defined]
