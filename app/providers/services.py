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

from ..common.commands import ModelCommands, commands, label_tables
from ..common.errors import ConflictError, NotPermitted, OutOfScope, TransitionNotAllowed, UserError
from ..security import roles
from ..security.scope import in_scope, scope_of
from .models import Provider, ProviderStatus, ProviderStatusChange, Specialist

S = ProviderStatus

APPROVERS = frozenset({roles.ADMIN, roles.MINISTRY})
SUBMITTERS = frozenset({roles.ADMIN, roles.REGIONAL_ADMIN, roles.CASE_WORKER})

#: transition name -> (allowed source states, target state, roles, reason required)
TRANSITIONS = {
    "submit": ((S.draft,), S.submitted, SUBMITTERS, False),
    "approve": ((S.submitted,), S.approved, APPROVERS, False),
    "reject": ((S.submitted,), S.rejected, APPROVERS, True),
    "suspend": ((S.approved,), S.suspended, APPROVERS, True),
    "reinstate": ((S.suspended,), S.approved, APPROVERS, False),
    # A registered provider is never deleted: it is archived, with the reason.
    "archive": ((S.draft, S.submitted, S.approved, S.rejected, S.suspended), S.archived,
                APPROVERS, True),
}

REASON_REQUIRED = _l("Give the reason for this decision.")
NOT_ALLOWED = _l("Provider «%(name)s»: the change from «%(source)s» to «%(target)s» is not allowed.")


class ReasonRequired(UserError):
    default_message = REASON_REQUIRED


def _session():
    return current_app.appbuilder.session


def role_names(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    names = {r.name for r in user.roles}
    for group in getattr(user, "groups", None) or []:
        names |= {r.name for r in group.roles}
    return names


def allowed_transitions(provider: Provider, user) -> list[str]:
    """Transitions this user may apply to this provider now (for buttons)."""
    names = role_names(user)
    return [name for name, (sources, _target, who, _reason) in TRANSITIONS.items()
            if provider.status in sources and names & who]


def _lock(provider: Provider):
    """Lock the row and read its committed version and status."""
    stmt = (select(Provider.version, Provider.status)
            .where(Provider.id == provider.id).with_for_update())
    return _session().execute(stmt).one_or_none()


def transition(name: str, provider: Provider, user, reason: str | None = None,
               expected_version: int | str | None = None) -> ProviderStatusChange:
    """Apply the transition ``name`` (a key of :data:`TRANSITIONS`)."""
    sources, target, who, needs_reason = TRANSITIONS[name]
    if not role_names(user) & who:
        raise NotPermitted()
    if not in_scope(provider, scope_of(user)):
        raise OutOfScope()
    session = _session()
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
        raise TransitionNotAllowed(NOT_ALLOWED % {
            "name": str(provider), "source": provider.status.label, "target": target.label})
    reason = (reason or "").strip() or None
    if needs_reason and not reason:
        raise ReasonRequired()
    now = dt.datetime.utcnow()
    change = ProviderStatusChange(provider_id=provider.id, from_status=provider.status,
                                  to_status=target, changed_by_fk=user.id, changed_on=now,
                                  reason=reason)
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

    record_event("transition", "Provider", provider.id, commit=False,
                 details={"from": change.from_status.name, "to": target.name,
                          "reason": reason})
    return change


def submit(provider, user, reason=None, expected_version=None):
    return transition("submit", provider, user, reason, expected_version)


def approve(provider, user, reason=None, expected_version=None):
    return transition("approve", provider, user, reason, expected_version)


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

    edrpou = getattr(item, "edrpou", None)
    if edrpou is not None:
        edrpou = str(edrpou).strip()
        if not re.fullmatch(r"[0-9]{8}", edrpou):
            raise UserError(v.EDRPOU_FORMAT_MESSAGE)
        if not v.edrpou_is_valid(edrpou):
            raise UserError(v.EDRPOU_CHECKSUM_MESSAGE)
        item.edrpou = edrpou
        with _session().no_autoflush:
            stmt = select(Provider.id).where(Provider.edrpou == edrpou)
            if getattr(item, "id", None) is not None:
                stmt = stmt.where(Provider.id != item.id)
            if isinstance(item, Provider) and _session().scalar(stmt) is not None:
                raise UserError(EDRPOU_TAKEN)
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


def history(provider_id: int) -> list[ProviderStatusChange]:
    return list(_session().scalars(
        select(ProviderStatusChange).where(ProviderStatusChange.provider_id == provider_id)
        .order_by(ProviderStatusChange.changed_on.desc(), ProviderStatusChange.id.desc())))


ONLY_DRAFT_DELETE = _l("Only a provider in the «Draft» status can be deleted; archive a "
                       "registered provider instead.")
HROMADA_OUTSIDE_OBLAST = _l("The territorial community must lie in the chosen oblast.")
CHOOSE_PROVIDER = _l("Choose the provider.")


def ensure_hromada_in_oblast(item) -> None:
    """A record placed in an oblast and a hromada: the hromada lies in that oblast."""
    from ..geography.models import Hromada

    hromada = getattr(item, "hromada", None)
    hromada_id = getattr(item, "hromada_id", None)
    if hromada is None and hromada_id is not None:
        hromada = _session().get(Hromada, hromada_id)
    if hromada is None:
        return
    oblast_id = item.oblast.id if getattr(item, "oblast", None) is not None else item.oblast_id
    if oblast_id is not None and hromada.oblast_id != oblast_id:
        raise UserError(HROMADA_OUTSIDE_OBLAST)


@commands(Provider)
class ProviderCommands(ModelCommands):
    """Provider card: codes and contacts valid, hromada inside the oblast; only a
    draft is ever deleted (a registered provider is archived)."""

    parts = ("provider_status_change",)

    def check(self, item, creating):
        validate_contacts(item)
        ensure_hromada_in_oblast(item)
        if not creating and item.status == ProviderStatus.archived:
            raise UserError(ARCHIVED_READ_ONLY)

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


label_tables({
    "provider": _l("providers"), "specialist": _l("specialists"),
    "provider_status_change": _l("status history"),
})
