"""Training of specialists: courses, workshops, sessions, participants,
attendance and certificates (програми навчання, воркшопи, відвідування).

Training is national: trainers, ministry staff and auditors see every
workshop. Who may *change* a workshop is a write rule (a trainer edits only
the workshops they run), enforced in :mod:`app.training.services`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
    true,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .. import clock
from ..common.enums import N_, LabeledEnum, enum_column
from ..common.mixins import AuditColumnsMixin, VersionedMixin
from ..selection.programme_ref import ProgrammeCode, programme_label

HOURS = Numeric(5, 1, asdecimal=True)


#: Former name of the course's programme enum: the codes of the shared programme
#: reference (``programme.code``), with the old member names as aliases.
TrainingProgramme = ProgrammeCode


class WorkshopStatus(LabeledEnum):
    planned = N_("Scheduled")
    running = N_("In progress")
    finished = N_("Finished")
    cancelled = N_("Cancelled")


class AttendanceStatus(LabeledEnum):
    present = N_("Present")
    absent = N_("Absent")
    partial = N_("Partially present")


class Course(AuditColumnsMixin, VersionedMixin, Model):
    """A training programme: what is taught and how many hours complete it."""

    __tablename__ = "training_course"
    __table_args__ = (
        CheckConstraint("hours > 0", name="ck_training_course_hours"),
        CheckConstraint(
            "completion_hours > 0 AND completion_hours <= hours",
            name="ck_training_course_completion",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    #: A programme of the shared reference (``centre``, ``servicemen``, ``family``, ...).
    programme: Mapped[str] = mapped_column(ForeignKey("programme.code"), nullable=False, index=True)
    hours: Mapped[Decimal] = mapped_column(HOURS, nullable=False)
    #: Attended hours needed to complete the course (and get a certificate).
    completion_hours: Mapped[Decimal] = mapped_column(HOURS, nullable=False)
    #: One topic per line.
    topics: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true(), nullable=False
    )

    #: The programme row (the list's search filter offers the programmes of the table).
    programme_ref = relationship("app.programmes.models.Programme", lazy="select", viewonly=True)

    def __repr__(self) -> str:
        return self.title

    @property
    def programme_name(self) -> str:
        """The programme's name from the programme reference."""
        return programme_label(self.programme)

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in (self.topics or "").splitlines() if t.strip()]


