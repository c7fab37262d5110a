"""Training rules: who may change a workshop, its workflow, enrolment and
capacity, group attendance, completion and certificate numbers, reports.

Views and APIs stay thin and call these functions. Every write function
checks the workshop's state (``TransitionNotAllowed`` / ``AttendanceLocked``)
and the user's right (``NotWorkshopTrainer``): a trainer *reads* every
workshop but changes only the workshops they run; an administrator changes
any. Row changes are written through the ORM so the audit log records them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, distinct, func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from .. import clock
from ..common.commands import ModelCommands, commands, label_tables
from ..errors import NotPermitted, TransitionNotAllowed, UserError
from ..extensions import db
from ..security import roles
from ..security.scope import role_names, scoped
from ..selection.programme_ref import ProgrammeCode, check_programme, programme_items
from .models import (
    Attendance,
    AttendanceStatus,
    Certificate,
    CertificateCounter,
    Course,
    Participant,
    TrainingSession,
    Workshop,
    WorkshopStatus,
)

CERTIFICATE_PREFIX = "СВ"
#: Statuses in which attendance, sessions and participants may still change.
OPEN_STATUSES = (WorkshopStatus.planned, WorkshopStatus.running)


# --- errors --------------------------------------------------------------------------------
class NotWorkshopTrainer(NotPermitted):
    default_message = _l("Only a trainer of this workshop or an administrator may change it.")


class WorkshopFull(UserError):
    status_code = 409


class AlreadyEnrolled(UserError):
    status_code = 409
    default_message = _l("This specialist is already enrolled in the workshop.")


class WorkshopClosed(UserError):
    status_code = 409
    default_message = _l(
        "The workshop is finished or cancelled: its participants, sessions and attendance "
        "cannot be changed. Only an administrator may reopen a finished workshop."
    )


class InvalidWorkshop(UserError):
    pass


class CertificateNotIssued(UserError):
    status_code = 409
    default_message = _l("The certificate could not be issued. Try again.")


# --- helpers -------------------------------------------------------------------------------


def acting_user(user=None):
    if user is not None:
        return user
    if has_request_context():
        u = getattr(g, "user", None)
        if u is not None and getattr(u, "is_authenticated", False):
            return u
    return None


def is_admin(user) -> bool:
    return roles.ADMIN in role_names(user)


def is_trainer_of(workshop: Workshop, user) -> bool:
    return user is not None and any(t.id == user.id for t in workshop.trainers)


def can_edit_workshop(workshop: Workshop, user=None) -> bool:
    """Administrators change any workshop; trainers only those they run."""
    user = acting_user(user)
    if user is None:
        return False
    if is_admin(user):
        return True
    return roles.TRAINER in role_names(user) and is_trainer_of(workshop, user)


def ensure_can_edit(workshop: Workshop, user=None) -> None:
    if not can_edit_workshop(workshop, user):
        raise NotWorkshopTrainer()


def ensure_open(workshop: Workshop) -> None:
    if workshop.status not in OPEN_STATUSES:
        raise WorkshopClosed()


def _hours(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.1"))


# --- workshop form rules -------------------------------------------------------------------
def prepare_workshop(workshop: Workshop, user=None, creating: bool = False) -> None:
    """Check a workshop being saved from a form or the API.

    A trainer who creates a workshop becomes one of its trainers; a trainer
    may not remove themselves (they would lose the workshop).
    """
    user = acting_user(user)
    if creating:
        if user is not None and not is_admin(user) and not is_trainer_of(workshop, user):
            workshop.trainers.append(user)
        workshop.status = WorkshopStatus.planned
    else:
        ensure_can_edit(_stored_trainers_view(workshop), user)
    if not creating and workshop.status not in OPEN_STATUSES:
        raise WorkshopClosed()
    if workshop.start_date and workshop.end_date and workshop.end_date < workshop.start_date:
        raise InvalidWorkshop(_l("The end date cannot be earlier than the start date."))
    if not workshop.online and not (workshop.place or "").strip():
        raise InvalidWorkshop(_l("Enter the place of an in-person workshop or mark it as online."))
    if workshop.capacity is not None and workshop.capacity < 1:
        raise InvalidWorkshop(_l("Capacity must be at least one place."))
    if not creating and workshop.id is not None and workshop.capacity is not None:
        enrolled = (
            db.session.scalar(
                select(func.count(Participant.id)).where(Participant.workshop_id == workshop.id)
            )
            or 0
        )
        if enrolled > workshop.capacity:
            raise InvalidWorkshop(
                _l(
                    "Capacity cannot be less than the number of enrolled participants (%(count)s).",
                    count=enrolled,
                )
            )
    for trainer in workshop.trainers:
        if roles.TRAINER not in role_names(trainer) and not is_admin(trainer):
            raise InvalidWorkshop(
                _l("%(name)s does not have the Trainer role.", name=trainer.username)
            )
    if not workshop.trainers:
        raise InvalidWorkshop(_l("Choose at least one trainer."))


class _StoredTrainers:
    def __init__(self, trainers):
        self.trainers = trainers


def _stored_trainers_view(workshop: Workshop):
    """The workshop's trainers as stored, before the form changed them: a
    trainer cannot take over a workshop by adding themselves to it."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import InstanceState

    state: InstanceState[Workshop] = inspect(workshop)
    if state.transient or state.pending:
        return workshop
    hist = state.attrs.trainers.history
    if not hist.has_changes():
        return workshop
    return _StoredTrainers(list(hist.unchanged) + list(hist.deleted))


