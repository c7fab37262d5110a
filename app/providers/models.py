"""Providers of social services (надавачі соціальних послуг)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.enums import LabeledEnum, N_, enum_column
from ..common.mixins import AuditColumnsMixin, VersionedMixin


class ProviderKind(LabeledEnum):
    ngo = N_("Civil society organisation")
    charity = N_("Charitable foundation")
    communal = N_("Communal non-profit enterprise")
    other = N_("Other")


class ProviderStatus(LabeledEnum):
    draft = N_("Draft")
    submitted = N_("Submitted for approval")
    approved = N_("Approved")
    rejected = N_("Rejected")
    suspended = N_("Suspended")
    archived = N_("Archived")


class Provider(AuditColumnsMixin, VersionedMixin, Model):
    """A provider of social services; approved by ministry staff."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False, index=True)
    short_name: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[ProviderKind] = mapped_column(enum_column(ProviderKind), nullable=False)
    edrpou: Mapped[str] = mapped_column(String(8), nullable=False, unique=True)
    address: Mapped[str | None] = mapped_column(String(300))
    oblast_id: Mapped[int] = mapped_column(ForeignKey("geo_oblast.id"), nullable=False, index=True)
    hromada_id: Mapped[int | None] = mapped_column(ForeignKey("geo_hromada.id"), index=True)
    head_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(13))
    email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[ProviderStatus] = mapped_column(
        enum_column(ProviderStatus), nullable=False, default=ProviderStatus.draft,
        server_default=ProviderStatus.draft.name, index=True,
    )
    status_changed_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status_changed_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"))
    status_reason: Mapped[str | None] = mapped_column(Text)

    oblast = relationship("Oblast", lazy="joined", innerjoin=True)
    hromada = relationship("Hromada", lazy="joined")
    status_changed_by = relationship("PortalUser", foreign_keys=[status_changed_by_fk],
                                     lazy="select")

    def __repr__(self) -> str:
        return self.short_name or self.name

    @classmethod
    def list_label_sql(cls, entity):
        """``repr()`` as SQL, for list pages read as plain rows (app.common.listing)."""
        return func.coalesce(func.nullif(entity.short_name, ""), entity.name)

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return cls.id == scope.provider_id
        if scope.oblast_id:
            return cls.oblast_id == scope.oblast_id
        return None


class Specialist(AuditColumnsMixin, VersionedMixin, Model):
    """A person working for a provider (psychologist, social worker, case manager)."""

    __tablename__ = "specialist"
    __personal_data__ = ("full_name", "phone", "email", "position", "qualification")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    position: Mapped[str | None] = mapped_column(String(200))
    qualification: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(13))
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(), nullable=False)

    provider: Mapped[Provider] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return self.full_name

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return cls.provider_id == scope.provider_id
        if scope.oblast_id:
            return cls.provider.has(Provider.oblast_id == scope.oblast_id)
        return None


class ProviderStatusChange(Model):
    """Domain history of a provider's approval workflow: who, when, from -> to, why."""

    __tablename__ = "provider_status_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    from_status: Mapped[ProviderStatus] = mapped_column(
        enum_column(ProviderStatus, name="providerstatus_from"), nullable=False)
    to_status: Mapped[ProviderStatus] = mapped_column(
        enum_column(ProviderStatus, name="providerstatus_to"), nullable=False)
    changed_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    changed_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False,
                                                    default=dt.datetime.utcnow, index=True)
    reason: Mapped[str | None] = mapped_column(Text)

    provider: Mapped[Provider] = relationship(lazy="joined", innerjoin=True)
    changed_by = relationship("PortalUser", foreign_keys=[changed_by_fk], lazy="joined")

    def __repr__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return cls.provider_id == scope.provider_id
        if scope.oblast_id:
            return cls.provider.has(Provider.oblast_id == scope.oblast_id)
        return None
