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
import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..common.commands import ModelCommands, commands, label_tables
from ..common.errors import ConflictError, NotPermitted, OutOfScope, TransitionNotAllowed, UserError
from ..providers.models import Provider, ProviderStatus
from ..providers.services import role_names
from ..security import roles
from ..security.scope import in_scope, scope_of, scoped
from .models import (Application, ApplicationDocument, CommissionMember, Decision, Programme,
                     RoundStatus, Score, SelectionRound)

R = RoundStatus
ORGANISERS = frozenset({roles.ADMIN, roles.MINISTRY})

ROUND_TRANSITIONS = {
    "open_applications": ((R.announced,), R.accepting),
    "start_evaluation": ((R.accepting,), R.evaluating),
    "complete": ((R.evaluating,), R.completed),
    "cancel": ((R.announced, R.accepting, R.evaluating), R.cancelled),
}

ALLOWED_EXTENSIONS = {"pdf", "doc", "docx", "odt", "xls", "xlsx", "ods", "jpg", "jpeg", "png"}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
Q = Decimal("0.001")


class SelectionError(UserError):
    pass


def _session():
    return current_app.appbuilder.session


def _require_organiser(user) -> None:
    if not role_names(user) & ORGANISERS:
        raise NotPermitted()


def _flush():
    try:
        _session().flush()
    except StaleDataError as exc:
        _session().rollback()
        raise ConflictError() from exc


# --- rounds ------------------------------------------------------------------------


def transition_round(name: str, rnd: SelectionRound, user, reason: str | None = None,
                     expected_version=None, protocol_number: str | None = None,
                     protocol_date: dt.date | None = None) -> SelectionRound:
    sources, target = ROUND_TRANSITIONS[name]
    _require_organiser(user)
    if expected_version not in (None, "") and str(expected_version) != str(rnd.version):
        raise ConflictError()
    if rnd.status not in sources:
        raise TransitionNotAllowed(_l(
            "Selection round «%(name)s»: the change from «%(source)s» to «%(target)s» is "
            "not allowed.") % {"name": rnd.title, "source": rnd.status.label,
                               "target": target.label})
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
        ensure_all_scored(rnd)
        compute_results(rnd)
        for app_, _rank in _ranked(rnd):
            if app_.decision is None:
                app_.decision = suggested_decision(rnd, app_.rank)
            app_.protocol_number = protocol_number
            app_.protocol_date = protocol_date
        rnd.protocol_number = protocol_number
        rnd.protocol_date = protocol_date
    previous = rnd.status
    rnd.status = target
    rnd.status_reason = reason
    _flush()
    from ..audit.services import record_event

    record_event("transition", "SelectionRound", rnd.id, commit=False,
                 details={"from": previous.name, "to": target.name, "reason": reason})
    return rnd


SCORES_MISSING = _l("The round cannot be completed: %(count)s score(s) are missing "
                    "(%(who)s). Every commission member scores every criterion of every "
                    "application first.")


def missing_scores(rnd: SelectionRound) -> dict[str, int]:
    """Commission member's name -> how many (application, criterion) scores
    they have not given. One statement for the given ones."""
    session = _session()
    applications = list(session.scalars(select(Application.id)
                                        .where(Application.round_id == rnd.id)))
    criteria = [c.id for c in rnd.criteria]
    given = set(session.execute(
        select(Score.application_id, Score.criterion_id, Score.member_id)
        .join(Application, Application.id == Score.application_id)
        .where(Application.round_id == rnd.id)).all())
    missing = {}
    for member in rnd.commission:
        count = sum(1 for a in applications for c in criteria
                    if (a, c, member.user_id) not in given)
        if count:
            missing[str(member)] = count
    return missing


def ensure_all_scored(rnd: SelectionRound) -> None:
    """Results are computed only from complete scores: a member who scored
    nothing would otherwise simply not count (the outside test finalised a
    round with one of two members silent)."""
    missing = missing_scores(rnd)
    if missing:
        raise SelectionError(SCORES_MISSING % {
            "count": sum(missing.values()),
            "who": ", ".join(f"{name}: {n}" for name, n in sorted(missing.items()))})


def suggested_decision(rnd: SelectionRound, rank: int | None) -> Decision:
    if rank is not None and rank <= rnd.winners_count:
        return Decision.winner
    if rank is not None and rank <= rnd.winners_count + rnd.reserve_count:
        return Decision.reserve
    return Decision.refused


# --- applications ------------------------------------------------------------------


