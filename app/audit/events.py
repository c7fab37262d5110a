"""Row-change auditing with SQLAlchemy session events.

Chosen over SQLAlchemy-Continuum: Continuum builds a shadow ``*_version``
table per model and patches mappers; with FAB 5's own declarative base and
SQLAlchemy 2.0 it is one more moving part to keep in step, while the
requirement (who/when/old -> new per field, one row per change) is met by
~100 lines on ``after_flush``, which sees every ORM write path: views, API,
services, imports. Bulk ``UPDATE`` statements bypass the ORM and are not
seen: services must write through the ORM.

Models opt in by being domain models (everything except FAB's bookkeeping
tables and the log itself). A model's ``__personal_data__`` (the one
declaration, ``app.security.pii``) names fields whose values are masked in
the log (the fact of a change is kept, the value is not).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from .. import clock
from .models import AuditLog
from .services import actor

MASK = "***"
#: FAB bookkeeping that changes on every login and would drown the log.
IGNORED_TABLES = {
    "geo_oblast",
    "geo_raion",
    "geo_hromada",  # reference data: one import event
    "ab_permission",
    "ab_view_menu",
    "ab_permission_view",
    "ab_permission_view_role",
    "ab_register_user",
    "ab_api_key",
    "audit_log",
    "job",  # job: progress updates, not business data
    "portal_session",
}  # logins and logouts are audit events of their own
IGNORED_COLUMNS = {
    "ab_user": {
        "last_login",
        "login_count",
        "fail_login_count",
        "changed_on",
        "changed_by_fk",
        "locked_until",
    },
    "*": {"changed_on", "changed_by_fk", "created_on", "created_by_fk", "version"},
}
ALWAYS_MASKED = {"password"}

_installed = False


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set)):
        return sorted(str(v) for v in value)
    return str(value)


def _masked(obj) -> set[str]:
    from ..security.pii import personal_columns

    return set(personal_columns(type(obj))) | ALWAYS_MASKED


def _skip(table: str) -> set[str]:
    return IGNORED_COLUMNS["*"] | IGNORED_COLUMNS.get(table, set())


def _changes(obj, kind: str) -> dict:
    state = inspect(obj)
    table = obj.__table__.name
    masked, skip = _masked(obj), _skip(table)
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in skip:
            continue
        hist = state.attrs[key].history
        if kind == "create":
            new = getattr(obj, key)
            if new is None:
                continue
            old = None
        elif kind == "delete":
            old, new = state.attrs[key].loaded_value, None
            if old is None:
                continue
        else:
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
        if key in masked:
            old = MASK if old is not None else None
            new = MASK if new is not None else None
        changes[key] = [_plain(old), _plain(new)]
    # Collections that matter for security: a user's roles.
    if table == "ab_user" and "roles" in state.attrs:
        hist = state.attrs["roles"].history
        if hist.has_changes() and kind == "update":
            changes["roles"] = [
                sorted(r.name for r in (hist.unchanged + hist.deleted)),
                sorted(r.name for r in (hist.unchanged + hist.added)),
            ]
    return changes


def _audited(obj) -> bool:
    table = getattr(obj, "__table__", None)
    return table is not None and table.name not in IGNORED_TABLES


def _after_flush(session: Session, flush_context) -> None:
    rows = []
    who = actor()
    now = clock.utcnow()
    for kind, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not _audited(obj):
                continue
            if kind == "update" and not session.is_modified(obj, include_collections=True):
                continue
            changes = _changes(obj, kind)
            if kind == "update" and not changes:
                continue
            state = inspect(obj)
            # New rows have their key by now, but not yet an identity.
            pk = state.identity or state.mapper.primary_key_from_instance(obj)
            rows.append(
                dict(
                    ts=now,
                    action=kind,
                    entity=type(obj).__name__,
                    entity_id=str(pk[0]) if pk and pk[0] is not None else None,
                    changes=changes,
                    details=None,
                    **who,
                )
            )
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)


def install() -> None:
    """Listen on every Session (idempotent: many apps in one test process)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        _installed = True


def _signed_in(app, user) -> None:
    from .services import record_event

    record_event("login", user=user)


def _sign_in_refused(app, user, username) -> None:
    from .services import record_event

    if user is None:
        record_event("login_failed", details={"username": (username or "")[:100]})
    else:
        record_event("login_failed", user=user)


def _signed_out(app, user) -> None:
    from .services import record_event

    record_event("logout", user=user)


def connect_security_signals(app) -> None:
    """Record ``app``'s sign-ins, refused sign-ins and sign-outs, which the
    security layer announces (``app.security.signals``) without knowing of
    the audit log."""
    from ..security import signals

    signals.signed_in.connect(_signed_in, sender=app)
    signals.sign_in_refused.connect(_sign_in_refused, sender=app)
    signals.signed_out.connect(_signed_out, sender=app)