def ensure_can_delete_workshop(workshop: Workshop, user=None) -> None:
    ensure_can_edit(workshop, user)
    if workshop.status in (WorkshopStatus.running, WorkshopStatus.finished):
        raise TransitionNotAllowed(
            _l("A workshop that has started cannot be deleted; cancel it instead.")
        )


# --- workflow ------------------------------------------------------------------------------
def _transition(workshop: Workshop, allowed, target: WorkshopStatus, user) -> Workshop:
    if workshop.status not in allowed:
        raise TransitionNotAllowed()
    workshop.status = target
    workshop.status_changed_on = clock.utcnow()
    workshop.status_changed_by_fk = user.id if user is not None else None
    return workshop


def start_workshop(workshop: Workshop, user=None) -> Workshop:
    """planned → running."""
    user = acting_user(user)
    ensure_can_edit(workshop, user)
    _transition(workshop, (WorkshopStatus.planned,), WorkshopStatus.running, user)
    db.session.commit()
    return workshop


def cancel_workshop(workshop: Workshop, user=None) -> Workshop:
    """planned | running → cancelled."""
    user = acting_user(user)
    ensure_can_edit(workshop, user)
    _transition(workshop, OPEN_STATUSES, WorkshopStatus.cancelled, user)
    db.session.commit()
    return workshop


def finish_workshop(workshop: Workshop, user=None, today: dt.date | None = None) -> list:
    """running → finished; locks attendance and issues the certificates due.

    Returns the certificates issued now.
    """
    user = acting_user(user)
    ensure_can_edit(workshop, user)
    if not workshop.sessions:
        raise TransitionNotAllowed(_l("Add the workshop's sessions before finishing it."))
    _transition(workshop, (WorkshopStatus.running,), WorkshopStatus.finished, user)
    db.session.commit()
    return issue_due_certificates(workshop, user=user, today=today)


def reopen_workshop(workshop: Workshop, user=None) -> Workshop:
    """finished → running; administrators only. Certificates already issued stay."""
    user = acting_user(user)
    if not is_admin(user):
        raise NotPermitted(_l("Only an administrator may reopen a finished workshop."))
    _transition(workshop, (WorkshopStatus.finished,), WorkshopStatus.running, user)
    db.session.commit()
    return workshop


