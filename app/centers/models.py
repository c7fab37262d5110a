"""Resilience centres (центри життєстійкості) and their status history."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    event,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..common.enums import N_, LabeledEnum, enum_column
from ..common.mixins import AuditColumnsMixin, VersionedMixin


class CentreStatus(LabeledEnum):
    planned = N_("Planned")
    preparing = N_("Being prepared")
    operating = N_("Operating")
    suspended = N_("Suspended")
    closed = N_("Closed")


#: The four standard service directions of a resilience centre: attribute -> label.
DIRECTIONS = {
    "dir_psychoeducation": N_("Information and psychoeducation"),
    "dir_counselling": N_("Individual and group psychological counselling"),
    "dir_support_groups": N_("Peer support groups"),
    "dir_skills": N_("Resilience skills training"),
}

#: Extra local services a centre may offer: attribute -> label.
EXTRA_SERVICES = {
    "svc_legal_aid": N_("Free legal aid"),
    "svc_social_protection": N_("Social protection consultations"),
    "svc_employment": N_("Cooperation with the employment centre"),
    "svc_idp": N_("Support for internally displaced persons"),
    "svc_veterans": N_("Support for veterans and their families"),
    "svc_children": N_("Activities for children and teenagers"),
}

#: Accessibility (безбар'єрність) checklist: attribute -> label.
ACCESSIBILITY = {
    "acc_entrance": N_("Ramp or level entrance"),
    "acc_toilet": N_("Accessible toilet"),
    "acc_parking": N_("Parking for people with disabilities"),
    "acc_tactile": N_("Tactile signage"),
    "acc_visual": N_("Visual (contrast) signage"),
    "acc_hearing_loop": N_("Hearing loop"),
}

SERVICES = {**DIRECTIONS, **EXTRA_SERVICES}

#: The basic accessibility elements a centre must have before it opens (readiness):
#: a ramp or level entrance and an accessible toilet. An assumption: the premises
#: requirements (п. 40 of КМУ № 1049) were not found in full; see the README.
BASIC_ACCESSIBILITY = ("acc_entrance", "acc_toilet")


def _flag() -> Mapped[bool]:
    return mapped_column(Boolean, nullable=False, default=False, server_default=false())


class ResilienceCentre(AuditColumnsMixin, VersionedMixin, Model):
    """A resilience centre run by an approved provider in a territorial community."""

    __tablename__ = "centre"
    __table_args__ = (
        Index("ix_centre_oblast_status", "oblast_id", "status"),
        Index("ix_centre_provider_address", "provider_id", "address"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Identifier from the region's spreadsheet (import matches on it).
    external_code: Mapped[str | None] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False, index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False, index=True)
    oblast_id: Mapped[int] = mapped_column(ForeignKey("geo_oblast.id"), nullable=False, index=True)
    hromada_id: Mapped[int] = mapped_column(
        ForeignKey("geo_hromada.id"), nullable=False, index=True
    )
    address: Mapped[str] = mapped_column(String(300), nullable=False)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    status: Mapped[CentreStatus] = mapped_column(
        enum_column(CentreStatus),
        nullable=False,
        default=CentreStatus.planned,
        server_default=CentreStatus.planned.name,
        index=True,
    )
    status_changed_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status_changed_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    opened_on: Mapped[dt.date | None] = mapped_column(Date)

    working_hours: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(13))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    #: The staffing plan: positions foreseen per role (typed). Staff *counts* are never
    #: typed: they come from the assignments (:class:`CentreStaff`).
    psychologists: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    social_managers: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    social_workers: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )

    #: Premises (from the community's application) and the agreement with the community.
    planned_open_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    premises_area: Mapped[float | None] = mapped_column(Float)
    rooms_individual: Mapped[int | None] = mapped_column(Integer)
    rooms_group: Mapped[int | None] = mapped_column(Integer)
    shelter: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    premises_owner: Mapped[str | None] = mapped_column(String(300))
    agreement_number: Mapped[str | None] = mapped_column(String(50))
    agreement_signed_on: Mapped[dt.date | None] = mapped_column(Date)

    #: The public directory shows a centre only once its entry has been reviewed and
    #: published (a step of its own); an operating centre is not listed by itself.
    published: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false(), index=True
    )
    published_on: Mapped[dt.datetime | None] = mapped_column(DateTime)

    dir_psychoeducation: Mapped[bool] = _flag()
    dir_counselling: Mapped[bool] = _flag()
    dir_support_groups: Mapped[bool] = _flag()
    dir_skills: Mapped[bool] = _flag()
    svc_legal_aid: Mapped[bool] = _flag()
    svc_social_protection: Mapped[bool] = _flag()
    svc_employment: Mapped[bool] = _flag()
    svc_idp: Mapped[bool] = _flag()
    svc_veterans: Mapped[bool] = _flag()
    svc_children: Mapped[bool] = _flag()
    other_services: Mapped[str | None] = mapped_column(Text)

    acc_entrance: Mapped[bool] = _flag()
    acc_toilet: Mapped[bool] = _flag()
    acc_parking: Mapped[bool] = _flag()
    acc_tactile: Mapped[bool] = _flag()
    acc_visual: Mapped[bool] = _flag()
    acc_hearing_loop: Mapped[bool] = _flag()
    #: Computed: every item of the accessibility checklist is met (kept in a column so
    #: that lists and the public directory can filter on it).
    barrier_free: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false(), index=True
    )

    provider = relationship("Provider", lazy="joined", innerjoin=True)
    oblast = relationship("Oblast", lazy="joined", innerjoin=True)
    hromada = relationship("Hromada", lazy="joined", innerjoin=True)
    status_changed_by = relationship(
        "PortalUser", foreign_keys=[status_changed_by_fk], lazy="select"
    )
    hours = relationship(
        "OpeningHours", lazy="select", order_by="OpeningHours.weekday", cascade="all, delete-orphan"
    )
    history = relationship(
        "CentreStatusChange",
        back_populates="centre",
        lazy="select",
        order_by="CentreStatusChange.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return self.name

    @classmethod
    def scope_clause(cls, scope):
        if scope.oblast_id:
            return cls.oblast_id == scope.oblast_id
        if scope.provider_id:
            return cls.provider_id == scope.provider_id
        return None

    # --- computed ---------------------------------------------------------------
    def compute_barrier_free(self) -> bool:
        return all(bool(getattr(self, attr)) for attr in ACCESSIBILITY)

    @property
    def directions_list(self) -> list[str]:
        return [str(label) for attr, label in DIRECTIONS.items() if getattr(self, attr)]

    @property
    def extra_services_list(self) -> list[str]:
        items = [str(label) for attr, label in EXTRA_SERVICES.items() if getattr(self, attr)]
        if self.other_services:
            items.append(self.other_services)
        return items

    @property
    def accessibility_list(self) -> list[str]:
        return [str(label) for attr, label in ACCESSIBILITY.items() if getattr(self, attr)]

    @property
    def directions_text(self) -> str:
        return "; ".join(self.directions_list)

    @property
    def extra_services_text(self) -> str:
        return "; ".join(self.extra_services_list)

    @property
    def accessibility_text(self) -> str:
        return "; ".join(self.accessibility_list)

    @property
    def staff_by_role(self) -> dict:
        """Current staff per role, from the assignments (never typed)."""
        from .services import staff_counts

        return staff_counts([self.id])[self.id] if self.id is not None else {}

    @property
    def staff_total(self) -> int:
        return sum(self.staff_by_role.values())

    @property
    def staff_text(self) -> str:
        counts = self.staff_by_role
        return "; ".join(f"{role}: {n}" for role, n in counts.items())

    @property
    def provider_edrpou(self) -> str:
        return self.provider.edrpou if self.provider else ""

    @property
    def selection_round(self) -> str:
        """The selection round the provider won for this oblast, if the selection
        domain records one (looked up softly: that domain is optional here)."""
        from .services import provider_selection_round

        return provider_selection_round(self.provider_id, self.oblast_id) or ""


def input_kinds() -> dict:
    """How the centre's typed values are read on every path: the form, the REST API and
    the importer parse them alike (coordinates keep 6 decimals, «49,8» or «49.8»; phones
    in any usual spelling, stored as +380XXXXXXXXX; dates dd.mm.yyyy or ISO); see
    :mod:`app.common.fields`."""
    from ..common import fields

    return {
        "latitude": fields.LATITUDE,
        "longitude": fields.LONGITUDE,
        "phone": fields.PHONE,
        "opened_on": fields.DATE,
        "planned_open_on": fields.DATE,
        "agreement_signed_on": fields.DATE,
        "external_code": fields.CODE,
    }


@event.listens_for(ResilienceCentre, "before_insert")
@event.listens_for(ResilienceCentre, "before_update")
def _compute_flags(mapper, connection, target) -> None:
    target.barrier_free = target.compute_barrier_free()
    if target.hromada is not None and target.hromada.oblast_id:
        target.oblast_id = target.hromada.oblast_id


class OpeningHours(Model):
    """Structured working hours: one row per weekday and time span (0 = Monday)."""

    __tablename__ = "centre_opening_hours"
    __table_args__ = (Index("ix_centre_opening_hours_day", "weekday", "opens", "closes"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(
        ForeignKey("centre.id", ondelete="CASCADE"), nullable=False, index=True
    )
    weekday: Mapped[int] = mapped_column(Integer, nullable=False)
    opens: Mapped[dt.time] = mapped_column(Time, nullable=False)
    closes: Mapped[dt.time] = mapped_column(Time, nullable=False)

    @property
    def day_label(self) -> str:
        return ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Нд"][self.weekday]


class CentreStatusChange(Model):
    """One status change of a centre: from, to, when, who, why."""

    __tablename__ = "centre_status_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(
        ForeignKey("centre.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_status: Mapped[CentreStatus | None] = mapped_column(
        enum_column(CentreStatus, name="centrestatus_from")
    )
    to_status: Mapped[CentreStatus] = mapped_column(
        enum_column(CentreStatus, name="centrestatus_to"), nullable=False
    )
    changed_on: Mapped[dt.datetime] = mapped_column(
        DateTime, nullable=False, default=clock.utcnow, index=True
    )
    changed_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)

    centre = relationship(ResilienceCentre, back_populates="history")
    changed_by = relationship("PortalUser", foreign_keys=[changed_by_fk], lazy="joined")

    def __repr__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"

    @classmethod
    def scope_clause(cls, scope):
        clause = ResilienceCentre.scope_clause(scope)
        return None if clause is None else cls.centre.has(clause)


# ======================================================================================
# A centre as a place of work: staff, community applications, activities, reports.
# ======================================================================================
class StaffRole(LabeledEnum):
    psychologist = N_("Psychologist")
    social_manager = N_("Social manager")
    social_worker = N_("Social worker")


class Employment(LabeledEnum):
    full = N_("Full time")
    part = N_("Part time")


#: Staffing-plan column of the centre per role.
PLAN_COLUMNS = {
    StaffRole.psychologist: "psychologists",
    StaffRole.social_manager: "social_managers",
    StaffRole.social_worker: "social_workers",
}


def _centre_scope(cls, scope):
    clause = ResilienceCentre.scope_clause(scope)
    return None if clause is None else cls.centre.has(clause)


class CentreStaff(AuditColumnsMixin, VersionedMixin, Model):
    """A provider's specialist assigned to a centre: role, from/to, full or part time."""

    __tablename__ = "centre_staff"
    __table_args__ = (Index("ix_centre_staff_centre_end", "centre_id", "end_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), nullable=False)
    specialist_id: Mapped[int] = mapped_column(
        ForeignKey("specialist.id"), nullable=False, index=True
    )
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole), nullable=False)
    employment: Mapped[Employment] = mapped_column(
        enum_column(Employment),
        nullable=False,
        default=Employment.full,
        server_default=Employment.full.name,
    )
    start_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_on: Mapped[dt.date | None] = mapped_column(Date)

    centre = relationship(ResilienceCentre, lazy="joined", innerjoin=True)
    specialist = relationship("Specialist", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"{self.specialist} ({self.role})"

    def current(self, on: dt.date | None = None) -> bool:
        on = on or clock.kyiv_today()
        return self.start_on <= on and (self.end_on is None or self.end_on >= on)

    scope_clause = classmethod(_centre_scope)


class ApplicationStatus(LabeledEnum):
    submitted = N_("Under review")
    approved = N_("Approved")
    rejected = N_("Rejected")


class CommunityApplication(AuditColumnsMixin, VersionedMixin, Model):
    """A territorial community's application to host a resilience centre, with the
    premises it offers; reviewed by the regional administrator of its oblast."""

    __tablename__ = "centre_community_application"
    __personal_data__ = (
        "contact_name",
        "contact_phone",
        "contact_email",
        "premises_address",
        "premises_owner",
        "documents",
        "decision_reason",
        "centre_name",
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    oblast_id: Mapped[int] = mapped_column(ForeignKey("geo_oblast.id"), nullable=False, index=True)
    hromada_id: Mapped[int] = mapped_column(
        ForeignKey("geo_hromada.id"), nullable=False, index=True
    )
    submitted_on: Mapped[dt.date] = mapped_column(Date, nullable=False, default=clock.kyiv_today)
    contact_name: Mapped[str] = mapped_column(String(200), nullable=False)
    contact_phone: Mapped[str | None] = mapped_column(String(13))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    population: Mapped[int | None] = mapped_column(Integer)
    premises_address: Mapped[str] = mapped_column(String(300), nullable=False)
    premises_area: Mapped[float | None] = mapped_column(Float)
    rooms_individual: Mapped[int | None] = mapped_column(Integer)
    rooms_group: Mapped[int | None] = mapped_column(Integer)
    shelter: Mapped[bool] = _flag()
    acc_entrance: Mapped[bool] = _flag()
    acc_toilet: Mapped[bool] = _flag()
    acc_parking: Mapped[bool] = _flag()
    acc_tactile: Mapped[bool] = _flag()
    acc_visual: Mapped[bool] = _flag()
    acc_hearing_loop: Mapped[bool] = _flag()
    premises_owner: Mapped[str | None] = mapped_column(String(300))
    benefactor_consent: Mapped[bool] = _flag()
    social_passport: Mapped[bool] = _flag()
    documents: Mapped[str | None] = mapped_column(Text)

    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus),
        nullable=False,
        default=ApplicationStatus.submitted,
        server_default=ApplicationStatus.submitted.name,
        index=True,
    )
    decided_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    #: Set when approved: the centre's name, provider and planned opening date.
    centre_name: Mapped[str | None] = mapped_column(String(300))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    planned_open_on: Mapped[dt.date | None] = mapped_column(Date)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id"), index=True)

    oblast = relationship("Oblast", lazy="joined", innerjoin=True)
    hromada = relationship("Hromada", lazy="joined", innerjoin=True)
    provider = relationship("Provider", lazy="select")
    centre = relationship(ResilienceCentre, lazy="select")
    decided_by = relationship("PortalUser", foreign_keys=[decided_by_fk], lazy="select")

    def __repr__(self) -> str:
        return f"{self.hromada.title if self.hromada else ''} ({self.submitted_on:%d.%m.%Y})"

    @classmethod
    def scope_clause(cls, scope):
        if scope.oblast_id:
            return cls.oblast_id == scope.oblast_id
        return None


