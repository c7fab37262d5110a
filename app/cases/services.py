"""Business rules of the case register: numbering, lifecycle, contacts, transfers.

Every state change is one function here. Each checks the allowed source
states (:class:`TransitionNotAllowed`) and the acting user's role and
provider (:class:`NotPermitted`), sets who/when, and leaves the row-change
audit to the session hooks. Views and API endpoints only call these.

"Today" is the calendar day in Europe/Kyiv (:func:`kyiv_today`); functions
that depend on it take an injectable ``today`` for tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..common.commands import ModelCommands, acting_user, commands, label_tables
from ..common.commands import db_session as _session
from ..common.errors import NotPermitted, TransitionNotAllowed, UserError
from ..providers.models import Provider, ProviderStatus
from ..security import roles
from .models import (OPEN_STATUSES, PROGRAMME_MEASURES, PROGRAMME_PREFIX, Beneficiary, Case,
                     CaseNumberCounter, CaseStatus, CaseTransfer, ClosureReason, Contact,
                     HouseholdMember, NeedsAssessment, PlanItem, Programme, Referral, Review,
                     TransferStatus)

KYIV = ZoneInfo("Europe/Kyiv")

#: Minimum contact frequency of an *active* case, in days, per programme
#: (None = no rule). Override with the ``CASE_CONTACT_INTERVAL_DAYS`` config
#: key, e.g. ``{"family": 14, "servicemen": 30}``.
DEFAULT_CONTACT_INTERVAL_DAYS = {Programme.family.name: 14}
#: Horizon of the "contact due soon" list.
DUE_SOON_DAYS = 7


class CaseClosed(UserError):
    status_code = 409
    default_message = _l("The case is closed: reopen it before changing its records.")


class MeasureNotInCatalogue(UserError):
    default_message = _l("This measure is not in the catalogue of the case's programme.")


class TransferRefused(UserError):
    status_code = 409


NEEDS_REQUIRED = _l("Record at least one assessed need before drawing up the plan.")
PLAN_REQUIRED = _l("Add at least one plan item before starting active accompaniment.")
GOALS_ONLY_AFTER_REVIEW = _l(
    "A case can be closed as \"goals achieved\" only after a review.")
REASON_REQUIRED = _l("Choose the reason for closing the case.")
CONTACT_IN_FUTURE = _l("The contact date cannot be in the future.")
CONTACT_BEFORE_OPENING = _l("The contact date cannot be earlier than the case was opened.")
SAME_PROVIDER = _l("The case already belongs to this provider.")
PROVIDER_NOT_APPROVED = _l("A case can be transferred only to an approved provider.")
TRANSFER_PENDING = _l("A transfer of this case is already waiting for a decision.")
TRANSFER_DECIDED = _l("This transfer has already been decided.")
TRANSFER_STALE = _l("The case no longer belongs to the sending provider.")


# --------------------------------------------------------------------------- time
def kyiv_today(now: dt.datetime | None = None) -> dt.date:
    """The current calendar day in Kyiv (``now`` may be injected, aware or UTC-naive)."""
    if now is None:
        now = dt.datetime.now(dt.timezone.utc)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return now.astimezone(KYIV).date()


def _utcnow() -> dt.datetime:
    return dt.datetime.utcnow()


# --------------------------------------------------------------------------- actors
def _role_names(user) -> set[str]:
    names = {r.name for r in (getattr(user, "roles", None) or [])}
    for group in getattr(user, "groups", None) or []:
        names |= {r.name for r in group.roles}
    return names


def is_admin(user) -> bool:
    return roles.ADMIN in _role_names(user)


def works_for(user, provider_id: int | None) -> bool:
    """A case worker of ``provider_id`` (or the administrator)."""
    if user is None:
        return False
    if is_admin(user):
        return True
    return (roles.CASE_WORKER in _role_names(user) and provider_id is not None
            and getattr(user, "provider_id", None) == provider_id)


def ensure_works_on(user, case) -> None:
    if not works_for(user, case.provider_id):
        raise NotPermitted()


def ensure_open(case) -> None:
    if case.status == CaseStatus.closed:
        raise CaseClosed()


# --------------------------------------------------------------------------- numbering
def next_case_number(session, programme: Programme, year: int) -> str:
    """Take the next number of (programme prefix, year): ``СВ-2025-000123``.

    The counter row is read with ``SELECT ... FOR UPDATE`` and advanced in the
    caller's transaction: concurrent creators queue on the row lock
    (PostgreSQL) or on the database write lock (SQLite), and a rolled-back
    case gives its number back, so numbers are unique and without gaps.
    Core statements are used on purpose: the counter is bookkeeping, not a
    row change worth an audit entry.
    """
    prefix = PROGRAMME_PREFIX[programme]
    table = CaseNumberCounter.__table__
    where = and_(table.c.prefix == prefix, table.c.year == year)
    locked = select(table.c.last_value).where(where).with_for_update()
    row = session.execute(locked).first()
    if row is None:
        try:
            with session.begin_nested():
                session.execute(insert(table).values(prefix=prefix, year=year, last_value=0))
        except IntegrityError:
            pass  # another transaction created it first; its row lock orders us
        row = session.execute(locked).first()
    value = row.last_value + 1
    session.execute(update(table).where(where).values(last_value=value))
    return f"{prefix}-{year}-{value:06d}"


# --------------------------------------------------------------------------- opening
def open_case(session, case: Case, beneficiary: Beneficiary, actor,
              today: dt.date | None = None) -> Case:
    """Register a new case (status intake) with its beneficiary.

    A case worker always opens cases for their own provider.
    """
    if actor is not None and not is_admin(actor):
        if roles.CASE_WORKER not in _role_names(actor) or not actor.provider_id:
            raise NotPermitted()
        # whatever the form said: a case worker opens cases of their own provider
        case.provider = session.get(Provider, actor.provider_id)
    if case.provider is not None:
        case.provider_id = case.provider.id
    if case.provider_id is None:
        raise UserError(_l("Choose the provider."))
    if actor is not None and not works_for(actor, case.provider_id):
        raise NotPermitted()
    provider = case.provider if case.provider is not None else session.get(Provider,
                                                                           case.provider_id)
    if provider is None or provider.status != ProviderStatus.approved:
        raise UserError(PROVIDER_NOT_APPROVED_TO_OPEN)
    if case.programme is None:
        raise UserError(_l("Choose the programme."))
    case.opened_on = case.opened_on or today or kyiv_today()
    case.status = CaseStatus.intake
    if case.assigned_worker_id is None and case.assigned_worker is None and actor is not None \
            and not is_admin(actor):
        case.assigned_worker = actor
    case.number = next_case_number(session, case.programme, case.opened_on.year)
    case.status_changed_on = _utcnow()
    case.status_changed_by_fk = getattr(actor, "id", None)
    case.beneficiary = beneficiary
    session.add(case)
    return case


# --------------------------------------------------------------------------- lifecycle
#: transition -> (allowed source states, target state, date column set on entry)
TRANSITIONS = {
    "start_assessment": ((CaseStatus.intake,), CaseStatus.assessment, "assessment_on"),
    "approve_plan": ((CaseStatus.assessment,), CaseStatus.plan, "plan_on"),
    "activate": ((CaseStatus.plan,), CaseStatus.active, "active_on"),
    "start_review": ((CaseStatus.active,), CaseStatus.review, "review_on"),
    "resume": ((CaseStatus.review,), CaseStatus.active, "active_on"),
    "revise_plan": ((CaseStatus.review,), CaseStatus.plan, "plan_on"),
    "close": (OPEN_STATUSES, CaseStatus.closed, "closed_on"),
    "reopen": ((CaseStatus.closed,), CaseStatus.assessment, "reopened_on"),
}

TRANSITION_LABELS = {
    "start_assessment": _l("Start needs assessment"),
    "approve_plan": _l("Draw up the plan"),
    "activate": _l("Start accompaniment"),
    "start_review": _l("Start review"),
    "resume": _l("Continue accompaniment"),
    "revise_plan": _l("Revise the plan"),
    "close": _l("Close the case"),
    "reopen": _l("Reopen the case"),
}


def allowed_transitions(case) -> list[str]:
    return [name for name, (sources, _, _) in TRANSITIONS.items() if case.status in sources]


def transition(session, case: Case, name: str, actor, *, reason: ClosureReason | None = None,
               today: dt.date | None = None) -> Case:
    """Apply lifecycle transition ``name`` to ``case`` (see :data:`TRANSITIONS`)."""
    if name not in TRANSITIONS:
        raise TransitionNotAllowed()
    ensure_works_on(actor, case)
    sources, target, date_attr = TRANSITIONS[name]
    if case.status not in sources:
        raise TransitionNotAllowed()
    today = today or kyiv_today()
    if name == "approve_plan" and not _exists(session, NeedsAssessment, case):
        raise TransitionNotAllowed(NEEDS_REQUIRED)
    if name == "activate" and not _exists(session, PlanItem, case):
        raise TransitionNotAllowed(PLAN_REQUIRED)
    if name == "close":
        if reason is None:
            raise UserError(REASON_REQUIRED)
        if reason == ClosureReason.goals_achieved and case.status != CaseStatus.review:
            raise TransitionNotAllowed(GOALS_ONLY_AFTER_REVIEW)
        case.closure_reason = reason
    if name == "reopen":
        case.closure_reason = None
        case.closed_on = None
        case.reopen_count = (case.reopen_count or 0) + 1
    case.status = target
    setattr(case, date_attr, today)
    case.status_changed_on = _utcnow()
    case.status_changed_by_fk = getattr(actor, "id", None)
    _update_due(case)
    session.flush()
    return case


def _exists(session, model, case) -> bool:
    return session.scalar(select(model.id).where(model.case_id == case.id).limit(1)) is not None


# --------------------------------------------------------------------------- contacts
def contact_interval(programme: Programme) -> int | None:
    intervals = dict(DEFAULT_CONTACT_INTERVAL_DAYS)
    if has_app_context():
        intervals.update(current_app.config.get("CASE_CONTACT_INTERVAL_DAYS") or {})
    value = intervals.get(programme.name)
    return int(value) if value else None


def _update_due(case: Case) -> None:
    """next_contact_due = last contact (or activation) + the programme's interval,
    for active cases of programmes with a contact rule; None otherwise."""
    interval = contact_interval(case.programme) if case.programme else None
    if case.status != CaseStatus.active or interval is None:
        case.next_contact_due = None
        return
    anchors = [d for d in (case.last_contact_on, case.active_on) if d is not None]
    anchor = max(anchors) if anchors else case.opened_on
    case.next_contact_due = anchor + dt.timedelta(days=interval)


def refresh_contacts(session, case: Case) -> None:
    """Re-derive last contact, contact count and next due date from the log."""
    session.flush()
    last, count = session.execute(
        select(func.max(Contact.contact_on), func.count(Contact.id))
        .where(Contact.case_id == case.id)).one()
    case.last_contact_on = last
    case.contact_count = count
    _update_due(case)


def check_contact(contact: Contact, case: Case, today: dt.date | None = None) -> None:
    ensure_open(case)
    today = today or kyiv_today()
    if contact.contact_on and contact.contact_on > today:
        raise UserError(CONTACT_IN_FUTURE)
    if contact.contact_on and case.opened_on and contact.contact_on < case.opened_on:
        raise UserError(CONTACT_BEFORE_OPENING)


def overdue_clause(today: dt.date, model=Case):
    """Active cases whose contact deadline has passed (due yesterday or earlier)."""
    return and_(model.status == CaseStatus.active, model.next_contact_due < today)


def due_soon_clause(today: dt.date, model=Case, days: int = DUE_SOON_DAYS):
    """Active cases whose contact is due today or within ``days`` days."""
    return and_(model.status == CaseStatus.active, model.next_contact_due >= today,
                model.next_contact_due <= today + dt.timedelta(days=days))


#: Overdue contacts grouped by how many days late: (first day, last day or None).
OVERDUE_BUCKETS = ((1, 7), (8, 14), (15, 30), (31, None))
DUE_SOON = "soon"


def bucket_key(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high else f"{low}+"


def deadline_counts(session, scope, today: dt.date, worker_id: int | None,
                    shared: Callable | None = None) -> dict:
    """Active cases in ``scope`` with a contact overdue or due within 7 days.

    Returns ``{(bucket, mine): count}``: bucket is :data:`DUE_SOON` or a key of
    :data:`OVERDUE_BUCKETS`; ``mine`` says whether ``worker_id`` is assigned.

    Two statements, both grouped by due date and bucketed here: one over the
    scope (an index range on ``ix_case_file_status_due``, the same for every
    user of the scope, so ``shared(key, compute)`` may keep it), one over the
    worker's own cases (``ix_case_file_worker_due``). Grouping by a CASE
    expression instead made SQLite sort 100,000 rows at national scale.
    """
    from ..security.scope import scoped

    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)

    def by_date(*where) -> dict:
        stmt = scoped(select(Case.next_contact_due, func.count())
                      .where(Case.status == CaseStatus.active, Case.next_contact_due <= horizon,
                             *where)
                      .group_by(Case.next_contact_due), Case, scope)
        return dict(session.execute(stmt).all())

    everyone = shared(("case_deadlines", today), by_date) if shared else by_date()
    mine = by_date(Case.assigned_worker_id == worker_id) if worker_id is not None else {}
    counts: dict = {}
    for due, n in everyone.items():
        key = _bucket(today, due)
        own = mine.get(due, 0)
        counts[(key, True)] = counts.get((key, True), 0) + own
        counts[(key, False)] = counts.get((key, False), 0) + n - own
    return {key: n for key, n in counts.items() if n}


def _bucket(today: dt.date, due: dt.date) -> str:
    if due >= today:
        return DUE_SOON
    late = (today - due).days
    for low, high in OVERDUE_BUCKETS:
        if high is None or late <= high:
            return bucket_key(low, high)
    raise AssertionError("the last bucket is open-ended")


def is_overdue(case: Case, today: dt.date | None = None) -> bool:
    today = today or kyiv_today()
    return (case.status == CaseStatus.active and case.next_contact_due is not None
            and case.next_contact_due < today)


def recompute_all_due(session) -> int:
    """After a change of CASE_CONTACT_INTERVAL_DAYS: re-derive every active case."""
    n = 0
    for case in session.scalars(select(Case).where(Case.status == CaseStatus.active)):
        _update_due(case)
        n += 1
    session.flush()
    return n


# --------------------------------------------------------------------------- plan
def check_plan_item(item: PlanItem, case: Case) -> None:
    ensure_open(case)
    if item.measure is not None and item.measure not in PROGRAMME_MEASURES[case.programme]:
        raise MeasureNotInCatalogue()


# --------------------------------------------------------------------------- transfers
def request_transfer(session, case: Case, to_provider, actor, reason: str | None = None
                     ) -> CaseTransfer:
    from ..providers.models import ProviderStatus

    ensure_works_on(actor, case)
    ensure_open(case)
    if to_provider is None or to_provider.id == case.provider_id:
        raise TransferRefused(SAME_PROVIDER)
    if to_provider.status != ProviderStatus.approved:
        raise TransferRefused(PROVIDER_NOT_APPROVED)
    pending = session.scalar(select(CaseTransfer.id).where(
        CaseTransfer.case_id == case.id, CaseTransfer.status == TransferStatus.requested))
    if pending is not None:
        raise TransferRefused(TRANSFER_PENDING)
    transfer = CaseTransfer(case_id=case.id, from_provider_id=case.provider_id,
                            to_provider_id=to_provider.id, reason=reason,
                            status=TransferStatus.requested, requested_on=_utcnow(),
                            requested_by_fk=getattr(actor, "id", None))
    session.add(transfer)
    session.flush()
    return transfer


def _decide(transfer: CaseTransfer, actor, status: TransferStatus, note: str | None) -> None:
    if transfer.status != TransferStatus.requested:
        raise TransitionNotAllowed(TRANSFER_DECIDED)
    transfer.status = status
    transfer.decided_on = _utcnow()
    transfer.decided_by_fk = getattr(actor, "id", None)
    transfer.decision_note = note


def accept_transfer(session, transfer: CaseTransfer, actor, note: str | None = None) -> Case:
    """The receiving provider takes the case over; the sender loses access."""
    if not works_for(actor, transfer.to_provider_id):
        raise NotPermitted()
    case = session.get(Case, transfer.case_id)
    if transfer.status == TransferStatus.requested and case.provider_id != \
            transfer.from_provider_id:
        raise TransferRefused(TRANSFER_STALE)
    receiver = session.get(Provider, transfer.to_provider_id)
    if transfer.status == TransferStatus.requested and (
            receiver is None or receiver.status != ProviderStatus.approved):
        # suspended or archived since the request: it may not take cases now
        raise TransferRefused(PROVIDER_NOT_APPROVED)
    _decide(transfer, actor, TransferStatus.accepted, note)
    case.provider_id = transfer.to_provider_id
    case.centre_id = None  # the old provider's centre
    case.assigned_worker_id = None if is_admin(actor) else actor.id
    session.flush()
    session.expire(case, ["provider", "centre", "assigned_worker"])
    return case


def reject_transfer(session, transfer: CaseTransfer, actor, note: str | None = None) -> None:
    if not works_for(actor, transfer.to_provider_id):
        raise NotPermitted()
    _decide(transfer, actor, TransferStatus.rejected, note)
    session.flush()


def cancel_transfer(session, transfer: CaseTransfer, actor) -> None:
    if not works_for(actor, transfer.from_provider_id):
        raise NotPermitted()
    _decide(transfer, actor, TransferStatus.cancelled, None)
    session.flush()


# --------------------------------------------------------------------------- write commands
ONLY_INTAKE_DELETED = _l("Only a case still at intake can be deleted (a record made by "
                         "mistake); close the case instead.")
WORKER_NOT_OF_PROVIDER = _l("The case worker must work for the case's provider.")
CENTRE_NOT_OF_PROVIDER = _l("The resilience centre must belong to the case's provider.")
PROVIDER_NOT_APPROVED_TO_OPEN = _l("Only an approved provider can open cases.")


def _ensure_actor_works_on(case) -> None:
    actor = acting_user()
    if actor is not None:
        ensure_works_on(actor, case)


def check_case_relations(case: Case) -> None:
    """The centre and the worker of a case belong to the case's provider."""
    from ..centers.models import ResilienceCentre
    from ..security.models import PortalUser

    session = _session()
    provider_id = case.provider.id if case.provider is not None else case.provider_id
    with session.no_autoflush:
        centre = case.centre if case.centre is not None else (
            session.get(ResilienceCentre, case.centre_id) if case.centre_id else None)
        worker = case.assigned_worker if case.assigned_worker is not None else (
            session.get(PortalUser, case.assigned_worker_id) if case.assigned_worker_id
            else None)
    if (centre is None and case.centre_id is not None) or (
            centre is not None and centre.provider_id != provider_id):
        raise UserError(CENTRE_NOT_OF_PROVIDER)
    if (worker is None and case.assigned_worker_id is not None) or (
            worker is not None and worker.provider_id != provider_id):
        raise UserError(WORKER_NOT_OF_PROVIDER)


