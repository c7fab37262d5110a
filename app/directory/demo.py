"""Demo service directory: classifiers, services of a few Lviv communities,
oblast-wide and national services, one hromada editor, a few referrals
(deterministic, idempotent)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from .. import clock
from ..demo import LVIV
from ..extensions import get_appbuilder
from .models import DirectoryEntry, EntryLevel, ProviderType, RecipientCategory, ServiceKind
from .services import seed_classifiers

#: Communities of Lviv oblast with services (KATOTTG code, short name).
HROMADAS = (
    ("UA46020030000019252", "Дрогобич"),
    ("UA46140110000063568", "Яворів"),
    ("UA46060250000025047", "Львів"),
    ("UA46060130000059055", "Жовква"),
    ("UA46080130000077112", "Самбір"),
)
FAMILIES = (
    "families_servicemen",
    "families_veterans",
    "families_fallen",
    "families_missing",
    "families_captive",
)
VETERANS = ("veterans", "demobilised", "war_disabled")

#: A community's services: (kind, title, provider type, provider, recipients, how to apply, documents).
COMMUNITY = (
    (
        "documents",
        "Посвідчення учасника бойових дій: прийом документів",
        ProviderType.cnap,
        "ЦНАП {town}",
        ("veterans", "demobilised", "servicemen"),
        "Прийти до ЦНАП у години прийому або записатися онлайн; адміністратор передає документи "
        "до комісії.",
        "Паспорт, РНОКПП, довідка про безпосередню участь у бойових діях",
    ),
    (
        "psychological",
        "Консультація психолога для родин захисників",
        ProviderType.resilience_centre,
        "Центр життєстійкості {town}",
        FAMILIES + VETERANS,
        "Зателефонувати і домовитися про зустріч; консультації безоплатні й анонімні.",
        None,
    ),
    (
        "social_protection",
        "Фахівець із супроводу ветеранів та демобілізованих",
        ProviderType.hromada_department,
        "Відділ ветеранської політики {town}",
        VETERANS + FAMILIES,
        "Звернутися особисто або телефоном; фахівець складе план супроводу.",
        "Паспорт, документ про статус",
    ),
    (
        "legal_aid",
        "Безоплатна правнича консультація",
        ProviderType.state_body,
        "Бюро правничої допомоги {town}",
        ("all_residents",),
        "Прийти особисто або зателефонувати на лінію 0 800 213 103.",
        "Паспорт",
    ),
    (
        "benefits",
        "Одноразова допомога родинам загиблих (місцева програма)",
        ProviderType.hromada_department,
        "Управління соціального захисту {town}",
        ("families_fallen", "families_missing", "families_captive"),
        "Подати заяву в ЦНАП або управлінні соціального захисту.",
        "Заява, паспорт, свідоцтво про смерть або витяг про зникнення безвісти",
    ),
)
OBLAST = (
    (
        "rehabilitation",
        "Реабілітація у Львівському центрі «Незламні»",
        ProviderType.state_body,
        "Перше медичне об'єднання Львова",
        ("servicemen", "veterans", "war_disabled"),
        "Направлення від сімейного лікаря або звернення напряму.",
        "Паспорт, направлення",
    ),
    (
        "employment",
        "Професійне навчання ветеранів за ваучером",
        ProviderType.state_body,
        "Львівський обласний центр зайнятості",
        VETERANS + FAMILIES,
        "Звернутися до центру зайнятості за місцем проживання.",
        "Паспорт, РНОКПП, посвідчення",
    ),
)
NATIONAL = (
    (
        "psychological",
        "Лінія психологічної підтримки ветеранів",
        ProviderType.state_body,
        "Міністерство у справах ветеранів",
        VETERANS + FAMILIES + ("servicemen",),
        "Зателефонувати цілодобово на лінію 1548.",
        None,
        "https://mva.gov.ua",
    ),
    (
        "documents",
        "Статус члена сім'ї загиблого Захисника",
        ProviderType.state_body,
        "Пенсійний фонд / ЦНАП",
        ("families_fallen",),
        "Подати заяву онлайн через Дію або в ЦНАП.",
        "Свідоцтво про смерть, документи про родинні зв'язки",
        "https://diia.gov.ua",
    ),
    (
        "benefits",
        "Виплати родинам зниклих безвісти і полонених",
        ProviderType.state_body,
        "Управління соціального захисту населення",
        ("families_missing", "families_captive"),
        "Подати заяву в управлінні соціального захисту або в ЦНАП.",
        "Витяг з ЄРДР, паспорт",
        None,
    ),
)

EDITOR = "hromada"


def demo_seed(ctx) -> None:
    from ..demo import oblast_id
    from ..geography.models import Hromada

    session = ctx.session
    seed_classifiers(session)
    if session.scalar(select(func.count()).select_from(DirectoryEntry)):
        _editor(ctx)
        return
    kinds = {k.code: k for k in session.scalars(select(ServiceKind))}
    cats = {c.code: c for c in session.scalars(select(RecipientCategory))}
    lviv = oblast_id(session, LVIV)
    if lviv is None:
        return
    today = clock.kyiv_today()
    by = ctx.users.get("lviv")
    for n, (code, town) in enumerate(HROMADAS):
        hromada = session.scalar(select(Hromada).where(Hromada.code == code))
        if hromada is None:
            continue
        for k, (kind, title, ptype, provider, recipients, how, docs) in enumerate(COMMUNITY):
            if (n + k) % 4 == 3 and n:  # leave gaps for the gaps view
                continue
            # Every community has one entry not checked for 7 months (flagged).
            verified = today - dt.timedelta(days=215 if k == 4 else 10 + 9 * n + k)
            session.add(
                DirectoryEntry(
                    title=title,
                    kind=kinds[kind],
                    level=EntryLevel.hromada,
                    hromada_id=hromada.id,
                    oblast_id=lviv,
                    provider_type=ptype,
                    provider_name=provider.format(town=town),
                    how_to_apply=how,
                    documents=docs,
                    in_person=True,
                    address=f"м. {town}, вул. Шевченка, {10 + k}",
                    hours="Пн–Пт 9:00–17:00",
                    phone=f"+38032{2400000 + n * 100 + k:07d}",
                    languages="українська",
                    barrier_free=k % 2 == 0,
                    accessibility="Пандус, кнопка виклику" if k % 2 == 0 else None,
                    responsible=f"Начальник відділу, {town}",
                    verified_on=verified,
                    verified_by_fk=by.id if by else None,
                    recipients=[cats[c] for c in recipients],
                )
            )
    for kind, title, ptype, provider, recipients, how, docs in OBLAST:
        session.add(
            DirectoryEntry(
                title=title,
                kind=kinds[kind],
                level=EntryLevel.oblast,
                oblast_id=lviv,
                provider_type=ptype,
                provider_name=provider,
                how_to_apply=how,
                documents=docs,
                in_person=True,
                address="м. Львів",
                phone="+380322000000",
                languages="українська",
                verified_on=today - dt.timedelta(days=30),
                recipients=[cats[c] for c in recipients],
            )
        )
    for kind, title, ptype, provider, recipients, how, docs, url in NATIONAL:
        session.add(
            DirectoryEntry(
                title=title,
                kind=kinds[kind],
                level=EntryLevel.national,
                provider_type=ptype,
                provider_name=provider,
                how_to_apply=how,
                documents=docs,
                online_url=url,
                in_person=url is None,
                address=None if url else "За місцем проживання",
                phone="+380800501482",
                languages="українська, англійська",
                verified_on=today - dt.timedelta(days=45),
                recipients=[cats[c] for c in recipients],
            )
        )
    session.flush()
    _editor(ctx)
    _referrals(ctx)


def _editor(ctx) -> None:
    """A hromada editor of Drohobych, with the demo users' password."""
    from ..geography.models import Hromada
    from ..security import roles

    session = ctx.session

    sm = get_appbuilder().sm
    if sm.find_user(username=EDITOR) is not None:
        return
    admin = ctx.users.get("admin")
    role = sm.find_role(roles.HROMADA_EDITOR)
    hromada_id = session.scalar(select(Hromada.id).where(Hromada.code == HROMADAS[0][0]))
    if admin is None or role is None or hromada_id is None:
        return
    user = sm.user_model(
        username=EDITOR,
        first_name="Hromada",
        last_name="Демо",
        email=f"{EDITOR}@example.org",
        active=True,
        roles=[role],
        password=admin.password,
        hromada_id=hromada_id,
    )
    session.add(user)
    session.flush()
    ctx.echo(f"  {EDITOR:<12} {roles.HROMADA_EDITOR} (Дрогобицька громада; the same password)")


