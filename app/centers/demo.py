"""Deterministic, idempotent demo centres (~60, mixed statuses, all oblasts)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..geography.models import Hromada, Oblast
from ..providers.models import Provider, ProviderKind, ProviderStatus
from .models import ACCESSIBILITY, DIRECTIONS, EXTRA_SERVICES, CentreStatus, CentreStatusChange
from .models import ResilienceCentre

LVIV = "UA46000000000026241"
IVANO_FRANKIVSK = "UA26000000000069363"
#: Occupied or not served by the programme in the demo.
SKIPPED = {"UA01000000000013043", "UA85000000000065278"}
#: Fallback providers when the provider domain seeded no approved ones (valid EDRPOU).
FALLBACK_PROVIDERS = [("ГО «Демо опора»", "37567866"), ("БФ «Демо життєстійкість»", "14360570")]
COUNT = 60
STREETS = ["вул. Шевченка", "вул. Грушевського", "вул. Незалежності", "просп. Свободи",
           "вул. Франка", "вул. Соборна", "вул. Героїв України", "вул. Миру"]
HOURS = ["Пн–Пт 09:00–18:00", "Пн–Пт 08:00–17:00, Сб 10:00–14:00", "Пн–Сб 09:00–19:00"]


def _genitive(adjective: str) -> str | None:
    """«Жовківська» -> «Жовківської» (enough for hromada names)."""
    for end, genitive in (("ька", "ької"), ("ка", "кої"), ("на", "ної"), ("ва", "вої")):
        if adjective.endswith(end):
            return adjective[: -len(end)] + genitive
    return None


def _name(hromada) -> str:
    genitive = _genitive(hromada.name)
    if genitive:
        return f"Центр життєстійкості {genitive} громади"
    return f"Центр життєстійкості: {hromada.title}"


def _providers(session, echo):
    providers = session.scalars(select(Provider).where(
        Provider.status == ProviderStatus.approved).order_by(Provider.id)).all()
    if providers:
        return list(providers)
    lviv = session.scalar(select(Oblast).where(Oblast.code == LVIV))
    for name, edrpou in FALLBACK_PROVIDERS:
        provider = session.scalar(select(Provider).where(Provider.edrpou == edrpou))
        if provider is None:
            provider = Provider(name=name, kind=ProviderKind.ngo, edrpou=edrpou,
                                oblast_id=lviv.id, status=ProviderStatus.approved)
            session.add(provider)
        providers.append(provider)
    session.flush()
    echo("centers: no approved providers found; created 2 demo providers")
    return list(providers)


def seed(ctx) -> None:
    session = ctx.session
    existing = set(session.scalars(select(ResilienceCentre.external_code).where(
        ResilienceCentre.external_code.like("DEMO-%"))))
    if len(existing) >= COUNT:
        return
    providers = _providers(session, ctx.echo)
    if not providers:
        return
    oblasts = session.scalars(select(Oblast).where(Oblast.code.notin_(SKIPPED))
                              .order_by(Oblast.code)).all()
    by_code = {o.code: o for o in oblasts}
    plan = [by_code[LVIV]] * 10 + [by_code[IVANO_FRANKIVSK]] * 8
    others = [o for o in oblasts if o.code not in (LVIV, IVANO_FRANKIVSK)]
    while len(plan) < COUNT:
        plan.append(others[(len(plan) - 18) % len(others)])
    rng = ctx.rng
    today = dt.date(2026, 11, 1)
    statuses = ([CentreStatus.operating] * 5 + [CentreStatus.planned] * 2
                + [CentreStatus.preparing] * 2 + [CentreStatus.suspended, CentreStatus.closed])
    hromadas_cache: dict[int, list] = {}
    admin = ctx.users.get("admin")
    admin_id = getattr(admin, "id", None)
    for number, oblast in enumerate(plan, start=1):
        code = f"DEMO-{number:03d}"
        if code in existing:
            continue
        if oblast.id not in hromadas_cache:
            hromadas_cache[oblast.id] = session.scalars(
                select(Hromada).where(Hromada.oblast_id == oblast.id)
                .order_by(Hromada.code)).all()
        hromadas = hromadas_cache[oblast.id]
        hromada = hromadas[(number * 7) % len(hromadas)]
        local = [p for p in providers if p.oblast_id == oblast.id]
        provider = (local or providers)[number % len(local or providers)]
        status = statuses[number % len(statuses)]
        centre = ResilienceCentre(
            external_code=code, name=_name(hromada),
            provider=provider, hromada=hromada, oblast=oblast, oblast_id=oblast.id,
            address=f"{STREETS[number % len(STREETS)]}, {1 + number % 40}",
            working_hours=HOURS[number % len(HOURS)],
            phone=f"+38067{1000000 + number * 7919 % 8999999:07d}",
            email=f"centre{number:03d}@example.org",
            psychologists=1 + number % 3, social_workers=1 + number % 4, status=status)
        for i, attr in enumerate(DIRECTIONS):
            setattr(centre, attr, i < 2 or rng.random() < 0.7)
        for attr in EXTRA_SERVICES:
            setattr(centre, attr, rng.random() < 0.5)
        full = number % 4 == 0
        for attr in ACCESSIBILITY:
            setattr(centre, attr, full or rng.random() < 0.5)
        centre.barrier_free = centre.compute_barrier_free()
        # Plausible history: planned some months ago, then onwards to the status.
        path = {CentreStatus.planned: [CentreStatus.planned],
                CentreStatus.preparing: [CentreStatus.planned, CentreStatus.preparing],
                CentreStatus.operating: [CentreStatus.planned, CentreStatus.preparing,
                                         CentreStatus.operating],
                CentreStatus.suspended: [CentreStatus.planned, CentreStatus.preparing,
                                         CentreStatus.operating, CentreStatus.suspended],
                CentreStatus.closed: [CentreStatus.planned, CentreStatus.preparing,
                                      CentreStatus.operating, CentreStatus.closed]}[status]
        when = dt.datetime.combine(today - dt.timedelta(days=330 - number * 2), dt.time(10))
        previous = None
        for step in path:
            centre.history.append(CentreStatusChange(from_status=previous, to_status=step,
                                                     changed_on=when, changed_by_fk=admin_id))
            if step == CentreStatus.operating:
                centre.opened_on = when.date()
            previous = step
            centre.status_changed_on = when
            when += dt.timedelta(days=20 + rng.randint(0, 20))
        centre.status_changed_by_fk = admin_id
        session.add(centre)
    session.flush()
