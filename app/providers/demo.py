"""Demo providers and specialists (deterministic, idempotent)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..common.validators import edrpou_is_valid
from ..demo import IVANO_FRANKIVSK, KYIV_CITY, LVIV
from .models import (
    EligibilityCriterion,
    LegalForm,
    Provider,
    ProviderCheck,
    ProviderKind,
    ProviderStatus,
    ProviderStatusChange,
    SoleProprietor,
    Specialist,
)

ODESA = "UA51000000000030770"
KHARKIV = "UA63000000000041885"

OBLASTS = (LVIV, LVIV, LVIV, IVANO_FRANKIVSK, IVANO_FRANKIVSK, KYIV_CITY, ODESA, KHARKIV)
NAMES = (
    ("Громадська організація «Відновлення»", "ГО «Відновлення»", ProviderKind.ngo),
    ("Благодійний фонд «Опора громади»", "БФ «Опора громади»", ProviderKind.charity),
    (
        "Комунальне некомерційне підприємство «Центр соціальних послуг»",
        "КНП «ЦСП»",
        ProviderKind.communal,
    ),
    ("Громадська організація «Родина захисника»", "ГО «Родина захисника»", ProviderKind.ngo),
    ("Благодійний фонд «Крила надії»", "БФ «Крила надії»", ProviderKind.charity),
    (
        "Громадська організація «Ветеранський простір»",
        "ГО «Ветеранський простір»",
        ProviderKind.ngo,
    ),
)
STATUSES = (
    ProviderStatus.approved,
    ProviderStatus.approved,
    ProviderStatus.submitted,
    ProviderStatus.approved,
    ProviderStatus.draft,
    ProviderStatus.rejected,
    ProviderStatus.approved,
    ProviderStatus.suspended,
)
POSITIONS = (
    ("Психолог", "Магістр психології"),
    ("Соціальний працівник", "Бакалавр соціальної роботи"),
    ("Фахівець із супроводу ветеранів", "Сертифікат Мінсоцполітики"),
    ("Кейс-менеджер", "Магістр соціальної роботи"),
)
FIRST = ("Олена", "Андрій", "Марія", "Тарас", "Ірина", "Богдан", "Наталія", "Василь")
LAST = ("Коваль", "Шевчук", "Бондаренко", "Мельник", "Ткаченко", "Кравчук", "Олійник", "Савчук")

COUNT = 30
LEGAL_FORMS = {
    ProviderKind.ngo: LegalForm.public_association,
    ProviderKind.charity: LegalForm.charitable_organisation,
    ProviderKind.communal: LegalForm.communal_institution,
    ProviderKind.other: LegalForm.other_form,
}
#: The ministry's eligibility checklist (an assumption: the official criteria of
#: providers were not found in full; the ministry edits this list).
CRITERIA = (
    (
        "Запис у Реєстрі надавачів та отримувачів соціальних послуг",
        "Номер і дата запису в Реєстрі (КМУ № 99).",
    ),
    ("Досвід надання соціальних послуг не менше одного року", "Звіти, договори або листи громад."),
    (
        "Фахівці з вищою освітою за спеціальністю (психологія, соціальна робота)",
        "Дипломи та трудові договори фахівців.",
    ),
    ("Відсутність податкового боргу", "Довідка ДПС або витяг з електронного кабінету."),
    ("Статутні документи передбачають надання соціальних послуг", "Статут або виписка."),
)
SOLE_PROPRIETOR = ("ФОП Гнатюк Оксана Петрівна", "ФОП Гнатюк О. П.")


def demo_iban(n: int) -> str:
    """A valid Ukrainian IBAN (ISO 13616 check digits) for demo provider ``n``."""
    bban = "305299" + f"{26000000000000000 + n * 7919:019d}"
    check = 98 - int(bban + "301000") % 97
    return f"UA{check:02d}{bban}"


def demo_rnokpp(n: int) -> str:
    from ..common.validators import rnokpp_check_digit

    first = f"{300000000 + n * 4271:09d}"
    return first + str(rnokpp_check_digit(first))


def demo_edrpou(n: int) -> str:
    """A valid, deterministic EDRPOU code for demo provider ``n``."""
    base = f"{4310000 + n * 37:07d}"
    for digit in range(10):
        code = base + str(digit)
        if edrpou_is_valid(code):
            return code
    return demo_edrpou(n + 1000)


def demo_seed(ctx) -> None:
    from ..demo import oblast_id
    from ..geography.models import Hromada

    session = ctx.session
    ministry = ctx.users.get("ministry")
    by = ministry.id if ministry is not None else None
    first_lviv_approved = None
    for n in range(COUNT):
        code = demo_edrpou(n)
        provider = session.scalar(select(Provider).where(Provider.edrpou == code))
        if provider is None:
            name, short, kind = NAMES[n % len(NAMES)]
            oblast_code = OBLASTS[n % len(OBLASTS)]
            ob_id = oblast_id(session, oblast_code)
            if ob_id is None:
                continue
            hromadas = session.scalars(
                select(Hromada.id)
                .where(Hromada.oblast_id == ob_id)
                .order_by(Hromada.code)
                .limit(10)
            ).all()
            status = STATUSES[n % len(STATUSES)]
            provider = Provider(
                name=f"{name} № {n + 1}",
                short_name=f"{short} № {n + 1}",
                kind=kind,
                edrpou=code,
                oblast_id=ob_id,
                hromada_id=hromadas[ctx.rng.randrange(len(hromadas))] if hromadas else None,
                address=f"вул. Шевченка, {n + 3}",
                head_name=f"{FIRST[n % 8]} {LAST[(n * 3) % 8]}",
                phone=f"+38067{1000000 + n * 7919:07d}"[:13],
                email=f"office{n + 1}@example.org",
                status=status,
                legal_form=LEGAL_FORMS[kind],
                registered_on=dt.date(2012 + n % 10, 1 + n % 12, 1 + n % 27),
                register_number=f"РН-{2023 + n % 3}-{1000 + n}",
                register_date=dt.date(2023 + n % 3, 2 + n % 10, 16),
                services_offered="Соціальний супровід; консультування; психологічна підтримка",
                legal_address=f"вул. Грушевського, {n + 1}",
                iban=demo_iban(n),
                recheck_on=dt.date(2027, 1 + n % 12, 1)
                if status == ProviderStatus.approved
                else None,
            )
            session.add(provider)
            session.flush()
            _history(session, provider, status, by)
            for k in range(1 + n % 3):
                position, qualification = POSITIONS[(n + k) % len(POSITIONS)]
                session.add(
                    Specialist(
                        provider_id=provider.id,
                        full_name=f"{LAST[(n + k) % 8]} {FIRST[(n * 5 + k) % 8]}",
                        position=position,
                        qualification=qualification,
                        phone=f"+38050{2000000 + n * 131 + k:07d}"[:13],
                        email=f"specialist{n + 1}-{k + 1}@example.org",
                    )
                )
        if (
            first_lviv_approved is None
            and provider.status == ProviderStatus.approved
            and provider.oblast_id == oblast_id(session, LVIV)
        ):
            first_lviv_approved = provider
    session.flush()
    caseworker = ctx.users.get("caseworker")
    if caseworker is not None and first_lviv_approved is not None and not caseworker.provider_id:
        caseworker.provider_id = first_lviv_approved.id
    representative = ctx.users.get("provider")
    if (
        representative is not None
        and first_lviv_approved is not None
        and not representative.provider_id
    ):
        representative.provider_id = first_lviv_approved.id
    _sole_proprietor(session)
    _criteria_and_checks(session, by)
    session.flush()


def _sole_proprietor(session) -> None:
    """A sole proprietor (ФОП), identified by an РНОКПП, not an ЄДРПОУ."""
    from ..demo import oblast_id

    code = demo_rnokpp(1)
    if session.scalar(select(SoleProprietor.id).where(SoleProprietor.rnokpp == code)):
        return
    name, short = SOLE_PROPRIETOR
    session.add(
        Provider(
            name=name,
            short_name=short,
            kind=ProviderKind.other,
            legal_form=LegalForm.sole_proprietor,
            rnokpp=code,
            oblast_id=oblast_id(session, LVIV),
            status=ProviderStatus.submitted,
            registered_on=dt.date(2019, 4, 2),
            iban=demo_iban(999),
            services_offered="Психологічне консультування",
            address="вул. Личаківська, 12",
            legal_address="вул. Личаківська, 12",
            head_name="Оксана Гнатюк",
        )
    )


def _criteria_and_checks(session, by) -> None:
    if session.scalar(select(EligibilityCriterion.id).limit(1)) is not None:
        return
    criteria = []
    for position, (name, description) in enumerate(CRITERIA, start=1):
        criterion = EligibilityCriterion(name=name, description=description, position=position)
        session.add(criterion)
        criteria.append(criterion)
    session.flush()
    approved = session.scalars(
        select(Provider).where(
            Provider.status.in_((ProviderStatus.approved, ProviderStatus.suspended))
        )
    ).all()
    for provider in approved:
        for criterion in criteria:
            session.add(
                ProviderCheck(
                    provider_id=provider.id,
                    criterion_id=criterion.id,
                    met=True,
                    evidence=criterion.description,
                    checked_by_fk=by,
                )
            )


def _history(session, provider, status, by) -> None:
    """Plausible workflow history leading to the seeded status."""
    # (from status, to status, reason) steps per seeded status
    paths: dict[ProviderStatus, list[tuple[ProviderStatus, ProviderStatus, str | None]]] = {
        ProviderStatus.draft: [],
        ProviderStatus.submitted: [(ProviderStatus.draft, ProviderStatus.submitted, None)],
        ProviderStatus.approved: [
            (ProviderStatus.draft, ProviderStatus.submitted, None),
            (ProviderStatus.submitted, ProviderStatus.approved, None),
        ],
        ProviderStatus.rejected: [
            (ProviderStatus.draft, ProviderStatus.submitted, None),
            (ProviderStatus.submitted, ProviderStatus.rejected, "Неповний пакет документів"),
        ],
        ProviderStatus.suspended: [
            (ProviderStatus.draft, ProviderStatus.submitted, None),
            (ProviderStatus.submitted, ProviderStatus.approved, None),
            (
                ProviderStatus.approved,
                ProviderStatus.suspended,
                "Перевірка скарги отримувачів послуг",
            ),
        ],
    }
    path = paths[status]
    when = dt.datetime(2025, 9, 1, 10, 0)  # noqa: DTZ001 (a naive UTC column)
    for i, (src, dst, reason) in enumerate(path):
        session.add(
            ProviderStatusChange(
                provider_id=provider.id,
                from_status=src,
                to_status=dst,
                changed_by_fk=by,
                changed_on=when + dt.timedelta(days=i * 3),
                reason=reason,
            )
        )
    if path:
        provider.status_changed_on = when + dt.timedelta(days=(len(path) - 1) * 3)
        provider.status_changed_by_fk = by
        provider.status_reason = path[-1][2]
