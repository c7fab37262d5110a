"""Approval workflow of providers: one function per transition.

::

    draft ──submit──▶ submitted ──approve──▶ approved ──suspend──▶ suspended
                         │                      ▲                     │
                         └──reject──▶ rejected  └─────reinstate───────┘

Every transition function checks, in this order:

1. the role (:class:`NotPermitted`): ministry staff (and the administrator)
   approve, reject, suspend and reinstate; regional administrators and the
   provider's own staff (case workers) submit. Ministry staff do not submit:
   the person who approves is not the one who asks for approval;
2. the scope (:class:`OutOfScope`): a regional administrator only acts on
   providers of their oblast, a case worker only on their own provider;
3. the version the user saw, when given (:class:`ConflictError`): a decision
   taken on a stale page is refused, not applied on top of someone else's;
4. the source state (:class:`TransitionNotAllowed`);
5. the reason, where one is required (reject, suspend).

Then it sets status, who and when, writes a :class:`ProviderStatusChange`
row and flushes. The row is locked first (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite serialises writers anyway) and the UPDATE carries
``WHERE version = :seen`` (``VersionedMixin``), so of two officers acting on
the same provider at once exactly one wins and the other gets
:class:`ConflictError`. The caller commits.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import clock
from ..common.commands import ModelCommands, commands, label_tables
from ..errors import ConflictError, NotPermitted, OutOfScope, TransitionNotAllowed, UserError
from ..extensions import db
from ..security import roles
from ..security.scope import in_scope, role_names, scope_of
from .models import (
    EligibilityCriterion,
    LegalForm,
    Provider,
    ProviderCheck,
    ProviderDocType,
    ProviderDocument,
    ProviderKind,
    ProviderStatus,
    ProviderStatusChange,
    SoleProprietor,
    Specialist,
)

S = ProviderStatus

APPROVERS = frozenset({roles.ADMIN, roles.MINISTRY})
SUBMITTERS = frozenset({roles.ADMIN, roles.REGIONAL_ADMIN, roles.CASE_WORKER, roles.PROVIDER_REP})
#: Who keeps the provider's card and documents: its own representative, regional
#: administrators of its oblast, ministry staff and the administrator.
CARD_KEEPERS = frozenset({roles.ADMIN, roles.MINISTRY, roles.REGIONAL_ADMIN, roles.PROVIDER_REP})

#: transition name -> (allowed source states, target state, roles, reason required)
TRANSITIONS = {
    "submit": ((S.draft,), S.submitted, SUBMITTERS, False),
    "approve": ((S.submitted,), S.approved, APPROVERS, False),
    "reject": ((S.submitted,), S.rejected, APPROVERS, True),
    "suspend": ((S.approved,), S.suspended, APPROVERS, True),
    "reinstate": ((S.suspended,), S.approved, APPROVERS, False),
    # A registered provider is never deleted: it is archived, with the reason.
    "archive": (
        (S.draft, S.submitted, S.approved, S.rejected, S.suspended),
        S.archived,
        APPROVERS,
        True,
    ),
}

REASON_REQUIRED = _l("Give the reason for this decision.")
NOT_ALLOWED = _l(
    "Provider «%(name)s»: the change from «%(source)s» to «%(target)s» is not allowed."
)


class ReasonRequired(UserError):
    default_message = REASON_REQUIRED


def allowed_transitions(provider: Provider, user) -> list[str]:
    """Transitions this user may apply to this provider now (for buttons)."""
    names = role_names(user)
    return [
        name
        for name, (sources, _target, who, _reason) in TRANSITIONS.items()
        if provider.status in sources and names & who
    ]


def _lock(provider: Provider):
    """Lock the row and read its committed version and status."""
    stmt = (
        select(Provider.version, Provider.status)
        .where(Provider.id == provider.id)
        .with_for_update()
    )
    return db.session.execute(stmt).one_or_none()


def transition(
    name: str,
    provider: Provider,
    user,
    reason: str | None = None,
    expected_version: int | str | None = None,
    recheck_on: dt.date | None = None,
) -> ProviderStatusChange:
    """Apply the transition ``name`` (a key of :data:`TRANSITIONS`)."""
    sources, target, who, needs_reason = TRANSITIONS[name]
    if not role_names(user) & who:
        raise NotPermitted()
    if not in_scope(provider, scope_of(user)):
        raise OutOfScope()
    session = db.session
    current = _lock(provider)
    if current is None:
        raise ConflictError()
    if expected_version not in (None, "") and str(expected_version) != str(current.version):
        raise ConflictError()
    if current.version != provider.version:
        # Somebody changed the row after our copy was read: the decision was
        # taken on stale data.
        session.rollback()
        raise ConflictError()
    if provider.status not in sources:
        raise TransitionNotAllowed(
            NOT_ALLOWED
            % {"name": str(provider), "source": provider.status.label, "target": target.label}
        )
    reason = (reason or "").strip() or None
    if needs_reason and not reason:
        raise ReasonRequired()
    if name == "approve":
        ensure_criteria_met(provider)
        if recheck_on is None:
            recheck_on = clock.kyiv_today() + dt.timedelta(
                days=current_app.config.get("PROVIDER_RECHECK_DAYS", 365)
            )
        if recheck_on <= clock.kyiv_today():
            raise UserError(RECHECK_REQUIRED)
        provider.recheck_on = recheck_on
    now = clock.utcnow()
    change = ProviderStatusChange(
        provider_id=provider.id,
        from_status=provider.status,
        to_status=target,
        changed_by_fk=user.id,
        changed_on=now,
        reason=reason,
    )
    provider.status = target
    provider.status_changed_on = now
    provider.status_changed_by_fk = user.id
    provider.status_reason = reason
    session.add(change)
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise ConflictError() from exc
    from ..audit.services import record_event

    record_event(
        "transition",
        "Provider",
        provider.id,
        commit=False,
        details={"from": change.from_status.name, "to": target.name, "reason": reason},
    )
    return change


def submit(provider, user, reason=None, expected_version=None):
    return transition("submit", provider, user, reason, expected_version)


def approve(provider, user, reason=None, expected_version=None, recheck_on=None):
    return transition("approve", provider, user, reason, expected_version, recheck_on)


def reject(provider, user, reason=None, expected_version=None):
    return transition("reject", provider, user, reason, expected_version)


def suspend(provider, user, reason=None, expected_version=None):
    return transition("suspend", provider, user, reason, expected_version)


def reinstate(provider, user, reason=None, expected_version=None):
    return transition("reinstate", provider, user, reason, expected_version)


def archive(provider, user, reason=None, expected_version=None):
    return transition("archive", provider, user, reason, expected_version)


def validate_contacts(item) -> None:
    """Field rules for writes that bypass the HTML form (REST API): the same
    Ukrainian messages as the form validators; phone stored as +380XXXXXXXXX."""
    from ..common import validators as v

    phone = (getattr(item, "phone", None) or "").strip()
    if phone:
        normalized = v.normalize_phone(phone)
        if normalized is None:
            raise UserError(v.PHONE_MESSAGE)
        item.phone = normalized
    email = (getattr(item, "email", None) or "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise UserError(EMAIL_MESSAGE)


EMAIL_MESSAGE = _l("Enter a valid e-mail address, e.g. office@example.org.")
EDRPOU_TAKEN = _l("A provider with this EDRPOU code is already registered.")
RNOKPP_TAKEN = _l("A provider with this RNOKPP is already registered.")
ONE_IDENTIFIER = _l(
    "A legal entity is identified by its EDRPOU code and a sole proprietor "
    "(FOP) by an RNOKPP: enter exactly the one its legal form needs."
)
IBAN_MESSAGE = _l("Enter a valid Ukrainian IBAN: UA and 27 digits; the check digits must match.")
RECHECK_REQUIRED = _l("The date of the next eligibility check must be in the future.")
CRITERIA_NOT_MET = _l(
    "The provider cannot be approved: eligibility criteria not met or not assessed: %(names)s."
)
EVIDENCE_REQUIRED = _l("Describe the evidence for the assessment of the criterion.")
CHECK_NOT_NOW = _l(
    "Eligibility criteria are assessed for a provider submitted for approval, "
    "approved or suspended."
)
DOCUMENT_DATES = _l("The document's validity cannot end before it starts.")
CARD_CLOSED = _l("Documents cannot be added to an archived provider.")
NOT_ACTIVE = _l(
    "Provider «%(name)s» is «%(status)s»: it cannot %(action)s until it is approved or reinstated."
)

#: What a provider that is not approved is refused (ensure_active_provider).
ACTIONS = {
    "apply": _l("submit proposals"),
    "open_case": _l("open cases"),
    "receive_transfer": _l("receive transferred cases"),
    "run_centre": _l("run centres"),
    "sign_agreement": _l("receive a service agreement"),
    "submit_act": _l("submit acts of services"),
    "accept_act": _l("have acts of services accepted"),
}


class ProviderNotActive(UserError):
    status_code = 409


def ensure_active_provider(provider: Provider, action: str) -> None:
    """Refuse ``action`` (a key of :data:`ACTIONS`) unless the provider is approved.

    A suspended provider (and a draft, submitted, rejected or archived one) opens
    no cases, receives no transfers, applies to no round, runs no centre and gets
    no agreement until it is reinstated. Cases and centres call this too."""
    if provider is None:
        return
    if provider.status == ProviderStatus.approved:
        ensure_no_pending_changes(provider, action)
        return
    raise ProviderNotActive(
        NOT_ACTIVE
        % {"name": str(provider), "status": provider.status.label, "action": ACTIONS[action]}
    )


#: Who reads a sole proprietor's РНОКПП (personal data) on the provider's card and
#: through REST: ministry staff, the administrator and the provider's own
#: representative (scoped to their provider). Regional administrators, auditors
#: and case workers do not (``***`` on the page, no ``rnokpp`` key in REST).
RNOKPP_READERS = frozenset({roles.ADMIN, roles.MINISTRY, roles.PROVIDER_REP})


def can_see_rnokpp(user, provider_id: int | None = None) -> bool:
    """True when ``user`` may read the РНОКПП of provider ``provider_id``."""
    names = role_names(user)
    if not names & RNOKPP_READERS:
        return False
    if names & {roles.ADMIN, roles.MINISTRY}:
        return True
    scope = scope_of(user)
    return provider_id is not None and scope.provider_id == provider_id


def rnokpp_of(provider_ids) -> dict[int, str]:
    """provider id -> РНОКПП of the sole proprietors among ``provider_ids`` (one query)."""
    ids = sorted({i for i in provider_ids if isinstance(i, int)})
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(SoleProprietor.provider_id, SoleProprietor.rnokpp).where(
                SoleProprietor.provider_id.in_(ids)
            )
        )
        .tuples()
        .all()
    )


def iban_is_valid(value: str) -> bool:
    """A Ukrainian IBAN: ``UA`` + 2 check digits + 6-digit bank code + 19 account
    characters (29 in all), ISO 13616 mod-97 check equal to 1."""
    if not re.fullmatch(r"UA[0-9]{27}", value):
        return False
    moved = value[4:] + value[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97 == 1


def _clean_code(value) -> str | None:
    value = re.sub(r"\s+", "", str(value or ""))
    return value or None


def _unique(column, value, item, message) -> None:
    owner = Provider.id if column.class_ is Provider else SoleProprietor.provider_id
    stmt = select(owner).where(column == value)
    if getattr(item, "id", None) is not None:
        stmt = stmt.where(owner != item.id)
    with db.session.no_autoflush:
        if db.session.scalar(stmt) is not None:
            raise UserError(message)


#: The legal form a provider's kind implies, when the form is not given.
KIND_FORMS = {
    ProviderKind.ngo: LegalForm.public_association,
    ProviderKind.charity: LegalForm.charitable_organisation,
    ProviderKind.communal: LegalForm.communal_institution,
}


def validate_identity(item: Provider) -> None:
    """Exactly one identifier: ЄДРПОУ (8 digits, check digit) for a legal entity,
    РНОКПП (10 digits, check digit) for a sole proprietor; IBAN checked."""
    from ..common import validators as v

    if item.legal_form is None:
        item.legal_form = KIND_FORMS.get(item.kind, LegalForm.other_form)
    item.edrpou = _clean_code(item.edrpou)
    rnokpp = _clean_code(item.rnokpp)
    if rnokpp != item.rnokpp:
        item.rnokpp = rnokpp
    sole = item.legal_form == LegalForm.sole_proprietor
    if sole and (item.edrpou or not item.rnokpp) or not sole and (item.rnokpp or not item.edrpou):
        raise UserError(ONE_IDENTIFIER)
    for column, digits, valid, messages in (
        (
            Provider.edrpou,
            8,
            v.edrpou_is_valid,
            (v.EDRPOU_FORMAT_MESSAGE, v.EDRPOU_CHECKSUM_MESSAGE, EDRPOU_TAKEN),
        ),
        (
            SoleProprietor.rnokpp,
            10,
            v.rnokpp_is_valid,
            (v.RNOKPP_FORMAT_MESSAGE, v.RNOKPP_CHECKSUM_MESSAGE, RNOKPP_TAKEN),
        ),
    ):
        code = getattr(item, column.key)  # Provider.edrpou, Provider.rnokpp (property)
        if not code:
            continue
        if not re.fullmatch(f"[0-9]{{{digits}}}", code):
            raise UserError(messages[0])
        if not valid(code):
            raise UserError(messages[1])
        _unique(column, code, item, messages[2])
    iban = _clean_code(item.iban)
    item.iban = iban.upper() if iban else None
    if item.iban and not iban_is_valid(item.iban):
        raise UserError(IBAN_MESSAGE)


# --- eligibility criteria ----------------------------------------------------------------
def active_criteria() -> list[EligibilityCriterion]:
    return list(
        db.session.scalars(
            select(EligibilityCriterion)
            .where(EligibilityCriterion.active.is_(True))
            .order_by(EligibilityCriterion.position, EligibilityCriterion.id)
        )
    )


def checks_of(provider_id: int) -> dict[int, ProviderCheck]:
    return {
        c.criterion_id: c
        for c in db.session.scalars(
            select(ProviderCheck).where(ProviderCheck.provider_id == provider_id)
        )
    }


def ensure_criteria_met(provider: Provider) -> None:
    checks = checks_of(provider.id)
    failing = [c.name for c in active_criteria() if c.id not in checks or not checks[c.id].met]
    if failing:
        raise UserError(CRITERIA_NOT_MET % {"names": "; ".join(failing)})


def record_check(
    provider: Provider, criterion: EligibilityCriterion, met: bool, evidence: str | None, user
) -> ProviderCheck:
    """Ministry staff assess one criterion for a provider: met or not, with evidence."""
    if not role_names(user) & APPROVERS:
        raise NotPermitted()
    if not in_scope(provider, scope_of(user)):
        raise OutOfScope()
    if provider.status not in (S.submitted, S.approved, S.suspended):
        raise UserError(CHECK_NOT_NOW)
    if criterion is None or not criterion.active:
        raise UserError(_l("Choose an eligibility criterion from the list."))
    evidence = (evidence or "").strip()
    if not evidence:
        raise UserError(EVIDENCE_REQUIRED)
    check = checks_of(provider.id).get(criterion.id)
    if check is None:
        check = ProviderCheck(
            provider_id=provider.id, criterion_id=criterion.id, met=met, evidence=evidence
        )
        db.session.add(check)
    check.met, check.evidence = bool(met), evidence[:4000]
    check.checked_on, check.checked_by_fk = clock.utcnow(), user.id
    db.session.flush()
    from ..audit.services import record_event

    record_event(
        "update",
        "ProviderCheck",
        check.id,
        commit=False,
        details={"provider": provider.id, "criterion": criterion.id, "met": bool(met)},
    )
    return check


# --- documents ---------------------------------------------------------------------------
ALLOWED_EXTENSIONS = {"pdf", "doc", "docx", "odt", "xls", "xlsx", "ods", "jpg", "jpeg", "png"}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def upload_dir(folder: str) -> str:
    import os

    path = os.path.join(current_app.config["UPLOAD_FOLDER"], folder)
    os.makedirs(path, exist_ok=True)
    return path


def store_upload(storage, folder: str) -> tuple[str, str, int]:
    """Check an uploaded file (werkzeug FileStorage) and store it outside ``static``
    under ``UPLOAD_FOLDER/folder``; return (original name, stored name, size)."""
    import os
    import uuid

    from ..common.uploads import upload_problem

    if storage is None or not storage.filename:
        raise UserError(_l("Choose a file to upload."))
    filename = os.path.basename(storage.filename.replace("\\", "/"))[:200]
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise UserError(
            _l("This file type is not accepted. Allowed: %(types)s.")
            % {"types": ", ".join(sorted(ALLOWED_EXTENSIONS))}
        )
    data = storage.read(MAX_DOCUMENT_BYTES + 1)
    if not data:
        raise UserError(_l("The file is empty."))
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UserError(
            _l("The file is too large: at most %(mb)s MB.")
            % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}
        )
    problem = upload_problem(filename, data)  # content matches the type; no archives, no macros
    if problem:
        raise UserError(problem)
    stored = f"{uuid.uuid4().hex}.{ext}"
    from ..storage import get_storage

    get_storage("uploads").put(f"{folder}/{stored}", data)
    return filename, stored, len(data)


def document_path(document: ProviderDocument) -> str:
    """The document's key in the ``uploads`` storage (app.storage)."""
    import os

    return f"providers/{os.path.basename(document.stored_name)}"


