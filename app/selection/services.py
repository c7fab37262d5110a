"""Selection rounds: transitions, applications, scoring, ranking, documents.

Round workflow (ministry staff and the administrator only)::

    announced ──open_applications──▶ accepting ──start_evaluation──▶ evaluating
        │                                │                               │
        └──────────cancel────────────────┴──────────cancel───────────────┤
                                                                         └──complete──▶ completed

**Total score** of an application: for each criterion, the mean of the
scores given by the commission members who scored it (a criterion nobody
scored counts as 0), multiplied by the criterion's weight; the total is the
sum over criteria, rounded to 3 decimals.

**Rank** (1 = best), deterministic tie-break, in this order:

1. higher total score;
2. higher weighted mean on the criteria taken by decreasing weight (equal
   weights: by the criterion's position, then id);
3. earlier submission date;
4. lower application id (the earlier registered application).

Ranks are unique (1..n). On completion, applications without a decision get
one from their rank: the first ``winners_count`` are winners, the next
``reserve_count`` reserve, the rest refused; the protocol number and date
are written on the round and on every application.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete as sa_delete
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from .. import clock
from ..common.commands import ModelCommands, acting_user, commands, label_tables
from ..errors import (
    ConflictError,
    InvalidData,
    NotPermitted,
    OutOfScope,
    TransitionNotAllowed,
    UserError,
)
from ..extensions import db
from ..providers.models import Provider, ProviderStatus
from ..providers.services import ensure_active_provider, ensure_no_pending_changes
from ..security import roles
from ..security.scope import in_scope, role_names, scope_of, scoped
from .models import (
    ActStatus,
    AgreementStatus,
    Appeal,
    AppealStatus,
    Application,
    ApplicationDocument,
    CommissionMember,
    ConflictDeclaration,
    Criterion,
    Decision,
    Lot,
    LotKind,
    Programme,
    ProposalLot,
    RoundStatus,
    Score,
    SelectionRound,
    ServiceAct,
    ServiceAgreement,
    TeamMember,
)
from .programme_ref import check_programme

R = RoundStatus
ORGANISERS = frozenset({roles.ADMIN, roles.MINISTRY})

ROUND_TRANSITIONS = {
    "open_applications": ((R.announced,), R.accepting),
    "start_evaluation": ((R.accepting,), R.evaluating),
    # Results and protocol published; the appeal window opens.
    "complete": ((R.evaluating,), R.appeals),
    # After the appeal window: each lot's winner gets a service agreement.
    "award": ((R.appeals,), R.completed),
    "cancel": ((R.announced, R.accepting, R.evaluating, R.appeals), R.cancelled),
}
#: Who submits proposals, appeals and acts: the provider's representative (and
#: the administrator). Ministry staff review; they do not submit.
SUBMITTERS = frozenset({roles.ADMIN, roles.PROVIDER_REP})

from ..providers.services import ALLOWED_EXTENSIONS, MAX_DOCUMENT_BYTES  # noqa: E402,F401

Q = Decimal("0.001")


class SelectionError(UserError):
    pass


def _require_organiser(user) -> None:
    if not role_names(user) & ORGANISERS:
        raise NotPermitted()


def _flush():
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        raise ConflictError() from exc


# --- rounds ------------------------------------------------------------------------


def transition_round(
    name: str,
    rnd: SelectionRound,
    user,
    reason: str | None = None,
    expected_version=None,
    protocol_number: str | None = None,
    protocol_date: dt.date | None = None,
) -> SelectionRound:
    sources, target = ROUND_TRANSITIONS[name]
    _require_organiser(user)
    if expected_version not in (None, "") and str(expected_version) != str(rnd.version):
        raise ConflictError()
    if rnd.status not in sources:
        raise TransitionNotAllowed(
            _l(
                "Selection round «%(name)s»: the change from «%(source)s» to «%(target)s» is "
                "not allowed."
            )
            % {"name": rnd.title, "source": rnd.status.label, "target": target.label}
        )
    reason = (reason or "").strip() or None
    if name == "cancel" and not reason:
        raise SelectionError(_l("Give the reason for this decision."))
    if name == "start_evaluation":
        if not rnd.criteria:
            raise SelectionError(_l("Add the evaluation criteria before the evaluation starts."))
        if not rnd.commission:
            raise SelectionError(_l("Add the commission members before the evaluation starts."))
    if name == "complete":
        protocol_number = (protocol_number or "").strip()
        if not protocol_number or protocol_date is None:
            raise SelectionError(_l("Enter the protocol number and date to complete the round."))
        ensure_all_screened(rnd)
        ensure_all_scored(rnd)
        compute_results(rnd)
        decide(rnd)
        for app_, _rank in _ranked(rnd):
            app_.protocol_number = protocol_number
            app_.protocol_date = protocol_date
        rnd.protocol_number = protocol_number
        rnd.protocol_date = protocol_date
        rnd.appeal_until = clock.kyiv_today() + dt.timedelta(days=rnd.appeal_days or 0)
    if name == "award":
        award(rnd)
    previous = rnd.status
    rnd.status = target
    rnd.status_reason = reason
    _flush()
    from ..audit.services import record_event

    record_event(
        "transition",
        "SelectionRound",
        rnd.id,
        commit=False,
        details={"from": previous.name, "to": target.name, "reason": reason},
    )
    return rnd


SCORES_MISSING = _l(
    "The round cannot be completed: %(count)s score(s) are missing "
    "(%(who)s). Every commission member scores every criterion of every "
    "application first."
)


def conflicts_of(rnd: SelectionRound) -> set[tuple[int, int]]:
    """(application id, member user id) pairs with a declared conflict of interest."""
    return set(
        db.session.execute(
            select(ConflictDeclaration.application_id, ConflictDeclaration.member_id)
            .join(Application, Application.id == ConflictDeclaration.application_id)
            .where(Application.round_id == rnd.id)
        )
        .tuples()
        .all()
    )


def missing_scores(rnd: SelectionRound) -> dict[str, int]:
    """Commission member's name -> how many (application, criterion) scores
    they have not given. Proposals screened out are not scored; a member with a
    declared conflict does not score that proposal. One statement for the given ones."""
    session = db.session
    applications = list(
        session.scalars(
            select(Application.id).where(
                Application.round_id == rnd.id, Application.eligible.is_not(False)
            )
        )
    )
    criteria = [c.id for c in rnd.criteria]
    given = set(
        session.execute(
            select(Score.application_id, Score.criterion_id, Score.member_id)
            .join(Application, Application.id == Score.application_id)
            .where(Application.round_id == rnd.id)
        ).all()
    )
    conflicted = conflicts_of(rnd)
    missing = {}
    for member in rnd.commission:
        count = sum(
            1
            for a in applications
            for c in criteria
            if (a, c, member.user_id) not in given and (a, member.user_id) not in conflicted
        )
        if count:
            missing[str(member)] = count
    return missing


def ensure_all_scored(rnd: SelectionRound) -> None:
    """Results are computed only from complete scores: a member who scored
    nothing would otherwise simply not count (the outside test finalised a
    round with one of two members silent)."""
    missing = missing_scores(rnd)
    if missing:
        raise SelectionError(
            SCORES_MISSING
            % {
                "count": sum(missing.values()),
                "who": ", ".join(f"{name}: {n}" for name, n in sorted(missing.items())),
            }
        )


def suggested_decision(
    rnd: SelectionRound, rank: int | None, winners: int | None = None
) -> Decision:
    winners = rnd.winners_count if winners is None else winners
    if rank is not None and rank <= winners:
        return Decision.winner
    if rank is not None and rank <= winners + rnd.reserve_count:
        return Decision.reserve
    return Decision.refused


# --- applications ------------------------------------------------------------------


MINISTRY_DOES_NOT_SUBMIT = _l(
    "Proposals, appeals and acts are submitted by the provider's "
    "representative; ministry staff review them."
)


def ensure_submitter(user) -> None:
    """Only the provider's representative (or the administrator) submits; a job or
    the importer (no signed-in user) is not refused here."""
    if user is not None and not role_names(user) & SUBMITTERS:
        raise SelectionError(MINISTRY_DOES_NOT_SUBMIT)


def check_application(application: Application) -> None:
    """Refuse an application the rules do not allow (called before saving it)."""
    rnd, provider = application.round, application.provider
    if rnd is None or provider is None:
        raise SelectionError(_l("Choose the selection round and the provider."))
    ensure_submitter(acting_user())
    if rnd.status != RoundStatus.accepting:
        raise SelectionError(_l("The round does not accept applications now."))
    ensure_active_provider(provider, "apply")
    if rnd.oblast_id is not None and provider.oblast_id != rnd.oblast_id:
        raise SelectionError(_l("The provider is not from the oblast of this round."))
    stmt = select(Application.id).where(
        Application.round_id == rnd.id, Application.provider_id == provider.id
    )
    if application.id is not None:
        stmt = stmt.where(Application.id != application.id)
    with db.session.no_autoflush:
        duplicate = db.session.scalar(stmt)
    if duplicate:
        raise SelectionError(_l("This provider has already applied to this round."))


def is_commission_member(rnd: SelectionRound, user) -> bool:
    return (
        user is not None
        and db.session.scalar(
            select(CommissionMember.id).where(
                CommissionMember.round_id == rnd.id, CommissionMember.user_id == user.id
            )
        )
        is not None
    )


def record_scores(application: Application, user, values: dict, comments: dict | None = None):
    """Save the scores of one commission member: ``{criterion_id: value}``."""
    rnd = application.round
    if not is_commission_member(rnd, user):
        raise NotPermitted(_l("Only members of the round's commission may score applications."))
    if not in_scope(application, scope_of(user)):
        raise OutOfScope()
    if rnd.status != RoundStatus.evaluating:
        raise SelectionError(_l("Scores can be entered only while the round is being evaluated."))
    if application.eligible is not True:
        raise SelectionError(NOT_SCREENED_ELIGIBLE)
    if (application.id, user.id) in conflicts_of(rnd):
        raise SelectionError(CONFLICTED)
    criteria = {c.id: c for c in rnd.criteria}
    existing = {
        s.criterion_id: s
        for s in db.session.scalars(
            select(Score).where(Score.application_id == application.id, Score.member_id == user.id)
        )
    }
    for key, raw in values.items():
        criterion = criteria.get(int(key)) if str(key).isdigit() else None
        if criterion is None:
            raise SelectionError(_l("Unknown criterion."))
        if raw in (None, ""):
            continue
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            value = -1
        if not 0 <= value <= criterion.max_score:
            raise SelectionError(
                _l("Criterion «%(name)s»: the score must be a whole number from 0 to %(max)s.")
                % {"name": criterion.name, "max": criterion.max_score}
            )
        score = existing.get(criterion.id)
        if score is None:
            score = Score(
                application_id=application.id,
                criterion_id=criterion.id,
                member_id=user.id,
                value=value,
            )
            db.session.add(score)
        score.value = value
        score.scored_on = clock.utcnow()
        if comments and comments.get(key) is not None:
            score.comment = (comments.get(key) or "").strip() or None
    _flush()
    compute_results(rnd)


def _criteria_order(criteria):
    return sorted(criteria, key=lambda c: (-Decimal(c.weight), c.position, c.id))


def compute_results(rnd: SelectionRound) -> list[Application]:
    """Recompute total and rank of every application of the round; return them ranked."""
    session = db.session
    applications = list(session.scalars(select(Application).where(Application.round_id == rnd.id)))
    for application in applications:
        if application.eligible is False:  # screened out: neither scored nor ranked
            application.total_score = application.rank = None
    applications = [a for a in applications if a.eligible is not False]
    criteria = _criteria_order(rnd.criteria)
    sums: dict = defaultdict(lambda: [0, 0])
    for app_id, crit_id, value in session.execute(
        select(Score.application_id, Score.criterion_id, Score.value)
        .join(Application, Application.id == Score.application_id)
        .where(Application.round_id == rnd.id)
    ):
        acc = sums[(app_id, crit_id)]
        acc[0] += value
        acc[1] += 1

    def weighted(app_id, criterion) -> Decimal:
        total, count = sums.get((app_id, criterion.id), (0, 0))
        if not count:
            return Decimal(0)
        return Decimal(criterion.weight) * Decimal(total) / Decimal(count)

    keys = {}
    for application in applications:
        parts = [weighted(application.id, c) for c in criteria]
        application.total_score = sum(parts, Decimal(0)).quantize(Q, ROUND_HALF_UP)
        keys[application.id] = (
            -application.total_score,
            *[-p.quantize(Q, ROUND_HALF_UP) for p in parts],
            application.submitted_on or dt.date.max,
            application.id,
        )
    applications.sort(key=lambda a: keys[a.id])
    for position, application in enumerate(applications, start=1):
        application.rank = position
    # Per lot: the proposals for the lot in the same order (the same tie rule).
    order = {a.id: position for position, a in enumerate(applications)}
    by_lot: dict = defaultdict(list)
    for proposal in session.scalars(
        select(ProposalLot).join(Application).where(Application.round_id == rnd.id)
    ):
        by_lot[proposal.lot_id].append(proposal)
    for proposals in by_lot.values():
        ranked = sorted(
            (p for p in proposals if p.application_id in order),
            key=lambda p: order[p.application_id],
        )
        for position, proposal in enumerate(ranked, start=1):
            proposal.rank = position
        for proposal in proposals:
            if proposal.application_id not in order:
                proposal.rank = None
    _flush()
    return applications


def passes(rnd: SelectionRound, application: Application) -> bool:
    """Eligible, and at or above the pass mark (when the round has one)."""
    if application.eligible is False or application.total_score is None:
        return False
    return rnd.pass_mark is None or Decimal(application.total_score) >= Decimal(rnd.pass_mark)


def _rank_key(item: Application | ProposalLot) -> int:
    """Sort key of a passing application or lot proposal: its rank, which
    :func:`compute_results` (always run before :func:`decide`) gives every one."""
    if item.rank is None:
        raise ValueError(f"{item!r} passes but is not ranked: compute_results() first")
    return item.rank


def decide(rnd: SelectionRound) -> None:
    """Decisions from the ranks. With lots: per lot, the best passing proposal wins
    and the next ``reserve_count`` passing ones are in reserve; a proposal's
    decision is its best over its lots. Without lots: the first ``winners_count``
    passing applications win, the next ``reserve_count`` are in reserve."""
    applications = list(
        db.session.scalars(select(Application).where(Application.round_id == rnd.id))
    )
    lots = [p for a in applications for p in a.lots]
    if not lots:
        passing = sorted((a for a in applications if passes(rnd, a)), key=_rank_key)
        for a in applications:
            a.decision = Decision.refused
        for position, a in enumerate(passing, start=1):
            a.decision = suggested_decision(rnd, position, winners=rnd.winners_count)
        _flush()
        return
    by_lot: dict[int, list[ProposalLot]] = defaultdict(list)
    for proposal in lots:
        by_lot[proposal.lot_id].append(proposal)
    for proposals in by_lot.values():
        ranked = sorted((p for p in proposals if passes(rnd, p.application)), key=_rank_key)
        for proposal in proposals:
            proposal.decision = Decision.refused
        for position, proposal in enumerate(ranked, start=1):
            proposal.decision = suggested_decision(rnd, position, winners=1)
    best = {Decision.winner: 0, Decision.reserve: 1, Decision.refused: 2}
    for a in applications:
        # every proposal was decided just above, so the filter drops nothing
        decisions = [p.decision for p in a.lots if p.decision is not None] or [Decision.refused]
        a.decision = min(decisions, key=best.__getitem__)
    _flush()


def _ranked(rnd: SelectionRound):
    apps = list(
        db.session.scalars(
            select(Application)
            .where(Application.round_id == rnd.id)
            .order_by(Application.rank, Application.id)
        )
    )
    return [(a, a.rank) for a in apps]


def results(rnd: SelectionRound) -> list[Application]:
    """The round's applications the current user may see, best first."""
    stmt = scoped(select(Application), Application).where(Application.round_id == rnd.id)
    return list(
        db.session.scalars(
            stmt.order_by(Application.rank.is_(None), Application.rank, Application.id)
        )
    )


