"""Writing audit events that are not row changes (logins, exports, views)."""

from __future__ import annotations

from flask import g, has_request_context, request
from sqlalchemy import insert

from .. import clock
from .models import AuditAction, AuditLog


def actor() -> dict:
    """Who is acting and from where (empty outside a request: CLI, seeding)."""
    if not has_request_context():
        return {"user_id": None, "username": None, "ip": None}
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": None, "username": None, "ip": request.remote_addr}
    return {
        "user_id": user.id,
        "username": user.username,
        "ip": request.remote_addr,
    }


def record_event(
    action: str,
    entity: str | None = None,
    entity_id=None,
    details=None,
    user=None,
    commit: bool = True,
) -> None:
    """Append one event. ``action`` is an :class:`AuditAction` name.

    Written on its own connection-level INSERT so that it is recorded even
    when the caller's transaction is rolled back afterwards (a refused login,
    a failed import), unless ``commit=False`` ties it to the caller's work.
    """
    from ..extensions import db

    who = actor()
    if user is not None:
        who.update(user_id=user.id, username=user.username)
    row = dict(
        ts=clock.utcnow(),
        action=AuditAction[action].name,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        details=details,
        **who,
    )
    if commit:
        with db.engine.begin() as conn:
            conn.execute(insert(AuditLog.__table__), row)
    else:
        db.session.execute(insert(AuditLog.__table__), row)
