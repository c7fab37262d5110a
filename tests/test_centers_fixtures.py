"""Shared data builders for the centre tests (no tests here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from app.centers.models import (
    BASIC_ACCESSIBILITY,
    DIRECTIONS,
    CentreStaff,
    CentreStatus,
    ResilienceCentre,
    StaffRole,
)
from app.demo import IVANO_FRANKIVSK, LVIV
from app.extensions import db
from app.geography.models import Hromada, Oblast
from app.providers.models import Provider, ProviderKind, ProviderStatus

#: Valid EDRPOU codes used by the fixtures.
EDRPOU_LVIV = "37567866"
EDRPOU_IF = "14360570"
EDRPOU_DRAFT = "00032945"
EDRPOU_UNKNOWN = "00032129"


def first_hromada(oblast_code: str, offset: int = 0) -> Hromada:
    oblast = db.session.scalar(select(Oblast).where(Oblast.code == oblast_code))
    return db.session.scalars(
        select(Hromada)
        .where(Hromada.oblast_id == oblast.id)
        .order_by(Hromada.code)
        .offset(offset)
        .limit(1)
    ).first()


def provider(edrpou: str, oblast_code: str, status=ProviderStatus.approved, name=None):
    found = db.session.scalar(select(Provider).where(Provider.edrpou == edrpou))
    if found:
        return found
    oblast = db.session.scalar(select(Oblast).where(Oblast.code == oblast_code))
    found = Provider(
        name=name or f"ГО «Тест {edrpou}»",
        kind=ProviderKind.ngo,
        edrpou=edrpou,
        oblast_id=oblast.id,
        status=status,
    )
    db.session.add(found)
    db.session.flush()
    return found


def centre(name, oblast_code, provider_obj, status=CentreStatus.operating, offset=0, **kw):
    hromada = first_hromada(oblast_code, offset)
    if status in (CentreStatus.operating, CentreStatus.suspended):
        # A working centre delivers all four directions of the one service (CTR-09).
        for attr in DIRECTIONS:
            kw.setdefault(attr, True)
    if status == CentreStatus.operating:
        kw.setdefault("published", True)  # reviewed and published (the directory shows it)
    item = ResilienceCentre(
        name=name,
        provider=provider_obj,
        hromada=hromada,
        oblast_id=hromada.oblast_id,
        address=kw.pop("address", "вул. Тестова, 1"),
        status=status,
        **kw,
    )
    if item.working_hours:
        from app.centers.models import OpeningHours
        from app.centers.services import parse_hours

        item.hours = [
            OpeningHours(weekday=d, opens=a, closes=b)
            for d, a, b in parse_hours(item.working_hours)
        ]
    db.session.add(item)
    db.session.flush()
    return item


def base_data(app) -> dict:
    """Two approved providers, a draft one, and one operating centre in Lviv and in
    Ivano-Frankivsk oblasts. Returns their ids."""
    with app.app_context():
        p_lviv = provider(EDRPOU_LVIV, LVIV, name="ГО «Опора Львів»")
        p_if = provider(EDRPOU_IF, IVANO_FRANKIVSK, name="БФ «Карпати разом»")
        p_draft = provider(EDRPOU_DRAFT, LVIV, status=ProviderStatus.draft, name="ГО «Чернетка»")
        c_lviv = centre(
            "Центр життєстійкості Львівщини",
            LVIV,
            p_lviv,
            working_hours="Пн–Пт 09:00–18:00",
            phone="+380671234567",
            dir_psychoeducation=True,
            svc_legal_aid=True,
            psychologists=3,
            social_workers=2,
            external_code="LV-1",
        )
        c_if = centre(
            "Прикарпатський таємний центр",
            IVANO_FRANKIVSK,
            p_if,
            external_code="IF-1",
            psychologists=4,
        )
        db.session.commit()
        return {
            "p_lviv": p_lviv.id,
            "p_if": p_if.id,
            "p_draft": p_draft.id,
            "c_lviv": c_lviv.id,
            "c_if": c_if.id,
            "h_lviv": c_lviv.hromada_id,
            "h_if": c_if.hromada_id,
        }


def get_centre(app, pk) -> ResilienceCentre | None:
    with app.app_context():
        item = db.session.get(ResilienceCentre, pk)
        if item is not None:
            db.session.expunge(item)
        return item


# --- readiness to open: every item met from real records -------------------------------------
_serial = iter(range(1, 100000))


def win_selection(provider_obj, oblast_id=None):
    """A completed resilience round (of the oblast, or national) the provider won."""
    from app.selection.models import Application, Decision, Programme, RoundStatus, SelectionRound

    n = next(_serial)
    rnd = SelectionRound(
        title=f"Відбір {n}",
        programme=Programme.resilience_centres,
        oblast_id=oblast_id,
        announced_on=dt.date(2026, 1, 10),
        deadline=dt.date(2026, 2, 10),
        status=RoundStatus.completed,
    )
    db.session.add(rnd)
    db.session.flush()
    db.session.add(
        Application(
            round_id=rnd.id,
            provider_id=provider_obj.id,
            submitted_on=dt.date(2026, 2, 1),
            decision=Decision.winner,
        )
    )
    db.session.flush()
    return rnd


def specialist(provider_obj, name=None, certified=True):
    from app.providers.models import Specialist

    n = next(_serial)
    item = Specialist(provider_id=provider_obj.id, full_name=name or f"Фахівець Тестовий {n}")
    db.session.add(item)
    db.session.flush()
    if certified:
        certify(item)
    return item


def certify(specialist_obj, programme=None):
    """A certificate of the mandatory course (Self-Help Plus) for the specialist."""
    from app.training.models import (
        Certificate,
        Course,
        Participant,
        TrainingProgramme,
        Workshop,
        WorkshopStatus,
    )

    programme = programme or TrainingProgramme.resilience_centres
    title = f"Самодопомога Плюс ({programme.name})"
    course = db.session.scalar(select(Course).where(Course.title == title))
    if course is None:
        course = Course(
            title=title, programme=programme, hours=Decimal(24), completion_hours=Decimal(20)
        )
        db.session.add(course)
        db.session.flush()
    workshop = Workshop(
        course_id=course.id,
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 5),
        capacity=30,
        status=WorkshopStatus.finished,
    )
    db.session.add(workshop)
    db.session.flush()
    participant = Participant(workshop_id=workshop.id, specialist_id=specialist_obj.id)
    db.session.add(participant)
    db.session.flush()
    n = next(_serial)
    db.session.add(
        Certificate(
            participant_id=participant.id,
            number=f"ТСТ-{n:06d}",
            year=1999,
            seq=n,
            issued_on=dt.date(2026, 3, 5),
            hours=Decimal(24),
        )
    )
    db.session.flush()


def assign(centre_obj, specialist_obj, role, start=dt.date(2026, 4, 1)):
    item = CentreStaff(
        centre_id=centre_obj.id, specialist_id=specialist_obj.id, role=role, start_on=start
    )
    db.session.add(item)
    db.session.flush()
    return item


def make_ready(centre_obj, skip=()):
    """Meet every readiness item of the centre except those named in ``skip``
    ("selection", "staff", "certified", "agreement", "accessibility")."""
    provider_obj = centre_obj.provider
    if "selection" not in skip:
        win_selection(provider_obj, centre_obj.oblast_id)
    # "staff" skipped: a psychologist only (no social manager, no social worker)
    for role in [StaffRole.psychologist] if "staff" in skip else list(StaffRole):
        assign(centre_obj, specialist(provider_obj, certified="certified" not in skip), role)
    if "agreement" not in skip:
        centre_obj.agreement_number = "Д-1"
        centre_obj.agreement_signed_on = dt.date(2026, 4, 1)
    if "accessibility" not in skip:
        for attr in BASIC_ACCESSIBILITY:
            setattr(centre_obj, attr, True)
    db.session.flush()
    return centre_obj