def scores_of(application: Application) -> dict:
    """``{(member_id, criterion_id): Score}`` of an application."""
    return {
        (s.member_id, s.criterion_id): s
        for s in db.session.scalars(select(Score).where(Score.application_id == application.id))
    }


# --- documents ---------------------------------------------------------------------


def upload_dir() -> str:
    from ..providers.services import upload_dir as folder

    return folder("selection")


def save_document(application: Application, storage, doc_type, user) -> ApplicationDocument:
    """Store a proposal's document: the provider's representative while the round
    accepts proposals (ministry staff and the administrator until it closes)."""
    from ..providers.services import store_upload
    from .models import DocumentType

    names = role_names(user)
    if not names & (ORGANISERS | {roles.PROVIDER_REP}):
        raise NotPermitted()
    if not in_scope(application, scope_of(user)):
        raise OutOfScope()
    if application.round.status in (RoundStatus.completed, RoundStatus.cancelled):
        raise SelectionError(_l("Documents cannot be added to a closed round."))
    if not names & ORGANISERS and application.round.status != RoundStatus.accepting:
        raise SelectionError(
            _l("Documents of a proposal are added while the round accepts proposals.")
        )
    try:
        kind = DocumentType[doc_type] if isinstance(doc_type, str) else DocumentType(doc_type)
    except (KeyError, ValueError):
        raise SelectionError(_l("Choose the document type.")) from None
    filename, stored, size = store_upload(storage, "selection")
    document = ApplicationDocument(
        application_id=application.id,
        doc_type=kind,
        filename=filename,
        stored_name=stored,
        size=size,
        uploaded_by_fk=user.id,
    )
    db.session.add(document)
    _flush()
    return document


