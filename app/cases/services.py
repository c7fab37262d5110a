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
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..clock import kyiv_today
from ..common.commands import ModelCommands, acting_user, commands, commands_for, label_tables
from ..common.commands import db_session as _session
from ..common.validators import PHONE_MESSAGE, normalize_phone, rnokpp_birth_date, rnokpp_is_valid
from ..errors import NotPermitted, TransitionNotAllowed, UserError
from ..programmes import services as programmes
from ..providers.models import Provider, ProviderStatus
from ..providers.services import ensure_active_provider
from ..security import roles
from ..security.scope import role_names
from . import calendar
from .models import (
    OPEN_STATUSES,
    PROGRAMME_PREFIX,
    SERVICEMEN_ONLY_REASONS,
    AssessmentAct,
    Beneficiary,
    BeneficiaryCategory,
    Case,
    CaseExtension,
    CaseFollowUp,
    CaseNumberCounter,
    CaseProviderSetting,
    CaseStatus,
    CaseTransfer,
    ClosureReason,
    ConsentScope,
    Contact,
    ContactForm,
    HouseholdMember,
    IntakeSource,
    MilitaryUnit,
    NeedsAssessment,
    PlanItem,
    Programme,
    Referral,
    Review,
    ServiceStage,
    Sex,
    TransferStatus,
)

#: The programmes' rules (meeting forms and interval, term, extensions, review
#: interval, assessment deadline) are data: ``app.programmes`` (ministry-edited).
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
GOALS_ONLY_AFTER_REVIEW = _l('A case can be closed as "goals achieved" only after a review.')
REASON_REQUIRED = _l("Choose the reason for closing the case.")
CONTACT_IN_FUTURE = _l("The contact date cannot be in the future.")
CONTACT_BEFORE_OPENING = _l("The contact date cannot be earlier than the case was opened.")
SAME_PROVIDER = _l("The case already belongs to this provider.")
PROVIDER_NOT_APPROVED = _l("A case can be transferred only to an approved provider.")
TRANSFER_PENDING = _l("A transfer of this case is already waiting for a decision.")
TRANSFER_DECIDED = _l("This transfer has already been decided.")
TRANSFER_STALE = _l("The case no longer belongs to the sending provider.")
AGREEMENT_REQUIRED = _l("Record the family's agreement to the plan before starting accompaniment.")
AGREEMENT_STAGE = _l(
    "The agreement to the plan is recorded when the plan is drawn up, "
    "during accompaniment or at a review."
)
AGREEMENT_DATE = _l(
    "The date of the agreement cannot be in the future or before the case was opened."
)
RNOKPP_ZEROS = _l(
    "The RNOKPP cannot be all zeros: enter the person's real number or leave it empty."
)
RNOKPP_INVALID = _l("The RNOKPP must be 10 digits with a correct check digit.")
RNOKPP_FUTURE = _l("The RNOKPP encodes a date of birth in the future: check the number.")
RNOKPP_BIRTH_DATE = _l(
    "The date of birth encoded in the RNOKPP (%(date)s) differs from the "
    "date of birth entered: check both."
)
BIRTH_IN_FUTURE = _l("The date of birth cannot be in the future.")
APPLICATION_AFTER_OPENING = _l(
    "The application date cannot be later than the opening of the case or in the future."
)
CONSENT_IN_FUTURE = _l("The date of consent cannot be in the future.")
ASSESSMENT_DATE = _l("The assessment date cannot be in the future or earlier than the application.")
NEED_OF_OTHER_CASE = _l("The need must be one assessed in this case.")
EXTENSION_NO_TERM = _l("The programme of this case sets no service term to extend.")
EXTENSION_LIMIT = _l(
    "The service term has been extended the most times the programme allows (%(count)s)."
)
EXTENSION_REASON = _l("Give the reason for extending the service term (a complex case).")
REASON_NOT_OF_PROGRAMME = _l("This closure reason applies only to the servicemen programme.")
HANDOVER_REQUIRED = _l(
    "A case is handed over to the community's specialist for veterans' "
    "support at discharge: set the service stage to discharge and record "
    "the community and date of the hand-over."
)
UNIT_OF_OTHER_PROVIDER = _l("The military unit must be one served by the case's provider.")
STAGE_ONLY_SERVICEMEN = _l(
    "The military unit and service stage are recorded only on cases of the servicemen programme."
)
CONTRACT_REQUIRED = _l(
    "The programme of this case requires a contract with the recipient: "
    "record its number and date before starting accompaniment."
)
CONTRACT_INCOMPLETE = _l("Give both the number and the date of the contract with the recipient.")
CONTRACT_DATE = _l("The contract date cannot be in the future or earlier than the application.")
APPROVAL_REQUIRED = _l(
    "Your provider requires a supervisor's approval of the agreed plan before accompaniment starts."
)
APPROVAL_NEEDS_AGREEMENT = _l("Record the family's agreement to the plan before it is approved.")
APPROVAL_BY_AUTHOR = _l(
    "The plan is approved by a colleague other than its author (the "
    "person who recorded the family's agreement)."
)
FOLLOW_UP_ONLY_CLOSED = _l("A follow-up contact is recorded after the case is closed.")
FOLLOW_UP_DATE = _l(
    "The date of the follow-up cannot be in the future or earlier than the closure of the case."
)
FOLLOW_UP_OUTCOME = _l("Choose the form of the follow-up contact and describe its outcome.")
SETTING_PROVIDER = _l("Choose the provider whose setting this is.")
DUPLICATE_ELSEWHERE = _l(
    "A case for a person with this RNOKPP is open at another provider. "
    "Agree with the person who will accompany them."
)