def check_application(application: Application) -> None:
    """Refuse an application the rules do not allow (called before saving it)."""
    rnd, provider = application.round, application.provider
    if rnd is None or provider is None:
        raise SelectionError(_l("Choose the selection round and the provider."))
    if rnd.status != RoundStatus.accepting:
        raise SelectionError(_l("The round does not accept applications now."))
    if provider.status != ProviderStatus.approved:
        raise SelectionError(_l("Only approved providers may apply."))
    if rnd.oblast_id is not None and provider.oblast_id != rnd.oblast_id:
        raise SelectionError(_l("The provider is not from the oblast of this round."))
    stmt = select(Application.id).where(Application.round_id == rnd.id,
                                        Application.provider_id == provider.id)
    if application.id is not None:
        stmt = stmt.where(Application.id != application.id)
    with _session().no_autoflush:
        duplicate = _session().scalar(stmt)
    if duplicate:
        raise SelectionError(_l("This provider has already applied to this round."))


def is_commission_member(rnd: SelectionRound, user) -> bool:
    return user is not None and _session().scalar(
        select(CommissionMember.id).where(CommissionMember.round_id == rnd.id,
                                          CommissionMember.user_id == user.id)) is not None


def record_scores(application: Application, user, values: dict, comments: dict | None = None):
    """Save the scores of one commission member: ``{criterion_id: value}``."""
    rnd = application.round
    if not is_commission_member(rnd, user):
        raise NotPermitted(_l("Only members of the round's commission may score applications."))
    if not in_scope(application, scope_of(user)):
        raise OutOfScope()
    if rnd.status != RoundStatus.evaluating:
        raise SelectionError(_l("Scores can be entered only while the round is being evaluated."))
    criteria = {c.id: c for c in rnd.criteria}
    existing = {s.criterion_id: s for s in _session().scalars(
        select(Score).where(Score.application_id == application.id,
                            Score.member_id == user.id))}
    for key, raw in values.items():
        criterion = criteria.get(int(key))
        if criterion is None:
            raise SelectionError(_l("Unknown criterion."))
        if raw in (None, ""):
            continue
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            value = -1
        if not 0 <= value <= criterion.max_score:
            raise SelectionError(_l("Criterion «%(name)s»: the score must be a whole number "
                                    "from 0 to %(max)s.") % {"name": criterion.name,
                                                              "max": criterion.max_score})
        score = existing.get(criterion.id)
        if score is None:
            score = Score(application_id=application.id, criterion_id=criterion.id,
                          member_id=user.id, value=value)
            _session().add(score)
        score.value = value
        score.scored_on = dt.datetime.utcnow()
        if comments and comments.get(key) is not None:
            score.comment = (comments.get(key) or "").strip() or None
    _flush()
    compute_results(rnd)


def _criteria_order(criteria):
    return sorted(criteria, key=lambda c: (-Decimal(c.weight), c.position, c.id))


def compute_results(rnd: SelectionRound) -> list[Application]:
    """Recompute total and rank of every application of the round; return them ranked."""
    session = _session()
    applications = list(session.scalars(
        select(Application).where(Application.round_id == rnd.id)))
    criteria = _criteria_order(rnd.criteria)
    sums: dict = defaultdict(lambda: [0, 0])
    for app_id, crit_id, value in session.execute(
            select(Score.application_id, Score.criterion_id, Score.value)
            .join(Application, Application.id == Score.application_id)
            .where(Application.round_id == rnd.id)):
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
        keys[application.id] = (-application.total_score,
                                *[-p.quantize(Q, ROUND_HALF_UP) for p in parts],
                                application.submitted_on or dt.date.max, application.id)
    applications.sort(key=lambda a: keys[a.id])
    for position, application in enumerate(applications, start=1):
        application.rank = position
    _flush()
    return applications


def _ranked(rnd: SelectionRound):
    apps = list(_session().scalars(select(Application).where(Application.round_id == rnd.id)
                                   .order_by(Application.rank, Application.id)))
    return [(a, a.rank) for a in apps]


def results(rnd: SelectionRound) -> list[Application]:
    """The round's applications the current user may see, best first."""
    stmt = scoped(select(Application), Application).where(Application.round_id == rnd.id)
    return list(_session().scalars(
        stmt.order_by(Application.rank.is_(None), Application.rank, Application.id)))


def scores_of(application: Application) -> dict:
    """``{(member_id, criterion_id): Score}`` of an application."""
    return {(s.member_id, s.criterion_id): s for s in _session().scalars(
        select(Score).where(Score.application_id == application.id))}


# --- documents ---------------------------------------------------------------------


def upload_dir() -> str:
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], "selection")
    os.makedirs(path, exist_ok=True)
    return path