def document_path(document: ApplicationDocument) -> str:
    """The document's key in the ``uploads`` storage (app.storage)."""
    return f"selection/{os.path.basename(document.stored_name)}"


# --- criteria ----------------------------------------------------------------------

#: The statuses in which a round's criteria may change (before the evaluation).
CRITERIA_EDITABLE = (RoundStatus.announced, RoundStatus.accepting)
#: A round's commission may change until the round is closed.
COMMISSION_CLOSED = (RoundStatus.completed, RoundStatus.cancelled)


class RoundNotEditable(SelectionError):
    status_code = 409
    default_message = _l("Criteria can be changed only before the evaluation starts.")


class NotInRound(SelectionError):
    """A criterion or commission member id that is not the round's."""

    status_code = 404
    default_message = _l("No such record in this round.")


def add_criterion(rnd: SelectionRound, user, name, weight, max_score) -> Criterion:
    """A criterion at the end of the round's list: a name, a weight above 0
    and up to 1000, a maximum score from 1 to 100 (10 when not given); only
    by an organiser, only before the evaluation starts."""
    _require_organiser(user)
    if rnd.status not in CRITERIA_EDITABLE:
        raise RoundNotEditable()
    name = str(name or "").strip()[:300]
    try:
        weight = Decimal(str(weight if weight is not None else "").replace(",", "."))
        max_score = int(max_score) if max_score not in (None, "") else 10
    except (ArithmeticError, ValueError, TypeError):
        weight, max_score = Decimal(-1), 0
    if not name or not weight.is_finite() or weight <= 0 or weight > 1000:
        raise SelectionError(CRITERION_MESSAGE)
    if not 1 <= max_score <= 100:
        raise SelectionError(CRITERION_MESSAGE)
    criterion = Criterion(
        round_id=rnd.id,
        name=name,
        weight=weight,
        max_score=max_score,
        position=len(rnd.criteria) + 1,
    )
    db.session.add(criterion)
    _flush()
    return criterion


CRITERION_MESSAGE = _l(
    "Enter the criterion name, a positive weight and a maximum score from 1 to 100."
)


def delete_criterion(rnd: SelectionRound, user, criterion_id: int) -> None:
    """Remove a criterion of the round (organisers, before the evaluation)."""
    _require_organiser(user)
    if rnd.status not in CRITERIA_EDITABLE:
        raise RoundNotEditable()
    criterion = next((c for c in rnd.criteria if c.id == criterion_id), None)
    if criterion is None:
        raise NotInRound()
    db.session.delete(criterion)
    _flush()


# --- commission --------------------------------------------------------------------