# --------------------------------------------------------------------------- actors
def is_admin(user) -> bool:
    return roles.ADMIN in role_names(user)


def works_for(user, provider_id: int | None) -> bool:
    """A case worker of ``provider_id`` (or the administrator)."""
    if user is None:
        return False
    if is_admin(user):
        return True
    return (
        roles.CASE_WORKER in role_names(user)
        and provider_id is not None
        and getattr(user, "provider_id", None) == provider_id
    )


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
def open_case(
    session, case: Case, beneficiary: Beneficiary, actor, today: dt.date | None = None
) -> Case:
    """Register a new case (status intake) with its beneficiary.

    A case worker always opens cases for their own provider.
    """
    if actor is not None and not is_admin(actor):
        if roles.CASE_WORKER not in role_names(actor) or not actor.provider_id:
            raise NotPermitted()
        # whatever the form said: a case worker opens cases of their own provider
        case.provider = session.get(Provider, actor.provider_id)
    if case.provider is not None:
        case.provider_id = case.provider.id
    if case.provider_id is None:
        raise UserError(_l("Choose the provider."))
    if actor is not None and not works_for(actor, case.provider_id):
        raise NotPermitted()
    provider = (
        case.provider if case.provider is not None else session.get(Provider, case.provider_id)
    )
    if provider is None:
        raise UserError(PROVIDER_NOT_APPROVED_TO_OPEN)
    ensure_active_provider(provider, "open_case")
    if case.programme is None:
        raise UserError(_l("Choose the programme."))
    today = today or kyiv_today()
    case.opened_on = case.opened_on or today
    case.application_on = case.application_on or case.opened_on
    check_intake(case, today)
    check_person(beneficiary, today)
    case.status = CaseStatus.intake
    if (
        case.assigned_worker_id is None
        and case.assigned_worker is None
        and actor is not None
        and not is_admin(actor)
    ):
        case.assigned_worker = actor
    case.number = next_case_number(session, case.programme, case.opened_on.year)
    case.status_changed_on = clock.utcnow()
    case.status_changed_by_fk = getattr(actor, "id", None)
    case.beneficiary = beneficiary
    programme = programmes.programme_by_code(case.programme, session)
    if programme is not None and programme.term_months:
        case.term_end_on = calendar.add_months(case.opened_on, programme.term_months)
    _update_assessment_due(case, programme)
    case.duplicate_elsewhere = open_elsewhere(session, beneficiary.rnokpp, case.provider_id)
    session.add(case)
    return case


OPEN_REQUIRED = _l("Give the beneficiary's full name and category.")


@dataclass(frozen=True)
class NewBeneficiary:
    """The beneficiary's part of a new case, as the «Open a case» form and
    ``POST /api/v1/case/open`` read it."""

    full_name: str | None
    category: BeneficiaryCategory | None
    birth_date: dt.date | None = None
    rnokpp: str | None = None
    phone: str | None = None
    address: str | None = None
    sex: Sex | None = None
    hromada_id: int | None = None
    consent_on: dt.date | None = None
    consent_scope: ConsentScope | None = None
    consent_document: str | None = None
    military_unit: str | None = None


@dataclass(frozen=True)
class NewCase:
    """What a new case is opened with: the web form and the REST API read their
    input into this and hand it to :func:`open_new_case`, which holds the rules."""

    programme: Programme | None
    beneficiary: NewBeneficiary
    provider_id: int | None = None
    centre_id: int | None = None
    assigned_worker_id: int | None = None
    opened_on: dt.date | None = None
    application_on: dt.date | None = None
    intake_source: IntakeSource | None = None


def _text(value: str | None) -> str | None:
    """A typed text, trimmed; empty is None."""
    return (value.strip() or None) if isinstance(value, str) else value


def open_new_case(session, new: NewCase, actor) -> Case:
    """Open a case with its beneficiary: the one call behind the web's «Open a
    case» form and ``POST /api/v1/case/open``.

    The beneficiary needs a name and a category; texts are trimmed (empty is
    none) and a phone is stored as ``+380XXXXXXXXX``. :func:`open_case`
    applies the opening rules and the case's commands (``CaseCommands.create``)
    check its relations and scope. The case is added to ``session``; the
    caller commits (or rolls back on :class:`UserError`).
    """
    from ..geography.models import Hromada

    person = new.beneficiary
    full_name = _text(person.full_name)
    if full_name is None or person.category is None:
        raise UserError(OPEN_REQUIRED)
    phone = _text(person.phone)
    if phone is not None:
        phone = normalize_phone(phone)
        if phone is None:
            raise UserError(PHONE_MESSAGE)
    case = Case(
        programme=new.programme,
        centre_id=new.centre_id,
        assigned_worker_id=new.assigned_worker_id,
        opened_on=new.opened_on,
        application_on=new.application_on,
        intake_source=new.intake_source,
    )
    if new.provider_id:
        case.provider = session.get(Provider, new.provider_id)
    beneficiary = Beneficiary(
        full_name=full_name,
        category=person.category,
        birth_date=person.birth_date,
        rnokpp=_text(person.rnokpp),
        phone=phone,
        address=_text(person.address),
        sex=person.sex,
        hromada=session.get(Hromada, person.hromada_id) if person.hromada_id else None,
        consent_on=person.consent_on,
        consent_scope=person.consent_scope,
        consent_document=_text(person.consent_document),
        military_unit=_text(person.military_unit),
    )
    open_case(session, case, beneficiary, actor)
    commands_for(case).create(case)
    session.add(case)
    return case


