"""Demo selection rounds with applications and scores (deterministic, idempotent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from ..demo import LVIV
from ..providers.models import Provider, ProviderStatus
from .models import (Application, CommissionMember, Criterion, Programme, RoundStatus,
                     Score, SelectionRound)

CRITERIA = (("Досвід надання соціальних послуг", Decimal("3"), 10),
            ("Кадрове забезпечення", Decimal("2"), 10),
            ("Якість програми та бюджету", Decimal("2"), 10),
            ("Доступність приміщень", Decimal("1"), 5))

ROUNDS = (
    dict(title="Відбір надавачів для центрів життєстійкості Львівської області, 2025",
         programme=Programme.resilience_centres, oblast=LVIV,
         announced_on=dt.date(2025, 9, 15), deadline=dt.date(2025, 10, 15),
         winners_count=2, reserve_count=1, final=RoundStatus.completed,
         protocol=("12-к", dt.date(2025, 11, 10))),
    dict(title="Національний відбір: супровід сімей військовослужбовців, 2026",
         programme=Programme.families, oblast=None,
         announced_on=dt.date(2026, 1, 20), deadline=dt.date(2026, 2, 20),
         winners_count=5, reserve_count=2, final=RoundStatus.evaluating, protocol=None),
)


def demo_seed(ctx) -> None:
    from ..demo import oblast_id
    from . import services

    session = ctx.session
    ministry = ctx.users.get("ministry")
    admin = ctx.users.get("admin")
    members = [u for u in (ministry, admin) if u is not None]
    for spec in ROUNDS:
        if session.scalar(select(SelectionRound.id).where(SelectionRound.title == spec["title"])):
            continue
        ob_id = oblast_id(session, spec["oblast"]) if spec["oblast"] else None
        rnd = SelectionRound(title=spec["title"], programme=spec["programme"], oblast_id=ob_id,
                             announced_on=spec["announced_on"], deadline=spec["deadline"],
                             winners_count=spec["winners_count"],
                             reserve_count=spec["reserve_count"],
                             description="Демонстраційний конкурсний відбір",
                             status=RoundStatus.evaluating)
        session.add(rnd)
        session.flush()
        criteria = []
        for position, (name, weight, max_score) in enumerate(CRITERIA, start=1):
            criterion = Criterion(round_id=rnd.id, name=name, weight=weight,
                                  max_score=max_score, position=position)
            session.add(criterion)
            criteria.append(criterion)
        for i, user in enumerate(members):
            session.add(CommissionMember(round_id=rnd.id, user_id=user.id,
                                         role="Голова комісії" if i == 0 else "Член комісії"))
        session.flush()
        stmt = select(Provider).where(Provider.status == ProviderStatus.approved)
        if ob_id is not None:
            stmt = stmt.where(Provider.oblast_id == ob_id)
        providers = session.scalars(stmt.order_by(Provider.edrpou).limit(8)).all()
        for n, provider in enumerate(providers):
            application = Application(round_id=rnd.id, provider_id=provider.id,
                                      submitted_on=spec["announced_on"] + dt.timedelta(days=3 + n),
                                      notes=None, eligible=True,
                                      screened_on=dt.datetime.combine(
                                          spec["deadline"], dt.time(10)),
                                      screened_by_fk=ministry.id if ministry else None)
            session.add(application)
            session.flush()
            scored_members = members if spec["final"] == RoundStatus.completed else members[:1]
            for user in scored_members:
                for criterion in criteria:
                    session.add(Score(application_id=application.id, criterion_id=criterion.id,
                                      member_id=user.id,
                                      value=ctx.rng.randint(criterion.max_score // 2,
                                                            criterion.max_score)))
        session.flush()
        services.compute_results(rnd)
        if spec["final"] == RoundStatus.completed:
            number, date = spec["protocol"]
            for application in session.scalars(
                    select(Application).where(Application.round_id == rnd.id)):
                application.decision = services.suggested_decision(rnd, application.rank)
                application.protocol_number = number
                application.protocol_date = date
            rnd.protocol_number, rnd.protocol_date = number, date
            rnd.status = RoundStatus.completed
        session.flush()

