"""Deterministic, idempotent demo centres (~60, mixed statuses, all oblasts)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .. import clock
from ..geography.models import Hromada, Oblast
from ..providers.models import Provider, ProviderKind, ProviderStatus
from .models import (
    ACCESSIBILITY,
    DIRECTIONS,
    EXTRA_SERVICES,
    CentreStatus,
    CentreStatusChange,
    OpeningHours,
    ResilienceCentre,
)
from .services import parse_hours

LVIV = "UA46000000000026241"
IVANO_FRANKIVSK = "UA26000000000069363"
#: Occupied or not served by the programme in the demo.
SKIPPED = {"UA01000000000013043", "UA85000000000065278"}
#: Fallback providers when the provider domain seeded no approved ones (valid EDRPOU).
FALLBACK_PROVIDERS = [("ГО «Демо опора»", "37567866"), ("БФ «Демо життєстійкість»", "14360570")]
COUNT = 60
STREETS = [
    "вул. Шевченка",
    "вул. Грушевського",
    "вул. Незалежності",
    "просп. Свободи",
    "вул. Франка",
    "вул. Соборна",
    "вул. Героїв України",
    "вул. Миру",
]
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
    providers = session.scalars(
        select(Provider).where(Provider.status == ProviderStatus.approved).order_by(Provider.id)
    ).all()
    if providers:
        return list(providers)
    lviv = session.scalar(select(Oblast).where(Oblast.code == LVIV))
    for name, edrpou in FALLBACK_PROVIDERS:
        provider = session.scalar(select(Provider).where(Provider.edrpou == edrpou))
        if provider is None:
            provider = Provider(
                name=name,
                kind=ProviderKind.ngo,
                edrpou=edrpou,
                oblast_id=lviv.id,
                status=ProviderStatus.approved,
            )
            session.add(provider)
        providers.append(provider)
    session.flush()
    echo("centers: no approved providers found; created 2 demo providers")
    return list(providers)


def seed(ctx) -> None:
    session = ctx.session
    existing = set(
        session.scalars(
            select(ResilienceCentre.external_code).where(
                ResilienceCentre.external_code.like("DEMO-%")
            )
        )
    )
    if len(existing) >= COUNT:
        return
    providers = _providers(session, ctx.echo)
    if not providers:
        return
    oblasts = session.scalars(
        select(Oblast).where(Oblast.code.notin_(SKIPPED)).order_by(Oblast.code)
    ).all()
    by_code = {o.code: o for o in oblasts}
    plan = [by_code[LVIV]] * 10 + [by_code[IVANO_FRANKIVSK]] * 8
    others = [o for o in oblasts if o.code not in (LVIV, IVANO_FRANKIVSK)]
    while len(plan) < COUNT:
        plan.append(others[(len(plan) - 18) % len(others)])
    rng = ctx.rng
    today = dt.date(2026, 11, 1)
    statuses = (
        [CentreStatus.operating] * 5
        + [CentreStatus.planned] * 2
        + [CentreStatus.preparing] * 2
        + [CentreStatus.suspended, CentreStatus.closed]
    )
    hromadas_cache: dict[int, list] = {}
    admin = ctx.users.get("admin")
    admin_id = getattr(admin, "id", None)
    for number, oblast in enumerate(plan, start=1):
        code = f"DEMO-{number:03d}"
        if code in existing:
            continue
        if oblast.id not in hromadas_cache:
            hromadas_cache[oblast.id] = session.scalars(
                select(Hromada).where(Hromada.oblast_id == oblast.id).order_by(Hromada.code)
            ).all()
        hromadas = hromadas_cache[oblast.id]
        hromada = hromadas[(number * 7) % len(hromadas)]
        local = [p for p in providers if p.oblast_id == oblast.id]
        provider = (local or providers)[number % len(local or providers)]
        status = statuses[number % len(statuses)]
        centre = ResilienceCentre(
            external_code=code,
            name=_name(hromada),
            provider=provider,
            hromada=hromada,
            oblast=oblast,
            oblast_id=oblast.id,
            address=f"{STREETS[number % len(STREETS)]}, {1 + number % 40}",
            working_hours=HOURS[number % len(HOURS)],
            phone=f"+38067{1000000 + number * 7919 % 8999999:07d}",
            email=f"centre{number:03d}@example.org",
            psychologists=1 + number % 3,
            social_workers=1 + number % 4,
            status=status,
        )
        for i, attr in enumerate(DIRECTIONS):
            # a working centre delivers the whole service (all four directions)
            setattr(
                centre,
                attr,
                status in (CentreStatus.operating, CentreStatus.suspended, CentreStatus.closed)
                or i < 2
                or rng.random() < 0.7,
            )
        for attr in EXTRA_SERVICES:
            setattr(centre, attr, rng.random() < 0.5)
        full = number % 4 == 0
        for attr in ACCESSIBILITY:
            setattr(centre, attr, full or rng.random() < 0.5)
        centre.barrier_free = centre.compute_barrier_free()
        # Plausible history: planned some months ago, then onwards to the status.
        path = {
            CentreStatus.planned: [CentreStatus.planned],
            CentreStatus.preparing: [CentreStatus.planned, CentreStatus.preparing],
            CentreStatus.operating: [
                CentreStatus.planned,
                CentreStatus.preparing,
                CentreStatus.operating,
            ],
            CentreStatus.suspended: [
                CentreStatus.planned,
                CentreStatus.preparing,
                CentreStatus.operating,
                CentreStatus.suspended,
            ],
            CentreStatus.closed: [
                CentreStatus.planned,
                CentreStatus.preparing,
                CentreStatus.operating,
                CentreStatus.closed,
            ],
        }[status]
        when = dt.datetime.combine(today - dt.timedelta(days=330 - number * 2), dt.time(10))
        previous = None
        for step in path:
            centre.history.append(
                CentreStatusChange(
                    from_status=previous, to_status=step, changed_on=when, changed_by_fk=admin_id
                )
            )
            if step == CentreStatus.operating:
                centre.opened_on = when.date()
            previous = step
            centre.status_changed_on = when
            when += dt.timedelta(days=20 + rng.randint(0, 20))
        centre.status_changed_by_fk = admin_id
        centre.published = status == CentreStatus.operating
        centre.hours = [
            OpeningHours(weekday=d, opens=a, closes=b)
            for d, a, b in parse_hours(centre.working_hours)
        ]
        if status in (CentreStatus.planned, CentreStatus.preparing):
            centre.planned_open_on = dt.date(2027, 1 + number % 6, 1)
        session.add(centre)
    session.flush()
    seed_work(ctx)


# --- a centre as a place of work: staff, applications, activities, reports ----------------
WORK_CENTRES = 12
DEMO_MONTHS = 3


def seed_work(ctx) -> None:
    """Staff, community applications, three months of activities and visits of a dozen
    operating centres, and their monthly reports (deterministic, idempotent)."""
    from ..providers.models import Specialist
    from . import services
    from .models import (
        ActivityFormat,
        ActivityKind,
        ApplicationStatus,
        CentreActivity,
        CentreReport,
        CentreStaff,
        CentreVisitDay,
        CommunityApplication,
        Direction,
        Employment,
        ReportStatus,
        StaffRole,
    )

    session = ctx.session
    if session.scalar(select(CentreStaff.id).limit(1)) is not None:
        return
    rng = ctx.rng
    admin = ctx.users.get("admin")
    admin_id = getattr(admin, "id", None)
    centres = session.scalars(
        select(ResilienceCentre)
        .where(ResilienceCentre.external_code.like("DEMO-%"))
        .order_by(ResilienceCentre.external_code)
    ).all()
    first_names = ["Олена", "Ірина", "Андрій", "Наталія", "Тарас", "Оксана", "Марія", "Богдан"]
    surnames = ["Коваль", "Мельник", "Шевчук", "Бондар", "Ткачук", "Кравець", "Лисенко", "Гнатюк"]
    today = clock.kyiv_today()
    month0 = today.replace(day=1)
    months = []
    first = month0
    for _i in range(DEMO_MONTHS):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    working = [c for c in centres if c.status == CentreStatus.operating][:WORK_CENTRES]
    staffed = (
        working
        + [c for c in centres if c.status in (CentreStatus.planned, CentreStatus.preparing)][:6]
    )
    for n, centre in enumerate(staffed):
        roles = list(StaffRole) if centre in working or n % 2 else [StaffRole.psychologist]
        if centre.opened_on is None:
            centre.agreement_number = f"ЦЖ-{n + 1:03d}" if n % 3 else None
            centre.agreement_signed_on = dt.date(2026, 10, 1 + n % 20) if n % 3 else None
        elif centre.agreement_signed_on is None:
            centre.agreement_number = f"ЦЖ-{n + 1:03d}"
            centre.agreement_signed_on = centre.opened_on
        for k, role in enumerate(roles):
            person = Specialist(
                provider_id=centre.provider_id,
                full_name=f"{surnames[(n + k) % 8]} {first_names[(n * 3 + k) % 8]}",
                position=str(role.value),
            )
            session.add(person)
            session.flush()
            session.add(
                CentreStaff(
                    centre_id=centre.id,
                    specialist_id=person.id,
                    role=role,
                    employment=Employment.part if k == 2 else Employment.full,
                    start_on=centre.opened_on or dt.date(2026, 11, 1),
                    created_by_fk=admin_id,
                )
            )
    session.flush()
    kinds = {
        Direction.psychoeducation: [ActivityKind.information_event],
        Direction.counselling: [
            ActivityKind.individual_consultation,
            ActivityKind.family_consultation,
        ],
        Direction.support_groups: [ActivityKind.self_help_group, ActivityKind.group_session],
        Direction.skills: [ActivityKind.skills_training, ActivityKind.group_session],
    }
    staff = services.current_staff([c.id for c in working], on=today)
    for centre in working:
        people = [s.specialist_id for s in staff[centre.id]]
        for first in months:
            if centre.opened_on and centre.opened_on > services.month_end(first):
                continue
            for i in range(20):
                day = first + dt.timedelta(days=rng.randint(0, 27))
                direction = list(Direction)[i % 4]
                kind = kinds[direction][i % len(kinds[direction])]
                fmt = (
                    ActivityFormat.individual
                    if kind == ActivityKind.individual_consultation
                    else ActivityFormat.family
                    if kind == ActivityKind.family_consultation
                    else ActivityFormat.online
                    if i % 7 == 0
                    else ActivityFormat.group
                )
                size = 1 if fmt == ActivityFormat.individual else rng.randint(2, 12)
                veterans = rng.randint(0, size)
                idp = rng.randint(0, size - veterans)
                women = rng.randint(0, size)
                children = rng.randint(0, size // 3)
                seniors = rng.randint(0, size - children)
                session.add(
                    CentreActivity(
                        centre_id=centre.id,
                        held_on=day,
                        direction=direction,
                        kind=kind,
                        format=fmt,
                        facilitator_id=people[i % len(people)],
                        veterans=veterans,
                        idp=idp,
                        others=size - veterans - idp,
                        women=women,
                        men=size - women,
                        children=children,
                        seniors=seniors,
                        adults=size - children - seniors,
                        created_by_fk=admin_id,
                    )
                )
            day = first
            while day <= services.month_end(first):
                if day.weekday() < 5:
                    session.add(
                        CentreVisitDay(
                            centre_id=centre.id,
                            day=day,
                            visits=rng.randint(5, 40),
                            created_by_fk=admin_id,
                        )
                    )
                day += dt.timedelta(days=1)
            session.flush()
            services.refresh_month_figures(centre.id, first)
    session.flush()
    # Reports: the oldest month accepted, the next submitted, the last one a draft;
    # one centre's last report returned with a comment.
    now = clock.utcnow()
    for n, centre in enumerate(working):
        for k, first in enumerate(reversed(months)):
            if centre.opened_on and centre.opened_on > services.month_end(first):
                continue
            status = [ReportStatus.accepted, ReportStatus.submitted, ReportStatus.draft][k]
            if n == 1 and k == 1:
                status = ReportStatus.returned
            if n % 4 == 3 and k == 2:
                continue  # late: not started
            figures = services.month_figures(centre.id, first)
            session.add(
                CentreReport(
                    centre_id=centre.id,
                    month=first,
                    status=status,
                    narrative="Групи самодопомоги для ветеранів і ВПО, інформаційні зустрічі, "
                    "індивідуальні консультації.",
                    visits=figures["visits"] if status != ReportStatus.draft else 0,
                    activities=figures["activities"] if status != ReportStatus.draft else 0,
                    participants=figures["participants"] if status != ReportStatus.draft else 0,
                    submitted_on=now if status != ReportStatus.draft else None,
                    submitted_by_fk=admin_id if status != ReportStatus.draft else None,
                    decided_on=now
                    if status in (ReportStatus.accepted, ReportStatus.returned)
                    else None,
                    review_comment="Уточніть кількість групових занять."
                    if status == ReportStatus.returned
                    else None,
                    created_by_fk=admin_id,
                )
            )
    # Community applications: one under review, one rejected, one approved (its centre).
    planned = [c for c in centres if c.status == CentreStatus.planned]
    lviv_hromadas = session.scalars(
        select(Hromada).join(Oblast).where(Oblast.code == LVIV).order_by(Hromada.code)
    ).all()
    samples: list = [
        (ApplicationStatus.submitted, None, lviv_hromadas[2]),
        (ApplicationStatus.rejected, "Приміщення без укриття.", lviv_hromadas[5]),
    ]
    if planned:
        samples.append(
            (ApplicationStatus.approved, "Громада відповідає вимогам.", planned[0].hromada)
        )
    for k, (status, reason, hromada) in enumerate(samples):
        application = CommunityApplication(
            oblast_id=hromada.oblast_id,
            hromada_id=hromada.id,
            submitted_on=dt.date(2026, 9, 1 + k * 5),
            contact_name=f"{surnames[k + 3]} {first_names[k + 2]}",
            contact_phone=f"+38067{2000000 + k * 7919:07d}",
            population=12000 + k * 8500,
            premises_address=f"вул. Центральна, {3 + k}",
            premises_area=120.0 + 30 * k,
            rooms_individual=2,
            rooms_group=1,
            shelter=k != 1,
            acc_entrance=True,
            acc_toilet=k != 1,
            premises_owner="Виконавчий комітет громади",
            benefactor_consent=True,
            social_passport=True,
            status=status,
            decision_reason=reason,
            decided_on=now if reason else None,
            decided_by_fk=admin_id if reason else None,
            created_by_fk=admin_id,
        )
        if status == ApplicationStatus.approved:
            centre = planned[0]
            application.centre_id = centre.id
            application.provider_id = centre.provider_id
            application.planned_open_on = centre.planned_open_on
            application.centre_name = centre.name
            centre.premises_area = application.premises_area
            centre.rooms_individual, centre.rooms_group = 2, 1
            centre.shelter = True
            centre.premises_owner = application.premises_owner
        session.add(application)
    session.flush()