# --------------------------------------------------------------------------- people
def check_person(person, today: dt.date | None = None) -> None:
    """A beneficiary's or household member's identifiers: the РНОКПП trimmed
    before anything else; all zeros, a wrong check digit, a birth date encoded
    in the future or differing from the birth-date field refused."""
    today = today or kyiv_today()
    code = person.rnokpp.strip() if isinstance(person.rnokpp, str) else person.rnokpp
    person.rnokpp = code or None
    if person.birth_date is not None and person.birth_date > today:
        raise UserError(BIRTH_IN_FUTURE)
    if not code:
        return
    if code == "0000000000":
        raise UserError(RNOKPP_ZEROS)
    if not rnokpp_is_valid(code):
        raise UserError(RNOKPP_INVALID)
    encoded = rnokpp_birth_date(code)
    if encoded > today:
        raise UserError(RNOKPP_FUTURE)
    if person.birth_date is not None and person.birth_date != encoded:
        raise UserError(RNOKPP_BIRTH_DATE % {"date": f"{encoded:%d.%m.%Y}"})


def open_elsewhere(session, rnokpp: str | None, provider_id: int | None) -> bool:
    """Whether a person with this РНОКПП has an open case at another provider
    (the answer names no provider and no case)."""
    if not rnokpp:
        return False
    with session.no_autoflush:
        found = session.scalar(
            select(Case.id)
            .join(Beneficiary, Beneficiary.case_id == Case.id)
            .where(
                Beneficiary.rnokpp == rnokpp,
                Case.status != CaseStatus.closed,
                Case.provider_id != provider_id,
            )
            .limit(1)
        )
    return found is not None


def check_intake(case: Case, today: dt.date | None = None) -> None:
    today = today or kyiv_today()
    if case.application_on is not None and (
        case.application_on > today
        or (case.opened_on is not None and case.application_on > case.opened_on)
    ):
        raise UserError(APPLICATION_AFTER_OPENING)


def _update_assessment_due(case: Case, programme=None) -> None:
    programme = programme or programmes.programme_by_code(case.programme)
    days = programme.assessment_deadline_working_days if programme is not None else None
    start = case.application_on or case.opened_on
    case.assessment_due_on = calendar.add_working_days(start, days) if days and start else None


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


def transition(
    session,
    case: Case,
    name: str,
    actor,
    *,
    reason: ClosureReason | None = None,
    today: dt.date | None = None,
) -> Case:
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
    if name == "activate" and case.plan_agreed_on is None:
        raise TransitionNotAllowed(AGREEMENT_REQUIRED)
    if name == "activate":
        rule = programmes.programme_by_code(case.programme, session)
        if (
            rule is not None
            and rule.requires_contract
            and (not case.contract_number or case.contract_on is None)
        ):
            raise TransitionNotAllowed(CONTRACT_REQUIRED)
        if case.plan_approved_on is None and plan_approval_required(session, case.provider_id):
            raise TransitionNotAllowed(APPROVAL_REQUIRED)
    if name == "close":
        if reason is None:
            raise UserError(REASON_REQUIRED)
        if reason == ClosureReason.goals_achieved and case.status != CaseStatus.review:
            raise TransitionNotAllowed(GOALS_ONLY_AFTER_REVIEW)
        if reason in SERVICEMEN_ONLY_REASONS and case.programme != Programme.servicemen:
            raise UserError(REASON_NOT_OF_PROGRAMME)
        if reason == ClosureReason.veterans_specialist and (
            case.service_stage != ServiceStage.discharge
            or case.handover_on is None
            or case.handover_hromada_id is None
        ):
            raise UserError(HANDOVER_REQUIRED)
        case.closure_reason = reason
    if name == "reopen":
        case.closure_reason = None
        case.closed_on = None
        case.reopen_count = (case.reopen_count or 0) + 1
        case.follow_up_due_on = None
    if name == "close":
        rule = programmes.programme_by_code(case.programme, session)
        days = rule.follow_up_days if rule is not None else None
        case.follow_up_due_on = today + dt.timedelta(days=days) if days else None
        case.follow_up_done_on = None
    if name == "revise_plan":
        case.plan_agreed_on = None  # a revised plan is agreed again (and approved again)
        case.plan_approved_on = None
        case.plan_approved_by_fk = None
    case.status = target
    setattr(case, date_attr, today)
    case.status_changed_on = clock.utcnow()
    case.status_changed_by_fk = getattr(actor, "id", None)
    _update_due(case)
    session.flush()
    return case


