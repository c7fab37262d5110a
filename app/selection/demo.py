"""Demo selection rounds with applications and scores (deterministic, idempotent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TypedDict

from sqlalchemy import select

from .. import clock
from ..demo import LVIV
from ..providers.models import Provider, ProviderStatus
from .models import Application, CommissionMember, Criterion, RoundStatus, Score, SelectionRound
from .programme_ref import ProgrammeCode as Programme

CRITERIA = (
    ("Досвід надання соціальних послуг", Decimal("3"), 10),
    ("Кадрове забезпечення", Decimal("2"), 10),
    ("Якість програми та бюджету", Decimal("2"), 10),
    ("Доступність приміщень", Decimal("1"), 5),
)


class _RoundSpec(TypedDict):
    title: str
    programme: str  # a ProgrammeCode
    oblast: str | None  # oblast code, None for a national round
    announced_on: dt.date
    deadline: dt.date
    winners_count: int
    reserve_count: int
    final: RoundStatus
    protocol: tuple[str, dt.date] | None  # number and date, for a completed round


ROUNDS: tuple[_RoundSpec, ...] = (
    _RoundSpec(
        title="Відбір надавачів для центрів життєстійкості Львівської області, 2025",
        programme=Programme.centre,
        oblast=LVIV,
        announced_on=dt.date(2025, 9, 15),
        deadline=dt.date(2025, 10, 15),
        winners_count=2,
        reserve_count=1,
        final=RoundStatus.completed,
        protocol=("12-к", dt.date(2025, 11, 10)),
    ),
    _RoundSpec(
        title="Національний відбір: супровід сімей військовослужбовців, 2026",
        programme=Programme.family,
        oblast=None,
        announced_on=dt.date(2026, 1, 20),
        deadline=dt.date(2026, 2, 20),
        winners_count=5,
        reserve_count=2,
        final=RoundStatus.evaluating,
        protocol=None,
    ),
)


LOT_ROUND = "Відбір надавачів для центрів життєстійкості громад Львівщини, 2026 (лоти)"


def demo_seed(ctx) -> None:
    _rounds(ctx)
    _round_with_lots(ctx)


def _round_with_lots(ctx) -> None:
    """A completed round with two lots (a community and a planned centre), its
    proposals screened and scored, the lots awarded: two service agreements and an
    accepted monthly act (what the representative and the ministry see)."""
    from ..centers.models import CentreStatus, ResilienceCentre
    from ..demo import oblast_id
    from ..geography.models import Hromada
    from ..providers.models import Specialist
    from . import services
    from .models import ActStatus, Lot, LotKind, ProposalLot, ServiceAct, TeamMember

    session = ctx.session
    if session.scalar(select(SelectionRound.id).where(SelectionRound.title == LOT_ROUND)):
        return
    ministry, admin = ctx.users.get("ministry"), ctx.users.get("admin")
    members = [u for u in (ministry, admin) if u is not None]
    ob_id = oblast_id(session, LVIV)
    providers = session.scalars(
        select(Provider)
        .where(Provider.status == ProviderStatus.approved, Provider.oblast_id == ob_id)
        .order_by(Provider.id)
        .limit(3)
    ).all()
    centre = session.scalar(
        select(ResilienceCentre)
        .where(
            ResilienceCentre.oblast_id == ob_id,
            ResilienceCentre.status.in_((CentreStatus.planned, CentreStatus.preparing)),
        )
        .order_by(ResilienceCentre.id)
        .limit(1)
    )
    hromada = session.scalar(
        select(Hromada).where(Hromada.oblast_id == ob_id).order_by(Hromada.code).limit(1)
    )
    if len(providers) < 2 or not members or hromada is None:
        return
    today = clock.kyiv_today()
    rnd = SelectionRound(
        title=LOT_ROUND,
        programme=Programme.centre,
        oblast_id=ob_id,
        announced_on=today - dt.timedelta(days=90),
        deadline=today - dt.timedelta(days=60),
        winners_count=1,
        reserve_count=1,
        pass_mark=Decimal("15"),
        appeal_days=5,
        description="Демонстраційний відбір з лотами",
        status=RoundStatus.evaluating,
    )
    session.add(rnd)
    session.flush()
    criteria = []
    for position, (name, weight, max_score) in enumerate(CRITERIA, start=1):
        criterion = Criterion(
            round_id=rnd.id, name=name, weight=weight, max_score=max_score, position=position
        )
        session.add(criterion)
        criteria.append(criterion)
    for i, user in enumerate(members):
        session.add(
            CommissionMember(
                round_id=rnd.id,
                user_id=user.id,
                role="Голова комісії" if i == 0 else "Член комісії",
            )
        )
    budget_limits = {1: Decimal("1200000"), 2: Decimal("900000")}  # by lot number
    lots = [
        Lot(
            round_id=rnd.id,
            number=1,
            kind=LotKind.hromada,
            hromada_id=hromada.id,
            budget_limit=budget_limits[1],
        )
    ]
    if centre is not None:
        lots.append(
            Lot(
                round_id=rnd.id,
                number=2,
                kind=LotKind.centre,
                centre_id=centre.id,
                budget_limit=budget_limits[2],
            )
        )
    session.add_all(lots)
    session.flush()
    for n, provider in enumerate(providers):
        application = Application(
            round_id=rnd.id,
            provider_id=provider.id,
            submitted_on=rnd.announced_on + dt.timedelta(days=5 + n),
            eligible=n < 2,
            screening_reason=None
            if n < 2
            else "Немає запису в Реєстрі надавачів соціальних послуг",
            screened_on=dt.datetime.combine(rnd.deadline, dt.time(11)),
            screened_by_fk=members[0].id,
        )
        session.add(application)
        session.flush()
        for lot in lots:
            session.add(
                ProposalLot(
                    application_id=application.id,
                    lot_id=lot.id,
                    budget=budget_limits[lot.number] - Decimal(50000 * (n + 1)),
                )
            )
        specialist = session.scalar(
            select(Specialist.id).where(Specialist.provider_id == provider.id).limit(1)
        )
        if specialist:
            session.add(
                TeamMember(
                    application_id=application.id, specialist_id=specialist, role="Психолог команди"
                )
            )
        if n < 2:
            for user in members:
                for criterion in criteria:
                    session.add(
                        Score(
                            application_id=application.id,
                            criterion_id=criterion.id,
                            member_id=user.id,
                            value=criterion.max_score - n - ctx.rng.randint(0, 1),
                        )
                    )
    session.flush()
    services.compute_results(rnd)
    services.decide(rnd)
    rnd.protocol_number, rnd.protocol_date = "21-к", rnd.deadline + dt.timedelta(days=10)
    rnd.appeal_until = rnd.protocol_date + dt.timedelta(days=5)
    for application in session.scalars(select(Application).where(Application.round_id == rnd.id)):
        application.protocol_number, application.protocol_date = (
            rnd.protocol_number,
            rnd.protocol_date,
        )
    rnd.status = RoundStatus.appeals
    session.flush()
    agreements = services.award(rnd)
    rnd.status = RoundStatus.completed
    for agreement in agreements:
        agreement.signed_on = agreement.starts_on = rnd.appeal_until + dt.timedelta(days=1)
        agreement.ends_on = agreement.starts_on + dt.timedelta(days=364)
    session.flush()
    if agreements:
        first = agreements[0]
        month = first.starts_on.replace(day=1)
        if month <= today.replace(day=1):
            session.add(
                ServiceAct(
                    agreement_id=first.id,
                    month=month,
                    amount=(first.amount / 12).quantize(Decimal("0.01")),
                    services_summary="Індивідуальні консультації: 84; групи "
                    "підтримки: 9; психоосвітні заходи: 4",
                    status=ActStatus.accepted,
                    decided_on=dt.datetime.combine(today, dt.time(12)),
                    decided_by_fk=members[0].id,
                )
            )
    session.flush()


def _rounds(ctx) -> None:
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
        rnd = SelectionRound(
            title=spec["title"],
            programme=spec["programme"],
            oblast_id=ob_id,
            announced_on=spec["announced_on"],
            deadline=spec["deadline"],
            winners_count=spec["winners_count"],
            reserve_count=spec["reserve_count"],
            description="Демонстраційний конкурсний відбір",
            status=RoundStatus.evaluating,
        )
        session.add(rnd)
        session.flush()
        criteria = []
        for position, (name, weight, max_score) in enumerate(CRITERIA, start=1):
            criterion = Criterion(
                round_id=rnd.id, name=name, weight=weight, max_score=max_score, position=position
            )
            session.add(criterion)
            criteria.append(criterion)
        for i, user in enumerate(members):
            session.add(
                CommissionMember(
                    round_id=rnd.id,
                    user_id=user.id,
                    role="Голова комісії" if i == 0 else "Член комісії",
                )
            )
        session.flush()
        stmt = select(Provider).where(Provider.status == ProviderStatus.approved)
        if ob_id is not None:
            stmt = stmt.where(Provider.oblast_id == ob_id)
        providers = session.scalars(stmt.order_by(Provider.edrpou).limit(8)).all()
        for n, provider in enumerate(providers):
            application = Application(
                round_id=rnd.id,
                provider_id=provider.id,
                submitted_on=spec["announced_on"] + dt.timedelta(days=3 + n),
                notes=None,
                eligible=True,
                screened_on=dt.datetime.combine(spec["deadline"], dt.time(10)),
                screened_by_fk=ministry.id if ministry else None,
            )
            session.add(application)
            session.flush()
            scored_members = members if spec["final"] == RoundStatus.completed else members[:1]
            for user in scored_members:
                for criterion in criteria:
                    session.add(
                        Score(
                            application_id=application.id,
                            criterion_id=criterion.id,
                            member_id=user.id,
                            value=ctx.rng.randint(criterion.max_score // 2, criterion.max_score),
                        )
                    )
        session.flush()
        services.compute_results(rnd)
        protocol = spec["protocol"]
        if spec["final"] == RoundStatus.completed and protocol is not None:
            number, date = protocol
            for application in session.scalars(
                select(Application).where(Application.round_id == rnd.id)
            ):
                application.decision = services.suggested_decision(rnd, application.rank)
                application.protocol_number = number
                application.protocol_date = date
            rnd.protocol_number, rnd.protocol_date = number, date
            rnd.status = RoundStatus.completed
        session.flush()
