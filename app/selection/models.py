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
from sqlalchemy import (Date, DateTime, ForeignKey, Integer, Numeric, String, Text,
                        UniqueConstraint, exists, or_, select)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.enums import LabeledEnum, N_, enum_column
from ..common.mixins import AuditColumnsMixin, VersionedMixin
from ..providers.models import Provider


class Programme(LabeledEnum):
    resilience_centres = N_("Resilience centres")
    servicemen = N_("Accompaniment of servicemen")
    families = N_("Family accompaniment")


class RoundStatus(LabeledEnum):
    announced = N_("Announced")
    accepting = N_("Accepting applications")
    evaluating = N_("Evaluation")
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
    programme: Mapped[Programme] = mapped_column(enum_column(Programme), nullable=False,
                                                 index=True)
    #: None = national round.
    oblast_id: Mapped[int | None] = mapped_column(ForeignKey("geo_oblast.id"), index=True)
    announced_on: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    deadline: Mapped[dt.date] = mapped_column(Date, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    #: How many winners and reserve places the decision suggests.
    winners_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1,
                                               server_default="1")
    reserve_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                               server_default="0")
    status: Mapped[RoundStatus] = mapped_column(
        enum_column(RoundStatus), nullable=False, default=RoundStatus.announced,
        server_default=RoundStatus.announced.name, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    protocol_number: Mapped[str | None] = mapped_column(String(50))
    protocol_date: Mapped[dt.date | None] = mapped_column(Date)

    oblast = relationship("Oblast", lazy="joined")
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="round", order_by="Criterion.position, Criterion.id",
        cascade="all, delete-orphan", lazy="select")
    commission: Mapped[list["CommissionMember"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", lazy="select")

    def __repr__(self) -> str:
        return self.title

    @property
    def scope_label(self) -> str:
        from flask_babel import gettext

        return self.oblast.title if self.oblast else gettext("National")

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return exists().where(Application.round_id == cls.id,
                                  Application.provider_id == scope.provider_id)
        if scope.oblast_id:
            # Own oblast's rounds and national rounds (where own providers compete).
            return or_(cls.oblast_id == scope.oblast_id, cls.oblast_id.is_(None))
        return None


class Criterion(Model):
    __tablename__ = "selection_criterion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("selection_round.id", ondelete="CASCADE"),
                                          nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), nullable=False, default=1)
    max_score: Mapped[int] = mapped_column(Integer, nullable=False, default=10,
                                           server_default="10")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                          server_default="0")

    round: Mapped[SelectionRound] = relationship(back_populates="criteria", lazy="joined",
                                                 innerjoin=True)

    def __repr__(self) -> str:
        return self.name

    @classmethod
    def scope_clause(cls, scope):
        inner = SelectionRound.scope_clause(scope)
        return None if inner is None else cls.round.has(inner)


class CommissionMember(Model):
    __tablename__ = "selection_commission_member"
    __table_args__ = (UniqueConstraint("round_id", "user_id",
                                       name="uq_selection_commission_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("selection_round.id", ondelete="CASCADE"),
                                          nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    role: Mapped[str | None] = mapped_column(String(100))

    round: Mapped[SelectionRound] = relationship(back_populates="commission", lazy="joined",
                                                 innerjoin=True)
    user = relationship("PortalUser", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return self.user.get_full_name() if self.user else str(self.user_id)

    @classmethod
    def scope_clause(cls, scope):
        inner = SelectionRound.scope_clause(scope)
        return None if inner is None else cls.round.has(inner)


class Application(AuditColumnsMixin, VersionedMixin, Model):
    __tablename__ = "selection_application"
    __table_args__ = (UniqueConstraint("round_id", "provider_id",
                                       name="uq_selection_application_round_provider"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("selection_round.id"), nullable=False,
                                          index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False,
                                             index=True)
    submitted_on: Mapped[dt.date] = mapped_column(Date, nullable=False, default=dt.date.today)
    notes: Mapped[str | None] = mapped_column(Text)
    total_score: Mapped[Decimal | None] = mapped_column(Numeric(9, 3))
    rank: Mapped[int | None] = mapped_column(Integer, index=True)
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision), index=True)
    protocol_number: Mapped[str | None] = mapped_column(String(50))
    protocol_date: Mapped[dt.date | None] = mapped_column(Date)

    round: Mapped[SelectionRound] = relationship(lazy="joined", innerjoin=True)
    provider: Mapped[Provider] = relationship(lazy="joined", innerjoin=True)
    documents: Mapped[list["ApplicationDocument"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", lazy="select",
        order_by="ApplicationDocument.id")
    scores: Mapped[list["Score"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", lazy="select")

    def __repr__(self) -> str:
        return f"{self.provider} — {self.round}"

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return cls.provider_id == scope.provider_id
        if scope.oblast_id:
            return cls.provider_id.in_(
                select(Provider.id).where(Provider.oblast_id == scope.oblast_id))
        return None


class ApplicationDocument(Model):
    __tablename__ = "selection_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("selection_application.id", ondelete="CASCADE"), nullable=False, index=True)
    doc_type: Mapped[DocumentType] = mapped_column(enum_column(DocumentType), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False,
                                                     default=dt.datetime.utcnow)
    uploaded_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id",
                                                                  ondelete="SET NULL"))

    application: Mapped[Application] = relationship(back_populates="documents", lazy="joined",
                                                    innerjoin=True)

    def __repr__(self) -> str:
        return self.filename

    @classmethod
    def scope_clause(cls, scope):
        inner = Application.scope_clause(scope)
        return None if inner is None else cls.application.has(inner)


class Score(Model):
    __tablename__ = "selection_score"
    __table_args__ = (UniqueConstraint("application_id", "criterion_id", "member_id",
                                       name="uq_selection_score"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("selection_application.id", ondelete="CASCADE"), nullable=False, index=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("selection_criterion.id", ondelete="CASCADE"), nullable=False, index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    value: Mapped[int] = mapped_column(Integer, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    scored_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False,
                                                   default=dt.datetime.utcnow)

    application: Mapped[Application] = relationship(back_populates="scores", lazy="select")
    criterion: Mapped[Criterion] = relationship(lazy="select")

    @classmethod
    def scope_clause(cls, scope):
        inner = Application.scope_clause(scope)
        return None if inner is None else cls.application.has(inner)