# --- sessions and participants -------------------------------------------------------------
def check_session(item: TrainingSession, user=None) -> None:
    workshop = item.workshop
    if workshop is None:
        raise InvalidWorkshop(_l("Choose the workshop."))
    ensure_can_edit(workshop, user)
    ensure_open(workshop)
    if item.day and not (workshop.start_date <= item.day <= workshop.end_date):
        raise InvalidWorkshop(
            _l(
                "The session day must be within the workshop dates (%(start)s – %(end)s).",
                start=f"{workshop.start_date:%d.%m.%Y}",
                end=f"{workshop.end_date:%d.%m.%Y}",
            )
        )
    if item.hours is not None and item.hours <= 0:
        raise InvalidWorkshop(_l("Session hours must be greater than zero."))


def check_enrolment(item: Participant, user=None) -> None:
    """Refuse an enrolment into a closed or full workshop, or a duplicate one.

    The workshop row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL) while
    the places are counted, so two trainers cannot both take the last place.
    """
    session = db.session
    with session.no_autoflush:
        _check_enrolment(session, item, user)


def _check_enrolment(session, item: Participant, user) -> None:
    workshop = item.workshop
    if workshop is None:
        raise InvalidWorkshop(_l("Choose the workshop."))
    ensure_can_edit(workshop, user)
    ensure_open(workshop)
    if item.specialist is None and not (item.guest_name or "").strip():
        raise InvalidWorkshop(
            _l("Choose a specialist of a provider or enter the name of a guest participant.")
        )
    if item.specialist is not None:
        item.guest_name = None
        item.guest_organisation = None
    session.execute(select(Workshop.id).where(Workshop.id == workshop.id).with_for_update())
    others = select(Participant.id).where(Participant.workshop_id == workshop.id)
    if item.id is not None:
        others = others.where(Participant.id != item.id)
    taken = session.scalar(select(func.count()).select_from(others.subquery()))
    if item.id is None and taken >= workshop.capacity:
        raise WorkshopFull(
            _l(
                "The workshop is full: all %(capacity)s places are taken. Increase the "
                "capacity or enrol the specialist in another workshop.",
                capacity=workshop.capacity,
            )
        )
    if item.specialist is not None:
        duplicate = session.scalar(
            others.where(Participant.specialist_id == item.specialist.id).limit(1)
        )
        if duplicate is not None:
            raise AlreadyEnrolled()


def enrol(
    workshop: Workshop, specialist=None, guest_name=None, guest_organisation=None, user=None
) -> Participant:
    """Enrol one participant (service form of the view's add)."""
    item = Participant(
        workshop=workshop,
        specialist=specialist,
        guest_name=guest_name,
        guest_organisation=guest_organisation,
    )
    session = db.session
    try:
        with session.no_autoflush:
            session.add(item)
            _check_enrolment(session, item, user)
        session.commit()
    except Exception:
        db.session.rollback()
        raise
    return item


def check_participant_delete(item: Participant, user=None) -> None:
    ensure_can_edit(item.workshop, user)
    ensure_open(item.workshop)
    if item.certificate is not None:
        raise TransitionNotAllowed(_l("A participant with a certificate cannot be removed."))


# --- attendance ----------------------------------------------------------------------------
@dataclass
class Cell:
    participant: Participant
    session: TrainingSession
    status: AttendanceStatus | None = None
    hours: Decimal | None = None
    raw_status: str = ""
    raw_hours: str = ""
    error: str | None = None