def record_agreement(
    session, case: Case, actor, agreed_on: dt.date | None = None, today: dt.date | None = None
) -> Case:
    """The family took part in the plan and agreed to it: a new plan version."""
    ensure_works_on(actor, case)
    ensure_open(case)
    today = today or kyiv_today()
    agreed_on = agreed_on or today
    if case.status not in (CaseStatus.plan, CaseStatus.active, CaseStatus.review):
        raise TransitionNotAllowed(AGREEMENT_STAGE)
    if agreed_on > today or agreed_on < case.opened_on:
        raise UserError(AGREEMENT_DATE)
    if not _exists(session, PlanItem, case):
        raise TransitionNotAllowed(PLAN_REQUIRED)
    case.plan_agreed_on = agreed_on
    case.plan_agreed_by_fk = getattr(actor, "id", None)
    case.plan_version = (case.plan_version or 0) + 1
    # a new version of the plan needs a new approval (where the provider asks for one)
    case.plan_approved_on = None
    case.plan_approved_by_fk = None
    session.flush()
    return case


# --------------------------------------------------------------------------- contract
def check_contract(case: Case, today: dt.date | None = None) -> None:
    """The contract with the recipient: number and date together; the date
    neither in the future nor before the application."""
    today = today or kyiv_today()
    number = case.contract_number.strip() if isinstance(case.contract_number, str) else None
    case.contract_number = number or None
    if (case.contract_number is None) != (case.contract_on is None):
        raise UserError(CONTRACT_INCOMPLETE)
    start = case.application_on or case.opened_on
    if case.contract_on is not None and (
        case.contract_on > today or (start is not None and case.contract_on < start)
    ):
        raise UserError(CONTRACT_DATE)


def record_contract(
    session,
    case: Case,
    actor,
    number: str | None,
    signed_on: dt.date | None,
    today: dt.date | None = None,
) -> Case:
    """Record the contract with the recipient (number and date) on an open case."""
    ensure_works_on(actor, case)
    ensure_open(case)
    case.contract_number = number
    case.contract_on = signed_on
    check_contract(case, today)
    if case.contract_number is None:
        raise UserError(CONTRACT_INCOMPLETE)
    session.flush()
    return case


# --------------------------------------------------------------------------- approval
def plan_approval_required(session, provider_id: int | None) -> bool:
    """The provider asks for a supervisor's approval of agreed plans."""
    if provider_id is None:
        return False
    with session.no_autoflush:
        return bool(
            session.scalar(
                select(CaseProviderSetting.plan_approval_required).where(
                    CaseProviderSetting.provider_id == provider_id
                )
            )
        )


def approve_plan_version(session, case: Case, actor, today: dt.date | None = None) -> Case:
    """A supervisor (a case worker of the case's provider other than the plan's
    author, who recorded the family's agreement) approves the agreed plan."""
    ensure_works_on(actor, case)
    ensure_open(case)
    if case.status not in (CaseStatus.plan, CaseStatus.active, CaseStatus.review):
        raise TransitionNotAllowed(AGREEMENT_STAGE)
    if case.plan_agreed_on is None:
        raise TransitionNotAllowed(APPROVAL_NEEDS_AGREEMENT)
    author = case.plan_agreed_by_fk or case.assigned_worker_id
    if author is not None and getattr(actor, "id", None) == author:
        raise TransitionNotAllowed(APPROVAL_BY_AUTHOR)
    case.plan_approved_on = today or kyiv_today()
    case.plan_approved_by_fk = getattr(actor, "id", None)
    session.flush()
    return case


# --------------------------------------------------------------------------- follow-up
def record_follow_up(
    session,
    case: Case,
    actor,
    follow_up_on: dt.date | None,
    form: ContactForm | None,
    outcome: str | None,
    today: dt.date | None = None,
) -> CaseFollowUp:
    """A follow-up contact after closure (the closed case stays read-only
    otherwise): dated between the closure and today, with a form and an outcome."""
    ensure_works_on(actor, case)
    if case.status != CaseStatus.closed:
        raise TransitionNotAllowed(FOLLOW_UP_ONLY_CLOSED)
    today = today or kyiv_today()
    follow_up_on = follow_up_on or today
    if follow_up_on > today or (case.closed_on is not None and follow_up_on < case.closed_on):
        raise UserError(FOLLOW_UP_DATE)
    outcome = (outcome or "").strip()
    if form is None or not outcome:
        raise UserError(FOLLOW_UP_OUTCOME)
    record = CaseFollowUp(case_id=case.id, follow_up_on=follow_up_on, form=form, outcome=outcome)
    session.add(record)
    case.follow_up_done_on = max(d for d in (case.follow_up_done_on, follow_up_on) if d)
    session.flush()
    return record


def follow_up_due_clause(today: dt.date, model=Case, days: int = DUE_SOON_DAYS):
    """Closed cases whose follow-up is due within ``days`` days or overdue and
    not yet made."""
    return and_(
        model.status == CaseStatus.closed,
        model.follow_up_done_on.is_(None),
        model.follow_up_due_on <= today + dt.timedelta(days=days),
    )


def extend_term(
    session, case: Case, actor, reason: str | None, today: dt.date | None = None
) -> CaseExtension:
    """Extend the service term by the programme's extension, with a reason,
    at most the programme's number of times."""
    ensure_works_on(actor, case)
    ensure_open(case)
    today = today or kyiv_today()
    programme = programmes.programme_by_code(case.programme, session)
    if (
        programme is None
        or not programme.term_months
        or not programme.extension_months
        or case.term_end_on is None
    ):
        raise UserError(EXTENSION_NO_TERM)
    if (case.extension_count or 0) >= (programme.max_extensions or 0):
        raise UserError(EXTENSION_LIMIT % {"count": programme.max_extensions or 0})
    reason = (reason or "").strip()
    if not reason:
        raise UserError(EXTENSION_REASON)
    before = case.term_end_on
    after = calendar.add_months(before, programme.extension_months)
    extension = CaseExtension(
        case_id=case.id,
        extended_on=today,
        months=programme.extension_months,
        term_end_before=before,
        term_end_after=after,
        reason=reason,
    )
    session.add(extension)
    case.term_end_on = after
    case.extension_count = (case.extension_count or 0) + 1
    session.flush()
    return extension


