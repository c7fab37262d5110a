"""Competitive selection (конкурсний відбір) of providers.

A :class:`SelectionRound` for one programme, national or in one oblast, has
weighted :class:`Criterion` rows and a commission (:class:`CommissionMember`).
Approved providers file one :class:`Application` each; commission members
give a :class:`Score` per criterion; the services compute total and rank and
record the decision with the protocol.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    exists,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..common.enums import N_, LabeledEnum, enum_column
from ..common.mixins import AuditColumnsMixin, VersionedMixin
from ..providers.models import Provider
from .programme_ref import ProgrammeCode, programme_label

#: Former name of the round's programme enum: the codes of the shared programme
#: reference (``programme.code``), with the old member names as aliases.
Programme = ProgrammeCode


class RoundStatus(LabeledEnum):
    announced = N_("Announced")
    accepting = N_("Accepting applications")
    evaluating = N_("Evaluation")
    #: Results and the protocol are published; the appeal window is open.
    appeals = N_("Results published: appeals")
    completed = N_("Completed")
    cancelled = N_("Cancelled")


class Decision(LabeledEnum):
    winner = N_("Winner")
    reserve = N_("Reserve")
    refused = N_("Refused")


class DocumentType(LabeledEnum):
    statute = N_("Statute")
    proposal = N_("Programme proposal")
    budget = N_("Budget")
    staff = N_("Staff list")
    report = N_("Financial report")
    other = N_("Other document")


class SelectionRound(AuditColumnsMixin, VersionedMixin, Model):
    __tablename__ = "selection_round"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False, index=True)
    #: A programme of the shared reference (``centre``, ``servicemen``, ``family``, ...).
    programme: Mapped[str] = mapped_column(ForeignKey("programme.code"), nullable=False, index=True)
    #: None = national round.
    oblast_id: Mapped[int | None] = mapped_column(ForeignKey("geo_oblast.id"), index=True)
    announced_on: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    deadline: Mapped[dt.date] = mapped_column(Date, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    #: How many winners and reserve places the decision suggests.
    winners_count: Mapped[int] = mapped_column(
        Integer, nullable=False, default=1, server_default="1"
    )
    reserve_count: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    status: Mapped[RoundStatus] = mapped_column(
        enum_column(RoundStatus),
        nullable=False,
        default=RoundStatus.announced,
        server_default=RoundStatus.announced.name,
        index=True,
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    protocol_number: Mapped[str | None] = mapped_column(String(50))
    protocol_date: Mapped[dt.date | None] = mapped_column(Date)
    #: The lowest total score that can win or be placed in reserve (None: no pass mark).
    pass_mark: Mapped[Decimal | None] = mapped_column(Numeric(9, 3))
    #: Calendar days for appeals after the results are published.
    appeal_days: Mapped[int | None] = mapped_column(Integer, default=5)
    appeal_until: Mapped[dt.date | None] = mapped_column(Date)

    oblast = relationship("Oblast", lazy="joined")
    #: The programme row (the list's search filter offers the programmes of the table).
    programme_ref = relationship("app.programmes.models.Programme", lazy="select", viewonly=True)
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="round",
        order_by="Criterion.position, Criterion.id",
        cascade="all, delete-orphan",
        lazy="select",
    )
    commission: Mapped[list[CommissionMember]] = relationship(
        back_populates="round", cascade="all, delete-orphan", lazy="select"
    )

    def __repr__(self) -> str:
        return self.title

    @property
    def programme_name(self) -> str:
        """The programme's name from the programme reference."""
        return programme_label(self.programme)

    @property
    def scope_label(self) -> str:
        from flask_babel import gettext

        return self.oblast.title if self.oblast else gettext("National")

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            # A provider's staff see the rounds open to proposals and those they applied to.
            return or_(
                cls.status == RoundStatus.accepting,
                exists().where(
                    Application.round_id == cls.id, Application.provider_id == scope.provider_id
                ),
            )
        if scope.oblast_id:
            # Own oblast's rounds and national rounds (where own providers compete).
            return or_(cls.oblast_id == scope.oblast_id, cls.oblast_id.is_(None))
        return None