@dataclass
class AttendanceSheet:
    workshop: Workshop
    sessions: list
    participants: list
    cells: dict = field(default_factory=dict)  # (participant_id, session_id) -> Cell

    @property
    def errors(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.error]

    def cell(self, participant_id, session_id) -> Cell:
        return self.cells[(participant_id, session_id)]

    def attended(self, participant_id) -> Decimal:
        return sum(
            (
                c.hours or Decimal(0)
                for (pid, _), c in self.cells.items()
                if pid == participant_id and c.status is not None
            ),
            Decimal(0),
        )

    def completed(self, participant_id) -> bool:
        return self.attended(participant_id) >= self.workshop.course.completion_hours

    @property
    def planned_hours(self) -> Decimal:
        return sum((s.hours for s in self.sessions), Decimal(0))


def load_sheet(workshop: Workshop) -> AttendanceSheet:
    """The workshop's participants × sessions with stored attendance (3 queries)."""
    session = db.session
    sessions = session.scalars(
        select(TrainingSession)
        .where(TrainingSession.workshop_id == workshop.id)
        .order_by(TrainingSession.day, TrainingSession.id)
    ).all()
    participants = (
        session.scalars(
            select(Participant)
            .where(Participant.workshop_id == workshop.id)
            .order_by(Participant.id)
        )
        .unique()
        .all()
    )
    stored = {
        (a.participant_id, a.session_id): a
        for a in session.scalars(
            select(Attendance)
            .join(TrainingSession)
            .where(TrainingSession.workshop_id == workshop.id)
        )
    }
    sheet = AttendanceSheet(
        workshop, list(sessions), sorted(participants, key=lambda p: p.full_name)
    )
    for p in sheet.participants:
        for s in sheet.sessions:
            a = stored.get((p.id, s.id))
            sheet.cells[(p.id, s.id)] = Cell(
                p,
                s,
                status=a.status if a else None,
                hours=_hours(a.hours) if a else None,
                raw_status=a.status.name if a else "",
                raw_hours=str(_hours(a.hours)) if a else "",
            )
    return sheet


