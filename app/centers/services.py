"""Business rules of the centre registry: saving rules and status transitions.

One function per transition. Each checks the allowed source states
(:class:`TransitionNotAllowed`), the role and the scope (:class:`NotPermitted`),
records who/when in the centre and in its status history, and leaves the
row-change audit to the session hooks.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..common.commands import ModelCommands, commands, label_tables
from ..common.errors import NotPermitted, TransitionNotAllowed, UserError
from ..providers.models import Provider, ProviderStatus
from ..security import roles
from ..security.scope import in_scope, scope_of
from . import permissions
from .models import CentreStatus, CentreStatusChange, ResilienceCentre

S = CentreStatus


class ProviderNotApproved(UserError):
    default_message = _l("A centre can only be run by an approved provider.")


class HromadaRequired(UserError):
    default_message = _l("Choose the territorial community of the centre.")


class InvalidStaffCount(UserError):
    default_message = _l("Staff counts cannot be negative.")


class InvalidCoordinates(UserError):
    default_message = _l("Coordinates must be a latitude from 44 to 53 and a longitude from 22 "
                         "to 41 (Ukraine).")


def _session():
    return current_app.appbuilder.session


def _current_user(user=None):
    if user is not None:
        return user
    if has_request_context():
        return getattr(g, "user", None)
    return None


def user_may(user, permission: str) -> bool:
    """Role check from the grants (defence in depth beside FAB's view checks)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    names = {r.name for r in user.roles}
    if roles.ADMIN in names:
        return True
    return any(permission in permissions.GRANTS.get(name, {}).get(permissions.RESOURCE, ())
               for name in names)


def _require(user, permission: str, centre: ResilienceCentre | None = None) -> None:
    if not user_may(user, permission):
        raise NotPermitted()
    if centre is not None and centre.id is not None and not in_scope(centre, scope_of(user)):
        raise NotPermitted()


# --- saving -----------------------------------------------------------------------
def prepare_for_save(centre: ResilienceCentre) -> None:
    """Derive the oblast from the hromada and check the provider and numbers.

    Called by the view and API before every insert/update and by the import.
    """
    if centre.hromada is None and centre.hromada_id is None:
        raise HromadaRequired()
    if centre.hromada is not None:
        centre.hromada_id = centre.hromada.id
        centre.oblast_id = centre.hromada.oblast_id
        centre.oblast = centre.hromada.oblast
    provider = centre.provider
    if provider is None and centre.provider_id is not None:
        provider = _session().get(Provider, centre.provider_id)
    if provider is None or provider.status != ProviderStatus.approved:
        raise ProviderNotApproved()
    if (centre.psychologists or 0) < 0 or (centre.social_workers or 0) < 0:
        raise InvalidStaffCount()
    if centre.latitude is not None and not 44 <= centre.latitude <= 53:
        raise InvalidCoordinates()
    if centre.longitude is not None and not 22 <= centre.longitude <= 41:
        raise InvalidCoordinates()
    centre.barrier_free = centre.compute_barrier_free()


def record_initial_status(centre: ResilienceCentre, user=None, reason=None) -> None:
    """History row for a newly registered centre (its first status)."""
    user = _current_user(user)
    now = dt.datetime.utcnow()
    centre.status_changed_on = now
    centre.status_changed_by_fk = getattr(user, "id", None)
    centre.history.append(CentreStatusChange(
        from_status=None, to_status=centre.status, changed_on=now,
        changed_by_fk=getattr(user, "id", None), reason=reason))


# --- transitions --------------------------------------------------------------------
def _move(centre: ResilienceCentre, allowed: set[CentreStatus], target: CentreStatus,
          permission: str, user=None, reason: str | None = None,
          on: dt.date | None = None) -> ResilienceCentre:
    user = _current_user(user)
    _require(user, permission, centre)
    if centre.status not in allowed:
        raise TransitionNotAllowed()
    now = dt.datetime.utcnow()
    previous = centre.status
    centre.status = target
    centre.status_changed_on = now
    centre.status_changed_by_fk = user.id
    centre.status_reason = (reason or "").strip() or None
    centre.history.append(CentreStatusChange(
        from_status=previous, to_status=target, changed_on=now, changed_by_fk=user.id,
        reason=centre.status_reason))
    if target == S.operating and centre.opened_on is None:
        centre.opened_on = on or dt.date.today()
    _session().flush()
    return centre


def start_preparing(centre, user=None, reason=None):
    """planned → preparing: premises and staff are being arranged."""
    return _move(centre, {S.planned}, S.preparing, permissions.PREPARE, user, reason)


def open_centre(centre, user=None, reason=None, on=None):
    """preparing → operating: the centre opens its doors (sets «opened on»)."""
    return _move(centre, {S.preparing}, S.operating, permissions.OPEN, user, reason, on)


def suspend(centre, user=None, reason=None):
    """operating → suspended."""
    return _move(centre, {S.operating}, S.suspended, permissions.SUSPEND, user, reason)


def resume(centre, user=None, reason=None):
    """suspended → operating."""
    return _move(centre, {S.suspended}, S.operating, permissions.RESUME, user, reason)


def close(centre, user=None, reason=None):
    """any status except closed → closed (final)."""
    return _move(centre, {S.planned, S.preparing, S.operating, S.suspended}, S.closed,
                 permissions.CLOSE, user, reason)


#: transition name -> (function, permission); the view actions and API use it.
TRANSITIONS = {
    "prepare": (start_preparing, permissions.PREPARE),
    "open": (open_centre, permissions.OPEN),
    "suspend": (suspend, permissions.SUSPEND),
    "resume": (resume, permissions.RESUME),
    "close": (close, permissions.CLOSE),
}


# --- selection round (soft link to the selection domain) ------------------------------
def provider_selection_round(provider_id: int | None, oblast_id: int | None = None) -> str | None:
    """Label of the latest selection round the provider won, if the selection domain
    records applications with a decision; ``None`` when unknown."""
    if provider_id is None:
        return None
    try:
        from ..selection import models as sel
    except ImportError:  # pragma: no cover
        return None
    application = getattr(sel, "Application", None)
    round_model = getattr(sel, "SelectionRound", None)
    if application is None or round_model is None:
        return None
    try:
        stmt = (select(round_model)
                .join(application, application.round_id == round_model.id)
                .where(application.provider_id == provider_id))
        decision = getattr(application, "decision", None)
        enum_class = getattr(getattr(decision, "type", None), "enum_class", None)
        winner = getattr(enum_class, "winner", None) if enum_class is not None else None
        if winner is not None:
            stmt = stmt.where(decision == winner)
        programme = getattr(round_model, "programme", None)
        programme_enum = getattr(getattr(programme, "type", None), "enum_class", None)
        resilience = getattr(programme_enum, "resilience_centres", None)
        if resilience is not None:
            stmt = stmt.where(programme == resilience)
        if oblast_id is not None and hasattr(round_model, "oblast_id"):
            stmt = stmt.where((round_model.oblast_id == oblast_id)
                              | round_model.oblast_id.is_(None))
        stmt = stmt.order_by(round_model.id.desc()).limit(1)
    except (AttributeError, TypeError):  # the selection schema is not what we expect
        return None
    found = _session().scalars(stmt).first()
    return str(found) if found is not None else None


def status_counts_query(scope, by_raion: bool = False):
    """``select(area id, area title, status, count)`` of the centres in the scope.

    Areas are oblasts, or raions with ``by_raion`` (a centre in a hromada
    outside any raion counts under area id None). One grouped statement.
    """
    from sqlalchemy import func

    from ..geography.models import Hromada, Oblast, Raion
    from ..security.scope import scoped

    area = (Raion.id, Raion.title) if by_raion else (Oblast.id, Oblast.title)
    stmt = (select(*area, ResilienceCentre.status, func.count(ResilienceCentre.id))
            .select_from(ResilienceCentre))
    if by_raion:
        stmt = (stmt.join(Hromada, Hromada.id == ResilienceCentre.hromada_id)
                .outerjoin(Raion, Raion.id == Hromada.raion_id))
    else:
        stmt = stmt.join(Oblast, Oblast.id == ResilienceCentre.oblast_id)
    return scoped(stmt.group_by(*area, ResilienceCentre.status), ResilienceCentre, scope)


# --- write commands (web form, REST API, importer) -------------------------------
CLOSED_READ_ONLY = _l("A closed centre cannot be changed.")
ONLY_PLANNED_DELETE = _l("Only a planned centre with nothing attached can be deleted; close "
                         "a centre that has worked, with the reason.")


@commands(ResilienceCentre)
class CentreCommands(ModelCommands):
    """Centre card: hromada given (the oblast follows from it), an approved
    provider, sane numbers; a closed centre is read-only; only a planned
    centre is ever deleted."""

    parts = ("centre_status_change",)

    def check(self, item, creating):
        if not creating and _committed_status(item) == CentreStatus.closed:
            raise UserError(CLOSED_READ_ONLY)
        prepare_for_save(item)

    def after_create(self, item):
        record_initial_status(item)

    def editable(self, item):
        return item.status != CentreStatus.closed

    def check_delete(self, item):
        if item.status != CentreStatus.planned:
            raise UserError(ONLY_PLANNED_DELETE)


def _committed_status(item):
    from sqlalchemy import inspect

    history = inspect(item).attrs.status.history
    return history.deleted[0] if history.deleted else item.status


label_tables({"centre": _l("resilience centres"), "centre_status_change": _l("status history")})
