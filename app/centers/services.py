"""Business rules of the centre registry: saving rules and status transitions.

One function per transition. Each checks the allowed source states
(:class:`TransitionNotAllowed`), the role and the scope (:class:`NotPermitted`),
records who/when in the centre and in its status history, and leaves the
row-change audit to the session hooks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import case as sa_case
from sqlalchemy import select

from .. import clock
from ..common.commands import ModelCommands, commands, label_tables
from ..errors import NotPermitted, TransitionNotAllowed, UserError
from ..extensions import db
from ..providers.models import Provider, ProviderStatus
from ..security import roles
from ..security.scope import in_scope, role_names, scope_of
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
    default_message = _l(
        "Coordinates must be a latitude from 44 to 53 and a longitude from 22 to 41 (Ukraine)."
    )


class ReasonRequired(UserError):
    default_message = _l(
        "Give the reason: suspending or closing a centre is recorded with its reason."
    )


def _current_user(user=None):
    if user is not None:
        return user
    if has_request_context():
        return getattr(g, "user", None)
    return None


def user_may(user, permission: str, resource: str = permissions.RESOURCE) -> bool:
    """Role check from the grants (defence in depth beside FAB's view checks)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    names = role_names(user)
    if roles.ADMIN in names:
        return True
    return any(permission in permissions.GRANTS.get(name, {}).get(resource, ()) for name in names)


def _require(
    user,
    permission: str,
    centre: ResilienceCentre | None = None,
    resource: str = permissions.RESOURCE,
) -> None:
    if not user_may(user, permission, resource):
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
        provider = db.session.get(Provider, centre.provider_id)
    if provider is None or provider.status != ProviderStatus.approved:
        raise ProviderNotApproved()
    if min(centre.psychologists or 0, centre.social_workers or 0, centre.social_managers or 0) < 0:
        raise InvalidStaffCount()
    if centre.latitude is not None and not 44 <= centre.latitude <= 53:
        raise InvalidCoordinates()
    if centre.longitude is not None and not 22 <= centre.longitude <= 41:
        raise InvalidCoordinates()
    centre.barrier_free = centre.compute_barrier_free()


def record_initial_status(centre: ResilienceCentre, user=None, reason=None) -> None:
    """History row for a newly registered centre (its first status)."""
    user = _current_user(user)
    now = clock.utcnow()
    centre.status_changed_on = now
    centre.status_changed_by_fk = getattr(user, "id", None)
    centre.history.append(
        CentreStatusChange(
            from_status=None,
            to_status=centre.status,
            changed_on=now,
            changed_by_fk=getattr(user, "id", None),
            reason=reason,
        )
    )


# --- transitions --------------------------------------------------------------------
#: Source states of each status change (the view shows only those allowed now).
SOURCES = {
    "prepare": {S.planned},
    "open": {S.preparing},
    "suspend": {S.operating},
    "resume": {S.suspended},
    "close": {S.planned, S.preparing, S.operating, S.suspended},
}
#: Status changes recorded with a reason, which they require (CTR-21).
NEEDS_REASON = {"suspend", "close"}


def _move(
    centre: ResilienceCentre,
    name: str,
    target: CentreStatus,
    permission: str,
    user=None,
    reason: str | None = None,
    on: dt.date | None = None,
) -> ResilienceCentre:
    user = _current_user(user)
    _require(user, permission, centre)
    if centre.status not in SOURCES[name]:
        raise TransitionNotAllowed()
    if name in NEEDS_REASON and not (reason or "").strip():
        raise ReasonRequired()
    now = clock.utcnow()
    previous = centre.status
    centre.status = target
    centre.status_changed_on = now
    centre.status_changed_by_fk = user.id
    centre.status_reason = (reason or "").strip() or None
    centre.history.append(
        CentreStatusChange(
            from_status=previous,
            to_status=target,
            changed_on=now,
            changed_by_fk=user.id,
            reason=centre.status_reason,
        )
    )
    if target == S.operating and centre.opened_on is None:
        centre.opened_on = on or clock.kyiv_today()
    db.session.flush()
    return centre


def start_preparing(centre, user=None, reason=None):
    """planned → preparing: premises and staff are being arranged."""
    return _move(centre, "prepare", S.preparing, permissions.PREPARE, user, reason)


def open_centre(centre, user=None, reason=None, on=None):
    """preparing → operating: the centre opens its doors (sets «opened on»).

    Refused, with the list of what is missing, unless the readiness checklist
    (:func:`readiness`) is complete; the centre then delivers all four directions
    of the one resilience service."""
    _require(_current_user(user), permissions.OPEN, centre)
    if centre.status == S.preparing:
        ensure_ready(centre)
        deliver_all_directions(centre)
    return _move(centre, "open", S.operating, permissions.OPEN, user, reason, on)


def suspend(centre, user=None, reason=None):
    """operating → suspended."""
    return _move(centre, "suspend", S.suspended, permissions.SUSPEND, user, reason)


def resume(centre, user=None, reason=None):
    """suspended → operating."""
    return _move(centre, "resume", S.operating, permissions.RESUME, user, reason)


def close(centre, user=None, reason=None):
    """any status except closed → closed (final)."""
    return _move(centre, "close", S.closed, permissions.CLOSE, user, reason)


#: transition name -> (function, permission); the view actions and API use it.
# --- the public directory: publishing is a step of its own --------------------------------
NOT_PUBLISHABLE = _l(
    "Only an operating centre with its working hours and a phone or e-mail is "
    "published in the public directory."
)


def publish(centre, user=None, reason=None):
    """Publish the reviewed entry of an operating centre in the public directory."""
    user = _current_user(user)
    _require(user, permissions.PUBLISH, centre)
    if centre.status != S.operating or not centre.hours or not (centre.phone or centre.email):
        raise UserError(NOT_PUBLISHABLE)
    centre.published = True
    centre.published_on = clock.utcnow()
    db.session.flush()
    return centre


def unpublish(centre, user=None, reason=None):
    """Take the centre's entry out of the public directory."""
    user = _current_user(user)
    _require(user, permissions.PUBLISH, centre)
    if not centre.published:
        raise TransitionNotAllowed()
    centre.published = False
    db.session.flush()
    return centre


TRANSITIONS = {
    "prepare": (start_preparing, permissions.PREPARE),
    "open": (open_centre, permissions.OPEN),
    "suspend": (suspend, permissions.SUSPEND),
    "resume": (resume, permissions.RESUME),
    "close": (close, permissions.CLOSE),
    "publish": (publish, permissions.PUBLISH),
    "unpublish": (unpublish, permissions.PUBLISH),
}


def allowed_transitions(centre: ResilienceCentre, user=None) -> list[str]:
    """The status changes this user may make on this centre now (state, role, scope).

    The centre's page offers only these; the transition functions still check
    everything themselves (a stale page or the REST API goes through them)."""
    user = _current_user(user)
    if not any(user_may(user, perm) for _func, perm in TRANSITIONS.values()):
        return []
    if centre.id is not None and not in_scope(centre, scope_of(user)):
        return []
    names = [
        name
        for name, sources in SOURCES.items()
        if centre.status in sources and user_may(user, TRANSITIONS[name][1])
    ]
    if user_may(user, permissions.PUBLISH):
        if centre.published:
            names.append("unpublish")
        elif centre.status == S.operating:
            names.append("publish")
    return names


# --- structured working hours ----------------------------------------------------------------
WEEKDAYS = ["пн", "вт", "ср", "чт", "пт", "сб", "нд"]
HOURS_FORMAT = _l(
    "Write the working hours as days and times, e.g. «Пн–Пт 09:00–18:00, Сб 10:00–14:00»."
)
_DASH = r"\s*[-–—]\s*"


def parse_hours(text: str | None) -> list[tuple[int, dt.time, dt.time]]:
    """«Пн–Пт 09:00–18:00, Сб 10:00–14:00» → [(weekday, opens, closes)] (0 = Monday).

    A part without days («Пн–Пт 09:00–13:00, 14:00–18:00») applies to the days before
    it. Raises :class:`UserError` when the text is not in this form."""
    import re

    spans: list[tuple[int, dt.time, dt.time]] = []
    days: list[int] = []
    text = (text or "").strip()
    if not text:
        return spans
    part_re = re.compile(
        rf"^(?:(?P<d1>[а-яіїє]{{2}})(?:{_DASH}(?P<d2>[а-яіїє]{{2}}))?\s+)?"
        rf"(?P<h1>\d{{1,2}})[:.](?P<m1>\d\d){_DASH}(?P<h2>\d{{1,2}})[:.](?P<m2>\d\d)$"
    )
    for part in re.split(r"[,;]", text.lower()):
        match = part_re.match(part.strip())
        if not match:
            raise UserError(HOURS_FORMAT)
        d1, d2 = match["d1"], match["d2"]
        if d1:
            if d1 not in WEEKDAYS or (d2 and d2 not in WEEKDAYS):
                raise UserError(HOURS_FORMAT)
            a, b = WEEKDAYS.index(d1), WEEKDAYS.index(d2 or d1)
            if b < a:
                raise UserError(HOURS_FORMAT)
            days = list(range(a, b + 1))
        if not days:
            raise UserError(HOURS_FORMAT)
        try:
            opens = dt.time(int(match["h1"]), int(match["m1"]))
            closes = (
                dt.time(int(match["h2"]), int(match["m2"]))
                if match["h2"] != "24"
                else dt.time(23, 59)
            )
        except ValueError:
            raise UserError(HOURS_FORMAT) from None
        if closes <= opens:
            raise UserError(HOURS_FORMAT)
        spans.extend((day, opens, closes) for day in days)
    return spans


def sync_hours(centre) -> None:
    """The structured hours follow the working-hours text (refused when unreadable)."""
    from sqlalchemy import inspect

    from .models import OpeningHours

    state = inspect(centre)
    if (
        not state.transient
        and not state.pending
        and not state.attrs.working_hours.history.has_changes()
    ):
        return
    spans = parse_hours(centre.working_hours)
    centre.hours = [OpeningHours(weekday=d, opens=a, closes=b) for d, a, b in spans]


def kyiv_now() -> dt.datetime:
    return clock.kyiv_now()


# --- selection round ----------------------------------------------------------------
def provider_selection_round(provider_id: int | None, oblast_id: int | None = None) -> str | None:
    """Label of the latest round of the resilience-centre programme that the
    provider won (nationally or in the oblast); ``None`` when there is none."""
    if provider_id is None:
        return None
    from ..selection.models import Application, Decision, SelectionRound

    stmt = (
        select(SelectionRound)
        .join(Application, Application.round_id == SelectionRound.id)
        .where(
            Application.provider_id == provider_id,
            Application.decision == Decision.winner,
            SelectionRound.programme == "centre",
        )
    )
    if oblast_id is not None:
        stmt = stmt.where(
            (SelectionRound.oblast_id == oblast_id) | SelectionRound.oblast_id.is_(None)
        )
    found = db.session.scalars(stmt.order_by(SelectionRound.id.desc()).limit(1)).first()
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
    stmt = select(*area, ResilienceCentre.status, func.count(ResilienceCentre.id)).select_from(
        ResilienceCentre
    )
    if by_raion:
        stmt = stmt.join(Hromada, Hromada.id == ResilienceCentre.hromada_id).outerjoin(
            Raion, Raion.id == Hromada.raion_id
        )
    else:
        stmt = stmt.join(Oblast, Oblast.id == ResilienceCentre.oblast_id)
    return scoped(stmt.group_by(*area, ResilienceCentre.status), ResilienceCentre, scope)


# --- write commands (web form, REST API, importer) -------------------------------
CLOSED_READ_ONLY = _l("A closed centre cannot be changed.")
ONLY_PLANNED_DELETE = _l(
    "Only a planned centre with nothing attached can be deleted; close "
    "a centre that has worked, with the reason."
)


@commands(ResilienceCentre)
class CentreCommands(ModelCommands):
    """Centre card: hromada given (the oblast follows from it), an approved
    provider, sane numbers; a closed centre is read-only; only a planned
    centre is ever deleted."""

    parts = ("centre_status_change", "centre_month_figures", "centre_opening_hours")

    def check(self, item, creating):
        if not creating and _committed_status(item) == CentreStatus.closed:
            raise UserError(CLOSED_READ_ONLY)
        prepare_for_save(item)
        check_directions(item)
        sync_hours(item)

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


# ======================================================================================
# A centre as a place of work (issue #21): staff, readiness, the one service, community
# applications, activities and visits, monthly reports.
# ======================================================================================
from dataclasses import dataclass  # noqa: E402

from sqlalchemy import func  # noqa: E402

from ..providers.models import Specialist  # noqa: E402
from .models import (  # noqa: E402
    ACCESSIBILITY,
    AGE_COUNTS,
    BASIC_ACCESSIBILITY,
    CATEGORY_COUNTS,
    DIRECTIONS,
    MONTH_FIGURES,
    PEOPLE_COUNTS,
    PLAN_COLUMNS,
    SEX_COUNTS,
    ActivityKind,
    ApplicationStatus,
    CentreActivity,
    CentreMonthFigures,
    CentreReport,
    CentreStaff,
    CentreVisitDay,
    CommunityApplication,
    Direction,
    ReportStatus,
    StaffRole,
)


def _today() -> dt.date:
    return clock.kyiv_today()


# --- staff ------------------------------------------------------------------------------
STAFF_OTHER_PROVIDER = _l("The specialist must work for the provider that runs the centre.")
STAFF_DATES = _l("The end of the assignment cannot be earlier than its start.")
STAFF_INACTIVE = _l("The specialist is no longer active at the provider.")


def current_staff(centre_ids, on: dt.date | None = None) -> dict[int, list[CentreStaff]]:
    """Current assignments per centre (one statement)."""
    on = on or _today()
    found: dict[int, list[CentreStaff]] = {i: [] for i in centre_ids}
    if not found:
        return found
    for row in db.session.scalars(
        select(CentreStaff)
        .where(
            CentreStaff.centre_id.in_(list(found)),
            CentreStaff.start_on <= on,
            (CentreStaff.end_on.is_(None)) | (CentreStaff.end_on >= on),
        )
        .order_by(CentreStaff.role, CentreStaff.id)
    ):
        found[row.centre_id].append(row)
    return found


def staff_counts(centre_ids, on: dt.date | None = None) -> dict[int, dict[StaffRole, int]]:
    """Current staff per centre and role, from the assignments (one grouped statement)."""
    on = on or _today()
    counts = {i: {r: 0 for r in StaffRole} for i in centre_ids}
    if not counts:
        return counts
    for centre_id, role, number in db.session.execute(
        select(CentreStaff.centre_id, CentreStaff.role, func.count(CentreStaff.id))
        .where(
            CentreStaff.centre_id.in_(list(counts)),
            CentreStaff.start_on <= on,
            (CentreStaff.end_on.is_(None)) | (CentreStaff.end_on >= on),
        )
        .group_by(CentreStaff.centre_id, CentreStaff.role)
    ):
        counts[centre_id][role] = number
    return counts


@commands(CentreStaff)
class StaffCommands(ModelCommands):
    """An assignment: a specialist of the centre's own provider, sane dates."""

    def check(self, item, creating):
        centre = item.centre or db.session.get(ResilienceCentre, item.centre_id)
        specialist = item.specialist or db.session.get(Specialist, item.specialist_id)
        if centre is None or specialist is None:
            raise UserError()
        if _committed_status(centre) == CentreStatus.closed:
            raise UserError(CLOSED_READ_ONLY)
        if specialist.provider_id != centre.provider_id:
            raise UserError(STAFF_OTHER_PROVIDER)
        if creating and not specialist.active:
            raise UserError(STAFF_INACTIVE)
        if item.end_on is not None and item.start_on is not None and item.end_on < item.start_on:
            raise UserError(STAFF_DATES)


# --- readiness to open ------------------------------------------------------------------
@dataclass
class ReadinessItem:
    key: str
    label: str
    ok: bool
    detail: str = ""
    url: str = ""


READINESS_LABELS = {
    "selection": _l("The provider won a completed selection round for this oblast"),
    "staff": _l("Staff assigned (psychologist, social manager, social worker, as planned)"),
    "certified": _l("Every assigned specialist holds the mandatory certificate"),
    "agreement": _l("The agreement with the community is signed"),
    "accessibility": _l("The basic accessibility elements are present (entrance, toilet)"),
}
NOT_READY = _l("The centre cannot open yet. Missing: %(missing)s.")


def _url(endpoint, **kw) -> str:
    from flask import url_for

    try:
        return url_for(endpoint, **kw)
    except Exception:  # outside a request or the view is not registered
        return ""


def readiness_many(centres, on: dt.date | None = None) -> dict[int, list[ReadinessItem]]:
    """The readiness checklist of each centre, computed from the records.

    A handful of statements for any number of centres (staff, certificates and
    selection wins are read in bulk)."""
    from ..selection.services import won_completed_round
    from ..training.services import certified_specialist_ids

    centres = list(centres)
    ids = [c.id for c in centres]
    staff = current_staff(ids, on)
    certified = certified_specialist_ids({s.specialist_id for rows in staff.values() for s in rows})
    wins: dict[tuple, Any] = {}
    result = {}
    for c in centres:
        key = (c.provider_id, c.oblast_id)
        if key not in wins:
            wins[key] = won_completed_round(c.provider_id, c.oblast_id)
        rnd = wins[key]
        rows = staff[c.id]
        by_role = {r: sum(1 for s in rows if s.role == r) for r in StaffRole}
        short = [r for r in StaffRole if by_role[r] < max(1, getattr(c, PLAN_COLUMNS[r]) or 0)]
        uncertified = sorted(
            {s.specialist.full_name for s in rows if s.specialist_id not in certified}
        )
        missing_acc = [str(ACCESSIBILITY[a]) for a in BASIC_ACCESSIBILITY if not getattr(c, a)]
        staff_url = _url("CentreStaffView.list", _flt_0_centre=c.id)
        items = [
            ReadinessItem(
                "selection",
                str(READINESS_LABELS["selection"]),
                rnd is not None,
                str(rnd) if rnd is not None else "",
                _url("SelectionRoundView.show", pk=rnd.id)
                if rnd is not None
                else _url("SelectionRoundView.list"),
            ),
            ReadinessItem(
                "staff",
                str(READINESS_LABELS["staff"]),
                not short,
                ", ".join(f"{r}: {by_role[r]}" for r in StaffRole),
                staff_url,
            ),
            ReadinessItem(
                "certified",
                str(READINESS_LABELS["certified"]),
                bool(rows) and not uncertified,
                ", ".join(uncertified),
                _url("CertificateView.list") or staff_url,
            ),
            ReadinessItem(
                "agreement",
                str(READINESS_LABELS["agreement"]),
                c.agreement_signed_on is not None,
                (
                    f"{c.agreement_number or ''} {c.agreement_signed_on:%d.%m.%Y}".strip()
                    if c.agreement_signed_on
                    else ""
                ),
                _url("CentreView.edit", pk=c.id),
            ),
            ReadinessItem(
                "accessibility",
                str(READINESS_LABELS["accessibility"]),
                not missing_acc,
                ", ".join(missing_acc),
                _url("CentreView.edit", pk=c.id),
            ),
        ]
        result[c.id] = items
    return result


def readiness(centre, on: dt.date | None = None) -> list[ReadinessItem]:
    return readiness_many([centre], on)[centre.id]


def ensure_ready(centre) -> None:
    missing = [item.label for item in readiness(centre) if not item.ok]
    if missing:
        raise UserError(NOT_READY % {"missing": "; ".join(missing)})


def planned_readiness(scope, limit: int = 500):
    """Planned and preparing centres in the scope, by oblast and planned date, each
    with what it still lacks: [(oblast title, [(centre, [missing items])])]."""
    from ..collation import ukrainian_sort_key
    from ..security.scope import scoped as _scoped

    stmt = _scoped(
        select(ResilienceCentre)
        .where(ResilienceCentre.status.in_([S.planned, S.preparing]))
        .order_by(
            ResilienceCentre.planned_open_on.is_(None),
            ResilienceCentre.planned_open_on,
            ResilienceCentre.name,
        )
        .limit(limit),
        ResilienceCentre,
        scope,
    )
    centres = db.session.scalars(stmt).all()
    checks = readiness_many(centres)
    groups: dict[str, list] = {}
    for c in centres:
        groups.setdefault(c.oblast.title, []).append((c, [i for i in checks[c.id] if not i.ok]))
    return sorted(groups.items(), key=lambda kv: ukrainian_sort_key(kv[0]))


# --- the four directions: one service ---------------------------------------------------
ALL_DIRECTIONS = _l(
    "An operating centre delivers all four directions of the resilience "
    "service; they cannot be switched off."
)
_WORKING = (S.operating, S.suspended)


def deliver_all_directions(centre) -> None:
    for attr in DIRECTIONS:
        setattr(centre, attr, True)


def check_directions(centre) -> None:
    if centre.status in _WORKING and not all(getattr(centre, a) for a in DIRECTIONS):
        raise UserError(ALL_DIRECTIONS)


# --- community applications ---------------------------------------------------------------
DECISION_REASON = _l("Give the reason of the decision.")
APPLICATION_DECIDED = _l("The application has already been decided.")
APPLICATION_HROMADA = _l("Choose the territorial community that applies.")
APPROVAL_DETAILS = _l(
    "To approve, give the provider that will run the centre and the planned opening date."
)
APPLICATION_READ_ONLY = _l("A decided application cannot be changed.")


def _decide(application, target, user, reason):
    user = _current_user(user)
    _require(user, permissions.DECIDE_APPLICATION, resource=permissions.APPLICATION)
    if application.id is not None and not in_scope(application, scope_of(user)):
        raise NotPermitted()
    if application.status != ApplicationStatus.submitted:
        raise UserError(APPLICATION_DECIDED)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(DECISION_REASON)
    application.status = target
    application.decided_on = clock.utcnow()
    application.decided_by_fk = user.id
    application.decision_reason = reason
    return user


def approve_application(
    application, provider_id=None, planned_open_on=None, name=None, user=None, reason=None
) -> ResilienceCentre:
    """Approve a community's application: the planned centre is created with its
    premises and planned opening date (through the centre's own commands)."""
    user = _current_user(user)
    provider_id = provider_id or application.provider_id
    planned_open_on = planned_open_on or application.planned_open_on
    if provider_id is None or planned_open_on is None:
        raise UserError(APPROVAL_DETAILS)
    _decide(application, ApplicationStatus.approved, user, reason)
    hromada = application.hromada
    centre = ResilienceCentre(
        name=(name or application.centre_name or "").strip()
        or f"Центр життєстійкості: {hromada.title}",
        provider_id=provider_id,
        provider=db.session.get(Provider, provider_id),
        hromada=hromada,
        oblast_id=hromada.oblast_id,
        address=application.premises_address,
        status=S.planned,
        planned_open_on=planned_open_on,
        premises_area=application.premises_area,
        rooms_individual=application.rooms_individual,
        rooms_group=application.rooms_group,
        shelter=application.shelter,
        premises_owner=application.premises_owner,
    )
    for attr in ACCESSIBILITY:
        setattr(centre, attr, bool(getattr(application, attr)))
    from ..common.commands import commands_for

    commands_for(ResilienceCentre).create(centre)
    db.session.add(centre)
    db.session.flush()
    application.centre_id = centre.id
    application.provider_id = provider_id
    application.planned_open_on = planned_open_on
    application.centre_name = centre.name
    db.session.flush()
    return centre


def reject_application(application, user=None, reason=None):
    _decide(application, ApplicationStatus.rejected, user, reason)
    db.session.flush()
    return application


APPLICATION_TRANSITIONS = {"approve": approve_application, "reject": reject_application}


@commands(CommunityApplication)
class CommunityApplicationCommands(ModelCommands):
    """The application's hromada fixes its oblast; a decided application is read-only;
    the decision is a transition of its own (approve or reject, with a reason)."""

    def check(self, item, creating):
        if not creating and _committed(item, "status") != ApplicationStatus.submitted:
            raise UserError(APPLICATION_READ_ONLY)
        hromada = item.hromada
        if hromada is None and item.hromada_id is not None:
            from ..geography.models import Hromada

            hromada = db.session.get(Hromada, item.hromada_id)
        if hromada is None:
            raise UserError(APPLICATION_HROMADA)
        item.oblast_id = hromada.oblast_id
        if creating:
            item.status = ApplicationStatus.submitted

    def check_delete(self, item):
        if item.status != ApplicationStatus.submitted:
            raise UserError(APPLICATION_READ_ONLY)


def _committed(item, attr):
    from sqlalchemy import inspect

    history = getattr(inspect(item).attrs, attr).history
    return history.deleted[0] if history.deleted else getattr(item, attr)


# --- activities, visits and the month's figures ------------------------------------------
NOT_OPERATING = _l(
    "Activities and visits are recorded only for an operating (or suspended) "
    "centre, from its opening day."
)
FUTURE_DAY = _l("The date cannot be in the future.")
COUNTS_DISAGREE = _l(
    "The participants by category, by sex and by age must add up to the same number."
)
NO_PARTICIPANTS = _l("Count at least one participant.")
NEGATIVE = _l("Counts cannot be negative.")
FACILITATOR_NOT_STAFF = _l(
    "The facilitator must be a specialist assigned to the centre on that day."
)
MONTH_REPORTED = _l(
    "The month has been reported (the report is submitted or accepted): its "
    "activities and visits cannot be changed."
)
_LOCKED = (ReportStatus.submitted, ReportStatus.accepted)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _ensure_month_open(centre_id, day) -> None:
    if day is None or centre_id is None:
        return
    status = db.session.scalar(
        select(CentreReport.status).where(
            CentreReport.centre_id == centre_id, CentreReport.month == month_start(day)
        )
    )
    if status in _LOCKED:
        raise UserError(MONTH_REPORTED)


def _check_log_entry(item, day) -> ResilienceCentre:
    centre = item.centre or db.session.get(ResilienceCentre, item.centre_id)
    if centre is None:
        raise UserError()
    if day is not None and day > _today():
        raise UserError(FUTURE_DAY)
    if (
        centre.status not in _WORKING
        or centre.opened_on is None
        or (day is not None and day < centre.opened_on)
    ):
        raise UserError(NOT_OPERATING)
    _ensure_month_open(centre.id, day)
    return centre


class _LogCommands(ModelCommands):
    date_attr = "held_on"

    def _old_keys(self, item):
        from sqlalchemy import inspect

        state = inspect(item)
        keys = set()
        for attr in ("centre_id", self.date_attr):
            history = getattr(state.attrs, attr).history
            if history.deleted:
                old_centre = history.deleted[0] if attr == "centre_id" else item.centre_id
                old_day = (
                    history.deleted[0] if attr != "centre_id" else getattr(item, self.date_attr)
                )
                keys.add((old_centre, old_day))
        return keys

    def check_update(self, item):
        for centre_id, day in self._old_keys(item):
            _ensure_month_open(centre_id, day)
        item._figures_stale = self._old_keys(item)
        self.check(item, creating=False)

    def check_delete(self, item):
        _ensure_month_open(item.centre_id, getattr(item, self.date_attr))

    def after_write(self, item):
        keys = {(item.centre_id, getattr(item, self.date_attr))} | getattr(
            item, "_figures_stale", set()
        )
        for centre_id, day in keys:
            if centre_id is not None and day is not None:
                refresh_month_figures(centre_id, month_start(day))
        db.session.commit()


@commands(CentreActivity)
class ActivityCommands(_LogCommands):
    """An activity: an operating centre, a day not in the future and of an unreported
    month, a facilitator on the centre's staff that day, counts that agree."""

    def check(self, item, creating):
        _check_log_entry(item, item.held_on)
        values = {c: getattr(item, c) or 0 for c in PEOPLE_COUNTS}
        if any(v < 0 for v in values.values()):
            raise UserError(NEGATIVE)
        totals = {
            sum(values[c] for c in group) for group in (CATEGORY_COUNTS, SEX_COUNTS, AGE_COUNTS)
        }
        if len(totals) != 1:
            raise UserError(COUNTS_DISAGREE)
        if totals == {0}:
            raise UserError(NO_PARTICIPANTS)
        # the form sets the relations (their ids are filled in only at the flush)
        centre_id = item.centre.id if item.centre is not None else item.centre_id
        facilitator_id = (
            item.facilitator.id if item.facilitator is not None else item.facilitator_id
        )
        on_staff = db.session.scalar(
            select(func.count(CentreStaff.id)).where(
                CentreStaff.centre_id == centre_id,
                CentreStaff.specialist_id == facilitator_id,
                CentreStaff.start_on <= item.held_on,
                (CentreStaff.end_on.is_(None)) | (CentreStaff.end_on >= item.held_on),
            )
        )
        if not on_staff:
            raise UserError(FACILITATOR_NOT_STAFF)


@commands(CentreVisitDay)
class VisitCommands(_LogCommands):
    """A day's visit tally: an operating centre, not in the future, an unreported month."""

    date_attr = "day"

    def check(self, item, creating):
        _check_log_entry(item, item.day)
        if (item.visits or 0) < 0:
            raise UserError(NEGATIVE)


def figures_query(centre_id: int, first: dt.date):
    """The month's activity figures of a centre, as one grouped row."""
    last = month_end(first)
    a = CentreActivity
    participants = a.veterans + a.idp + a.others
    columns = [
        func.count(a.id).label("activities"),
        func.coalesce(func.sum(participants), 0).label("participants"),
        *[func.coalesce(func.sum(getattr(a, c)), 0).label(c) for c in PEOPLE_COUNTS],
        *[
            func.coalesce(func.sum(sa_case((a.direction == d, 1), else_=0)), 0).label(
                f"dir_{d.name}"
            )
            for d in Direction
        ],
        *[
            func.coalesce(func.sum(sa_case((a.kind == k, 1), else_=0)), 0).label(f"kind_{k.name}")
            for k in ActivityKind
        ],
    ]
    return select(*columns).where(a.centre_id == centre_id, a.held_on >= first, a.held_on <= last)


def refresh_month_figures(centre_id: int, first: dt.date) -> CentreMonthFigures:
    """Rewrite the precomputed figures of one centre and month from the log."""
    session = db.session
    row = session.execute(figures_query(centre_id, first)).one()._mapping
    visits = (
        session.scalar(
            select(func.coalesce(func.sum(CentreVisitDay.visits), 0)).where(
                CentreVisitDay.centre_id == centre_id,
                CentreVisitDay.day >= first,
                CentreVisitDay.day <= month_end(first),
            )
        )
        or 0
    )
    oblast_id = session.execute(
        select(ResilienceCentre.oblast_id).where(ResilienceCentre.id == centre_id)
    ).scalar_one()
    figures = session.get(CentreMonthFigures, (centre_id, first))
    if figures is None:
        figures = CentreMonthFigures(centre_id=centre_id, month=first)
        session.add(figures)
    figures.oblast_id = oblast_id
    figures.visits = int(visits)
    for name in MONTH_FIGURES:
        if name != "visits":
            setattr(figures, name, int(row[name] or 0))
    session.flush()
    return figures


def month_figures(centre_id: int, first: dt.date) -> dict:
    figures = db.session.get(CentreMonthFigures, (centre_id, first))
    return {name: (getattr(figures, name) if figures is not None else 0) for name in MONTH_FIGURES}


# --- monthly reports ----------------------------------------------------------------------
REPORT_READ_ONLY = _l("A submitted or accepted report cannot be changed.")
REPORT_MONTH_NOT_OVER = _l("A month is reported once it is over.")
REPORT_COMMENT = _l("Write what must be corrected: a returned report needs a comment.")
REPORT_CENTRE_NOT_WORKING = _l("Only a centre that has opened reports its months.")

#: The day of the next month by which a report is due (an assumption: the reporting
#: forms of the ministry or the Fund were not found; set ``CENTRE_REPORT_DUE_DAY``).
REPORT_DUE_DAY = 5


def report_due_day() -> int:
    return int(current_app.config.get("CENTRE_REPORT_DUE_DAY", REPORT_DUE_DAY))


def _report_move(report, allowed, target, permission, user):
    user = _current_user(user)
    _require(user, permission, resource=permissions.REPORT)
    if report.id is not None and not in_scope(report, scope_of(user)):
        raise NotPermitted()
    if report.status not in allowed:
        raise TransitionNotAllowed()
    report.status = target
    return user


def submit_report(report, user=None, reason=None, today: dt.date | None = None):
    """draft or returned → submitted: the figures are taken from the log (and the
    month's log is locked from now on)."""
    if month_end(report.month) >= (today or _today()):
        raise UserError(REPORT_MONTH_NOT_OVER)
    user = _report_move(
        report,
        {ReportStatus.draft, ReportStatus.returned},
        ReportStatus.submitted,
        permissions.SUBMIT_REPORT,
        user,
    )
    figures = refresh_month_figures(report.centre_id, report.month)
    report.visits = figures.visits
    report.activities = figures.activities
    report.participants = figures.participants
    report.submitted_on = clock.utcnow()
    report.submitted_by_fk = user.id
    db.session.flush()
    return report


def accept_report(report, user=None, reason=None):
    """submitted → accepted (the regional administrator)."""
    user = _report_move(
        report, {ReportStatus.submitted}, ReportStatus.accepted, permissions.REVIEW_REPORT, user
    )
    report.decided_on = clock.utcnow()
    report.decided_by_fk = user.id
    report.review_comment = (reason or "").strip() or report.review_comment
    db.session.flush()
    return report


def return_report(report, user=None, reason=None):
    """submitted → returned with a comment: the provider corrects and resubmits."""
    if not (reason or "").strip():
        raise UserError(REPORT_COMMENT)
    user = _report_move(
        report, {ReportStatus.submitted}, ReportStatus.returned, permissions.REVIEW_REPORT, user
    )
    report.decided_on = clock.utcnow()
    report.decided_by_fk = user.id
    report.review_comment = reason.strip()
    db.session.flush()
    return report


REPORT_TRANSITIONS = {"submit": submit_report, "accept": accept_report, "return": return_report}


@commands(CentreReport)
class ReportCommands(ModelCommands):
    """A report of a centre that has opened; the status moves only by its transitions;
    a submitted or accepted report is read-only."""

    def check(self, item, creating):
        if not creating and _committed(item, "status") in _LOCKED:
            raise UserError(REPORT_READ_ONLY)
        centre = item.centre or db.session.get(ResilienceCentre, item.centre_id)
        if centre is None or centre.opened_on is None:
            raise UserError(REPORT_CENTRE_NOT_WORKING)
        if item.month is not None:
            item.month = month_start(item.month)
        if creating:
            item.status = ReportStatus.draft

    def check_delete(self, item):
        if item.status in _LOCKED:
            raise UserError(REPORT_READ_ONLY)


def late_reports(scope, today: dt.date | None = None, months: int = 3):
    """Operating centres whose report of a past month is not submitted by the due day:
    [(centre, month first day, report or None)] over the last ``months`` months."""
    from ..security.scope import scoped as _scoped

    today = today or _today()
    due_day = report_due_day()
    firsts = []
    first = month_start(today)
    for _i in range(months):
        first = month_start(first - dt.timedelta(days=1))
        if (month_end(first) + dt.timedelta(days=due_day)) < today:
            firsts.append(first)
    if not firsts:
        return []
    centres = db.session.scalars(
        _scoped(
            select(ResilienceCentre)
            .where(
                ResilienceCentre.status.in_(list(_WORKING)), ResilienceCentre.opened_on.is_not(None)
            )
            .order_by(ResilienceCentre.name),
            ResilienceCentre,
            scope,
        )
    ).all()
    ids = [c.id for c in centres]
    reports = {}
    for chunk_start in range(0, len(ids), 500):
        for r in db.session.scalars(
            select(CentreReport).where(
                CentreReport.centre_id.in_(ids[chunk_start : chunk_start + 500]),
                CentreReport.month.in_(firsts),
            )
        ):
            reports[(r.centre_id, r.month)] = r
    late = []
    for c in centres:
        for f in firsts:
            # opened_on is never None here (the query above requires it)
            if c.opened_on is None or c.opened_on > month_end(f):
                continue
            report = reports.get((c.id, f))
            if report is None or report.status in (ReportStatus.draft, ReportStatus.returned):
                late.append((c, f, report))
    return late


label_tables(
    {
        "centre_staff": _l("staff assignments"),
        "centre_community_application": _l("community applications"),
        "centre_activity": _l("activities"),
        "centre_visit_day": _l("visit tallies"),
        "centre_report": _l("monthly reports"),
        "centre_month_figures": _l("figures"),
    }
)


# --- dashboard by oblast and month (reads the precomputed monthly figures) ---------------------
def period_months(first: dt.date, last: dt.date) -> list[dt.date]:
    months: list[dt.date] = []
    month = month_start(first)
    while month <= month_start(last) and len(months) < 36:
        months.append(month)
        month = month_start(month_end(month) + dt.timedelta(days=1))
    return months


_DASHBOARD_SQL: dict = {}


def _dashboard_sql(group: str, by_oblast: bool):
    from sqlalchemy import Date, bindparam, text

    key = (group, by_oblast)
    if key not in _DASHBOARD_SQL:
        sums = ", ".join(f"COALESCE(SUM({name}), 0) AS {name}" for name in MONTH_FIGURES)
        where = "month >= :first AND month <= :last"
        if by_oblast:
            where += " AND oblast_id = :oblast"
        _DASHBOARD_SQL[key] = text(
            f"SELECT {group}, {sums} FROM centre_month_figures WHERE {where} GROUP BY {group}"
        ).bindparams(bindparam("first", type_=Date), bindparam("last", type_=Date))
    return _DASHBOARD_SQL[key]


def _as_date(value):
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def activity_dashboard(scope, first: dt.date, last: dt.date) -> dict:
    """Operating centres, visits, activities by direction and type and people by category,
    per oblast and per month, over [first month, last month], in the user's scope.

    Three grouped statements: figures per oblast and per month from
    ``centre_month_figures`` (one row per centre and month) and the working centres
    per oblast from the centre table."""
    from ..collation import ukrainian_sort_key
    from ..geography.models import Oblast
    from ..security.scope import scoped as _scoped

    session = db.session
    first, last = month_start(first), month_start(last)
    f = CentreMonthFigures
    if scope.national or scope.oblast_id:
        # The two scopes the dashboard serves, as plain SQL built once: the same
        # condition as CentreMonthFigures.scope_clause, without compiling a statement
        # of 25 sums on every request.
        params = {"first": first, "last": last, "oblast": scope.oblast_id}
        by_oblast = {
            row.oblast_id: dict(row._mapping)
            for row in session.execute(_dashboard_sql("oblast_id", bool(scope.oblast_id)), params)
        }
        by_month = {
            _as_date(row.month): dict(row._mapping)
            for row in session.execute(_dashboard_sql("month", bool(scope.oblast_id)), params)
        }
    else:
        sums = [func.coalesce(func.sum(getattr(f, name)), 0).label(name) for name in MONTH_FIGURES]
        period = (f.month >= first) & (f.month <= last)
        by_oblast = {
            row.oblast_id: dict(row._mapping)
            for row in session.execute(
                _scoped(select(f.oblast_id, *sums).where(period).group_by(f.oblast_id), f, scope)
            )
        }
        by_month = {
            row.month: dict(row._mapping)
            for row in session.execute(
                _scoped(select(f.month, *sums).where(period).group_by(f.month), f, scope)
            )
        }
    centres = dict(
        session.execute(
            _scoped(
                select(ResilienceCentre.oblast_id, func.count(ResilienceCentre.id))
                .where(
                    ResilienceCentre.status.in_(list(_WORKING)),
                    ResilienceCentre.opened_on <= month_end(last),
                )
                .group_by(ResilienceCentre.oblast_id),
                ResilienceCentre,
                scope,
            )
        )
        .tuples()
        .all()
    )
    ids = set(by_oblast) | set(centres)
    titles = (
        dict(
            session.execute(select(Oblast.id, Oblast.title).where(Oblast.id.in_(ids)))
            .tuples()
            .all()
        )
        if ids
        else {}
    )
    zero = {name: 0 for name in MONTH_FIGURES}
    rows: list[dict[str, Any]] = sorted(
        (
            {
                "oblast_id": i,
                "oblast": titles.get(i, ""),
                "centres": centres.get(i, 0),
                **{k: int(by_oblast.get(i, zero)[k]) for k in MONTH_FIGURES},
            }
            for i in ids
        ),
        key=lambda r: ukrainian_sort_key(r["oblast"]),
    )
    totals = {
        "centres": sum(r["centres"] for r in rows),
        **{k: sum(r[k] for r in rows) for k in MONTH_FIGURES},
    }
    months = [
        {"month": m, **{k: int(by_month.get(m, zero)[k]) for k in MONTH_FIGURES}}
        for m in period_months(first, last)
    ]
    return {"rows": rows, "totals": totals, "months": months, "first": first, "last": last}


def dashboard_xlsx(data: dict, labels: dict) -> bytes:
    """The dashboard as an XLSX workbook: by oblast, and by month."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "За областями"
    keys = ["centres", *MONTH_FIGURES]
    sheet.append([str(labels.get("oblast", "")), *[str(labels.get(k, k)) for k in keys]])
    for r in data["rows"]:
        sheet.append([r["oblast"], *[r[k] for k in keys]])
    sheet.append([str(labels.get("total", "")), *[data["totals"][k] for k in keys]])
    by_month = workbook.create_sheet("За місяцями")
    by_month.append([str(labels.get("month", "")), *[str(labels.get(k, k)) for k in MONTH_FIGURES]])
    for m in data["months"]:
        by_month.append([m["month"].strftime("%m.%Y"), *[m[k] for k in MONTH_FIGURES]])
    for ws in (sheet, by_month):
        for cell in ws[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
