"""Providers of social services (надавачі соціальних послуг)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..common.enums import N_, LabeledEnum, enum_column
from ..common.mixins import AuditColumnsMixin, VersionedMixin


class ProviderKind(LabeledEnum):
    ngo = N_("Civil society organisation")
    charity = N_("Charitable foundation")
    communal = N_("Communal non-profit enterprise")
    other = N_("Other")


class LegalForm(LabeledEnum):
    """Organisational-legal form (a short list of the КОПФГ forms providers have)."""

    public_association = N_("Public association")
    charitable_organisation = N_("Charitable organisation")
    religious_organisation = N_("Religious organisation")
    communal_institution = N_("Communal institution or enterprise")
    company = N_("Business company")
    sole_proprietor = N_("Sole proprietor (FOP)")
    other_form = N_("Other legal form")


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
    #: Set from the kind when not given (``validate_identity``); never empty.
    legal_form: Mapped[LegalForm] = mapped_column(
        enum_column(LegalForm),
        nullable=False,
        default=LegalForm.other_form,
        server_default=LegalForm.other_form.name,
    )
    #: A legal entity's ЄДРПОУ code; a sole proprietor (ФОП) has an РНОКПП instead,
    #: kept apart as personal data (:class:`SoleProprietor`, ``rnokpp`` below).
    edrpou: Mapped[str | None] = mapped_column(String(8), unique=True)
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Entry in the Register of providers and recipients of social services (КМУ № 99).
    register_number: Mapped[str | None] = mapped_column(String(50))
    register_date: Mapped[dt.date | None] = mapped_column(Date)
    services_offered: Mapped[str | None] = mapped_column(Text)
    legal_address: Mapped[str | None] = mapped_column(String(300))
    #: Actual address (where the services are provided).
    address: Mapped[str | None] = mapped_column(String(300))
    iban: Mapped[str | None] = mapped_column(String(29))
    #: When the eligibility criteria are to be checked again (set on approval).
    recheck_on: Mapped[dt.date | None] = mapped_column(Date)
    oblast_id: Mapped[int] = mapped_column(ForeignKey("geo_oblast.id"), nullable=False, index=True)
    hromada_id: Mapped[int | None] = mapped_column(ForeignKey("geo_hromada.id"), index=True)
    head_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(13))
    email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[ProviderStatus] = mapped_column(
        enum_column(ProviderStatus),
        nullable=False,
        default=ProviderStatus.draft,
        server_default=ProviderStatus.draft.name,
        index=True,
    )
    status_changed_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status_changed_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    #: Key data (legal form, codes, IBAN, register entry, head) changed after the
    #: approval and not yet re-checked by ministry staff (services.KEY_FIELDS).
    changes_pending: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false(), index=True
    )
    #: Which key fields changed (comma-separated names), and since when.
    changes_fields: Mapped[str | None] = mapped_column(String(200))
    changes_noted_on: Mapped[dt.datetime | None] = mapped_column(DateTime)

    oblast = relationship("Oblast", lazy="joined", innerjoin=True)
    hromada = relationship("Hromada", lazy="joined")
    status_changed_by = relationship(
        "PortalUser", foreign_keys=[status_changed_by_fk], lazy="select"
    )
    proprietor: Mapped[SoleProprietor | None] = relationship(
        back_populates="provider", uselist=False, cascade="all, delete-orphan", lazy="select"
    )

    def __repr__(self) -> str:
        return self.short_name or self.name

    @property
    def rnokpp(self) -> str | None:
        """A sole proprietor's РНОКПП (personal data, in ``provider_proprietor``)."""
        return self.proprietor.rnokpp if self.proprietor is not None else None

    @rnokpp.setter
    def rnokpp(self, value) -> None:
        value = str(value).strip() if value not in (None, "") else None
        if value is None:
            self.proprietor = None
        elif self.proprietor is None:
            self.proprietor = SoleProprietor(rnokpp=value)
        else:
            self.proprietor.rnokpp = value

    @property
    def code(self) -> str:
        """The identifying code: ЄДРПОУ, or a sole proprietor's РНОКПП."""
        return self.edrpou or self.rnokpp or ""

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
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), nullable=False, index=True
    )
    full_name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    position: Mapped[str | None] = mapped_column(String(200))
    qualification: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(13))
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true(), nullable=False
    )

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
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_status: Mapped[ProviderStatus] = mapped_column(
        enum_column(ProviderStatus, name="providerstatus_from"), nullable=False
    )
    to_status: Mapped[ProviderStatus] = mapped_column(
        enum_column(ProviderStatus, name="providerstatus_to"), nullable=False
    )
    changed_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True
    )
    changed_on: Mapped[dt.datetime] = mapped_column(
        DateTime, nullable=False, default=clock.utcnow, index=True
    )
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


class SoleProprietor(Model):
    """The person behind a provider registered as a sole proprietor (ФОП): their
    РНОКПП, personal data, kept apart from the provider's card (which centres,
    rounds and cases refer to)."""

    __tablename__ = "provider_proprietor"
    __personal_data__ = ("rnokpp",)
    __personal_resource__ = "Provider"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    rnokpp: Mapped[str] = mapped_column(String(10), nullable=False, unique=True)

    provider: Mapped[Provider] = relationship(back_populates="proprietor", lazy="select")

    @classmethod
    def scope_clause(cls, scope):
        return _provider_scope(cls, scope)


def _provider_scope(cls, scope):
    if scope.provider_id:
        return cls.provider_id == scope.provider_id
    if scope.oblast_id:
        return cls.provider.has(Provider.oblast_id == scope.oblast_id)
    return None


class EligibilityCriterion(AuditColumnsMixin, VersionedMixin, Model):
    """A criterion a provider must meet to be approved (the ministry keeps the list)."""

    __tablename__ = "provider_criterion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true(), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    def __repr__(self) -> str:
        return self.name


class ProviderCheck(Model):
    """A criterion assessed for a provider: met or not, with the evidence."""

    __tablename__ = "provider_check"
    __table_args__ = (UniqueConstraint("provider_id", "criterion_id", name="uq_provider_check"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), nullable=False, index=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("provider_criterion.id"), nullable=False, index=True
    )
    met: Mapped[bool] = mapped_column(Boolean, nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False)
    checked_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=clock.utcnow)
    checked_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    provider: Mapped[Provider] = relationship(lazy="joined", innerjoin=True)
    criterion: Mapped[EligibilityCriterion] = relationship(lazy="joined", innerjoin=True)
    checked_by = relationship("PortalUser", foreign_keys=[checked_by_fk], lazy="joined")

    scope_clause = classmethod(_provider_scope)


class ProviderDocType(LabeledEnum):
    statute = N_("Statute")
    register_extract = N_("Extract from the state register")
    tax_status = N_("Non-profit status decision")
    licence = N_("Licence or permit")
    premises = N_("Premises document")
    other_document = N_("Other document")


class ProviderDocument(Model):
    """A document of a provider, with its validity dates (stored outside ``static``)."""

    __tablename__ = "provider_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), nullable=False, index=True
    )
    doc_type: Mapped[ProviderDocType] = mapped_column(enum_column(ProviderDocType), nullable=False)
    valid_from: Mapped[dt.date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=clock.utcnow)
    uploaded_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )

    provider: Mapped[Provider] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return self.filename

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    scope_clause = classmethod(_provider_scope)