class Criterion(Model):
    __tablename__ = "selection_criterion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("selection_round.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), nullable=False, default=1)
    max_score: Mapped[int] = mapped_column(Integer, nullable=False, default=10, server_default="10")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    round: Mapped[SelectionRound] = relationship(
        back_populates="criteria", lazy="joined", innerjoin=True
    )

    def __repr__(self) -> str:
        return self.name

    @classmethod
    def scope_clause(cls, scope):
        inner = SelectionRound.scope_clause(scope)
        return None if inner is None else cls.round.has(inner)


class CommissionMember(Model):
    __tablename__ = "selection_commission_member"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id", name="uq_selection_commission_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("selection_round.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str | None] = mapped_column(String(100))

    round: Mapped[SelectionRound] = relationship(
        back_populates="commission", lazy="joined", innerjoin=True
    )
    user = relationship("PortalUser", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return self.user.get_full_name() if self.user else str(self.user_id)

    @classmethod
    def scope_clause(cls, scope):
        inner = SelectionRound.scope_clause(scope)
        return None if inner is None else cls.round.has(inner)


class Application(AuditColumnsMixin, VersionedMixin, Model):
    __tablename__ = "selection_application"
    __table_args__ = (
        UniqueConstraint("round_id", "provider_id", name="uq_selection_application_round_provider"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("selection_round.id"), nullable=False, index=True
    )
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False, index=True)
    submitted_on: Mapped[dt.date] = mapped_column(Date, nullable=False, default=clock.kyiv_today)
    notes: Mapped[str | None] = mapped_column(Text)
    total_score: Mapped[Decimal | None] = mapped_column(Numeric(9, 3))
    rank: Mapped[int | None] = mapped_column(Integer, index=True)
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision), index=True)
    protocol_number: Mapped[str | None] = mapped_column(String(50))
    protocol_date: Mapped[dt.date | None] = mapped_column(Date)
    #: Eligibility screening before scoring: None = not screened yet.
    eligible: Mapped[bool | None] = mapped_column(Boolean)
    screening_reason: Mapped[str | None] = mapped_column(Text)
    screened_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    screened_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )

    round: Mapped[SelectionRound] = relationship(lazy="joined", innerjoin=True)
    provider: Mapped[Provider] = relationship(lazy="joined", innerjoin=True)
    lots: Mapped[list[ProposalLot]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        lazy="select",
        order_by="ProposalLot.id",
    )
    team: Mapped[list[TeamMember]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        lazy="select",
        order_by="TeamMember.id",
    )
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        lazy="select",
        order_by="ApplicationDocument.id",
    )
    scores: Mapped[list[Score]] = relationship(
        back_populates="application", cascade="all, delete-orphan", lazy="select"
    )

    def __repr__(self) -> str:
        return f"{self.provider} — {self.round}"

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return cls.provider_id == scope.provider_id
        if scope.oblast_id:
            return cls.provider_id.in_(
                select(Provider.id).where(Provider.oblast_id == scope.oblast_id)
            )
        return None


class ApplicationDocument(Model):
    __tablename__ = "selection_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("selection_application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    doc_type: Mapped[DocumentType] = mapped_column(enum_column(DocumentType), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=clock.utcnow)
    uploaded_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )

    application: Mapped[Application] = relationship(
        back_populates="documents", lazy="joined", innerjoin=True
    )

    def __repr__(self) -> str:
        return self.filename

    @classmethod
    def scope_clause(cls, scope):
        inner = Application.scope_clause(scope)
        return None if inner is None else cls.application.has(inner)