def save_document(application: Application, storage, doc_type, user) -> ApplicationDocument:
    """Store an uploaded file (werkzeug FileStorage) outside ``static``."""
    from ..common.uploads import upload_problem
    from .models import DocumentType

    _require_organiser(user)
    if application.round.status in (RoundStatus.completed, RoundStatus.cancelled):
        raise SelectionError(_l("Documents cannot be added to a closed round."))
    if storage is None or not storage.filename:
        raise SelectionError(_l("Choose a file to upload."))
    filename = os.path.basename(storage.filename.replace("\\", "/"))[:200]
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise SelectionError(_l("This file type is not accepted. Allowed: %(types)s.")
                             % {"types": ", ".join(sorted(ALLOWED_EXTENSIONS))})
    try:
        kind = DocumentType[doc_type] if isinstance(doc_type, str) else DocumentType(doc_type)
    except (KeyError, ValueError):
        raise SelectionError(_l("Choose the document type.")) from None
    data = storage.read(MAX_DOCUMENT_BYTES + 1)
    if not data:
        raise SelectionError(_l("The file is empty."))
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SelectionError(_l("The file is too large: at most %(mb)s MB.")
                             % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)})
    problem = upload_problem(filename, data)  # content matches the type; no archives, no macros
    if problem:
        raise SelectionError(problem)
    stored = f"{uuid.uuid4().hex}.{ext}"
    with open(os.path.join(upload_dir(), stored), "wb") as fh:
        fh.write(data)
    document = ApplicationDocument(application_id=application.id, doc_type=kind,
                                   filename=filename, stored_name=stored, size=len(data),
                                   uploaded_by_fk=user.id)
    _session().add(document)
    _flush()
    return document


def document_path(document: ApplicationDocument) -> str:
    return os.path.join(upload_dir(), os.path.basename(document.stored_name))


# --- commission --------------------------------------------------------------------


def add_commission_member(rnd: SelectionRound, member_user, user, role: str | None = None):
    _require_organiser(user)
    if rnd.status in (RoundStatus.completed, RoundStatus.cancelled):
        raise SelectionError(_l("The commission of a closed round cannot be changed."))
    if is_commission_member(rnd, member_user):
        raise SelectionError(_l("This person is already a member of the commission."))
    member = CommissionMember(round_id=rnd.id, user_id=member_user.id, role=role)
    _session().add(member)
    _flush()
    return member


def approved_provider_clause():
    return Provider.status == ProviderStatus.approved


def won_completed_round(provider_id: int | None, oblast_id: int | None,
                        programme: Programme = Programme.resilience_centres):
    """Read-only: the latest *completed* round of ``programme`` covering the oblast
    (its own or a national round) in which the provider's application was decided
    a winner; ``None`` when there is none. Used by the centres' readiness check."""
    if provider_id is None:
        return None
    stmt = (select(SelectionRound)
            .join(Application, Application.round_id == SelectionRound.id)
            .where(Application.provider_id == provider_id,
                   Application.decision == Decision.winner,
                   SelectionRound.status == RoundStatus.completed,
                   SelectionRound.programme == programme)
            .order_by(SelectionRound.id.desc()).limit(1))
    if oblast_id is not None:
        stmt = stmt.where((SelectionRound.oblast_id == oblast_id)
                          | SelectionRound.oblast_id.is_(None))
    return _session().scalars(stmt).first()



# --- write commands (every path: web form, REST API) --------------------------------
ROUND_CLOSED = _l("A completed or cancelled round cannot be changed.")
APPLICATION_ROUND_CLOSED = _l("An application of a completed or cancelled round cannot be "
                              "changed.")
DEADLINE_BEFORE_ANNOUNCEMENT = _l("The deadline cannot be earlier than the announcement.")
ROUND_DELETE = _l("Only an announced round without applications can be deleted; cancel a "
                  "round that has started, with the reason.")
APPLICATION_DELETE = _l("An application can be deleted only while the round accepts "
                        "applications.")
_CLOSED = (RoundStatus.completed, RoundStatus.cancelled)


@commands(SelectionRound)
class RoundCommands(ModelCommands):
    parts = ("selection_criterion", "selection_commission_member")

    def check(self, item, creating):
        if item.deadline and item.announced_on and item.deadline < item.announced_on:
            raise SelectionError(DEADLINE_BEFORE_ANNOUNCEMENT)
        if not creating and _committed(item, "status") in _CLOSED:
            raise SelectionError(ROUND_CLOSED)

    def check_delete(self, item):
        if item.status != RoundStatus.announced:
            raise SelectionError(ROUND_DELETE)

    def editable(self, item):
        return item.status not in _CLOSED


@commands(Application)
class ApplicationCommands(ModelCommands):
    parts = ("selection_document", "selection_score")

    def check_create(self, item):
        if item.submitted_on is None:
            item.submitted_on = dt.date.today()
        check_application(item)

    def check_update(self, item):
        rnd = item.round if item.round is not None else _session().get(SelectionRound,
                                                                        item.round_id)
        if rnd is not None and rnd.status in _CLOSED:
            raise SelectionError(APPLICATION_ROUND_CLOSED)

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


label_tables({"selection_round": _l("selection rounds"),
              "selection_application": _l("applications"),
              "selection_document": _l("documents"), "selection_score": _l("scores")})