def remove_commission_member(rnd: SelectionRound, user, member_id: int) -> None:
    """Remove a member of the round's commission (organisers, until the round closes)."""
    _require_organiser(user)
    if rnd.status in COMMISSION_CLOSED:
        raise SelectionError(_l("The commission of a closed round cannot be changed."))
    member = next((m for m in rnd.commission if m.id == member_id), None)
    if member is None:
        raise NotInRound()
    db.session.delete(member)
    _flush()


def appoint_commission_member(rnd: SelectionRound, member_id, user, role=None) -> CommissionMember:
    """The round page's and the REST API's way in: ``member_id`` must name a user
    who may sit on commissions (the lookup the form's picker offers)."""
    from ..common.lookup import LOOKUPS

    member = LOOKUPS["commission_user"].get(member_id) if member_id else None
    if member is None:
        raise InvalidData(_l("Choose a value from the list."))
    return add_commission_member(rnd, member, user, role=str(role or "").strip()[:100] or None)


def add_commission_member(rnd: SelectionRound, member_user, user, role: str | None = None):
    _require_organiser(user)
    if rnd.status in COMMISSION_CLOSED:
        raise SelectionError(_l("The commission of a closed round cannot be changed."))
    if is_commission_member(rnd, member_user):
        raise SelectionError(_l("This person is already a member of the commission."))
    member = CommissionMember(round_id=rnd.id, user_id=member_user.id, role=role)
    db.session.add(member)
    _flush()
    return member


def approved_provider_clause():
    return Provider.status == ProviderStatus.approved


def won_completed_round(
    provider_id: int | None, oblast_id: int | None, programme: str = Programme.centre
):
    """Read-only: the latest *completed* round of ``programme`` covering the oblast
    (its own or a national round) in which the provider's application was decided
    a winner; ``None`` when there is none. Used by the centres' readiness check."""
    if provider_id is None:
        return None
    stmt = (
        select(SelectionRound)
        .join(Application, Application.round_id == SelectionRound.id)
        .where(
            Application.provider_id == provider_id,
            Application.decision == Decision.winner,
            SelectionRound.status == RoundStatus.completed,
            SelectionRound.programme == programme,
        )
        .order_by(SelectionRound.id.desc())
        .limit(1)
    )
    if oblast_id is not None:
        stmt = stmt.where(
            (SelectionRound.oblast_id == oblast_id) | SelectionRound.oblast_id.is_(None)
        )
    return db.session.scalars(stmt).first()


# --- write commands (every path: web form, REST API) --------------------------------
ROUND_CLOSED = _l("A completed or cancelled round cannot be changed.")
APPLICATION_ROUND_CLOSED = _l("An application of a completed or cancelled round cannot be changed.")
DEADLINE_BEFORE_ANNOUNCEMENT = _l("The deadline cannot be earlier than the announcement.")
ROUND_DELETE = _l(
    "Only an announced round without applications can be deleted; cancel a "
    "round that has started, with the reason."
)
APPLICATION_DELETE = _l("An application can be deleted only while the round accepts applications.")
_CLOSED = (RoundStatus.completed, RoundStatus.cancelled)
RESULTS_BY_MINISTRY = _l("The results of a proposal are recorded by ministry staff.")


@commands(SelectionRound)
class RoundCommands(ModelCommands):
    parts = ("selection_criterion", "selection_commission_member")

    def check(self, item, creating):
        if item.deadline and item.announced_on and item.deadline < item.announced_on:
            raise SelectionError(DEADLINE_BEFORE_ANNOUNCEMENT)
        if not creating and _committed(item, "status") in _CLOSED:
            raise SelectionError(ROUND_CLOSED)
        check_programme(item, creating)

    def check_delete(self, item):
        if item.status != RoundStatus.announced:
            raise SelectionError(ROUND_DELETE)

    def editable(self, item):
        return item.status not in _CLOSED


@commands(Application)
class ApplicationCommands(ModelCommands):
    parts = (
        "selection_document",
        "selection_score",
        "selection_proposal_lot",
        "selection_team_member",
        "selection_conflict",
        "selection_appeal",
    )

    def check_create(self, item):
        if item.submitted_on is None:
            item.submitted_on = clock.kyiv_today()
        check_application(item)

    def check_update(self, item):
        rnd = (
            item.round if item.round is not None else db.session.get(SelectionRound, item.round_id)
        )
        if rnd is not None and rnd.status in _CLOSED:
            raise SelectionError(APPLICATION_ROUND_CLOSED)
        user = acting_user()
        if user is not None and not role_names(user) & ORGANISERS:
            # The provider's representative edits its notes while proposals are
            # accepted; results are recorded by ministry staff only.
            from sqlalchemy import inspect

            state = inspect(item)
            if any(
                state.attrs[name].history.has_changes()
                for name in ("decision", "protocol_number", "protocol_date")
            ):
                raise SelectionError(RESULTS_BY_MINISTRY)
            if rnd is not None and rnd.status != RoundStatus.accepting:
                raise SelectionError(PROPOSAL_CLOSED)

    def check_delete(self, item):
        if item.round.status != RoundStatus.accepting:
            raise SelectionError(APPLICATION_DELETE)

    def editable(self, item):
        return item.round.status not in _CLOSED


def _committed(item, attr):
    """The value ``attr`` had when the row was loaded (before this request's change)."""
    from sqlalchemy import inspect

    history = inspect(item).attrs[attr].history
    if history.deleted:
        return history.deleted[0]
    return getattr(item, attr)


label_tables(
    {
        "selection_round": _l("selection rounds"),
        "selection_application": _l("applications"),
        "selection_document": _l("documents"),
        "selection_score": _l("scores"),
    }
)


# --- screening, conflicts of interest, appeals (issue #22) -------------------------------
NOT_SCREENED_ELIGIBLE = _l("Only a proposal screened as eligible is scored: screen it first.")
CONFLICTED = _l("You declared a conflict of interest with this proposal: you cannot score it.")
SCREEN_NOT_NOW = _l("Proposals are screened while the round is being evaluated.")
SCREEN_REASON = _l("Give the reasons why the proposal is not eligible.")
SCREENING_MISSING = _l(
    "The results cannot be published: %(count)s proposal(s) are not screened for eligibility yet."
)
CONFLICT_NOTE = _l("Describe the conflict of interest.")
APPEAL_WINDOW = _l("Appeals are filed while the appeal window is open (until %(date)s).")
APPEAL_GROUNDS = _l("State the grounds of the appeal.")
APPEAL_OPEN = _l("This proposal already has an appeal awaiting decision.")
APPEAL_DECIDED = _l("This appeal has already been decided.")
APPEALS_PENDING = _l("The lots cannot be awarded: %(count)s appeal(s) await a decision.")
APPEAL_WINDOW_OPEN = _l("The lots are awarded after the appeal window closes (%(date)s).")


def _version_check(item, expected_version) -> None:
    if expected_version not in (None, "") and str(expected_version) != str(item.version):
        raise ConflictError()


