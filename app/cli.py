"""``flask portal ...`` commands: database setup, users, reference data, demo.

``flask portal init-db`` is the one step that makes a new database usable:
Alembic migrations, the KATOTTG geography, the built-in roles and their
permissions, and (optionally) the first administrator.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

portal = AppGroup("portal", help="Portal administration commands.")


def sync_security(app: Flask | None = None) -> None:
    """Create the built-in roles and every view's permissions (idempotent)."""
    appbuilder = (app or current_app).appbuilder  # type: ignore[attr-defined]
    appbuilder.sm.create_db()
    appbuilder.add_permissions(update_perms=True)


def init_database(use_migrations: bool = True) -> None:
    """Bring a database to the current schema and load reference data.

    Tests pass ``use_migrations=False`` for speed (``create_all``); a separate
    test proves that migrations and models agree (``flask db check``).
    """
    from .extensions import db
    from .geography import katottg

    if use_migrations:
        from flask_migrate import upgrade

        upgrade()
    else:
        db.create_all()
    sync_security()
    katottg.load(db.session)


def create_user(
    username,
    password,
    role_name,
    first_name="",
    last_name="",
    email=None,
    oblast_code=None,
    provider_edrpou=None,
):
    """:func:`app.security.users.create_user` with the scope given as an oblast's
    KATOTTG code or a provider's ЄДРПОУ (as the command line takes them)."""
    from sqlalchemy import select

    from .extensions import db
    from .geography.models import Oblast
    from .providers.models import Provider
    from .security.users import UserNotCreated
    from .security.users import create_user as create_account

    oblast_id = (
        db.session.scalar(select(Oblast.id).where(Oblast.code == oblast_code))
        if oblast_code
        else None
    )
    provider_id = (
        db.session.scalar(select(Provider.id).where(Provider.edrpou == provider_edrpou))
        if provider_edrpou
        else None
    )
    try:
        return create_account(
            username,
            password,
            role_name,
            first_name=first_name,
            last_name=last_name,
            email=email,
            oblast_id=oblast_id,
            provider_id=provider_id,
        )
    except UserNotCreated as exc:
        raise click.ClickException(str(exc)) from exc


@portal.command("init-db")
@click.option("--admin-username", envvar="PORTAL_ADMIN_USERNAME", default=None)
@click.option("--admin-password", envvar="PORTAL_ADMIN_PASSWORD", default=None)
@click.option("--admin-email", envvar="PORTAL_ADMIN_EMAIL", default=None)
def init_db_command(admin_username, admin_password, admin_email):
    """Migrate, load geography, sync roles; create the admin if asked."""
    init_database(use_migrations=True)
    click.echo("Schema up to date; geography loaded; roles synced.")
    if admin_username and admin_password:
        sm = current_app.appbuilder.sm
        if sm.find_user(username=admin_username):
            click.echo(f"Administrator {admin_username} already exists.")
        else:
            create_user(
                admin_username,
                admin_password,
                current_app.config["AUTH_ROLE_ADMIN"],
                email=admin_email,
            )
            click.echo(f"Administrator {admin_username} created.")


@portal.command("load-geo")
def load_geo_command():
    """Load or refresh the KATOTTG geography (idempotent)."""
    from .extensions import db
    from .geography import katottg

    created = katottg.load(db.session)
    click.echo(f"Created: {created}")


@portal.command("create-user")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", "role_name", required=True, help="Built-in role name, in Ukrainian.")
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option("--email", default=None)
@click.option("--oblast-code", default=None, help="KATOTTG code of the user's oblast.")
@click.option("--provider-edrpou", default=None, help="EDRPOU of the user's provider.")
def create_user_command(**kwargs):
    """Create a user with a built-in role and optional scope."""
    user = create_user(**kwargs)
    click.echo(f"User {user.username} created.")


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--cases",
    default=200,
    show_default=True,
    help="Number of demo cases; providers and centres follow the national "
    "proportions (2,000 and 5,000 per 1,000,000 cases).",
)
@click.option("--password", envvar="PORTAL_DEMO_PASSWORD", default=None)
def seed_demo_command(cases, password):
    """Fill the database with demo data and demo users (one per role).

    Deterministic (fixed random seed), batched, with progress; safe to run
    again (nothing is added twice)."""
    from .demo import seed_demo

    for line in seed_demo(cases=cases, password=password, echo=click.echo):
        click.echo(line)


portal.add_command(seed_demo_command)


@portal.command("i18n-check")
def i18n_check_command():
    """Fail when a msgid of the app or of FAB lacks a Ukrainian translation."""
    from .common.catalogue import check_catalogue

    problems = check_catalogue()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Ukrainian catalogue complete.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(portal)
    app.cli.add_command(seed_demo_command)  # also as `flask seed-demo`