def _referrals(ctx) -> None:
    """A few referrals of Lviv cases into oblast-wide and national services."""
    from ..cases.models import (
        Beneficiary,
        BeneficiaryCategory,
        Case,
        Referral,
        ReferralOutcome,
        ReferralService,
    )
    from ..demo import oblast_id
    from ..providers.models import Provider
    from .services import valid_for_case_clause

    session = ctx.session
    lviv = oblast_id(session, LVIV)
    cases = session.scalars(
        select(Case)
        .join(Provider, Provider.id == Case.provider_id)
        .join(Beneficiary, Beneficiary.case_id == Case.id)
        .where(
            Provider.oblast_id == lviv,
            Beneficiary.category.in_(
                [
                    BeneficiaryCategory.veteran,
                    BeneficiaryCategory.family_member,
                    BeneficiaryCategory.serviceman,
                ]
            ),
        )
        .order_by(Case.id)
        .limit(12)
    ).all()
    outcomes = (
        ReferralOutcome.received,
        ReferralOutcome.refused,
        None,
        ReferralOutcome.no_answer,
        ReferralOutcome.received,
    )
    for n, case in enumerate(cases):
        entry = session.scalars(
            select(DirectoryEntry)
            .where(valid_for_case_clause(case))
            .order_by(DirectoryEntry.id)
            .limit(1)
        ).first()
        if entry is None:
            continue
        referred = max(case.opened_on, clock.kyiv_today() - dt.timedelta(days=20 + n))
        outcome = outcomes[n % len(outcomes)]
        session.add(
            Referral(
                case_id=case.id,
                service=ReferralService.other,
                organisation=entry.provider_name,
                referred_on=referred,
                entry_id=entry.id,
                outcome=outcome,
                outcome_on=min(clock.kyiv_today(), referred + dt.timedelta(days=7))
                if outcome
                else None,
            )
        )
    session.flush()