workshop_trainer = Table(
    "training_workshop_trainer",
    Model.metadata,
    Column(
        "workshop_id",
        Integer,
        ForeignKey("training_workshop.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "user_id",
        Integer,
        ForeignKey("ab_user.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Workshop(AuditColumnsMixin, VersionedMixin, Model):
    """One run of a course (воркшоп / тренінг) with its trainers and sessions."""

    __tablename__ = "training_workshop"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ck_training_workshop_dates"),
        CheckConstraint("capacity > 0", name="ck_training_workshop_capacity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_course.id"), nullable=False, index=True
    )
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    end_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    online: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), nullable=False
    )
    place: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[WorkshopStatus] = mapped_column(
        enum_column(WorkshopStatus),
        nullable=False,
        default=WorkshopStatus.planned,
        server_default=WorkshopStatus.planned.name,
        index=True,
    )
    status_changed_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status_changed_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    notes: Mapped[str | None] = mapped_column(Text)

    course: Mapped[Course] = relationship(lazy="joined", innerjoin=True)
    trainers = relationship(
        "PortalUser", secondary=workshop_trainer, lazy="selectin", order_by="PortalUser.last_name"
    )
    sessions = relationship(
        "TrainingSession",
        back_populates="workshop",
        lazy="select",
        order_by="(TrainingSession.day, TrainingSession.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    participants = relationship(
        "Participant",
        back_populates="workshop",
        lazy="select",
        order_by="Participant.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        title = self.course.title if self.course is not None else "?"
        if self.start_date is None:
            return title
        return f"{title} ({self.start_date:%d.%m.%Y})"

    @property
    def where(self) -> str:
        from flask_babel import gettext

        if self.online:
            return gettext("Online") + (f" ({self.place})" if self.place else "")
        return self.place or ""

    @property
    def trainer_names(self) -> str:
        return ", ".join(_user_name(u) for u in self.trainers)

    @property
    def occupancy(self) -> str:
        return f"{self.participant_count or 0} / {self.capacity}"


def _user_name(user) -> str:
    name = f"{user.first_name or ''} {user.last_name or ''}".strip()
    return name or user.username


class TrainingSession(AuditColumnsMixin, VersionedMixin, Model):
    """A day (or half-day) of a workshop; attendance is recorded per session."""

    __tablename__ = "training_session"
    __table_args__ = (CheckConstraint("hours > 0", name="ck_training_session_hours"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("training_workshop.id", ondelete="CASCADE"), nullable=False, index=True
    )
    day: Mapped[dt.date] = mapped_column(Date, nullable=False)
    hours: Mapped[Decimal] = mapped_column(HOURS, nullable=False)
    topic: Mapped[str | None] = mapped_column(String(300))

    workshop: Mapped[Workshop] = relationship(
        back_populates="sessions", lazy="joined", innerjoin=True
    )

    def __repr__(self) -> str:
        day = f"{self.day:%d.%m.%Y}" if self.day else "?"
        return f"{day} — {self.topic}" if self.topic else day


class Participant(AuditColumnsMixin, VersionedMixin, Model):
    """A person enrolled in a workshop: a provider's specialist, or a guest
    from another organisation (name and organisation typed in)."""

    __tablename__ = "training_participant"
    __personal_data__ = ("guest_name", "guest_organisation")
    __table_args__ = (
        UniqueConstraint("workshop_id", "specialist_id", name="uq_training_participant"),
        CheckConstraint(
            "specialist_id IS NOT NULL OR guest_name IS NOT NULL",
            name="ck_training_participant_who",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("training_workshop.id", ondelete="CASCADE"), nullable=False, index=True
    )
    specialist_id: Mapped[int | None] = mapped_column(
        ForeignKey("specialist.id", ondelete="RESTRICT"), index=True
    )
    guest_name: Mapped[str | None] = mapped_column(String(200))
    guest_organisation: Mapped[str | None] = mapped_column(String(300))

    workshop: Mapped[Workshop] = relationship(
        back_populates="participants", lazy="joined", innerjoin=True
    )
    specialist = relationship("Specialist", lazy="joined")
    certificate = relationship(
        "Certificate", back_populates="participant", uselist=False, lazy="joined"
    )

    def __repr__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.specialist is not None:
            return self.specialist.full_name
        return self.guest_name or ""

    @property
    def organisation(self) -> str:
        if self.specialist is not None:
            return str(self.specialist.provider)
        return self.guest_organisation or ""

    @classmethod
    def scope_clause(cls, scope):
        from ..providers.models import Provider, Specialist

        if scope.provider_id:
            return cls.specialist.has(Specialist.provider_id == scope.provider_id)
        if scope.oblast_id:
            return cls.specialist.has(
                Specialist.provider.has(Provider.oblast_id == scope.oblast_id)
            )
        return None


class Attendance(Model):
    """Attendance of one participant at one session (recorded by the trainer)."""

    __tablename__ = "training_attendance"
    __table_args__ = (CheckConstraint("hours >= 0", name="ck_training_attendance_hours"),)

    # A natural key (no surrogate id): the group screen's INSERTs need no
    # RETURNING, so the whole group is written with one executemany.
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("training_participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus), nullable=False)
    #: Hours attended: the session's hours if present, 0 if absent.
    hours: Mapped[Decimal] = mapped_column(HOURS, nullable=False)
    recorded_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=clock.utcnow)
    recorded_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )


class Certificate(AuditColumnsMixin, Model):
    """Certificate of completion; its number is unique and sequential per year."""

    __tablename__ = "training_certificate"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_training_certificate_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("training_participant.id", ondelete="RESTRICT"), nullable=False, unique=True
    )
    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    issued_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    hours: Mapped[Decimal] = mapped_column(HOURS, nullable=False)
    issued_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    participant: Mapped[Participant] = relationship(
        back_populates="certificate", lazy="joined", innerjoin=True
    )

    def __repr__(self) -> str:
        return self.number

    @classmethod
    def scope_clause(cls, scope):
        clause = Participant.scope_clause(scope)
        return None if clause is None else cls.participant.has(clause)


class CertificateCounter(Model):
    """Last certificate number issued in a year (locked while issuing)."""

    __tablename__ = "training_certificate_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


Workshop.participant_count = column_property(
    select(func.count(Participant.id))
    .where(Participant.workshop_id == Workshop.id)
    .correlate_except(Participant)
    .scalar_subquery(),
    deferred=False,
)

Workshop.course_title = column_property(
    select(Course.title)
    .where(Course.id == Workshop.course_id)
    .correlate_except(Course)
    .scalar_subquery(),
    deferred=True,
)