def _exists(session, model, case) -> bool:
    return session.scalar(select(model.id).where(model.case_id == case.id).limit(1)) is not None


# --------------------------------------------------------------------------- contacts
def contact_interval(programme_code) -> int | None:
    """The programme's meeting interval in days (None: no rule)."""
    programme = programmes.programme_by_code(programme_code)
    return programme.meeting_interval_days if programme is not None else None


def _update_due(case: Case, programme=None) -> None:
    """The meeting clock: next_contact_due = the last *meeting* (a contact in
    one of the programme's meeting forms), or the opening / reopening of the
    case, + the programme's interval, in every open stage (intake to review);
    None for a closed case or a programme without the rule. The review clock
    likewise, from the plan's start or the last review."""
    if programme is None and case.programme is not None:
        programme = programmes.programme_by_code(case.programme)
    interval = programme.meeting_interval_days if programme is not None else None
    if case.status == CaseStatus.closed or interval is None:
        case.next_contact_due = None
    else:
        anchors = [d for d in (case.last_meeting_on, case.opened_on, case.reopened_on) if d]
        case.next_contact_due = max(anchors) + dt.timedelta(days=interval)
    review = programme.review_interval_days if programme is not None else None
    if case.status in (CaseStatus.active, CaseStatus.review) and review:
        anchors = [d for d in (case.active_on, getattr(case, "_last_review_on", None)) if d]
        case.next_review_due = max(anchors) + dt.timedelta(days=review) if anchors else None
    elif case.status == CaseStatus.closed or not review:
        case.next_review_due = None


def refresh_contacts(session, case: Case) -> None:
    """Re-derive last contact, last meeting, contact count and the next due
    dates from the log."""
    session.flush()
    last, count = session.execute(
        select(func.max(Contact.contact_on), func.count(Contact.id)).where(
            Contact.case_id == case.id
        )
    ).one()
    programme = programmes.programme_by_code(case.programme, session)
    forms = [f for f in (programme.meeting_form_set if programme else ())]
    case.last_meeting_on = (
        session.scalar(
            select(func.max(Contact.contact_on)).where(
                Contact.case_id == case.id, Contact.form.in_(forms)
            )
        )
        if forms
        else None
    )
    case.last_contact_on = last
    case.contact_count = count
    case._last_review_on = session.scalar(
        select(func.max(Review.reviewed_on)).where(Review.case_id == case.id)
    )
    _update_due(case, programme)


def check_contact(contact: Contact, case: Case, today: dt.date | None = None) -> None:
    ensure_open(case)
    today = today or kyiv_today()
    if contact.contact_on and contact.contact_on > today:
        raise UserError(CONTACT_IN_FUTURE)
    if contact.contact_on and case.opened_on and contact.contact_on < case.opened_on:
        raise UserError(CONTACT_BEFORE_OPENING)


def overdue_clause(today: dt.date, model=Case):
    """Open cases whose meeting deadline has passed (due yesterday or earlier)."""
    return and_(model.status != CaseStatus.closed, model.next_contact_due < today)


def due_soon_clause(today: dt.date, model=Case, days: int = DUE_SOON_DAYS):
    """Open cases whose meeting is due today or within ``days`` days."""
    return and_(
        model.status != CaseStatus.closed,
        model.next_contact_due >= today,
        model.next_contact_due <= today + dt.timedelta(days=days),
    )


#: Overdue contacts grouped by how many days late: (first day, last day or None).
OVERDUE_BUCKETS = ((1, 7), (8, 14), (15, 30), (31, None))
DUE_SOON = "soon"