class Direction(LabeledEnum):
    """The four directions of the one resilience service (names as in DIRECTIONS)."""

    psychoeducation = DIRECTIONS["dir_psychoeducation"]
    counselling = DIRECTIONS["dir_counselling"]
    support_groups = DIRECTIONS["dir_support_groups"]
    skills = DIRECTIONS["dir_skills"]


class ActivityKind(LabeledEnum):
    individual_consultation = N_("Individual consultation")
    family_consultation = N_("Family consultation")
    group_session = N_("Group session")
    self_help_group = N_("Self-help group")
    information_event = N_("Information event")
    skills_training = N_("Skills training")
    other = N_("Other activity")


class ActivityFormat(LabeledEnum):
    individual = N_("Individual")
    family = N_("Family")
    group = N_("Group")
    online = N_("Online")


#: Participant counts of an activity (anonymous): column -> label, per breakdown.
CATEGORY_COUNTS = {
    "veterans": N_("Veterans and their families"),
    "idp": N_("Internally displaced persons"),
    "others": N_("Other participants"),
}
SEX_COUNTS = {"women": N_("Women"), "men": N_("Men")}
AGE_COUNTS = {
    "children": N_("Children (under 18)"),
    "adults": N_("Adults (18-59)"),
    "seniors": N_("Older people (60+)"),
}
PEOPLE_COUNTS = {**CATEGORY_COUNTS, **SEX_COUNTS, **AGE_COUNTS}