@commands(Case)
class CaseCommands(ModelCommands):
    """A case is opened by ``open_case`` (number, intake, approved provider);
    edits only while it is open, by a worker of its provider; only a case at
    intake is ever deleted (a record made by mistake)."""

    parts = ("case_beneficiary",)

    def check_create(self, item):
        if item.number is None:
            raise UserError(_l("A case is opened with its beneficiary (open_case)."))
        check_case_relations(item)

    def check_update(self, item):
        _ensure_actor_works_on(item)
        ensure_open(item)
        check_case_relations(item)

    def check_delete(self, item):
        _ensure_actor_works_on(item)
        if item.status != CaseStatus.intake:
            raise UserError(ONLY_INTAKE_DELETED)

    def editable(self, item):
        actor = acting_user()
        return item.status != CaseStatus.closed and (
            actor is None or works_for(actor, item.provider_id))


class CaseRecordCommands(ModelCommands):
    """A record of a case (beneficiary, household member, need, plan item,
    contact, referral, review): written only while the case is open."""

    def case_of(self, item) -> Case:
        return item.case if item.case is not None else _session().get(Case, item.case_id)

    def check_record(self, item, case) -> None:
        ensure_open(case)

    def check(self, item, creating):
        case = self.case_of(item)
        if case is None:
            raise UserError(_l("Choose the case."))
        self.check_record(item, case)

    def check_delete(self, item):
        ensure_open(self.case_of(item))

    def editable(self, item):
        case = self.case_of(item)
        return case is not None and case.status != CaseStatus.closed


for _model in (Beneficiary, HouseholdMember, NeedsAssessment, Referral, Review):
    commands(_model)(type(f"{_model.__name__}Commands", (CaseRecordCommands,), {}))


@commands(PlanItem)
class PlanItemCommands(CaseRecordCommands):
    def check_record(self, item, case):
        check_plan_item(item, case)


@commands(Contact)
class ContactCommands(CaseRecordCommands):
    """A contact moves the case's meeting clock (next contact due)."""

    def check_record(self, item, case):
        check_contact(item, case)

    def after_write(self, item):
        session = _session()
        case = session.get(Case, item.case_id)
        if case is not None:
            refresh_contacts(session, case)
            session.commit()


label_tables({"case_file": _l("cases"), "case_beneficiary": _l("beneficiaries"),
              "case_household_member": _l("household members"),
              "case_need": _l("assessed needs"), "case_plan_item": _l("plan items"),
              "case_contact": _l("contacts"), "case_referral": _l("referrals"),
              "case_review": _l("reviews"), "case_transfer": _l("transfers")})
