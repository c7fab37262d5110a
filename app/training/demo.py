"""Deterministic, idempotent demo data for trainings.

Courses are found by title, workshops by (course, place); nothing is
added on a second run. Workshop dates are days from the day of seeding, so a
demo database always has finished workshops, one running since today (with
today's attendance: the dashboard's "this month" has figures even on the
first of a month) and planned ones. Participants come from existing specialists (if the
providers' demo created any); finished workshops get attendance and
certificates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from ..cases.services import kyiv_today
from ..security.models import PortalUser
from ..selection.programme_ref import ProgrammeCode
from .models import (
    Attendance,
    AttendanceStatus,
    Course,
    Participant,
    TrainingSession,
    Workshop,
    WorkshopStatus,
)

COURSES = (
    (
        "Алгоритми ведення випадку у центрах життєстійкості",
        ProgrammeCode.centre,
        24,
        20,
        "Алгоритми ведення випадку\nОцінювання потреб\nПсихосоціальна підтримка",
    ),
    (
        "Супровід військовослужбовців і ветеранів",
        ProgrammeCode.servicemen,
        16,
        12,
        "Взаємодія військових частин і надавачів\nПереадресація до ЦНАП і центрів правової допомоги",
    ),
    (
        "Сімейне консультування та супровід родин",
        ProgrammeCode.family,
        12,
        10,
        "Сімейне консультування\nПсихосоціальна підтримка родин\nПлан супроводу",
    ),
)

#: (course index, start in days from the day of seeding, days, online, place, capacity, status)
WORKSHOPS = (
    (0, -77, 3, False, "м. Львів, вул. Городоцька, 36", 20, "finished"),
    (1, -63, 2, True, "Zoom", 30, "finished"),
    (2, -49, 2, False, "м. Івано-Франківськ, вул. Незалежності, 9", 15, "finished"),
    (0, -35, 3, False, "м. Київ, вул. Еспланадна, 8/10", 25, "finished"),
    (1, -21, 2, True, "Microsoft Teams", 40, "cancelled"),
    (2, -7, 2, False, "м. Вінниця, вул. Соборна, 70", 12, "finished"),
    (0, 0, 3, False, "м. Житомир, майдан Корольова, 1", 20, "running"),
    (1, 7, 2, True, "Zoom, кімната 2", 30, "planned"),
    (2, 14, 2, False, "м. Полтава, вул. Соборності, 45", 15, "planned"),
    (0, 21, 3, False, "м. Одеса, вул. Канатна, 83", 20, "planned"),
)


def seed(ctx) -> None:
    from . import services

    session = ctx.session
    trainer = ctx.users.get("trainer")
    courses = []
    for title, programme, hours, done, topics in COURSES:
        course = session.scalar(select(Course).where(Course.title == title))
        if course is None:
            course = Course(
                title=title,
                programme=programme,
                hours=Decimal(hours),
                completion_hours=Decimal(done),
                topics=topics,
            )
            session.add(course)
            session.flush()
        courses.append(course)

    from ..providers.models import Specialist

    specialists = session.scalars(
        select(Specialist).where(Specialist.active.is_(True)).order_by(Specialist.id).limit(200)
    ).all()
    rng = ctx.rng
    created = 0
    today = kyiv_today()
    for index, (ci, offset, days, online, place, capacity, status) in enumerate(WORKSHOPS):
        course = courses[ci]
        if session.scalar(
            select(Workshop.id)
            .where(Workshop.course_id == course.id, Workshop.place == place)
            .limit(1)
        ):
            continue
        start = today + dt.timedelta(days=offset)
        workshop = Workshop(
            course=course,
            start_date=start,
            end_date=start + dt.timedelta(days=days - 1),
            online=online,
            place=place,
            capacity=capacity,
            status=WorkshopStatus.planned,
        )
        if trainer is not None:
            workshop.trainers.append(session.get(PortalUser, trainer.id))
        session.add(workshop)
        per_day = (course.hours / days).quantize(Decimal("0.1"))
        for day in range(days):
            session.add(
                TrainingSession(
                    workshop=workshop,
                    day=start + dt.timedelta(days=day),
                    hours=per_day,
                    topic=course.topic_list[day % len(course.topic_list)],
                )
            )
        session.flush()
        created += 1
        # Participants: a deterministic sample of specialists, within capacity.
        if specialists:
            count = min(capacity, len(specialists), 6 + index % 5)
            chosen = rng.sample(specialists, count)
        else:
            chosen = []
        people = [Participant(workshop=workshop, specialist=s) for s in chosen]
        if not people:
            people = [
                Participant(
                    workshop=workshop,
                    guest_name=f"Гість {index + 1}-{n}",
                    guest_organisation="Громадська організація «Відновлення»",
                )
                for n in range(1, 4)
            ]
        session.add_all(people)
        session.flush()
        if status in ("finished", "running"):
            for s in workshop.sessions:
                if status == "running" and s.day > start:
                    break
                for p in people:
                    roll = rng.random()
                    if roll < 0.8:
                        mark, attended = AttendanceStatus.present, s.hours
                    elif roll < 0.9:
                        mark, attended = (
                            AttendanceStatus.partial,
                            (s.hours / 2).quantize(Decimal("0.1")),
                        )
                    else:
                        mark, attended = AttendanceStatus.absent, Decimal(0)
                    session.add(
                        Attendance(
                            session_id=s.id, participant_id=p.id, status=mark, hours=attended
                        )
                    )
        workshop.status = {
            "finished": WorkshopStatus.finished,
            "running": WorkshopStatus.running,
            "cancelled": WorkshopStatus.cancelled,
        }.get(status, WorkshopStatus.planned)
        session.flush()
        if status == "finished":
            session.commit()
            services.issue_due_certificates(workshop, today=workshop.end_date)
    if created:
        ctx.echo(f"Training: {created} workshops")
