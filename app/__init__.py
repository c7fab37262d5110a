"""Опора: administration portal for the Ministry of Social Policy's programmes.

``create_app`` is the only way to get an application: tests build one per
module with their own database, ``run.py`` builds the dev/production one.
"""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.routing import IntegerConverter

from .extensions import csrf, db, migrate

log = logging.getLogger(__name__)

#: Domain packages in registration order. Each has ``models`` and a
#: ``register(appbuilder)`` function, and may have ``permissions.GRANTS``.
DOMAINS = (
    "app.security",
    "app.geography",
    "app.programmes",
    "app.providers",
    "app.selection",
    "app.centers",
    "app.training",
    "app.cases",
    "app.directory",
    "app.reports",
    "app.audit",
    "app.jobs",
)


def _no_ping_for_sqlite(app: Flask) -> None:
    """``pool_pre_ping`` finds connections a PostgreSQL restart has closed; a
    SQLite file cannot go away under a connection, and the ping ran a
    ``SELECT 1`` at each checkout (two per page: the request and its audit row)."""
    if str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["pool_pre_ping"] = False
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def create_app(config_object: str | object = "config", **overrides) -> Flask:
    """Build a configured portal application.

    ``overrides`` win over the config object (tests pass the database URL,
    ``WTF_CSRF_ENABLED`` and the like this way).
    """
    app = Flask(__name__, instance_relative_config=False)
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(config_object)
    app.config.update(overrides)
    _refuse_insecure_production(app)

    from .security.roles import build_fab_roles

    app.config["FAB_ROLES"] = build_fab_roles(_domain_modules())
    _no_ping_for_sqlite(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir())
    # CSRFProtect must come before AppBuilder, or FAB's JSON login API is refused.
    csrf.init_app(app)
    from .cache import init_cache

    init_cache(app)

    with app.app_context():
        _import_models()
        from flask_appbuilder import AppBuilder

        from . import fab_seam, home
        from .common.i18n import init_i18n
        from .common.input_guard import init_input_guard
        from .security.headers import init_security_headers
        from .security.redirects import init_safe_redirects
        from .security.session import init_session_policy

        if not _schema_ready():
            # Nothing to sync permissions into yet; `flask portal init-db` will.
            app.config["FAB_UPDATE_PERMS"] = False
        from .security.passwords import validate_password

        app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = validate_password
        appbuilder = AppBuilder(indexview=home.HomeView)
        appbuilder.init_app(app, db.session)
        init_i18n(app)
        init_session_policy(app)
        init_security_headers(app)
        init_safe_redirects()
        init_input_guard(app)
        for module in _domain_modules():
            module.register(appbuilder)
        home.register(appbuilder)
        fab_seam.install_view_lookup(app, appbuilder)

    from .cli import register_cli

    register_cli(app)
    return app


class BoundedIntConverter(IntegerConverter):
    """``<int:pk>`` that stops at the largest key a column can hold (INTEGER,
    32-bit on PostgreSQL): a bigger number is a 404 from routing instead of an
    overflow in the database driver (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _domain_modules():
    import importlib

    return [importlib.import_module(name) for name in DOMAINS]


def _import_models() -> None:
    """Import every model module before AppBuilder boots.

    FAB's permission sync and Alembic both need the full metadata.
    """
    import importlib

    for name in DOMAINS:
        importlib.import_module(f"{name}.models")
    _api_enums_by_name()


def _api_enums_by_name() -> None:
    """REST clients send and receive enum *names* ("approved"), not labels.

    FAB serialises enums by value unless the column says otherwise; our values
    are translated labels, which no client should have to send.
    """
    import sqlalchemy as sa

    for table in db.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, sa.Enum) and column.type.enum_class is not None:
                column.info["marshmallow_by_value"] = False


def _schema_ready() -> bool:
    from sqlalchemy import inspect

    try:
        return inspect(db.engine).has_table("ab_user")
    except Exception:  # database unreachable: let requests report it (503)
        return True


def _migrations_dir() -> str:
    import os

    return os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def _refuse_insecure_production(app: Flask) -> None:
    """A production app with the development key would sign forgeable sessions."""
    if app.config.get("PORTAL_ENV") != "production":
        return
    key = app.config.get("SECRET_KEY") or ""
    if key == app.config.get("DEV_SECRET_KEY") or len(key) < 32:
        raise RuntimeError(
            "SECRET_KEY must be set to a random value of at least 32 characters "
            "in production (PORTAL_ENV=production)."
        )