def _count() -> Mapped[int]:
    return mapped_column(Integer, nullable=False, default=0, server_default="0")


class CentreActivity(AuditColumnsMixin, VersionedMixin, Model):
    """One activity of a centre: no personal data, participants are counted."""

    __tablename__ = "centre_activity"
    __table_args__ = (Index("ix_centre_activity_centre_day", "centre_id", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), nullable=False)
    held_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction), nullable=False)
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind), nullable=False)
    format: Mapped[ActivityFormat] = mapped_column(enum_column(ActivityFormat), nullable=False)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("specialist.id"), nullable=False, index=True
    )
    veterans: Mapped[int] = _count()
    idp: Mapped[int] = _count()
    others: Mapped[int] = _count()
    women: Mapped[int] = _count()
    men: Mapped[int] = _count()
    children: Mapped[int] = _count()
    adults: Mapped[int] = _count()
    seniors: Mapped[int] = _count()

    centre = relationship(ResilienceCentre, lazy="joined", innerjoin=True)
    facilitator = relationship("Specialist", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"{self.held_on:%d.%m.%Y} {self.kind}"

    @property
    def participants(self) -> int:
        return sum(getattr(self, c) or 0 for c in CATEGORY_COUNTS)

    scope_clause = classmethod(_centre_scope)


class CentreVisitDay(AuditColumnsMixin, VersionedMixin, Model):
    """Walk-in visits of one day at a centre (a tally: nobody is registered)."""

    __tablename__ = "centre_visit_day"
    __table_args__ = (UniqueConstraint("centre_id", "day", name="uq_centre_visit_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), nullable=False)
    day: Mapped[dt.date] = mapped_column(Date, nullable=False)
    visits: Mapped[int] = _count()

    centre = relationship(ResilienceCentre, lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"{self.day:%d.%m.%Y}: {self.visits}"

    scope_clause = classmethod(_centre_scope)


#: Figures of a centre's month, drawn from the activity log and the visit tally.
MONTH_FIGURES = [
    "visits",
    "activities",
    "participants",
    *PEOPLE_COUNTS,
    *[f"dir_{d.name}" for d in Direction],
    *[f"kind_{k.name}" for k in ActivityKind],
]


class CentreMonthFigures(Model):
    """Precomputed figures of one centre and month (derived, never edited): what the
    monthly report and the dashboard read. Rewritten on every activity or visit change."""

    __tablename__ = "centre_month_figures"
    __table_args__ = (
        Index("ix_centre_month_figures_oblast_month", "oblast_id", "month"),
        Index("ix_centre_month_figures_month", "month"),
    )

    centre_id: Mapped[int] = mapped_column(
        ForeignKey("centre.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    oblast_id: Mapped[int] = mapped_column(ForeignKey("geo_oblast.id"), nullable=False)
    visits: Mapped[int] = _count()
    activities: Mapped[int] = _count()
    participants: Mapped[int] = _count()
    veterans: Mapped[int] = _count()
    idp: Mapped[int] = _count()
    others: Mapped[int] = _count()
    women: Mapped[int] = _count()
    men: Mapped[int] = _count()
    children: Mapped[int] = _count()
    adults: Mapped[int] = _count()
    seniors: Mapped[int] = _count()
    dir_psychoeducation: Mapped[int] = _count()
    dir_counselling: Mapped[int] = _count()
    dir_support_groups: Mapped[int] = _count()
    dir_skills: Mapped[int] = _count()
    kind_individual_consultation: Mapped[int] = _count()
    kind_family_consultation: Mapped[int] = _count()
    kind_group_session: Mapped[int] = _count()
    kind_self_help_group: Mapped[int] = _count()
    kind_information_event: Mapped[int] = _count()
    kind_skills_training: Mapped[int] = _count()
    kind_other: Mapped[int] = _count()

    @classmethod
    def scope_clause(cls, scope):
        if scope.oblast_id:
            return cls.oblast_id == scope.oblast_id
        if scope.provider_id:
            return cls.centre_id.in_(
                select(ResilienceCentre.id).where(ResilienceCentre.provider_id == scope.provider_id)
            )
        return None


class ReportStatus(LabeledEnum):
    draft = N_("Draft")
    submitted = N_("Submitted")
    accepted = N_("Accepted")
    returned = N_("Returned for correction")


class CentreReport(AuditColumnsMixin, VersionedMixin, Model):
    """Monthly report of a centre: figures from the log, a narrative; submitted by the
    provider, accepted or returned with a comment by the regional administrator."""

    __tablename__ = "centre_report"
    __table_args__ = (UniqueConstraint("centre_id", "month", name="uq_centre_report_month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), nullable=False)
    #: The first day of the month reported.
    month: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    narrative: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ReportStatus] = mapped_column(
        enum_column(ReportStatus),
        nullable=False,
        default=ReportStatus.draft,
        server_default=ReportStatus.draft.name,
        index=True,
    )
    #: Figures as submitted (the log of a submitted month is locked).
    visits: Mapped[int] = _count()
    activities: Mapped[int] = _count()
    participants: Mapped[int] = _count()
    submitted_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submitted_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    decided_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    review_comment: Mapped[str | None] = mapped_column(Text)

    centre = relationship(ResilienceCentre, lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"{self.centre.name if self.centre else ''}: {self.month:%m.%Y}"

    @property
    def month_label(self) -> str:
        return f"{self.month:%m.%Y}"

    scope_clause = classmethod(_centre_scope)
