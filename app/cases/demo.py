"""Demo cases: fictitious beneficiaries, plans and contacts over approved providers.

Fast for tens of thousands of cases: rows are inserted in batches with Core
``INSERT ... RETURNING`` (no ORM objects, no per-row commit, no row-audit
noise), and progress is echoed every 10 %. Deterministic (``ctx.rng``; dates
relative to the Kyiv day of the run) and idempotent (nothing is added when a
case exists). All names and numbers are invented.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select, update

from ..common.validators import RNOKPP_EPOCH, rnokpp_check_digit
from ..programmes import services as programme_rules
from . import calendar, services
from .models import (
    PROGRAMME_PREFIX,
    SERVICEMEN_ONLY_REASONS,
    AssessmentAct,
    Beneficiary,
    BeneficiaryCategory,
    Case,
    CaseNumberCounter,
    CaseStatus,
    ClosureReason,
    Contact,
    ContactForm,
    IntakeSource,
    MilitaryUnit,
    NeedDomain,
    NeedsAssessment,
    PlanItem,
    PlanItemStatus,
    Priority,
    Programme,
    ServiceStage,
    Sex,
)

MALE = [
    "Олександр",
    "Андрій",
    "Іван",
    "Дмитро",
    "Сергій",
    "Михайло",
    "Богдан",
    "Тарас",
    "Василь",
    "Юрій",
    "Олег",
    "Роман",
    "Максим",
    "Петро",
    "Ярослав",
]
FEMALE = [
    "Олена",
    "Наталія",
    "Ірина",
    "Оксана",
    "Марія",
    "Тетяна",
    "Юлія",
    "Світлана",
    "Галина",
    "Катерина",
    "Анна",
    "Софія",
    "Людмила",
    "Христина",
    "Вікторія",
]
#: (male form, female form)
SURNAMES = [
    ("Шевченко", "Шевченко"),
    ("Коваленко", "Коваленко"),
    ("Бондаренко", "Бондаренко"),
    ("Ткаченко", "Ткаченко"),
    ("Кравчук", "Кравчук"),
    ("Мельник", "Мельник"),
    ("Олійник", "Олійник"),
    ("Лисенко", "Лисенко"),
    ("Савчук", "Савчук"),
    ("Гнатюк", "Гнатюк"),
    ("Іваницький", "Іваницька"),
    ("Ковальський", "Ковальська"),
    ("Заболотний", "Заболотна"),
    ("Сорока", "Сорока"),
    ("Поліщук", "Поліщук"),
    ("Дячук", "Дячук"),
    ("Білик", "Білик"),
    ("Федоришин", "Федоришин"),
]
FATHERS = [
    ("Олександр", "Олександрович", "Олександрівна"),
    ("Іван", "Іванович", "Іванівна"),
    ("Петро", "Петрович", "Петрівна"),
    ("Василь", "Васильович", "Василівна"),
    ("Михайло", "Михайлович", "Михайлівна"),
    ("Андрій", "Андрійович", "Андріївна"),
    ("Степан", "Степанович", "Степанівна"),
    ("Богдан", "Богданович", "Богданівна"),
]
STREETS = [
    "вул. Шевченка",
    "вул. Франка",
    "просп. Свободи",
    "вул. Грушевського",
    "вул. Лесі Українки",
    "вул. Соборна",
    "вул. Героїв Майдану",
]

STATUS_WEIGHTS = [
    (CaseStatus.intake, 8),
    (CaseStatus.assessment, 8),
    (CaseStatus.plan, 9),
    (CaseStatus.active, 45),
    (CaseStatus.review, 10),
    (CaseStatus.closed, 20),
]
CATEGORY_BY_PROGRAMME = {
    Programme.servicemen: [
        BeneficiaryCategory.serviceman,
        BeneficiaryCategory.veteran,
        BeneficiaryCategory.demobilised,
        BeneficiaryCategory.combatant,
    ],
    Programme.family: [
        BeneficiaryCategory.family_member,
        BeneficiaryCategory.difficult_family,
        BeneficiaryCategory.idp,
        BeneficiaryCategory.family_fallen,
        BeneficiaryCategory.family_missing,
        BeneficiaryCategory.family_captive,
    ],
    Programme.centre: list(BeneficiaryCategory),
}
BATCH = 2000
COMMIT_EVERY = 50_000


def _person(rng):
    male = rng.random() < 0.5
    first = rng.choice(MALE if male else FEMALE)
    surname = rng.choice(SURNAMES)[0 if male else 1]
    father = rng.choice(FATHERS)
    return f"{surname} {first} {father[1] if male else father[2]}", male


def _rnokpp(rng, birth: dt.date, male: bool) -> str:
    days = (birth - RNOKPP_EPOCH).days
    serial = rng.randrange(0, 100)
    sex = rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
    first_nine = f"{days:05d}{serial:03d}{sex}"
    return first_nine + str(rnokpp_check_digit(first_nine))


def _returning_ids(session, table, rows):
    if not rows:
        return []
    result = session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return [r[0] for r in result]


def seed(ctx) -> None:
    from ..centers.models import ResilienceCentre
    from ..providers.models import Provider, ProviderStatus
    from ..security.models import PortalUser

    session, rng, echo = ctx.session, ctx.rng, ctx.echo
    if session.scalar(select(func.count(Case.id))):
        echo("Cases: already seeded, nothing added.")
        return
    providers = session.scalars(
        select(Provider.id).where(Provider.status == ProviderStatus.approved).order_by(Provider.id)
    ).all()
    if not providers:
        echo("Cases: no approved providers, no demo cases created.")
        return
    worker = ctx.users.get("caseworker")
    if worker is not None and worker.provider_id is None:
        worker.provider_id = providers[0]
        session.flush()
        echo("Cases: demo user 'caseworker' now works for provider #%d." % providers[0])
    workers: dict[int, list[int]] = {}
    for uid, pid in session.execute(
        select(PortalUser.id, PortalUser.provider_id).where(PortalUser.provider_id.isnot(None))
    ):
        workers.setdefault(pid, []).append(uid)
    centres: dict[int, list[int]] = {}
    for cid, pid in session.execute(
        select(ResilienceCentre.id, ResilienceCentre.provider_id).order_by(ResilienceCentre.id)
    ):
        centres.setdefault(pid, []).append(cid)

    total = ctx.cases
    today = services.kyiv_today()
    rules = {p: programme_rules.programme_by_code(p, session) for p in Programme}
    interval = {p: r.meeting_interval_days if r else None for p, r in rules.items()}
    meeting_forms = {p: r.meeting_form_set if r else frozenset() for p, r in rules.items()}
    catalogue = {p: [m.code for m in programme_rules.catalogue(p, session)] for p in Programme}
    hromadas = _hromadas_of_providers(session, providers)
    units = _seed_units(session, providers, today)
    counters: dict[tuple[str, int], int] = {
        (row.prefix, row.year): row.last_value for row in session.scalars(select(CaseNumberCounter))
    }
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    programmes = list(Programme)
    done, next_report = 0, max(1, total // 10)
    batch = max(1, min(BATCH, -(-total // 10)))  # at most 10 % per batch: steady progress
    while done < total:
        size = min(batch, total - done)
        cases, extras = [], []
        for _ in range(size):
            programme = rng.choice(programmes)
            status = rng.choice(statuses)
            provider_id = rng.choice(providers)
            opened = today - dt.timedelta(days=rng.randrange(5, 700))
            key = (PROGRAMME_PREFIX[programme], opened.year)
            counters[key] = counters.get(key, 0) + 1
            steps = [
                CaseStatus.intake,
                CaseStatus.assessment,
                CaseStatus.plan,
                CaseStatus.active,
                CaseStatus.review,
            ]
            reached = steps.index(status) if status in steps else 4
            span = max(1, (today - opened).days)
            dates = sorted(opened + dt.timedelta(days=rng.randrange(0, span)) for _ in range(4))
            row = dict(
                number=f"{key[0]}-{key[1]}-{counters[key]:06d}",
                programme=programme,
                provider_id=provider_id,
                status=status,
                opened_on=opened,
                centre_id=rng.choice(centres[provider_id])
                if centres.get(provider_id) and rng.random() < 0.6
                else None,
                assigned_worker_id=rng.choice(workers[provider_id])
                if workers.get(provider_id)
                else None,
                assessment_on=dates[0] if reached >= 1 else None,
                plan_on=dates[1] if reached >= 2 else None,
                active_on=dates[2] if reached >= 3 else None,
                review_on=dates[3] if reached >= 4 and status != CaseStatus.active else None,
                version=1,
                reopen_count=0,
                contact_count=0,
                closed_on=None,
                closure_reason=None,
                last_contact_on=None,
                next_contact_due=None,
            )
            rule = rules[programme]
            row.update(
                application_on=opened - dt.timedelta(days=rng.randrange(0, 3)),
                intake_source=rng.choice(list(IntakeSource)),
                plan_agreed_on=row["plan_on"] if reached >= 3 else None,
                plan_version=1 if reached >= 3 else 0,
                extension_count=0,
                assessment_due_on=None,
                term_end_on=None,
                military_unit_id=None,
                service_stage=None,
            )
            if rule is not None and rule.assessment_deadline_working_days:
                row["assessment_due_on"] = calendar.add_working_days(
                    row["application_on"], rule.assessment_deadline_working_days
                )
            if rule is not None and rule.term_months:
                row["term_end_on"] = calendar.add_months(opened, rule.term_months)
            if programme == Programme.servicemen and units.get(provider_id):
                row["military_unit_id"] = rng.choice(units[provider_id])
                row["service_stage"] = rng.choice(
                    [
                        ServiceStage.service,
                        ServiceStage.service,
                        ServiceStage.mobilisation,
                        ServiceStage.discharge,
                    ]
                )
            if status == CaseStatus.closed:
                row["closed_on"] = min(today, dates[3] + dt.timedelta(days=rng.randrange(1, 30)))
                reasons = [
                    r
                    for r in ClosureReason
                    if r not in SERVICEMEN_ONLY_REASONS
                    or (
                        programme == Programme.servicemen and r != ClosureReason.veterans_specialist
                    )
                ]
                row["closure_reason"] = rng.choice(reasons)
            # the contract (where the programme requires one) signed with the plan;
            # a closed case's follow-up due from the programme (no random draw here,
            # so the rest of the demo data is as before)
            signed = rule is not None and rule.requires_contract and reached >= 3
            row.update(
                contract_number=f"Д-{row['number']}" if signed else None,
                contract_on=row["plan_on"] if signed else None,
                follow_up_due_on=row["closed_on"] + dt.timedelta(days=rule.follow_up_days)
                if row["closed_on"] and rule is not None and rule.follow_up_days
                else None,
            )
            name, male = _person(rng)
            birth = dt.date(rng.randrange(1950, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
            category = rng.choice(CATEGORY_BY_PROGRAMME[programme])
            beneficiary = dict(
                full_name=name,
                birth_date=birth,
                category=category,
                rnokpp=_rnokpp(rng, birth, male) if rng.random() < 0.7 else None,
                phone="+380%02d%07d" % (rng.choice([50, 63, 67, 68, 73, 97]), rng.randrange(10**7)),
                address=f"{rng.choice(STREETS)}, {rng.randrange(1, 120)}",
                military_unit=f"А{rng.randrange(1000, 9999)}"
                if category == BeneficiaryCategory.serviceman
                else None,
                sex=Sex.male if male else Sex.female,
                hromada_id=rng.choice(hromadas[provider_id]) if hromadas.get(provider_id) else None,
                consent_on=opened,
                version=1,
            )
            contacts: list[dt.date] = []
            if reached >= 1:
                for _ in range(rng.randrange(1, 6)):
                    contacts.append(opened + dt.timedelta(days=rng.randrange(0, span)))
            if status == CaseStatus.active and rng.random() < 0.7:
                contacts.append(today - dt.timedelta(days=rng.randrange(0, 20)))
            forms = [rng.choice(list(ContactForm)) for _ in contacts]
            meetings = [d for d, f in zip(contacts, forms) if f.name in meeting_forms[programme]]
            if contacts:
                row["last_contact_on"] = max(contacts)
                row["contact_count"] = len(contacts)
            row["last_meeting_on"] = max(meetings) if meetings else None
            every = interval[programme]
            if status != CaseStatus.closed and every:
                anchor = max(d for d in (row["last_meeting_on"], opened) if d)
                row["next_contact_due"] = anchor + dt.timedelta(days=every)
            cases.append(row)
            extras.append((beneficiary, list(zip(contacts, forms)), reached, programme, opened))

        ids = _returning_ids(session, Case.__table__, cases)
        beneficiaries, contact_rows, plan_rows, need_rows, acts = [], [], [], [], []
        for case_id, (beneficiary, dated_forms, reached, programme, opened) in zip(ids, extras):
            beneficiaries.append({**beneficiary, "case_id": case_id})
            for day, form in dated_forms:
                contact_rows.append(
                    dict(
                        case_id=case_id,
                        contact_on=day,
                        form=form,
                        summary="Обговорено стан виконання плану.",
                    )
                )
            if reached >= 1:
                acts.append(
                    dict(
                        case_id=case_id,
                        assessed_on=opened,
                        version=1,
                        assessor="Фахівець із супроводу",
                        participants="Отримувач послуги",
                    )
                )
                for domain in rng.sample(list(NeedDomain), rng.randrange(1, 4)):
                    need_rows.append(
                        dict(
                            case_id=case_id,
                            domain=domain,
                            priority=rng.choice(list(Priority)),
                            assessed_on=opened,
                        )
                    )
            if reached >= 2:
                for measure in rng.sample(catalogue[programme], rng.randrange(1, 4)):
                    plan_rows.append(
                        dict(
                            case_id=case_id,
                            measure=measure,
                            responsible="Фахівець із супроводу",
                            due_on=opened + dt.timedelta(days=rng.randrange(14, 120)),
                            status=rng.choice(list(PlanItemStatus)),
                            version=1,
                        )
                    )
        for table, rows in (
            (Beneficiary.__table__, beneficiaries),
            (Contact.__table__, contact_rows),
            (NeedsAssessment.__table__, need_rows),
            (AssessmentAct.__table__, acts),
            (PlanItem.__table__, plan_rows),
        ):
            if rows:
                session.execute(insert(table), rows)
        done += size
        # A transaction per COMMIT_EVERY cases: a million cases in one
        # transaction spill every index's pages to SQLite's WAL and read them
        # back (the seed stalled in I/O); a commit per batch of 2,000 rewrote
        # the same index pages at every checkpoint.
        if done % COMMIT_EVERY < size or done == total:
            session.commit()
        if done >= next_report or done == total:
            echo(f"Cases: {done}/{total} ({done * 100 // total}%)")
            next_report = done + max(1, total // 10)

    table = CaseNumberCounter.__table__
    existing = {(r.prefix, r.year) for r in session.execute(select(table.c.prefix, table.c.year))}
    for (prefix, year), value in sorted(counters.items()):
        if (prefix, year) in existing:
            session.execute(
                update(table)
                .where(table.c.prefix == prefix, table.c.year == year)
                .values(last_value=value)
            )
        else:
            session.execute(insert(table).values(prefix=prefix, year=year, last_value=value))
    session.flush()
    echo(f"Cases: {total} demo cases created.")


def _hromadas_of_providers(session, providers) -> dict[int, list[int]]:
    """provider -> a few communities of its oblast (where its beneficiaries live)."""
    from ..geography.models import Hromada
    from ..providers.models import Provider

    by_oblast: dict[int, list[int]] = {}
    for hid, oblast_id in session.execute(
        select(Hromada.id, Hromada.oblast_id).order_by(Hromada.id)
    ):
        places = by_oblast.setdefault(oblast_id, [])
        if len(places) < 6:
            places.append(hid)
    result = {}
    for pid, oblast_id in session.execute(
        select(Provider.id, Provider.oblast_id).where(Provider.id.in_(providers))
    ):
        result[pid] = by_oblast.get(oblast_id, [])
    return result


#: The servicemen pilot's units (invented numbers): five joined at the start.
UNITS = (
    ("А0101", "Окрема бригада територіальної оборони"),
    ("А0202", "Механізована бригада"),
    ("А0303", "Бригада морської піхоти"),
    ("А0404", "Артилерійська бригада"),
    ("А0505", "Бригада оперативного призначення"),
)


def _seed_units(session, providers, today) -> dict[int, list[int]]:
    """The pilot's military units, each served by an approved provider's team."""
    if not session.scalar(select(func.count(MilitaryUnit.id))):
        for n, (number, name) in enumerate(UNITS):
            session.add(
                MilitaryUnit(
                    number=number,
                    name=name,
                    pilot_entry_on=today - dt.timedelta(days=400 - 30 * n),
                    provider_id=providers[n % len(providers)],
                    active=True,
                )
            )
        session.flush()
    units: dict[int, list[int]] = {}
    for uid, pid in session.execute(select(MilitaryUnit.id, MilitaryUnit.provider_id)):
        units.setdefault(pid, []).append(uid)
    return units
