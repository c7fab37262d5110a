"""Resilience centres (центри життєстійкості) and their status history."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text,
                        event, false)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.enums import LabeledEnum, N_, enum_column
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
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False,
                                             index=True)
    oblast_id: Mapped[int] = mapped_column(ForeignKey("geo_oblast.id"), nullable=False,
                                           index=True)
    hromada_id: Mapped[int] = mapped_column(ForeignKey("geo_hromada.id"), nullable=False,
                                            index=True)
    address: Mapped[str] = mapped_column(String(300), nullable=False)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    status: Mapped[CentreStatus] = mapped_column(
        enum_column(CentreStatus), nullable=False, default=CentreStatus.planned,
        server_default=CentreStatus.planned.name, index=True)
    status_changed_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status_changed_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"))
    status_reason: Mapped[str | None] = mapped_column(Text)
    opened_on: Mapped[dt.date | None] = mapped_column(Date)

    working_hours: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(13))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    psychologists: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                               server_default="0")
    social_workers: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                                server_default="0")

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
    barrier_free: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                               server_default=false(), index=True)

    provider = relationship("Provider", lazy="joined", innerjoin=True)
    oblast = relationship("Oblast", lazy="joined", innerjoin=True)
    hromada = relationship("Hromada", lazy="joined", innerjoin=True)
    status_changed_by = relationship("PortalUser", foreign_keys=[status_changed_by_fk],
                                     lazy="select")
    history = relationship("CentreStatusChange", back_populates="centre", lazy="select",
                           order_by="CentreStatusChange.id",
                           cascade="all, delete-orphan")

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
    def staff_total(self) -> int:
        return (self.psychologists or 0) + (self.social_workers or 0)

    @property
    def provider_edrpou(self) -> str:
        return self.provider.edrpou if self.provider else ""

    @property
    def selection_round(self) -> str:
        """The selection round the provider won for this oblast, if the selection
        domain records one (looked up softly: that domain is optional here)."""
        from .services import provider_selection_round

        return provider_selection_round(self.provider_id, self.oblast_id) or ""


@event.listens_for(ResilienceCentre, "before_insert")
@event.listens_for(ResilienceCentre, "before_update")
def _compute_flags(mapper, connection, target) -> None:
    target.barrier_free = target.compute_barrier_free()
    if target.hromada is not None and target.hromada.oblast_id:
        target.oblast_id = target.hromada.oblast_id


class CentreStatusChange(Model):
    """One status change of a centre: from, to, when, who, why."""

    __tablename__ = "centre_status_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"),
                                           nullable=False, index=True)
    from_status: Mapped[CentreStatus | None] = mapped_column(
        enum_column(CentreStatus, name="centrestatus_from"))
    to_status: Mapped[CentreStatus] = mapped_column(
        enum_column(CentreStatus, name="centrestatus_to"), nullable=False)
    changed_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False,
                                                    default=dt.datetime.utcnow, index=True)
    changed_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id",
                                                                 ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)

    centre = relationship(ResilienceCentre, back_populates="history")
    changed_by = relationship("PortalUser", foreign_keys=[changed_by_fk], lazy="joined")

    def __repr__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"

    @classmethod
    def scope_clause(cls, scope):
        clause = ResilienceCentre.scope_clause(scope)
        return None if clause is None else cls.centre.has(clause)