def add_document(
    provider: Provider,
    storage,
    doc_type,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    user,
) -> ProviderDocument:
    """Store a document of the provider (its representative, regional or ministry staff)."""

    if not role_names(user) & CARD_KEEPERS:
        raise NotPermitted()
    if not in_scope(provider, scope_of(user)):
        raise OutOfScope()
    if provider.status == S.archived:
        raise UserError(CARD_CLOSED)
    try:
        kind = ProviderDocType[doc_type] if isinstance(doc_type, str) else ProviderDocType(doc_type)
    except (KeyError, ValueError):
        raise UserError(_l("Choose the document type.")) from None
    if valid_from is None:
        raise UserError(_l("Enter the date from which the document is valid."))
    if valid_until is not None and valid_until < valid_from:
        raise UserError(DOCUMENT_DATES)
    filename, stored, size = store_upload(storage, "providers")
    document = ProviderDocument(
        provider_id=provider.id,
        doc_type=kind,
        valid_from=valid_from,
        valid_until=valid_until,
        filename=filename,
        stored_name=stored,
        size=size,
        uploaded_by_fk=user.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def documents_of(provider_id: int) -> list[ProviderDocument]:
    return list(
        db.session.scalars(
            select(ProviderDocument)
            .where(ProviderDocument.provider_id == provider_id)
            .order_by(ProviderDocument.id)
        )
    )


def history(provider_id: int) -> list[ProviderStatusChange]:
    return list(
        db.session.scalars(
            select(ProviderStatusChange)
            .where(ProviderStatusChange.provider_id == provider_id)
            .order_by(ProviderStatusChange.changed_on.desc(), ProviderStatusChange.id.desc())
        )
    )


ONLY_DRAFT_DELETE = _l(
    "Only a provider in the «Draft» status can be deleted; archive a registered provider instead."
)
HROMADA_OUTSIDE_OBLAST = _l("The territorial community must lie in the chosen oblast.")
CHOOSE_PROVIDER = _l("Choose the provider.")


def ensure_hromada_in_oblast(item) -> None:
    """A record placed in an oblast and a hromada: the hromada lies in that oblast."""
    from ..geography.models import Hromada

    hromada = getattr(item, "hromada", None)
    hromada_id = getattr(item, "hromada_id", None)
    if hromada is None and hromada_id is not None:
        hromada = db.session.get(Hromada, hromada_id)
    if hromada is None:
        return
    oblast_id = item.oblast.id if getattr(item, "oblast", None) is not None else item.oblast_id
    if oblast_id is not None and hromada.oblast_id != oblast_id:
        raise UserError(HROMADA_OUTSIDE_OBLAST)


# --- re-check of key data changed after approval ----------------------------------------
#: The card's key data: what the approval vouched for and the payments rely on.
KEY_FIELDS = (
    "legal_form",
    "edrpou",
    "rnokpp",
    "iban",
    "register_number",
    "register_date",
    "head_name",
)
#: Statuses in which a change of key data awaits the ministry's re-check.
REVIEWED_STATUSES = (S.approved, S.suspended)
#: What a provider with changes awaiting the re-check is refused (it keeps its
#: cases, centres, proposals and acts; a new agreement and a payment wait).
BLOCKED_WHILE_PENDING = frozenset({"sign_agreement", "accept_act"})

CHANGES_NOT_PENDING = _l("Provider «%(name)s» has no changes of key data awaiting a check.")
CHANGES_PENDING = _l(
    "Provider «%(name)s» changed its key data (%(fields)s) after the approval: "
    "ministry staff must check the changes first."
)
CHANGES_CONFIRMED = _l("Changes of key data checked and confirmed")
KEY_FIELD_LABELS = {
    "legal_form": _l("legal form"),
    "edrpou": _l("EDRPOU code"),
    "rnokpp": _l("RNOKPP"),
    "iban": _l("IBAN"),
    "register_number": _l("entry in the Register of providers"),
    "register_date": _l("date of the entry in the Register of providers"),
    "head_name": _l("head"),
}


def changed_field_labels(provider: Provider) -> str:
    return ", ".join(
        str(KEY_FIELD_LABELS.get(f, f)) for f in (provider.changes_fields or "").split(",") if f
    )


def _norm(value):
    if isinstance(value, str):
        return re.sub(r"\s+", " ", value).strip() or None
    return value


def stored_key_data(item: Provider) -> dict | None:
    """The key data as stored (before this write), or None for a new provider."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import InstanceState

    state: InstanceState[Provider] = inspect(item)
    if state.transient or state.pending:
        return None
    stored = {}
    with db.session.no_autoflush:
        for name in KEY_FIELDS:
            if name == "rnokpp":
                continue
            history = state.attrs[name].history
            stored[name] = history.deleted[0] if history.deleted else getattr(item, name)
        owner = state.attrs["proprietor"].history
        proprietor = owner.deleted[0] if owner.deleted else item.proprietor
        if proprietor is None:
            stored["rnokpp"] = None
        else:
            history = inspect(proprietor).attrs["rnokpp"].history
            stored["rnokpp"] = history.deleted[0] if history.deleted else proprietor.rnokpp
    return stored


def note_key_changes(item: Provider, stored: dict | None) -> list[str]:
    """Flag the key data changed on an approved (or suspended) provider for the
    ministry's re-check, on every path (web form, REST, import): the approval is
    not kept as if nothing had changed. Returns the names of the fields changed."""
    if stored is None or item.status not in REVIEWED_STATUSES:
        return []
    changed = [name for name in KEY_FIELDS if _norm(stored.get(name)) != _norm(getattr(item, name))]
    if not changed:
        return []
    before = [f for f in (item.changes_fields or "").split(",") if f]
    fields = [f for f in KEY_FIELDS if f in set(before) | set(changed)]
    item.changes_pending = True
    item.changes_fields = ",".join(fields)
    item.changes_noted_on = clock.utcnow()
    from ..audit.services import record_event

    record_event(
        "update",
        "Provider",
        item.id,
        commit=False,
        details={"key_data_changed": changed, "awaits_recheck": True},
    )
    return changed


def ensure_no_pending_changes(provider: Provider, action: str) -> None:
    if provider is not None and provider.changes_pending and action in BLOCKED_WHILE_PENDING:
        raise ProviderNotActive(
            CHANGES_PENDING % {"name": str(provider), "fields": changed_field_labels(provider)}
        )


def confirm_changes(
    provider: Provider, user, note: str | None = None, expected_version=None
) -> ProviderStatusChange:
    """Ministry staff re-check the changed key data: every active eligibility
    criterion must be met (re-assess it first if the change affects it); the
    flag is cleared and the decision is in the status history."""
    if not role_names(user) & APPROVERS:
        raise NotPermitted()
    if not in_scope(provider, scope_of(user)):
        raise OutOfScope()
    current = _lock(provider)
    if current is None or (
        expected_version not in (None, "") and str(expected_version) != str(current.version)
    ):
        raise ConflictError()
    if not provider.changes_pending:
        raise TransitionNotAllowed(CHANGES_NOT_PENDING % {"name": str(provider)})
    ensure_criteria_met(provider)
    note = (note or "").strip() or None
    fields = changed_field_labels(provider)
    reason = f"{CHANGES_CONFIRMED}: {fields}" + (f". {note}" if note else "")
    now = clock.utcnow()
    change = ProviderStatusChange(
        provider_id=provider.id,
        from_status=provider.status,
        to_status=provider.status,
        changed_by_fk=user.id,
        changed_on=now,
        reason=reason[:2000],
    )
    provider.changes_pending = False
    provider.changes_fields = None
    provider.changes_noted_on = None
    db.session.add(change)
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        raise ConflictError() from exc
    from ..audit.services import record_event

    record_event(
        "transition", "Provider", provider.id, commit=False, details={"confirm_changes": fields}
    )
    return change


@commands(Provider)
class ProviderCommands(ModelCommands):
    """Provider card: codes and contacts valid, hromada inside the oblast; only a
    draft is ever deleted (a registered provider is archived)."""

    parts = ("provider_status_change", "provider_check", "provider_document", "provider_proprietor")

    def check(self, item, creating):
        stored = None if creating else stored_key_data(item)
        validate_identity(item)
        validate_contacts(item)
        ensure_hromada_in_oblast(item)
        if not creating and item.status == ProviderStatus.archived:
            raise UserError(ARCHIVED_READ_ONLY)
        note_key_changes(item, stored)

    def check_delete(self, item):
        if item.status != ProviderStatus.draft:
            raise UserError(ONLY_DRAFT_DELETE)

    def editable(self, item):
        return item.status != ProviderStatus.archived


ARCHIVED_READ_ONLY = _l("An archived provider cannot be changed.")


@commands(Specialist)
class SpecialistCommands(ModelCommands):
    def check(self, item, creating):
        if item.provider is None and item.provider_id is None:
            raise UserError(CHOOSE_PROVIDER)
        validate_contacts(item)


@commands(EligibilityCriterion)
class CriterionCommands(ModelCommands):
    """The ministry's list of eligibility criteria: a criterion already used in an
    assessment is not deleted (it is made inactive)."""

    def check(self, item, creating):
        item.name = (item.name or "").strip()
        if not item.name:
            raise UserError(_l("Enter the name of the criterion."))


label_tables(
    {
        "provider_check": _l("eligibility assessments"),
        "provider_document": _l("provider documents"),
        "provider": _l("providers"),
        "specialist": _l("specialists"),
        "provider_status_change": _l("status history"),
    }
)