def bucket_key(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high else f"{low}+"


def deadline_counts(
    session, scope, today: dt.date, worker_id: int | None, shared: Callable | None = None
) -> dict:
    """Active cases in ``scope`` with a contact overdue or due within 7 days.

    Returns ``{(bucket, mine): count}``: bucket is :data:`DUE_SOON` or a key of
    :data:`OVERDUE_BUCKETS`; ``mine`` says whether ``worker_id`` is assigned.

    Two statements, both grouped by due date and bucketed here: one over the
    scope (an index range on ``ix_case_file_status_due``, the same for every
    user of the scope, so ``shared(compute, *args)`` may keep it), one over the
    worker's own cases (``ix_case_file_worker_due``). Grouping by a CASE
    expression instead made SQLite sort 100,000 rows at national scale.
    """
    everyone = shared(scope_due_dates, today) if shared else scope_due_dates(scope, today, session)
    mine = scope_due_dates(scope, today, session, worker_id) if worker_id is not None else {}
    counts: dict = {}
    for due, n in everyone.items():
        key = _bucket(today, due)
        own = mine.get(due, 0)
        counts[(key, True)] = counts.get((key, True), 0) + own
        counts[(key, False)] = counts.get((key, False), 0) + n - own
    return {key: n for key, n in counts.items() if n}


def scope_due_dates(scope, today: dt.date, session=None, worker_id: int | None = None) -> dict:
    """``{due date: active cases}`` in ``scope`` due by the horizon (the worker's
    own only, given ``worker_id``): :func:`deadline_counts`' statement, and the
    recipe of its shared figure (hence the scope first and the session last)."""
    from ..security.scope import scoped

    session = session or _session()
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    where = [Case.assigned_worker_id == worker_id] if worker_id is not None else []
    stmt = scoped(
        select(Case.next_contact_due, func.count())
        .where(Case.status != CaseStatus.closed, Case.next_contact_due <= horizon, *where)
        .group_by(Case.next_contact_due),
        Case,
        scope,
    )
    return dict(session.execute(stmt).all())


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
    return (
        case.status != CaseStatus.closed
        and case.next_contact_due is not None
        and case.next_contact_due < today
    )


def recompute_all_due(session, programme_code: str | None = None) -> int:
    """After a change of a programme's rules: re-derive the meeting and review
    clocks and the assessment deadline of every open case of the programme
    (all programmes when None).

    Set-based, for the national register: one UPDATE of the last meeting per
    programme, one read of the anchors and the last reviews, one batched
    UPDATE of the derived dates (Core statements: derived bookkeeping, not a
    row change worth an audit entry, like the contact counters)."""
    session.flush()
    codes = [programme_code] if programme_code is not None else [p.name for p in Programme]
    table = Case.__table__
    n = 0
    for code in codes:
        if code not in Programme.__members__:
            continue
        programme = programmes.programme_by_code(code, session)
        forms = sorted(programme.meeting_form_set) if programme is not None else []
        where = and_(table.c.programme == Programme[code], table.c.status != CaseStatus.closed)
        last_meeting = (
            (
                select(func.max(Contact.contact_on))
                .where(Contact.case_id == table.c.id, Contact.form.in_(forms))
                .scalar_subquery()
            )
            if forms
            else None
        )
        session.execute(update(table).where(where).values(last_meeting_on=last_meeting))
        reviews = dict(
            session.execute(
                select(Review.case_id, func.max(Review.reviewed_on))
                .join(Case, Case.id == Review.case_id)
                .where(Case.programme == Programme[code], Case.status != CaseStatus.closed)
                .group_by(Review.case_id)
            ).all()
        )
        rows = session.execute(
            select(
                table.c.id,
                table.c.status,
                table.c.opened_on,
                table.c.reopened_on,
                table.c.active_on,
                table.c.application_on,
                table.c.last_meeting_on,
            ).where(where)
        ).all()
        values = []
        for row in rows:
            probe = Case(
                status=row.status,
                opened_on=row.opened_on,
                reopened_on=row.reopened_on,
                active_on=row.active_on,
                application_on=row.application_on,
                last_meeting_on=row.last_meeting_on,
                programme=Programme[code],
            )
            probe._last_review_on = reviews.get(row.id)
            _update_due(probe, programme)
            _update_assessment_due(probe, programme)
            values.append(
                {
                    "pk": row.id,
                    "due": probe.next_contact_due,
                    "review": probe.next_review_due,
                    "assess": probe.assessment_due_on,
                }
            )
        if values:
            from sqlalchemy import bindparam

            session.execute(
                update(table)
                .where(table.c.id == bindparam("pk"))
                .values(
                    next_contact_due=bindparam("due"),
                    next_review_due=bindparam("review"),
                    assessment_due_on=bindparam("assess"),
                ),
                values,
                execution_options={"synchronize_session": False},
            )
        n += len(values)
    session.expire_all()
    return n


def needs_progress(session, case_id: int) -> list[tuple]:
    """Per domain assessed more than once: (domain, first date, first priority,
    latest date, latest priority), for the progress between assessment acts."""
    rows = session.execute(
        select(NeedsAssessment.domain, NeedsAssessment.assessed_on, NeedsAssessment.priority)
        .where(NeedsAssessment.case_id == case_id)
        .order_by(NeedsAssessment.assessed_on)
    ).all()
    by_domain: dict = {}
    for domain, day, priority in rows:
        by_domain.setdefault(domain, []).append((day, priority))
    return [
        (domain, seen[0][0], seen[0][1], seen[-1][0], seen[-1][1])
        for domain, seen in by_domain.items()
        if len(seen) > 1
    ]


def case_warnings(case: Case, today: dt.date | None = None) -> list[str]:
    """What the case page warns about: a meeting, the assessment, a review or
    the end of the term overdue or near (nothing for a closed case)."""
    from flask_babel import gettext as _

    if case.status == CaseStatus.closed:
        return []
    today = today or kyiv_today()
    warnings = []
    if case.next_contact_due is not None and case.next_contact_due < today:
        warnings.append(
            _("A meeting was due on %(date)s.", date=f"{case.next_contact_due:%d.%m.%Y}")
        )
    if (
        case.assessment_due_on is not None
        and case.assessment_due_on < today
        and not case.assessments
    ):
        warnings.append(
            _(
                "The needs assessment was due by %(date)s.",
                date=f"{case.assessment_due_on:%d.%m.%Y}",
            )
        )
    if case.next_review_due is not None and case.next_review_due < today:
        warnings.append(_("A review was due on %(date)s.", date=f"{case.next_review_due:%d.%m.%Y}"))
    if case.term_end_on is not None and case.term_end_on <= today + dt.timedelta(days=14):
        warnings.append(
            _(
                "The service term ends on %(date)s: extend it with a reason or close the case.",
                date=f"{case.term_end_on:%d.%m.%Y}",
            )
        )
    return warnings


def assessment_overdue_clause(today: dt.date, model=Case):
    """Open cases without an assessment act whose deadline has passed."""
    return and_(
        model.status != CaseStatus.closed,
        model.assessment_due_on < today,
        ~select(AssessmentAct.id).where(AssessmentAct.case_id == model.id).exists(),
    )


def term_ending_clause(today: dt.date, days: int = 14, model=Case):
    """Open cases whose service term ends within ``days`` days (or has ended)."""
    return and_(
        model.status != CaseStatus.closed, model.term_end_on <= today + dt.timedelta(days=days)
    )


# --------------------------------------------------------------------------- plan
def check_plan_item(item: PlanItem, case: Case) -> None:
    """The measure is an active one of the case's programme's catalogue (a
    retired measure stays on the items that have it); the need is one of the
    case's own."""
    ensure_open(case)
    if item.measure is not None:
        item.measure = str(getattr(item.measure, "name", item.measure)).strip()
        codes = {m.code for m in programmes.catalogue(case.programme)}
        if item.measure not in codes and programmes.stored_value(item, "measure") != item.measure:
            raise MeasureNotInCatalogue()
    need_id = item.need.id if item.need is not None else item.need_id
    if need_id is not None:
        with _session().no_autoflush:
            need = _session().get(NeedsAssessment, need_id)
        if need is None or need.case_id != case.id:
            raise UserError(NEED_OF_OTHER_CASE)


# --------------------------------------------------------------------------- transfers
def request_transfer(
    session, case: Case, to_provider, actor, reason: str | None = None
) -> CaseTransfer:
    ensure_works_on(actor, case)
    ensure_open(case)
    if to_provider is None or to_provider.id == case.provider_id:
        raise TransferRefused(SAME_PROVIDER)
    _ensure_receives(to_provider)
    pending = session.scalar(
        select(CaseTransfer.id).where(
            CaseTransfer.case_id == case.id, CaseTransfer.status == TransferStatus.requested
        )
    )
    if pending is not None:
        raise TransferRefused(TRANSFER_PENDING)
    transfer = CaseTransfer(
        case_id=case.id,
        from_provider_id=case.provider_id,
        to_provider_id=to_provider.id,
        reason=reason,
        status=TransferStatus.requested,
        requested_on=clock.utcnow(),
        requested_by_fk=getattr(actor, "id", None),
    )
    session.add(transfer)
    session.flush()
    return transfer


def _ensure_receives(provider) -> None:
    """Only an approved provider receives a transferred case (the providers'
    rule, ``ensure_active_provider``), refused as a transfer refusal (409)."""
    if provider is None:
        raise TransferRefused(PROVIDER_NOT_APPROVED)
    try:
        ensure_active_provider(provider, "receive_transfer")
    except UserError as exc:
        raise TransferRefused(exc.message) from None


def _decide(transfer: CaseTransfer, actor, status: TransferStatus, note: str | None) -> None:
    if transfer.status != TransferStatus.requested:
        raise TransitionNotAllowed(TRANSFER_DECIDED)
    transfer.status = status
    transfer.decided_on = clock.utcnow()
    transfer.decided_by_fk = getattr(actor, "id", None)
    transfer.decision_note = note


def accept_transfer(session, transfer: CaseTransfer, actor, note: str | None = None) -> Case:
    """The receiving provider takes the case over; the sender loses access."""
    if not works_for(actor, transfer.to_provider_id):
        raise NotPermitted()
    case = session.get(Case, transfer.case_id)
    if (
        transfer.status == TransferStatus.requested
        and case.provider_id != transfer.from_provider_id
    ):
        raise TransferRefused(TRANSFER_STALE)
    receiver = session.get(Provider, transfer.to_provider_id)
    if transfer.status == TransferStatus.requested:
        # suspended or archived since the request: it may not take cases now
        _ensure_receives(receiver)
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
ONLY_INTAKE_DELETED = _l(
    "Only a case still at intake can be deleted (a record made by mistake); close the case instead."
)
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
        centre = (
            case.centre
            if case.centre is not None
            else (session.get(ResilienceCentre, case.centre_id) if case.centre_id else None)
        )
        worker = (
            case.assigned_worker
            if case.assigned_worker is not None
            else (
                session.get(PortalUser, case.assigned_worker_id)
                if case.assigned_worker_id
                else None
            )
        )
    if (centre is None and case.centre_id is not None) or (
        centre is not None and centre.provider_id != provider_id
    ):
        raise UserError(CENTRE_NOT_OF_PROVIDER)
    if (worker is None and case.assigned_worker_id is not None) or (
        worker is not None and worker.provider_id != provider_id
    ):
        raise UserError(WORKER_NOT_OF_PROVIDER)


def check_servicemen_fields(case: Case) -> None:
    """The unit and service stage belong to servicemen cases; the unit is one
    the case's provider serves."""
    unit_id = case.military_unit.id if case.military_unit is not None else case.military_unit_id
    if (
        unit_id is not None
        or case.service_stage is not None
        or case.handover_hromada_id is not None
    ) and case.programme != Programme.servicemen:
        raise UserError(STAGE_ONLY_SERVICEMEN)
    if unit_id is not None:
        with _session().no_autoflush:
            unit = _session().get(MilitaryUnit, unit_id)
        if unit is None or unit.provider_id != case.provider_id:
            raise UserError(UNIT_OF_OTHER_PROVIDER)


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
        check_intake(item)
        check_servicemen_fields(item)
        check_contract(item)
        _update_assessment_due(item)

    def check_delete(self, item):
        _ensure_actor_works_on(item)
        if item.status != CaseStatus.intake:
            raise UserError(ONLY_INTAKE_DELETED)

    def editable(self, item):
        actor = acting_user()
        return item.status != CaseStatus.closed and (
            actor is None or works_for(actor, item.provider_id)
        )


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


for _model in (NeedsAssessment, Referral):
    commands(_model)(type(f"{_model.__name__}Commands", (CaseRecordCommands,), {}))


@commands(Beneficiary)
class BeneficiaryCommands(CaseRecordCommands):
    """The person's identifiers are checked (and the РНОКПП trimmed) on every path."""

    def check_record(self, item, case):
        ensure_open(case)
        check_person(item)
        if item.consent_on is not None and item.consent_on > kyiv_today():
            raise UserError(CONSENT_IN_FUTURE)
        item.duplicate_elsewhere = open_elsewhere(_session(), item.rnokpp, case.provider_id)


@commands(HouseholdMember)
class HouseholdMemberCommands(CaseRecordCommands):
    def check_record(self, item, case):
        ensure_open(case)
        check_person(item)


@commands(AssessmentAct)
class AssessmentActCommands(CaseRecordCommands):
    """An act of needs assessment: dated between the application and today."""

    def check_record(self, item, case):
        ensure_open(case)
        start = case.application_on or case.opened_on
        if item.assessed_on is not None and (
            item.assessed_on > kyiv_today() or (start and item.assessed_on < start)
        ):
            raise UserError(ASSESSMENT_DATE)


@commands(CaseExtension)
class CaseExtensionCommands(CaseRecordCommands):
    """Extensions are made by :func:`extend_term` only (reason, limit, new term)."""

    def check_create(self, item):
        raise UserError(EXTENSION_REASON)

    def check_delete(self, item):
        raise UserError(_l("An extension of the term is not deleted."))


@commands(Review)
class ReviewCommands(CaseRecordCommands):
    """A review moves the case's review clock."""

    def after_write(self, item):
        session = _session()
        case = session.get(Case, item.case_id)
        if case is not None:
            refresh_contacts(session, case)
            session.commit()


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


label_tables(
    {
        "case_file": _l("cases"),
        "case_beneficiary": _l("beneficiaries"),
        "case_household_member": _l("household members"),
        "case_need": _l("assessed needs"),
        "case_plan_item": _l("plan items"),
        "case_contact": _l("contacts"),
        "case_referral": _l("referrals"),
        "case_review": _l("reviews"),
        "case_transfer": _l("transfers"),
        "case_assessment": _l("assessment acts"),
        "case_extension": _l("extensions"),
        "military_unit": _l("military units"),
        "case_follow_up": _l("follow-ups after closure"),
        "case_provider_setting": _l("providers' case settings"),
    }
)


@commands(MilitaryUnit)
class MilitaryUnitCommands(ModelCommands):
    """The register of military units (ministry staff): the serving provider
    is an approved one; a unit with cases is made inactive, not deleted."""

    def check(self, item, creating):
        item.number = (item.number or "").strip()
        if not item.number:
            raise UserError(_l("Enter the unit's number."))
        provider = (
            item.provider
            if item.provider is not None
            else (_session().get(Provider, item.provider_id) if item.provider_id else None)
        )
        if provider is not None and provider.status != ProviderStatus.approved:
            raise UserError(UNIT_PROVIDER_NOT_APPROVED)


@commands(CaseFollowUp)
class CaseFollowUpCommands(CaseRecordCommands):
    """Follow-ups are recorded by :func:`record_follow_up` only."""

    def check_create(self, item):
        raise UserError(FOLLOW_UP_ONLY_CLOSED)

    def check_update(self, item):
        raise UserError(FOLLOW_UP_ONLY_CLOSED)

    def check_delete(self, item):
        raise UserError(FOLLOW_UP_ONLY_CLOSED)


@commands(CaseProviderSetting)
class CaseProviderSettingCommands(ModelCommands):
    """A provider's setting: ministry staff for any provider, the provider's
    own representative for theirs (the scope keeps them there)."""

    def check(self, item, creating):
        provider_id = item.provider.id if item.provider is not None else item.provider_id
        if provider_id is None:
            raise UserError(SETTING_PROVIDER)
        actor = acting_user()
        own = getattr(actor, "provider_id", None)
        if actor is not None and not is_admin(actor) and own and own != provider_id:
            raise NotPermitted()
        item.provider_id = provider_id


UNIT_PROVIDER_NOT_APPROVED = _l("A military unit is served by an approved provider's team.")


def _recompute_programme(programme) -> None:
    """A programme's rules changed: re-derive its open cases' clocks."""
    session = _session()
    recompute_all_due(session, programme.code)
    session.commit()


programmes.ON_CHANGE.append(_recompute_programme)
