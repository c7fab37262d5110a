"""Selection services: round workflow per role and state, application rules,
scoring, totals, ranking with the documented tie-break, completion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.cli import create_user
from app.demo import IVANO_FRANKIVSK, LVIV, oblast_id
from app.errors import ConflictError, NotPermitted, TransitionNotAllowed, UserError
from app.extensions import db
from app.providers.demo import demo_edrpou
from app.providers.models import Provider, ProviderKind, ProviderStatus
from app.security import roles
from app.security.models import PortalUser
from app.selection import services
from app.selection.models import (
    Application,
    CommissionMember,
    Criterion,
    Decision,
    Programme,
    RoundStatus,
    SelectionRound,
)

from .conftest import PASSWORD

R = RoundStatus
_n = iter(range(3000, 4000))


def user(username) -> PortalUser:
    return db.session.scalar(sa.select(PortalUser).where(PortalUser.username == username))


def make_provider(oblast=LVIV, status=ProviderStatus.approved) -> Provider:
    n = next(_n)
    p = Provider(
        name=f"Учасник відбору {n}",
        kind=ProviderKind.ngo,
        edrpou=demo_edrpou(n),
        oblast_id=oblast_id(db.session, oblast),
        status=status,
    )
    db.session.add(p)
    db.session.flush()
    return p


def make_round(
    status=R.accepting,
    oblast=None,
    criteria=(("Досвід", "3", 10), ("Кадри", "1", 10)),
    members=("ministry", "ministry2"),
    winners=1,
    reserve=1,
) -> SelectionRound:
    rnd = SelectionRound(
        title=f"Відбір {next(_n)}",
        programme=Programme.servicemen,
        oblast_id=oblast_id(db.session, oblast) if oblast else None,
        announced_on=dt.date(2026, 1, 1),
        deadline=dt.date(2026, 2, 1),
        status=status,
        winners_count=winners,
        reserve_count=reserve,
    )
    db.session.add(rnd)
    db.session.flush()
    for i, (name, weight, max_score) in enumerate(criteria):
        db.session.add(
            Criterion(
                round_id=rnd.id, name=name, weight=Decimal(weight), max_score=max_score, position=i
            )
        )
    for username in members:
        db.session.add(CommissionMember(round_id=rnd.id, user_id=user(username).id))
    db.session.flush()
    db.session.refresh(rnd)
    return rnd


@pytest.fixture(scope="module", autouse=True)
def second_officer(app):
    with app.app_context():
        create_user("ministry2", PASSWORD, roles.MINISTRY, first_name="Друга", last_name="Членкиня")


# --- round workflow ------------------------------------------------------------------------

ROLE_USERS = ("admin", "ministry", "lviv", "frankivsk", "trainer", "caseworker", "auditor")
SOURCES = {
    "open_applications": {R.announced},
    "start_evaluation": {R.accepting},
    "complete": {R.evaluating},
    "award": {R.appeals},
    "cancel": {R.announced, R.accepting, R.evaluating, R.appeals},
}
TARGETS = {
    "open_applications": R.accepting,
    "start_evaluation": R.evaluating,
    "complete": R.appeals,
    "award": R.completed,
    "cancel": R.cancelled,
}


def test_round_transitions_per_role_and_state(app):
    with app.app_context():
        checked = 0
        for username in ROLE_USERS:
            for name in services.ROUND_TRANSITIONS:
                for source in R:
                    rnd = make_round(status=source)
                    try:
                        services.transition_round(
                            name,
                            rnd,
                            user(username),
                            reason="Причина",
                            protocol_number="7-к",
                            protocol_date=dt.date(2026, 3, 1),
                        )
                        outcome = "ok"
                    except NotPermitted:
                        outcome = "role"
                    except TransitionNotAllowed:
                        outcome = "state"
                    if username not in ("admin", "ministry"):
                        assert outcome == "role", (username, name, source)
                    elif source in SOURCES[name]:
                        assert outcome == "ok", (username, name, source)
                        assert rnd.status == TARGETS[name]
                    else:
                        assert outcome == "state", (username, name, source)
                    db.session.rollback()
                    checked += 1
        assert checked == len(ROLE_USERS) * len(services.ROUND_TRANSITIONS) * len(R)


def test_round_transition_preconditions(app):
    with app.app_context():
        ministry = user("ministry")
        rnd = make_round(status=R.accepting, criteria=(), members=())
        with pytest.raises(UserError, match="критерії оцінювання"):
            services.transition_round("start_evaluation", rnd, ministry)
        db.session.rollback()
        rnd = make_round(status=R.evaluating)
        with pytest.raises(UserError, match="номер і дату протоколу"):
            services.transition_round("complete", rnd, ministry, protocol_number=" ")
        db.session.rollback()
        rnd = make_round(status=R.announced)
        with pytest.raises(UserError, match="підставу"):
            services.transition_round("cancel", rnd, ministry)
        db.session.rollback()
        rnd = make_round(status=R.announced)
        with pytest.raises(ConflictError):
            services.transition_round(
                "open_applications", rnd, ministry, expected_version=rnd.version + 1
            )
        db.session.rollback()


# --- applications -----------------------------------------------------------------------------


def test_application_rules(app):
    with app.app_context():
        regional = make_round(status=R.accepting, oblast=LVIV)
        approved, draft = make_provider(), make_provider(status=ProviderStatus.submitted)
        foreign = make_provider(oblast=IVANO_FRANKIVSK)

        def check(rnd, provider):
            services.check_application(
                Application(round=rnd, provider=provider, submitted_on=dt.date(2026, 1, 5))
            )

        check(regional, approved)
        with pytest.raises(UserError, match="доки його не затверджено"):
            check(regional, draft)
        with pytest.raises(UserError, match="не належить до області"):
            check(regional, foreign)
        check(make_round(status=R.accepting), foreign)  # national round: any oblast
        with pytest.raises(UserError, match="не приймає заявок"):
            check(make_round(status=R.evaluating), approved)
        db.session.add(
            Application(
                round_id=regional.id, provider_id=approved.id, submitted_on=dt.date(2026, 1, 5)
            )
        )
        db.session.flush()
        with pytest.raises(UserError, match="уже подав заявку"):
            check(regional, approved)
        db.session.rollback()


# --- scoring and ranking ---------------------------------------------------------------------


def _apply(rnd, provider, submitted):
    a = Application(round_id=rnd.id, provider_id=provider.id, submitted_on=submitted, eligible=True)
    db.session.add(a)
    db.session.flush()
    return a


def test_only_commission_members_score_while_evaluating(app):
    with app.app_context():
        rnd = make_round(status=R.accepting, members=("ministry",))
        a = _apply(rnd, make_provider(), dt.date(2026, 1, 5))
        crit = rnd.criteria[0]
        with pytest.raises(UserError, match="етапі оцінювання"):
            services.record_scores(a, user("ministry"), {crit.id: 5})
        rnd.status = R.evaluating
        with pytest.raises(NotPermitted):
            services.record_scores(a, user("ministry2"), {crit.id: 5})
        with pytest.raises(NotPermitted):
            services.record_scores(a, user("admin"), {crit.id: 5})
        for bad in (11, -1, "сім", 2.5):
            with pytest.raises(UserError, match="цілим числом"):
                services.record_scores(a, user("ministry"), {crit.id: bad})
        services.record_scores(a, user("ministry"), {crit.id: 7})
        services.record_scores(a, user("ministry"), {crit.id: 9})  # a member may correct
        assert [(s.value, s.member_id) for s in services.scores_of(a).values()] == [
            (9, user("ministry").id)
        ]
        assert a.total_score == Decimal("27.000")
        db.session.rollback()


def test_totals_and_deterministic_tie_break(app):
    """Total = sum(weight x mean of members). Ties: weighted criteria by decreasing
    weight, then earlier submission, then lower application id."""
    with app.app_context():
        rnd = make_round(status=R.evaluating, winners=2, reserve=1)
        heavy, light = rnd.criteria  # weights 3 and 1
        m1, m2 = user("ministry"), user("ministry2")
        p = [make_provider() for _ in range(5)]
        a_first = _apply(rnd, p[0], dt.date(2026, 1, 10))  # 3*5 + 1*5 = 20
        a_light = _apply(rnd, p[1], dt.date(2026, 1, 2))  # 3*4 + 1*8 = 20, weaker on heavy
        a_early = _apply(rnd, p[2], dt.date(2026, 1, 3))  # = a_first, submitted earlier
        a_same = _apply(rnd, p[3], dt.date(2026, 1, 3))  # = a_early, same date, higher id
        a_best = _apply(rnd, p[4], dt.date(2026, 1, 20))  # 3*6.5 + 1*7 = 26.5
        plan = {
            a_first: ((4, 5), (6, 5)),
            a_light: ((4, 8), (4, 8)),
            a_early: ((5, 6), (5, 4)),
            a_same: ((6, 5), (4, 5)),
            a_best: ((6, 7), (7, 7)),
        }
        for application, ((h1, l1), (h2, l2)) in plan.items():
            services.record_scores(application, m1, {heavy.id: h1, light.id: l1})
            services.record_scores(application, m2, {heavy.id: h2, light.id: l2})
        ranked = services.compute_results(rnd)
        assert [a.id for a in ranked] == [a_best.id, a_early.id, a_same.id, a_first.id, a_light.id]
        assert [a.rank for a in ranked] == [1, 2, 3, 4, 5]
        assert [a.total_score for a in ranked] == [
            Decimal("26.500"),
            Decimal("20.000"),
            Decimal("20.000"),
            Decimal("20.000"),
            Decimal("20.000"),
        ]
        # Recomputing gives the same order (deterministic).
        assert [a.id for a in services.compute_results(rnd)] == [a.id for a in ranked]

        services.transition_round(
            "complete", rnd, m1, protocol_number="15-к", protocol_date=dt.date(2026, 3, 2)
        )
        db.session.commit()
        decisions = [a.decision for a in services.compute_results(rnd)]
        assert decisions == [
            Decision.winner,
            Decision.winner,
            Decision.reserve,
            Decision.refused,
            Decision.refused,
        ]
        assert {a.protocol_number for a in ranked} == {"15-к"}
        assert rnd.status == R.appeals and rnd.protocol_date == dt.date(2026, 3, 2)


def test_missing_scores_refuse_completion_and_decisions_follow_the_ranks(app):
    """An unscored criterion counts as zero in the running totals, but the
    round is completed only when every member has scored every criterion."""
    with app.app_context():
        rnd = make_round(status=R.evaluating, winners=1, reserve=0)
        heavy, light = rnd.criteria
        a1 = _apply(rnd, make_provider(), dt.date(2026, 1, 5))
        a2 = _apply(rnd, make_provider(), dt.date(2026, 1, 6))
        services.record_scores(a1, user("ministry"), {heavy.id: 2})
        services.record_scores(a2, user("ministry"), {light.id: 10})
        assert (a1.total_score, a2.total_score) == (Decimal("6.000"), Decimal("10.000"))
        with pytest.raises(services.SelectionError) as refused:
            services.transition_round(
                "complete",
                rnd,
                user("admin"),
                protocol_number="1",
                protocol_date=dt.date(2026, 3, 1),
            )
        names = {m.user.username: str(m) for m in rnd.commission}
        assert services.missing_scores(rnd) == {names["ministry"]: 2, names["ministry2"]: 4}
        assert rnd.status == R.evaluating and "6" in str(refused.value)
        for member in ("ministry", "ministry2"):
            services.record_scores(a1, user(member), {heavy.id: 2, light.id: 0})
            services.record_scores(a2, user(member), {heavy.id: 0, light.id: 10})
        a1.decision = Decision.winner  # a hand-made decision does not survive publication
        services.transition_round(
            "complete", rnd, user("admin"), protocol_number="1", protocol_date=dt.date(2026, 3, 1)
        )
        assert (a1.decision, a2.decision) == (Decision.refused, Decision.winner)
        db.session.rollback()