def screen(
    application: Application, user, eligible: bool, reason: str | None = None, expected_version=None
) -> Application:
    """Eligibility screening by ministry staff, before any scoring: pass or fail,
    with the reasons of a fail. A proposal screened out is not scored or ranked."""
    _require_organiser(user)
    _version_check(application, expected_version)
    if application.round.status != RoundStatus.evaluating:
        raise SelectionError(SCREEN_NOT_NOW)
    reason = (reason or "").strip() or None
    if not eligible and not reason:
        raise SelectionError(SCREEN_REASON)
    application.eligible = bool(eligible)
    application.screening_reason = reason
    application.screened_on = clock.utcnow()
    application.screened_by_fk = user.id
    if not eligible:
        for score in list(application.scores):
            db.session.delete(score)
    _flush()
    return application


def ensure_all_screened(rnd: SelectionRound) -> None:
    count = db.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.round_id == rnd.id, Application.eligible.is_(None))
    )
    if count:
        raise SelectionError(SCREENING_MISSING % {"count": count})


def declare_conflict(application: Application, user, note: str | None) -> ConflictDeclaration:
    """A commission member declares a conflict of interest with a proposal: their
    scores of it (if any) are removed and they cannot score it."""
    rnd = application.round
    if not is_commission_member(rnd, user):
        raise NotPermitted(_l("Only members of the round's commission may score applications."))
    if rnd.status not in (RoundStatus.accepting, RoundStatus.evaluating):
        raise SelectionError(_l("Scores can be entered only while the round is being evaluated."))
    note = (note or "").strip()
    if not note:
        raise SelectionError(CONFLICT_NOTE)
    if (application.id, user.id) in conflicts_of(rnd):
        raise SelectionError(CONFLICTED)
    db.session.execute(
        sa_delete(Score).where(Score.application_id == application.id, Score.member_id == user.id)
    )
    declaration = ConflictDeclaration(
        application_id=application.id, member_id=user.id, note=note[:2000]
    )
    db.session.add(declaration)
    _flush()
    return declaration


def file_appeal(application: Application, user, grounds: str | None) -> Appeal:
    """The provider's representative appeals the published result of its proposal."""
    ensure_submitter(user)
    if not in_scope(application, scope_of(user)):
        raise OutOfScope()
    rnd = application.round
    today = clock.kyiv_today()
    if rnd.status != RoundStatus.appeals or rnd.appeal_until is None or today > rnd.appeal_until:
        raise SelectionError(
            APPEAL_WINDOW
            % {"date": rnd.appeal_until.strftime("%d.%m.%Y") if rnd.appeal_until else "—"}
        )
    grounds = (grounds or "").strip()
    if not grounds:
        raise SelectionError(APPEAL_GROUNDS)
    if db.session.scalar(
        select(Appeal.id).where(
            Appeal.application_id == application.id, Appeal.status == AppealStatus.filed
        )
    ):
        raise SelectionError(APPEAL_OPEN)
    appeal = Appeal(
        application_id=application.id, filed_on=today, grounds=grounds[:4000], filed_by_fk=user.id
    )
    db.session.add(appeal)
    _flush()
    return appeal


def decide_appeal(appeal: Appeal, user, upheld: bool, reason: str | None) -> Appeal:
    """Ministry staff decide an appeal with the reason. An upheld appeal returns the
    round to evaluation, so screening and scores can be corrected and the results
    published again (with a new protocol) before any lot is awarded."""
    _require_organiser(user)
    if appeal.status != AppealStatus.filed:
        raise SelectionError(APPEAL_DECIDED)
    reason = (reason or "").strip()
    if not reason:
        raise SelectionError(_l("Give the reason for this decision."))
    rnd = appeal.application.round
    if rnd.status != RoundStatus.appeals:
        raise SelectionError(APPEAL_DECIDED)
    appeal.status = AppealStatus.upheld if upheld else AppealStatus.dismissed
    appeal.decision_reason = reason[:4000]
    appeal.decided_on = clock.utcnow()
    appeal.decided_by_fk = user.id
    if upheld:
        rnd.status = RoundStatus.evaluating
        rnd.status_reason = reason[:4000]
    _flush()
    from ..audit.services import record_event

    record_event(
        "transition",
        "SelectionRound",
        rnd.id,
        commit=False,
        details={"appeal": appeal.id, "upheld": bool(upheld), "reason": reason},
    )
    return appeal


def appeals_of(rnd: SelectionRound) -> list[Appeal]:
    return list(
        db.session.scalars(
            select(Appeal)
            .join(Application)
            .where(Application.round_id == rnd.id)
            .order_by(Appeal.id)
        )
    )


# --- award and agreements ----------------------------------------------------------------
def agreement_number(rnd: SelectionRound, lot: Lot) -> str:
    return f"ДП-{clock.kyiv_today().year}-{rnd.id:04d}-{lot.number:02d}"


def award(rnd: SelectionRound) -> list[ServiceAgreement]:
    """Each lot's winning proposal gets a service agreement: number, period (365 days
    from the award; ministry staff may correct it), the amount proposed for the lot, the
    lot's centre. Refused while appeals are pending or the appeal window is open, or
    when a winner's provider is not approved (suspended) now."""
    today = clock.kyiv_today()
    pending = db.session.scalar(
        select(func.count())
        .select_from(Appeal)
        .join(Application)
        .where(Application.round_id == rnd.id, Appeal.status == AppealStatus.filed)
    )
    if pending:
        raise SelectionError(APPEALS_PENDING % {"count": pending})
    if rnd.appeal_until is not None and today <= rnd.appeal_until:
        raise SelectionError(APPEAL_WINDOW_OPEN % {"date": rnd.appeal_until.strftime("%d.%m.%Y")})
    starts = today
    ends = starts + dt.timedelta(days=364)
    created = []
    winners = db.session.scalars(
        select(ProposalLot)
        .join(Application)
        .where(Application.round_id == rnd.id, ProposalLot.decision == Decision.winner)
        .order_by(ProposalLot.lot_id)
    )
    for proposal in winners:
        provider = proposal.application.provider
        ensure_active_provider(provider, "sign_agreement")
        lot = proposal.lot
        agreement = ServiceAgreement(
            number=agreement_number(rnd, lot),
            lot_id=lot.id,
            application_id=proposal.application_id,
            provider_id=provider.id,
            centre_id=lot.centre_id,
            signed_on=today,
            starts_on=starts,
            ends_on=ends,
            amount=proposal.budget,
            status=AgreementStatus.active,
        )
        db.session.add(agreement)
        created.append(agreement)
    _flush()
    return created


def agreements_of_provider(provider_id: int) -> list[ServiceAgreement]:
    return list(
        db.session.scalars(
            scoped(select(ServiceAgreement), ServiceAgreement)
            .where(ServiceAgreement.provider_id == provider_id)
            .order_by(ServiceAgreement.starts_on.desc())
        )
    )


