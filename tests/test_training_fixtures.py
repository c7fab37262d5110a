"""Shared data builders for the training tests (no tests here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from app.cli import create_user
from app.demo import IVANO_FRANKIVSK, LVIV
from app.extensions import db
from app.geography.models import Oblast
from app.providers.models import Provider, ProviderKind, ProviderStatus, Specialist
from app.security import roles
from app.security.models import PortalUser
from app.selection.programme_ref import ProgrammeCode
from app.training.models import Course, Participant, TrainingSession, Workshop, WorkshopStatus

from .conftest import PASSWORD

START = dt.date(2026, 3, 2)


def user(username) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def ensure_trainer2():
    if user("trainer2") is None:
        create_user("trainer2", PASSWORD, roles.TRAINER, first_name="Друга", last_name="Тренерка")
    return user("trainer2")


def provider(edrpou, oblast_code, name):
    found = db.session.scalar(select(Provider).where(Provider.edrpou == edrpou))
    if found:
        return found
    oblast = db.session.scalar(select(Oblast).where(Oblast.code == oblast_code))
    found = Provider(
        name=name,
        kind=ProviderKind.ngo,
        edrpou=edrpou,
        oblast_id=oblast.id,
        status=ProviderStatus.approved,
    )
    db.session.add(found)
    db.session.flush()
    return found


def specialists(prov, count, prefix):
    have = db.session.scalars(
        select(Specialist).where(Specialist.provider_id == prov.id).order_by(Specialist.id)
    ).all()
    for n in range(len(have), count):
        db.session.add(
            Specialist(
                provider_id=prov.id, full_name=f"{prefix} Фахівець {n + 1:02d}", position="Психолог"
            )
        )
    db.session.flush()
    return db.session.scalars(
        select(Specialist).where(Specialist.provider_id == prov.id).order_by(Specialist.id)
    ).all()


def base(app) -> dict:
    """Two providers (Lviv, Ivano-Frankivsk) with specialists, a course, trainer2."""
    with app.app_context():
        lviv = provider("37567866", LVIV, "ГО «Львівська підтримка»")
        frank = provider("14360570", IVANO_FRANKIVSK, "БФ «Прикарпаття»")
        s_lviv = specialists(lviv, 12, "Львівський")
        s_frank = specialists(frank, 4, "Франківський")
        course = db.session.scalar(select(Course).where(Course.title == "Ведення випадку"))
        if course is None:
            course = Course(
                title="Ведення випадку",
                programme=ProgrammeCode.centre,
                hours=Decimal(12),
                completion_hours=Decimal(10),
                topics="Алгоритми ведення випадку\nПсихосоціальна підтримка",
            )
            db.session.add(course)
        ensure_trainer2()
        db.session.commit()
        return {
            "lviv": lviv.id,
            "frank": frank.id,
            "course": course.id,
            "s_lviv": [s.id for s in s_lviv],
            "s_frank": [s.id for s in s_frank],
        }


def workshop(
    app,
    course_id,
    trainer="trainer",
    capacity=10,
    status=WorkshopStatus.planned,
    sessions=((4,), (4,), (4,)),
    specialist_ids=(),
    start=START,
    place="м. Львів",
):
    """A workshop with sessions of the given hours on consecutive days and participants."""
    with app.app_context():
        item = Workshop(
            course_id=course_id,
            start_date=start,
            end_date=start + dt.timedelta(days=max(len(sessions), 1) - 1),
            online=False,
            place=place,
            capacity=capacity,
            status=status,
        )
        item.trainers.append(user(trainer))
        db.session.add(item)
        db.session.flush()
        for n, (hours,) in enumerate(sessions):
            db.session.add(
                TrainingSession(
                    workshop_id=item.id,
                    day=start + dt.timedelta(days=n),
                    hours=Decimal(hours),
                    topic=f"День {n + 1}",
                )
            )
        for sid in specialist_ids:
            db.session.add(Participant(workshop_id=item.id, specialist_id=sid))
        db.session.commit()
        return item.id


def ids(app, workshop_id):
    """(participant ids, session ids) of a workshop, in id order."""
    with app.app_context():
        p = db.session.scalars(
            select(Participant.id)
            .where(Participant.workshop_id == workshop_id)
            .order_by(Participant.id)
        ).all()
        s = db.session.scalars(
            select(TrainingSession.id)
            .where(TrainingSession.workshop_id == workshop_id)
            .order_by(TrainingSession.id)
        ).all()
        return list(p), list(s)