def _parse_hours(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value


def parse_attendance(sheet: AttendanceSheet, form, today: dt.date | None = None) -> AttendanceSheet:
    """Read the group form into the sheet; every invalid cell gets a message.

    Fields: ``status-<participant>-<session>`` (present / absent / partial, or
    empty for "not recorded") and ``hours-<participant>-<session>`` (partial).
    Only this workshop's participants and sessions are read. A session that
    has not taken place yet (its day after today, Kyiv time) takes no mark.
    """
    today = today or _kyiv_today()
    for (pid, sid), cell in sheet.cells.items():
        raw = (form.get(f"status-{pid}-{sid}") or "").strip()
        raw_hours = (form.get(f"hours-{pid}-{sid}") or "").strip()
        cell.raw_status, cell.raw_hours, cell.error = raw, raw_hours, None
        if not raw:
            cell.status, cell.hours = None, None
            continue
        try:
            cell.status = AttendanceStatus[raw]
        except KeyError:
            cell.status, cell.error = None, str(_l("Unknown attendance mark."))
            continue
        if cell.session.day > today:
            cell.status, cell.error = (
                None,
                str(FUTURE_SESSION % {"day": f"{cell.session.day:%d.%m.%Y}"}),
            )
            continue
        session_hours = _hours(cell.session.hours)
        if cell.status is AttendanceStatus.present:
            cell.hours = session_hours
        elif cell.status is AttendanceStatus.absent:
            cell.hours = Decimal("0.0")
        else:
            hours = _parse_hours(raw_hours)
            if hours is None or hours <= 0 or hours >= session_hours:
                cell.hours = None
                cell.error = str(
                    _l(
                        "For partial attendance enter the hours attended: more than 0 and less "
                        "than %(hours)s.",
                        hours=session_hours,
                    )
                )
            else:
                cell.hours = _hours(hours)
    return sheet


def save_attendance(workshop: Workshop, form, user=None) -> AttendanceSheet:
    """Record the whole group's attendance in one transaction.

    Nothing is written when any cell is invalid (the sheet comes back with
    the errors and what was typed), when the workshop is finished or
    cancelled, or when the user is not one of its trainers.
    """
    user = acting_user(user)
    ensure_can_edit(workshop, user)
    ensure_open(workshop)
    session = db.session
    sheet = parse_attendance(load_sheet(workshop), form)
    if sheet.errors:
        session.rollback()
        return sheet
    stored = {
        (a.participant_id, a.session_id): a
        for a in session.scalars(
            select(Attendance)
            .join(TrainingSession)
            .where(TrainingSession.workshop_id == workshop.id)
        )
    }
    now = clock.utcnow()
    user_id = user.id if user is not None else None
    try:
        for key, cell in sheet.cells.items():
            row = stored.get(key)
            if cell.status is None:
                if row is not None:
                    session.delete(row)
                continue
            if row is None:
                session.add(
                    Attendance(
                        participant_id=key[0],
                        session_id=key[1],
                        status=cell.status,
                        hours=cell.hours,
                        recorded_on=now,
                        recorded_by_fk=user_id,
                    )
                )
            elif row.status is not cell.status or _hours(row.hours) != cell.hours:
                row.status, row.hours = cell.status, cell.hours
                row.recorded_on, row.recorded_by_fk = now, user_id
        session.commit()
    except Exception:
        session.rollback()
        raise
    return sheet


FUTURE_SESSION = _l(
    "The session of %(day)s has not taken place yet: attendance is recorded "
    "on the day of the session or later."
)


def _kyiv_today() -> dt.date:
    from ..cases.services import kyiv_today

    return kyiv_today()


def attended_hours(participant_ids, until: dt.date | None = None) -> dict[int, Decimal]:
    """Hours attended per participant, of the sessions held by ``until``
    (default today, Kyiv time): a session that has not taken place counts
    for nothing, whatever was marked for it."""
    ids = list(participant_ids)
    if not ids:
        return {}
    until = until or _kyiv_today()
    rows = db.session.execute(
        select(Attendance.participant_id, func.coalesce(func.sum(Attendance.hours), 0))
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(Attendance.participant_id.in_(ids), TrainingSession.day <= until)
        .group_by(Attendance.participant_id)
    )
    result = {pid: Decimal(0) for pid in ids}
    result.update({pid: _hours(h) for pid, h in rows})
    return result


# --- certificates --------------------------------------------------------------------------
def format_number(year: int, seq: int) -> str:
    return f"{CERTIFICATE_PREFIX}-{year}-{seq:05d}"


def issue_certificate(
    participant_id: int, user=None, today: dt.date | None = None, attempts: int = 8
) -> Certificate:
    """Issue the participant's certificate once, with the next number of the year.

    Each certificate is its own short transaction: the year's counter row is
    locked with ``SELECT ... FOR UPDATE`` (PostgreSQL), incremented, and the
    certificate inserted. Where the lock is not available (SQLite), the unique
    constraints on the number and on the participant turn a race into an
    IntegrityError; the attempt is rolled back and retried from the current
    maximum. Calling it again for the same participant returns the stored one.
    """
    session = db.session
    user = acting_user(user)
    today = today or clock.kyiv_today()
    year = today.year
    last_error = None
    for attempt in range(attempts):
        try:
            existing = session.scalar(
                select(Certificate).where(Certificate.participant_id == participant_id)
            )
            if existing is not None:
                return existing
            participant = session.get(Participant, participant_id)
            if participant is None:
                raise CertificateNotIssued()
            hours = attended_hours([participant_id], until=today)[participant_id]
            if hours < participant.workshop.course.completion_hours:
                raise CertificateNotIssued(
                    _l("The participant has not attended enough hours for a certificate.")
                )
            counter = session.scalar(
                select(CertificateCounter).where(CertificateCounter.year == year).with_for_update()
            )
            if counter is None:
                counter = CertificateCounter(year=year, last_number=0)
                session.add(counter)
                session.flush()  # a concurrent first issue of the year -> IntegrityError
            seq = counter.last_number + 1
            if attempt:
                highest = (
                    session.scalar(
                        select(func.max(Certificate.seq)).where(Certificate.year == year)
                    )
                    or 0
                )
                seq = max(seq, highest + 1)
            counter.last_number = seq
            certificate = Certificate(
                participant_id=participant_id,
                year=year,
                seq=seq,
                number=format_number(year, seq),
                issued_on=today,
                hours=hours,
                issued_by_fk=user.id if user is not None else None,
            )
            session.add(certificate)
            session.commit()
            return certificate
        except (IntegrityError, OperationalError) as exc:
            session.rollback()
            last_error = exc
        except Exception:
            session.rollback()
            raise
    raise CertificateNotIssued() from last_error


def completed_participant_ids(workshop: Workshop, today: dt.date | None = None) -> list[int]:
    ids = [
        p.id
        for p in db.session.scalars(
            select(Participant).where(Participant.workshop_id == workshop.id)
        ).unique()
    ]
    hours = attended_hours(ids, until=today)
    threshold = workshop.course.completion_hours
    return [pid for pid in ids if hours[pid] >= threshold]


def issue_due_certificates(workshop: Workshop, user=None, today=None) -> list[Certificate]:
    """Certificates for every participant of a finished workshop who completed it."""
    if workshop.status is not WorkshopStatus.finished:
        raise TransitionNotAllowed(_l("Certificates are issued when the workshop is finished."))
    have = set(
        db.session.scalars(
            select(Certificate.participant_id)
            .join(Participant)
            .where(Participant.workshop_id == workshop.id)
        )
    )
    issued = []
    for pid in completed_participant_ids(workshop, today=today):
        if pid not in have:
            issued.append(issue_certificate(pid, user=user, today=today))
    return issued


# --- reports -------------------------------------------------------------------------------
TRAINED_LEVELS = {
    "none": _l("Not trained"),
    "partial": _l("Partially trained"),
    "full": _l("Trained"),
}


def _certified_specialists():
    """Distinct (specialist, programme) pairs with a certificate."""
    from ..providers.models import Specialist

    return (
        select(
            Participant.specialist_id.label("specialist_id"), Course.programme.label("programme")
        )
        .join(Certificate, Certificate.participant_id == Participant.id)
        .join(Workshop, Workshop.id == Participant.workshop_id)
        .join(Course, Course.id == Workshop.course_id)
        .join(Specialist, Specialist.id == Participant.specialist_id)
    )


def certified_specialist_ids(specialist_ids, programme: str = ProgrammeCode.centre) -> set[int]:
    """Read-only: which of ``specialist_ids`` hold a certificate of a course of
    ``programme`` (the mandatory training; certificates do not expire today)."""
    ids = sorted({i for i in specialist_ids if i is not None})
    if not ids:
        return set()
    stmt = (
        select(Participant.specialist_id)
        .join(Certificate, Certificate.participant_id == Participant.id)
        .join(Workshop, Workshop.id == Participant.workshop_id)
        .join(Course, Course.id == Workshop.course_id)
        .where(Participant.specialist_id.in_(ids), Course.programme == programme)
    )
    return set(db.session.scalars(stmt))


def provider_training_summary(provider_id: int) -> dict:
    """How trained a provider's staff is: for the provider page.

    ``{"provider_id", "specialists" (active), "certified" (active specialists
    with at least one certificate), "share" (0..1), "percent" (int),
    "level" ("none" | "partial" | "full"), "label" (translated level),
    "by_programme" {programme name: certified specialists}, "url"}``.
    The caller has already loaded the provider through the user's scope.
    """
    from ..providers.models import Specialist

    session = db.session
    active = and_(Specialist.provider_id == provider_id, Specialist.active.is_(True))
    specialists = session.scalar(select(func.count(Specialist.id)).where(active)) or 0
    certified_q = _certified_specialists().where(active).subquery()
    certified = session.scalar(select(func.count(distinct(certified_q.c.specialist_id)))) or 0
    by_programme = {p.name: 0 for p in programme_items()}
    for programme, count in session.execute(
        select(certified_q.c.programme, func.count(distinct(certified_q.c.specialist_id))).group_by(
            certified_q.c.programme
        )
    ):
        by_programme[str(programme)] = count
    share = certified / specialists if specialists else 0.0
    level = "none" if certified == 0 else ("full" if certified >= specialists else "partial")
    url = None
    if has_request_context():
        from flask import url_for

        url = url_for("TrainingReportView.provider", provider_id=provider_id)
    return {
        "provider_id": provider_id,
        "specialists": specialists,
        "certified": certified,
        "share": round(share, 4),
        "percent": int(round(share * 100)),
        "level": level,
        "label": str(TRAINED_LEVELS[level]),
        "by_programme": by_programme,
        "url": url,
    }


def providers_training(page: int = 0, page_size: int = 25, search: str = "", scope=None):
    """In-scope providers with active and certified specialist counts (one query)."""
    from ..geography.models import Oblast
    from ..providers.models import Provider, Specialist

    active = and_(Specialist.provider_id == Provider.id, Specialist.active.is_(True))
    spec_count = (
        select(func.count(Specialist.id)).where(active).correlate(Provider).scalar_subquery()
    )
    cert_count = (
        select(func.count(distinct(Participant.specialist_id)))
        .join(Certificate, Certificate.participant_id == Participant.id)
        .join(Specialist, Specialist.id == Participant.specialist_id)
        .where(active)
        .correlate(Provider)
        .scalar_subquery()
    )
    base = scoped(select(Provider.id), Provider, scope)
    if search:
        base = base.where(Provider.name.ilike(f"%{search[:100]}%"))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    stmt = (
        select(
            Provider.id,
            Provider.name,
            Provider.short_name,
            Oblast.title,
            spec_count.label("specialists"),
            cert_count.label("certified"),
        )
        .join(Oblast, Oblast.id == Provider.oblast_id)
        .where(Provider.id.in_(base))
        .order_by(Provider.name, Provider.id)
        .offset(page * page_size)
        .limit(page_size)
    )
    rows = []
    for pid, name, short, oblast, specialists, certified in db.session.execute(stmt):
        share = certified / specialists if specialists else 0.0
        level = "none" if not certified else ("full" if certified >= specialists else "partial")
        rows.append(
            {
                "id": pid,
                "name": short or name,
                "oblast": oblast,
                "specialists": specialists,
                "certified": certified,
                "percent": int(round(share * 100)),
                "label": str(TRAINED_LEVELS[level]),
                "level": level,
            }
        )
    return total, rows


def trained_by_oblast_and_programme(scope=None) -> tuple[list, dict]:
    """Certified specialists per oblast (of their provider) and programme.

    Returns (programmes, {oblast title: {programme name: count, "total": count}}).
    A specialist certified in two programmes counts once in each, once in total.
    """
    from ..geography.models import Oblast
    from ..providers.models import Provider, Specialist

    base = scoped(_certified_specialists(), Certificate, scope)
    base = (
        base.join(Provider, Provider.id == Specialist.provider_id)
        .join(Oblast, Oblast.id == Provider.oblast_id)
        .add_columns(Oblast.title.label("oblast"))
    )
    sub = base.subquery()
    session = db.session
    programmes = programme_items()
    table: dict[str, dict] = {}
    for oblast, programme, count in session.execute(
        select(sub.c.oblast, sub.c.programme, func.count(distinct(sub.c.specialist_id))).group_by(
            sub.c.oblast, sub.c.programme
        )
    ):
        table.setdefault(oblast, {p.name: 0 for p in programmes})[str(programme)] = count
    for oblast, total in session.execute(
        select(sub.c.oblast, func.count(distinct(sub.c.specialist_id))).group_by(sub.c.oblast)
    ):
        table.setdefault(oblast, {p.name: 0 for p in programmes})["total"] = total
    return programmes, dict(sorted(table.items()))


def month_bounds(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or clock.kyiv_today()
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last)


def month_figures(scope, today: dt.date | None = None) -> dict:
    """This month's workshops (running this month; ``by_status`` includes the
    cancelled ones, ``workshops`` does not) and the attendance of this month's
    sessions: hours attended, hours scheduled for the enrolled participants, rate in %.
    Two statements."""
    first, last = month_bounds(today)
    session = db.session
    by_status = dict(
        session.execute(
            scoped(
                select(Workshop.status, func.count(Workshop.id))
                .where(Workshop.start_date <= last, Workshop.end_date >= first)
                .group_by(Workshop.status),
                Workshop,
                scope,
            )
        )
        .tuples()
        .all()
    )
    workshops = sum(n for status, n in by_status.items() if status != WorkshopStatus.cancelled)
    attended, planned = session.execute(
        scoped(
            select(
                func.coalesce(func.sum(Attendance.hours), 0),
                func.coalesce(func.sum(TrainingSession.hours), 0),
            )
            .select_from(Attendance)
            .join(TrainingSession, TrainingSession.id == Attendance.session_id)
            .join(Workshop, Workshop.id == TrainingSession.workshop_id)
            .where(TrainingSession.day.between(first, last)),
            Workshop,
            scope,
        )
    ).one()
    rate = int(round(100 * Decimal(attended) / Decimal(planned))) if planned else 0
    return {
        "workshops": workshops,
        "attendance_rate": rate,
        "by_status": by_status,
        "attended_hours": Decimal(attended),
        "planned_hours": Decimal(planned),
    }


# --- write commands (web form, REST API) -------------------------------------------------
COURSE_HOURS = _l("Course hours must be greater than zero.")
COMPLETION_HOURS = _l(
    "Hours to complete must be greater than zero and not more than the course hours."
)


@commands(Course)
class CourseCommands(ModelCommands):
    def check(self, item, creating):
        if item.hours is not None and item.hours <= 0:
            raise InvalidWorkshop(COURSE_HOURS)
        if (
            item.completion_hours is not None
            and item.hours is not None
            and (item.completion_hours <= 0 or item.completion_hours > item.hours)
        ):
            raise InvalidWorkshop(COMPLETION_HOURS)
        check_programme(item, creating)


@commands(Workshop)
class WorkshopCommands(ModelCommands):
    """A trainer changes only the workshops they run, only while planned or
    running; a workshop that has started is cancelled, never deleted."""

    parts = ("training_session",)

    def check(self, item, creating):
        prepare_workshop(item, creating=creating)

    def check_delete(self, item):
        ensure_can_delete_workshop(item)

    def editable(self, item):
        return item.status in OPEN_STATUSES and can_edit_workshop(item)


@commands(TrainingSession)
class SessionCommands(ModelCommands):
    parts = ("training_attendance",)

    def editable(self, item):
        return item.workshop.status in OPEN_STATUSES and can_edit_workshop(item.workshop)

    def check(self, item, creating):
        check_session(item)

    def check_delete(self, item):
        ensure_can_edit(item.workshop)
        ensure_open(item.workshop)


@commands(Participant)
class ParticipantCommands(ModelCommands):
    parts = ("training_attendance",)

    def editable(self, item):
        return item.workshop.status in OPEN_STATUSES and can_edit_workshop(item.workshop)

    def check(self, item, creating):
        check_enrolment(item)

    def check_delete(self, item):
        check_participant_delete(item)


label_tables(
    {
        "training_course": _l("courses"),
        "training_workshop": _l("workshops"),
        "training_session": _l("sessions"),
        "training_participant": _l("participants"),
        "training_attendance": _l("attendance marks"),
        "training_certificate": _l("certificates"),
    }
)
