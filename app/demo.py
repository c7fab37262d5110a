"""Deterministic demo data: users of every role and records of every domain.

``seed_demo`` creates the demo users, then calls ``demo_seed(ctx)`` of each
domain package (in ``DOMAINS`` order) so every domain owns its demo data.
Running it twice adds nothing the second time.
"""

from __future__ import annotations

import importlib
import random
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select, text

from .extensions import db, get_appbuilder
from .security import roles

#: Oblasts used for scoped demo users (KATOTTG codes): Lviv and Ivano-Frankivsk.
LVIV = "UA46000000000026241"
IVANO_FRANKIVSK = "UA26000000000069363"
KYIV_CITY = "UA80000000000093317"


@dataclass
class DemoContext:
    session: object
    rng: random.Random
    cases: int
    echo: Callable[[str], None]
    users: dict = field(default_factory=dict)


DEMO_USERS = (
    ("admin", roles.ADMIN, None),
    ("ministry", roles.MINISTRY, None),
    ("lviv", roles.REGIONAL_ADMIN, LVIV),
    ("frankivsk", roles.REGIONAL_ADMIN, IVANO_FRANKIVSK),
    ("trainer", roles.TRAINER, None),
    ("caseworker", roles.CASE_WORKER, None),
    ("auditor", roles.AUDITOR, None),
    # The provider's representative (issue #22): their provider is set by app.providers.demo.
    ("provider", roles.PROVIDER_REP, None),
)


def seed_demo(
    cases: int = 200, password: str | None = None, echo: Callable[[str], None] = print
) -> Iterator[str]:
    """Seed everything; yields the lines to print (credentials included)."""
    from sqlalchemy import select

    from . import DOMAINS
    from .geography.models import Oblast
    from .security.users import create_user

    password = password or "Demo-" + secrets.token_urlsafe(9)
    sm = get_appbuilder().sm
    ctx = DemoContext(session=db.session, rng=random.Random(20251123), cases=cases, echo=echo)
    created = []
    for username, role, oblast in DEMO_USERS:
        user = sm.find_user(username=username)
        if user is None:
            user = create_user(
                username,
                password,
                role,
                first_name=username.capitalize(),
                last_name="Демо",
                oblast_id=db.session.scalar(select(Oblast.id).where(Oblast.code == oblast))
                if oblast
                else None,
            )
            created.append((username, role))
        ctx.users[username] = user

    with _bulk_load_cache(db.session):
        for name in DOMAINS:
            if name == "app.cases":  # cases go to the providers and centres of the country
                from .demo_scale import top_up

                top_up(db.session, cases, echo)
            hook = getattr(importlib.import_module(name), "demo_seed", None)
            if hook:
                hook(ctx)
        db.session.commit()
    _refresh_statistics()

    if created:
        yield "Demo users (password for all: %s):" % password
        for username, role in created:
            yield f"  {username:<12} {role}"
    else:
        yield "Demo users already exist; their passwords are unchanged."


def _refresh_statistics() -> None:
    """Planner statistics after a bulk load: SQLite never gathers them itself;
    on PostgreSQL, VACUUM also sets the visibility map that index-only scans
    (the dashboard's counts) need, instead of waiting for autovacuum."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


@contextmanager
def _bulk_load_cache(session, megabytes: int = 256):
    """A large page cache for the seeding transaction on SQLite.

    The seed is one transaction; with SQLite's default 2 MB cache the pages of
    every index it grows are spilled to the WAL and read back for each insert
    (a million cases stalled at 10 % in ``pread``). The setting belongs to the
    connection and is put back afterwards. PostgreSQL needs nothing.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection  # survives the commit inside
    previous = int(raw.execute("PRAGMA cache_size").fetchone()[0])
    raw.execute(f"PRAGMA cache_size = -{megabytes * 1024}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {previous}")


def oblast_id(session, code: str) -> int:
    from .geography.models import Oblast

    return session.scalar(select(Oblast.id).where(Oblast.code == code))