class Score(Model):
    __tablename__ = "selection_score"
    __table_args__ = (
        UniqueConstraint("application_id", "criterion_id", "member_id", name="uq_selection_score"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("selection_application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("selection_criterion.id", ondelete="CASCADE"), nullable=False, index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    value: Mapped[int] = mapped_column(Integer, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    scored_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=clock.utcnow)

    application: Mapped[Application] = relationship(back_populates="scores", lazy="select")
    criterion: Mapped[Criterion] = relationship(lazy="select")

    @classmethod
    def scope_clause(cls, scope):
        inner = Application.scope_clause(scope)
        return None if inner is None else cls.application.has(inner)


def _round_child_scope(cls, scope):
    inner = SelectionRound.scope_clause(scope)
    return None if inner is None else cls.round.has(inner)


def _application_child_scope(cls, scope):
    inner = Application.scope_clause(scope)
    return None if inner is None else cls.application.has(inner)


class LotKind(LabeledEnum):
    hromada = N_("Territorial community")
    centre = N_("Planned centre")
    military_unit = N_("Military unit")


class Lot(AuditColumnsMixin, VersionedMixin, Model):
    """A part of a round awarded separately: a community, a planned centre or,
    for the servicemen programme, a military unit (by name or number)."""

    __tablename__ = "selection_lot"
    __table_args__ = (UniqueConstraint("round_id", "number", name="uq_selection_lot_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("selection_round.id"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[LotKind] = mapped_column(enum_column(LotKind), nullable=False)
    hromada_id: Mapped[int | None] = mapped_column(ForeignKey("geo_hromada.id"), index=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id"), index=True)
    unit_name: Mapped[str | None] = mapped_column(String(200))
    #: The most the ministry pays for the lot's services (None: not limited).
    budget_limit: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    round: Mapped[SelectionRound] = relationship(lazy="joined", innerjoin=True)
    hromada = relationship("Hromada", lazy="joined")
    centre = relationship("ResilienceCentre", lazy="joined")

    def __repr__(self) -> str:
        place = (
            self.unit_name
            or (self.centre.name if self.centre is not None else None)
            or (self.hromada.title if self.hromada is not None else "")
        )
        return f"№ {self.number}: {place}"

    scope_clause = classmethod(_round_child_scope)


class ProposalLot(VersionedMixin, Model):
    """A lot a proposal is made for, with the budget asked and the lot's result."""

    __tablename__ = "selection_proposal_lot"
    __table_args__ = (
        UniqueConstraint("application_id", "lot_id", name="uq_selection_proposal_lot"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("selection_application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    lot_id: Mapped[int] = mapped_column(ForeignKey("selection_lot.id"), nullable=False, index=True)
    budget: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    rank: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, name="lotdecision"))

    application: Mapped[Application] = relationship(
        back_populates="lots", lazy="joined", innerjoin=True
    )
    lot: Mapped[Lot] = relationship(lazy="joined", innerjoin=True)

    scope_clause = classmethod(_application_child_scope)


class TeamMember(VersionedMixin, Model):
    """A named specialist of the provider proposed for the team."""

    __tablename__ = "selection_team_member"
    __personal_data__ = ("role",)
    __table_args__ = (
        UniqueConstraint("application_id", "specialist_id", name="uq_selection_team_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("selection_application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    specialist_id: Mapped[int] = mapped_column(
        ForeignKey("specialist.id"), nullable=False, index=True
    )
    role: Mapped[str | None] = mapped_column(String(200))

    application: Mapped[Application] = relationship(
        back_populates="team", lazy="joined", innerjoin=True
    )
    specialist = relationship("Specialist", lazy="joined", innerjoin=True)

    scope_clause = classmethod(_application_child_scope)


class ConflictDeclaration(Model):
    """A commission member's declared conflict of interest with one proposal:
    the member does not score it and is not counted for it."""

    __tablename__ = "selection_conflict"
    __table_args__ = (
        UniqueConstraint("application_id", "member_id", name="uq_selection_conflict"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("selection_application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    declared_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=clock.utcnow)

    application: Mapped[Application] = relationship(lazy="joined", innerjoin=True)
    member = relationship("PortalUser", lazy="joined", innerjoin=True)

    scope_clause = classmethod(_application_child_scope)


class AppealStatus(LabeledEnum):
    filed = N_("Filed")
    upheld = N_("Upheld")
    dismissed = N_("Dismissed")


class Appeal(Model):
    """A provider's appeal against the published result of its proposal."""

    __tablename__ = "selection_appeal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("selection_application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    filed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    grounds: Mapped[str] = mapped_column(Text, nullable=False)
    filed_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    status: Mapped[AppealStatus] = mapped_column(
        enum_column(AppealStatus),
        nullable=False,
        default=AppealStatus.filed,
        server_default=AppealStatus.filed.name,
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship(lazy="joined", innerjoin=True)

    scope_clause = classmethod(_application_child_scope)


class AgreementStatus(LabeledEnum):
    active = N_("In force")
    completed = N_("Completed")
    terminated = N_("Terminated")


class ServiceAgreement(AuditColumnsMixin, VersionedMixin, Model):
    """The agreement a won lot leads to: the state pays the provider for the
    services of its team in the centre, community or military unit."""

    __tablename__ = "selection_agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(30), nullable=False, unique=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("selection_lot.id"), nullable=False, unique=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("selection_application.id"), nullable=False, index=True
    )
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False, index=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id"), index=True)
    signed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    starts_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    status: Mapped[AgreementStatus] = mapped_column(
        enum_column(AgreementStatus),
        nullable=False,
        default=AgreementStatus.active,
        server_default=AgreementStatus.active.name,
        index=True,
    )

    lot: Mapped[Lot] = relationship(lazy="joined", innerjoin=True)
    application: Mapped[Application] = relationship(lazy="select")
    provider: Mapped[Provider] = relationship(lazy="joined", innerjoin=True)
    centre = relationship("ResilienceCentre", lazy="joined")

    def __repr__(self) -> str:
        return self.number

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return cls.provider_id == scope.provider_id
        if scope.oblast_id:
            return cls.provider_id.in_(
                select(Provider.id).where(Provider.oblast_id == scope.oblast_id)
            )
        return None


class ActStatus(LabeledEnum):
    submitted = N_("Submitted")
    accepted = N_("Accepted")
    returned = N_("Returned for correction")


class ServiceAct(AuditColumnsMixin, VersionedMixin, Model):
    """A monthly act of services delivered under an agreement, accepted by the ministry."""

    __tablename__ = "selection_act"
    __table_args__ = (UniqueConstraint("agreement_id", "month", name="uq_selection_act_month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("selection_agreement.id"), nullable=False, index=True
    )
    #: The first day of the month the act covers.
    month: Mapped[dt.date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    services_summary: Mapped[str] = mapped_column(Text, nullable=False)
    #: Figures of the month, pre-filled from the portal's data when the act is drafted
    #: (services.act_figures: the centre's activity log and visit tally, the case
    #: register); the provider may correct them, the ministry sees both.
    activities: Mapped[int | None] = mapped_column(Integer)
    participants: Mapped[int | None] = mapped_column(Integer)
    visits: Mapped[int | None] = mapped_column(Integer)
    cases_served: Mapped[int | None] = mapped_column(Integer)
    cases_opened: Mapped[int | None] = mapped_column(Integer)
    meetings: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[ActStatus] = mapped_column(
        enum_column(ActStatus),
        nullable=False,
        default=ActStatus.submitted,
        server_default=ActStatus.submitted.name,
        index=True,
    )
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    agreement: Mapped[ServiceAgreement] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"{self.agreement} — {self.month:%m.%Y}"

    @classmethod
    def scope_clause(cls, scope):
        inner = ServiceAgreement.scope_clause(scope)
        return None if inner is None else cls.agreement.has(inner)
