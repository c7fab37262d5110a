"""Server-side sessions: the truth about who is signed in, and since when.

Every login (web form or ``/api/v1/security/login``) gets a
:class:`~app.security.models.UserSession` row: user, created, last seen, IP,
user agent. The browser's signed cookie holds a random id (``_sid``), an API
login's access and refresh tokens hold it as their ``sid`` claim; the row
stores its sha256. Each request is checked against the row:

* web: the signed-in user is loaded in the same statement as the row
  (``PortalSecurityManager.load_user``), so the check costs no extra query;
* API: Flask-JWT-Extended's ``token_in_blocklist_loader`` asks
  :func:`token_revoked` for every token, access and refresh alike.

A session is over when its row says so (``ended_at``: logout, password
change, deactivation, role change, ended by its user or an administrator),
8 hours after login (``PERMANENT_SESSION_LIFETIME``) or after 30 idle minutes
(``SESSION_IDLE_TIMEOUT``; API calls and page views both move ``last_seen``,
at most once per ``SESSION_TOUCH_SECONDS``). Ended rows are the revocation
list: a token whose session has ended is refused, and the rows are pruned
once no token of theirs could be valid anyway.

Chosen store: the database (one table, one indexed lookup per request, joined
to the user's load). It is shared by every worker without another service,
survives restarts, and an administrator's "end session" is a row update.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.orm import InstanceState, Session, UOWTransaction

from .. import clock
from ..extensions import db
from .models import PortalUser, UserSession

WEB = "web"
API = "api"
#: Why a session ended (kept on the row, shown to the user and the administrator).
END_REASONS = ("logout", "password", "deactivated", "roles", "ended", "ended_by_admin")


def utcnow() -> dt.datetime:
    return clock.utcnow()


def session_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _limits() -> tuple[dt.timedelta, dt.timedelta]:
    config = current_app.config
    return config["PERMANENT_SESSION_LIFETIME"], config["SESSION_IDLE_TIMEOUT"]


def start_session(user: PortalUser, kind: str = WEB) -> str:
    """Record a new login; returns the random id for the cookie or the token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    ip = agent = None
    if has_request_context():
        ip = (request.remote_addr or "")[:45] or None
        agent = (request.user_agent.string or "")[:300] or None
    with db.engine.begin() as conn:
        conn.execute(
            insert(UserSession.__table__),
            dict(
                id=session_hash(token),
                user_id=user.id,
                kind=kind,
                created_at=now,
                last_seen=now,
                ip=ip,
                user_agent=agent,
            ),
        )
        _prune(conn, now)
    return token


def _prune(conn: Connection, now: dt.datetime) -> None:
    """Drop rows no cookie or token could use any more (older than the lifetime)."""
    lifetime, _idle = _limits()
    conn.execute(
        delete(UserSession.__table__).where(
            UserSession.created_at < now - lifetime - dt.timedelta(minutes=5)
        )
    )


def problem(record: UserSession | None, user_id: object = None) -> str | None:
    """Why this session may not be used, or None when it may."""
    if record is None:
        return "unknown"
    if user_id is not None and str(record.user_id) != str(user_id):
        return "unknown"
    if record.ended_at is not None:
        return record.end_reason or "ended"
    lifetime, idle = _limits()
    now = utcnow()
    if now - record.created_at > lifetime:
        return "expired"
    if now - record.last_seen > idle:
        return "idle"
    return None


def touch(record: UserSession) -> None:
    """Move the idle clock, at most once per ``SESSION_TOUCH_SECONDS``."""
    now = utcnow()
    step = current_app.config.get("SESSION_TOUCH_SECONDS", 60)
    if (now - record.last_seen).total_seconds() < step:
        return
    with db.engine.begin() as conn:
        conn.execute(
            update(UserSession.__table__).where(UserSession.id == record.id).values(last_seen=now)
        )


def find(token: str | None) -> UserSession | None:
    if not token:
        return None
    return db.session.get(UserSession, session_hash(token))


def end_session(token_or_hash: str, reason: str, hashed: bool = False) -> None:
    key = token_or_hash if hashed else session_hash(token_or_hash)
    with db.engine.begin() as conn:
        conn.execute(
            update(UserSession.__table__)
            .where(UserSession.id == key, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
        )


def end_user_sessions(
    user_id: int, reason: str, keep: str | None = None, connection: Connection | None = None
) -> None:
    """End every live session of a user (``keep``: a session id to spare,
    the one changing its own password)."""
    statement = (
        update(UserSession.__table__)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    if keep:
        statement = statement.where(UserSession.id != session_hash(keep))
    if connection is not None:
        connection.execute(statement)
        return
    with db.engine.begin() as conn:
        conn.execute(statement)


def live_sessions(user_id: int | None = None) -> list[UserSession]:
    """Sessions that may still be used, newest first (one user's, or all)."""
    lifetime, idle = _limits()
    now = utcnow()
    query = (
        select(UserSession)
        .where(
            UserSession.ended_at.is_(None),
            UserSession.created_at >= now - lifetime,
            UserSession.last_seen >= now - idle,
        )
        .order_by(UserSession.last_seen.desc())
    )
    if user_id is not None:
        query = query.where(UserSession.user_id == user_id)
    return list(db.session.scalars(query))


def end_by_request(session_id_hash: str, actor: PortalUser, may_end_any: bool) -> bool:
    """A user ends one of their own sessions; an administrator anyone's.
    Returns False when the session is not one the actor may end."""
    record = db.session.get(UserSession, session_id_hash)
    if record is None or record.ended_at is not None:
        return False
    own = record.user_id == actor.id
    if not own and not may_end_any:
        return False
    end_session(session_id_hash, "ended" if own else "ended_by_admin", hashed=True)
    db.session.expire(record)
    return True


# --- API tokens --------------------------------------------------------------------
def token_revoked(jwt_payload: dict[str, Any]) -> bool:
    """Flask-JWT-Extended's blocklist check, for every token on every API call:
    a token is refused unless it names a live session of its own user."""
    record = find(jwt_payload.get("sid"))
    if record is None or problem(record, jwt_payload.get("sub")) is not None:
        return True
    touch(record)
    return False


# --- user changes that end sessions (ORM flush of ab_user) --------------------------
def _ending_reason(user: PortalUser) -> str | None:
    from sqlalchemy import inspect

    state: InstanceState[PortalUser] = inspect(user)
    active = state.attrs.active.history
    if active.has_changes() and active.deleted and active.deleted[0] and not user.active:
        return "deactivated"
    if "roles" in state.attrs and state.attrs.roles.history.has_changes():
        return "roles"
    password = state.attrs.password.history
    if password.has_changes() and password.deleted and password.deleted[0] is not None:
        return "password"
    return None


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    for obj in list(session.dirty):
        if not isinstance(obj, PortalUser) or obj.id is None:
            continue
        reason = _ending_reason(obj)
        if reason:
            keep = None
            if reason == "password" and has_request_context():
                from flask import g
                from flask import session as cookie

                user = g.get("user")
                if user is not None and getattr(user, "id", None) == obj.id:
                    keep = cookie.get("_sid")  # changing one's own password here
            end_user_sessions(obj.id, reason, keep=keep, connection=session.connection())


_installed = False


def install() -> None:
    """Listen on every Session (idempotent: many apps in one test process)."""
    global _installed
    if not _installed:
        from sqlalchemy import event

        event.listen(Session, "after_flush", _after_flush)
        _installed = True