def agreements_of_centre(centre_id: int) -> list[ServiceAgreement]:
    return list(
        db.session.scalars(
            scoped(select(ServiceAgreement), ServiceAgreement)
            .where(ServiceAgreement.centre_id == centre_id)
            .order_by(ServiceAgreement.starts_on.desc())
        )
    )


ACT_MONTH_OUTSIDE = _l("The month of the act lies outside the agreement's period.")
ACT_FUTURE = _l("An act covers a month whose services have been delivered: not a future month.")
ACT_OVER_AMOUNT = _l("The acts would exceed the agreement's amount (%(amount)s UAH).")
ACT_DUPLICATE = _l("This agreement already has an act for this month.")
ACT_LOCKED = _l("An accepted act cannot be changed.")
ACT_AGREEMENT = _l("Acts are submitted under an agreement in force.")
ACT_NOT_SUBMITTED = _l("Only a submitted act is accepted or returned.")
ACT_AMOUNT = _l("Enter a positive amount.")
ACT_FIGURE_RANGE = _l("The figures of the act are whole numbers from 0 to 10,000,000.")
AGREEMENT_BY_AWARD = _l("Service agreements are created by the award of a lot.")
AGREEMENT_DATES = _l("The agreement cannot end before it starts.")


# --- monthly acts pre-filled from the portal's data ---------------------------------------
#: Figures of an act (ServiceAct columns), in the order the act shows them.
ACT_FIGURES = ("activities", "participants", "visits", "cases_served", "cases_opened", "meetings")
ACT_MONTH_FORMAT = _l("Give the month as YYYY-MM, e.g. 2026-03.")


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def parse_month(value) -> dt.date:
    """``2026-03``, ``2026-03-01``, ``03.2026`` or ``01.03.2026`` -> the month's first day."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    for fmt in ("%Y-%m", "%Y-%m-%d", "%m.%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    raise SelectionError(ACT_MONTH_FORMAT)


def act_figures(agreement: ServiceAgreement, month: dt.date) -> dict:
    """Read-only: what the portal knows of the agreement's services in ``month``.

    * the agreement's centre (a centre lot): activities held and their
      participants (the activity log) and walk-in visits (the visit tally);
    * the case register: the provider's cases of the round's programme (at the
      agreement's centre, when it has one) open during the month, those opened
      in it, and the meetings held (contacts in a form the programme counts as a
      meeting, ``programme.meeting_forms``).

    A figure without a source (no centre) is None. Counts only: no personal data."""
    from sqlalchemy import or_

    from ..cases.models import Case, Contact
    from ..programmes.models import Programme as ProgrammeRow

    first, last = month_bounds(month)
    session = db.session
    figures = dict.fromkeys(ACT_FIGURES)
    if agreement.centre_id is not None:
        from ..centers.models import CATEGORY_COUNTS, CentreActivity, CentreVisitDay

        people = sum((getattr(CentreActivity, c) for c in CATEGORY_COUNTS), 0)
        activities, participants = session.execute(
            select(func.count(CentreActivity.id), func.coalesce(func.sum(people), 0)).where(
                CentreActivity.centre_id == agreement.centre_id,
                CentreActivity.held_on.between(first, last),
            )
        ).one()
        figures["activities"], figures["participants"] = int(activities), int(participants)
        figures["visits"] = int(
            session.scalar(
                select(func.coalesce(func.sum(CentreVisitDay.visits), 0)).where(
                    CentreVisitDay.centre_id == agreement.centre_id,
                    CentreVisitDay.day.between(first, last),
                )
            )
            or 0
        )
    programme = agreement.lot.round.programme
    enum_class = getattr(Case.__table__.c.programme.type, "enum_class", None)
    if enum_class is not None and programme not in enum_class.__members__:
        # A programme the case register does not know has no cases.
        return {**figures, "cases_served": 0, "cases_opened": 0, "meetings": 0}
    cases = select(Case.id).where(
        Case.provider_id == agreement.provider_id,
        Case.programme == programme,
        Case.opened_on <= last,
        or_(Case.closed_on.is_(None), Case.closed_on >= first),
    )
    if agreement.centre_id is not None:
        cases = cases.where(Case.centre_id == agreement.centre_id)
    figures["cases_served"] = int(
        session.scalar(select(func.count()).select_from(cases.subquery())) or 0
    )
    figures["cases_opened"] = int(
        session.scalar(
            select(func.count()).select_from(cases.where(Case.opened_on >= first).subquery())
        )
        or 0
    )
    meeting_forms = (
        session.scalar(select(ProgrammeRow.meeting_forms).where(ProgrammeRow.code == programme))
        or ""
    )
    forms = [f for f in meeting_forms.split(",") if f]
    figures["meetings"] = (
        int(
            session.scalar(
                select(func.count(Contact.id)).where(
                    Contact.case_id.in_(cases),
                    Contact.contact_on.between(first, last),
                    Contact.form.in_(forms),
                )
            )
            or 0
        )
        if forms
        else 0
    )
    return figures


def act_summary(figures: dict, month: dt.date) -> str:
    """The act's text drawn from its figures (the provider completes it)."""
    from flask_babel import gettext as _

    parts = []
    if figures.get("activities") is not None:
        parts.append(
            _(
                "activities held: %(n)s, their participants: %(p)s; walk-in visits: %(v)s",
                n=figures["activities"],
                p=figures["participants"],
                v=figures["visits"],
            )
        )
    parts.append(
        _(
            "cases served: %(n)s (opened in the month: %(o)s); meetings held: %(m)s",
            n=figures["cases_served"],
            o=figures["cases_opened"],
            m=figures["meetings"],
        )
    )
    return (
        _("Services delivered in %(month)s", month=month.strftime("%m.%Y"))
        + ": "
        + "; ".join(parts)
        + "."
    )


def suggested_act_amount(agreement: ServiceAgreement, exclude_id: int | None = None) -> Decimal:
    """An equal monthly share of the agreement's amount over its months, never more
    than what the acts not returned leave of it (an assumption: the payment terms
    of the agreements were not found)."""
    months = (
        (agreement.ends_on.year - agreement.starts_on.year) * 12
        + agreement.ends_on.month
        - agreement.starts_on.month
        + 1
    )
    share = (Decimal(agreement.amount) / max(months, 1)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    stmt = select(func.coalesce(func.sum(ServiceAct.amount), 0)).where(
        ServiceAct.agreement_id == agreement.id, ServiceAct.status != ActStatus.returned
    )
    if exclude_id is not None:
        stmt = stmt.where(ServiceAct.id != exclude_id)
    left = Decimal(agreement.amount) - Decimal(db.session.scalar(stmt) or 0)
    return max(min(share, left), Decimal(0))


def prefill_act(agreement: ServiceAgreement, month) -> dict:
    """The draft of a monthly act: month, suggested amount, text and figures from
    the portal's data. The web form and ``GET /api/v1/selection_act/prefill`` use it."""
    month = parse_month(month)
    figures = act_figures(agreement, month)
    return {
        "agreement": agreement.id,
        "month": month,
        **figures,
        "amount": suggested_act_amount(agreement),
        "services_summary": act_summary(figures, month),
    }


def decide_act(
    act: ServiceAct, user, accept: bool, comment: str | None = None, expected_version=None
) -> ServiceAct:
    """Ministry staff accept an act of services delivered, or return it with a comment."""
    _require_organiser(user)
    _version_check(act, expected_version)
    if act.status != ActStatus.submitted:
        raise SelectionError(ACT_NOT_SUBMITTED)
    comment = (comment or "").strip() or None
    if not accept and not comment:
        raise SelectionError(_l("Give the reason for this decision."))
    if accept:
        # Payment waits while the provider's changed key data (IBAN, codes) is unchecked.
        ensure_no_pending_changes(act.agreement.provider, "accept_act")
    act.status = ActStatus.accepted if accept else ActStatus.returned
    act.decision_comment = comment
    act.decided_on = clock.utcnow()
    act.decided_by_fk = user.id
    _flush()
    return act


# --- the protocol document ---------------------------------------------------------------
def protocol_docx(rnd: SelectionRound) -> bytes:
    """The evaluation protocol as a DOCX: round, commission, criteria, screening,
    conflicts, every member's scores, totals, ranking per lot, decisions, appeals."""
    import io

    from docx import Document
    from flask_babel import gettext as _

    doc = Document()
    doc.add_heading(_("Protocol of the selection commission"), level=1)
    doc.add_paragraph(f"{rnd.title}")
    doc.add_paragraph(
        _("Protocol number")
        + f": {rnd.protocol_number or '—'}; "
        + _("Protocol date")
        + ": "
        + (rnd.protocol_date.strftime("%d.%m.%Y") if rnd.protocol_date else "—")
    )
    doc.add_paragraph(
        _("Territory")
        + f": {rnd.scope_label}; "
        + _("Programme")
        + f": {rnd.programme_name}; "
        + _("Status")
        + f": {rnd.status}"
    )
    if rnd.pass_mark is not None:
        doc.add_paragraph(_("Pass mark") + f": {rnd.pass_mark}")
    doc.add_heading(_("Commission"), level=2)
    for member in sorted(rnd.commission, key=lambda m: m.id):
        doc.add_paragraph(
            f"{member} {('— ' + member.role) if member.role else ''}", style="List Bullet"
        )
    criteria = list(rnd.criteria)
    doc.add_heading(_("Evaluation criteria"), level=2)
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (_("Criterion"), _("Weight"), _("Maximum score"))):
        cell.text = text
    for c in criteria:
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = c.name, str(c.weight), str(c.max_score)
    applications = list(
        db.session.scalars(
            select(Application)
            .where(Application.round_id == rnd.id)
            .order_by(Application.rank.is_(None), Application.rank, Application.id)
        )
    )
    conflicted = conflicts_of(rnd)
    members = sorted(rnd.commission, key=lambda m: m.id)
    doc.add_heading(_("Proposals, screening and scores"), level=2)
    for a in applications:
        doc.add_heading(f"{a.provider.name} ({a.provider.code})", level=3)
        if a.eligible is False:
            doc.add_paragraph(_("Screened out") + f": {a.screening_reason or ''}")
            continue
        scores = scores_of(a)
        table = doc.add_table(rows=1, cols=len(criteria) + 1)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = _("Commission member")
        for i, c in enumerate(criteria, start=1):
            table.rows[0].cells[i].text = c.name
        for m in members:
            row = table.add_row().cells
            row[0].text = str(m)
            for i, c in enumerate(criteria, start=1):
                if (a.id, m.user_id) in conflicted:
                    row[i].text = _("conflict of interest")
                else:
                    score = scores.get((m.user_id, c.id))
                    row[i].text = str(score.value) if score else "—"
        doc.add_paragraph(
            _("Total score")
            + f": {a.total_score if a.total_score is not None else '—'}; "
            + _("Rank")
            + f": {a.rank or '—'}; "
            + _("Decision")
            + f": {a.decision or '—'}"
        )
    lots = list(db.session.scalars(select(Lot).where(Lot.round_id == rnd.id).order_by(Lot.number)))
    if lots:
        doc.add_heading(_("Ranking per lot"), level=2)
        doc.add_paragraph(TIE_RULE_TEXT())
        for lot in lots:
            doc.add_paragraph(str(lot), style="List Bullet")
            proposals = sorted(
                db.session.scalars(select(ProposalLot).where(ProposalLot.lot_id == lot.id)),
                key=lambda p: (p.rank is None, p.rank or 0, p.id),
            )
            for p in proposals:
                doc.add_paragraph(
                    f"{p.rank or '—'}. {p.application.provider.name}: "
                    f"{p.application.total_score if p.application.total_score is not None else '—'}"
                    f" — {p.decision or '—'} ({p.budget} грн)"
                )
    appeals = appeals_of(rnd)
    if appeals:
        doc.add_heading(_("Appeals"), level=2)
        for appeal in appeals:
            doc.add_paragraph(
                f"{appeal.application.provider.name}: {appeal.grounds} — "
                f"{appeal.status}. {appeal.decision_reason or ''}"
            )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def TIE_RULE_TEXT() -> str:
    from flask_babel import gettext as _

    return _(
        "Ties are broken by: the higher weighted mean on the criteria by decreasing "
        "weight; then the earlier submission; then the earlier registered proposal."
    )


# --- write commands of lots, proposals' lots and teams, agreements and acts ---------------
LOT_SETUP_CLOSED = _l("Lots are set while the round is announced or accepts proposals.")
LOT_UNIT = _l(
    "A military unit lot belongs to a round of the servicemen programme and names the unit."
)
LOT_PLACE = _l(
    "A community or centre lot names its community or planned centre, inside the round's oblast."
)
PROPOSAL_CLOSED = _l(
    "The lots and team of a proposal are changed while the round accepts proposals."
)
LOT_OTHER_ROUND = _l("The lot belongs to another selection round.")
LOT_BUDGET = _l(
    "The budget for the lot must be positive and within the lot's limit (%(limit)s UAH)."
)
TEAM_OTHER_PROVIDER = _l("A team member is a specialist of the proposing provider.")


@commands(Lot)
class LotCommands(ModelCommands):
    def check(self, item, creating):
        rnd = item.round or db.session.get(SelectionRound, item.round_id)
        if rnd is None:
            raise SelectionError(_l("Choose the selection round and the provider."))
        if rnd.status not in (RoundStatus.announced, RoundStatus.accepting):
            raise SelectionError(LOT_SETUP_CLOSED)
        if item.kind == LotKind.military_unit:
            item.unit_name = (item.unit_name or "").strip() or None
            if rnd.programme != Programme.servicemen or not item.unit_name:
                raise SelectionError(LOT_UNIT)
            return
        from ..centers.models import ResilienceCentre
        from ..geography.models import Hromada

        centre = item.centre or (
            db.session.get(ResilienceCentre, item.centre_id) if item.centre_id else None
        )
        hromada = item.hromada or (
            db.session.get(Hromada, item.hromada_id) if item.hromada_id else None
        )
        place = centre if item.kind == LotKind.centre else hromada
        if place is None or (rnd.oblast_id is not None and place.oblast_id != rnd.oblast_id):
            raise SelectionError(LOT_PLACE)
        if item.budget_limit is not None and item.budget_limit <= 0:
            raise SelectionError(LOT_BUDGET % {"limit": item.budget_limit})

    def check_delete(self, item):
        if item.round.status not in (RoundStatus.announced, RoundStatus.accepting):
            raise SelectionError(LOT_SETUP_CLOSED)


def _proposal_open(application: Application | None) -> Application:
    if application is None:
        raise SelectionError(_l("Choose the selection round and the provider."))
    ensure_submitter(acting_user())
    if application.round.status != RoundStatus.accepting:
        raise SelectionError(PROPOSAL_CLOSED)
    return application


class _ProposalPartCommands(ModelCommands):
    """A part of a proposal (a lot with its budget, a team member): changed only by
    the provider's representative while the round accepts proposals."""

    def check(self, item, creating):
        with db.session.no_autoflush:
            application = _proposal_open(
                item.application or db.session.get(Application, item.application_id)
            )
            self.check_part(item, application)

    def check_part(self, item, application) -> None:
        raise NotImplementedError

    def check_delete(self, item):
        _proposal_open(item.application)


@commands(ProposalLot)
class ProposalLotCommands(_ProposalPartCommands):
    def check_part(self, item, application):
        lot = item.lot or db.session.get(Lot, item.lot_id)
        if lot is None or lot.round_id != application.round_id:
            raise SelectionError(LOT_OTHER_ROUND)
        ensure_active_provider(application.provider, "apply")
        limit = lot.budget_limit
        if item.budget is None or item.budget <= 0 or (limit is not None and item.budget > limit):
            raise SelectionError(LOT_BUDGET % {"limit": limit if limit is not None else "—"})


@commands(TeamMember)
class TeamMemberCommands(_ProposalPartCommands):
    def check_part(self, item, application):
        from ..providers.models import Specialist

        specialist = item.specialist or (
            db.session.get(Specialist, item.specialist_id) if item.specialist_id else None
        )
        if specialist is None or specialist.provider_id != application.provider_id:
            raise SelectionError(TEAM_OTHER_PROVIDER)


@commands(ServiceAgreement)
class AgreementCommands(ModelCommands):
    def check_create(self, item):
        raise SelectionError(AGREEMENT_BY_AWARD)

    def check_update(self, item):
        if item.ends_on and item.starts_on and item.ends_on < item.starts_on:
            raise SelectionError(AGREEMENT_DATES)
        if item.amount is None or item.amount <= 0:
            raise SelectionError(ACT_AMOUNT)

    def check_delete(self, item):
        raise SelectionError(AGREEMENT_BY_AWARD)


@commands(ServiceAct)
class ActCommands(ModelCommands):
    def check(self, item, creating):
        agreement = item.agreement or db.session.get(ServiceAgreement, item.agreement_id)
        if not creating and _committed(item, "status") == ActStatus.accepted:
            raise SelectionError(ACT_LOCKED)
        ensure_submitter(acting_user())
        if agreement is None or agreement.status != AgreementStatus.active:
            raise SelectionError(ACT_AGREEMENT)
        ensure_active_provider(agreement.provider, "submit_act")
        if item.month is None:
            raise SelectionError(ACT_MONTH_OUTSIDE)
        item.month = item.month.replace(day=1)
        if item.month < agreement.starts_on.replace(day=1) or item.month > agreement.ends_on:
            raise SelectionError(ACT_MONTH_OUTSIDE)
        if item.month > clock.kyiv_today().replace(day=1):
            raise SelectionError(ACT_FUTURE)
        if item.amount is None or item.amount <= 0:
            raise SelectionError(ACT_AMOUNT)
        if creating and any(getattr(item, f) is None for f in ACT_FIGURES):
            # Figures not given (REST, import) are drawn from the portal's data.
            figures = act_figures(agreement, item.month)
            for name in ACT_FIGURES:
                if getattr(item, name) is None:
                    setattr(item, name, figures[name])
        for name in ACT_FIGURES:
            value = getattr(item, name)
            if value is not None and (isinstance(value, bool) or not 0 <= value <= 10**7):
                raise SelectionError(ACT_FIGURE_RANGE)
        item.services_summary = (item.services_summary or "").strip()
        if not item.services_summary:
            raise SelectionError(_l("Describe the services delivered in the month."))
        with db.session.no_autoflush:
            others = select(ServiceAct).where(
                ServiceAct.agreement_id == agreement.id, ServiceAct.status != ActStatus.returned
            )
            if item.id is not None:
                others = others.where(ServiceAct.id != item.id)
            rows = list(db.session.scalars(others))
        if any(r.month == item.month for r in rows):
            raise SelectionError(ACT_DUPLICATE)
        if sum((r.amount for r in rows), Decimal(0)) + item.amount > agreement.amount:
            raise SelectionError(ACT_OVER_AMOUNT % {"amount": agreement.amount})
        if not creating:
            item.status = ActStatus.submitted  # a returned act, corrected, is submitted again

    def check_delete(self, item):
        if item.status == ActStatus.accepted:
            raise SelectionError(ACT_LOCKED)


label_tables(
    {
        "selection_lot": _l("lots"),
        "selection_proposal_lot": _l("proposals for lots"),
        "selection_team_member": _l("team members"),
        "selection_conflict": _l("conflict of interest declarations"),
        "selection_appeal": _l("appeals"),
        "selection_agreement": _l("service agreements"),
        "selection_act": _l("acts of services"),
    }
)


def lots_of(rnd: SelectionRound) -> list[Lot]:
    return list(db.session.scalars(select(Lot).where(Lot.round_id == rnd.id).order_by(Lot.number)))


def conflict_rows(application: Application) -> list[ConflictDeclaration]:
    return list(
        db.session.scalars(
            select(ConflictDeclaration)
            .where(ConflictDeclaration.application_id == application.id)
            .order_by(ConflictDeclaration.id)
        )
    )


def appeal_of(application: Application, appeal_id: int) -> Appeal | None:
    return db.session.scalar(
        select(Appeal).where(Appeal.id == appeal_id, Appeal.application_id == application.id)
    )


def acts_of(agreement: ServiceAgreement) -> list[ServiceAct]:
    return list(
        db.session.scalars(
            select(ServiceAct)
            .where(ServiceAct.agreement_id == agreement.id)
            .order_by(ServiceAct.month)
        )
    )
