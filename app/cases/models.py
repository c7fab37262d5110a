"""Case register (реєстр випадків): the most sensitive data of the portal.

Data-protection layout
----------------------
* :class:`Case` holds **no personal data**: number, programme, provider,
  centre, assigned case worker, status and the dates of each transition.
* Personal data lives only in :class:`Beneficiary` and :class:`HouseholdMember`
  (and in free-text notes of child rows); every such model declares
  ``__personal_data__`` (``app.security.pii``: the one declaration the audit
  log, exports and masking read).
* :class:`CaseSummary` is a second, read-only mapping of the ``case_file``
  table restricted to non-personal columns and *without any relationship to
  personal rows*. Ministry staff and auditors read cases only through it
  (resource ``CaseDeidentified``): de-identification is structural (a
  permission plus a model that cannot reach a name), not a template trick.
* Every scoped model has ``scope_clause``: a case worker reaches the rows of
  their own provider; regional administrators nothing; national roles what
  their permissions allow. Child rows are scoped through their case.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (Date, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, false, or_)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.enums import LabeledEnum, N_, enum_column
from ..common.mixins import AuditColumnsMixin, VersionedMixin
from ..common.textsearch import trigram_index
from ..programmes.models import ContactForm as _ContactForm


# --------------------------------------------------------------------------- enums
class Programme(LabeledEnum):
    servicemen = N_("Accompaniment of servicemen")
    family = N_("Family assistant")
    centre = N_("Resilience centre service")


#: Case number prefix per programme: ``<prefix>-<year>-<6 digits>``.
PROGRAMME_PREFIX = {
    Programme.servicemen: "СВ",
    Programme.family: "АР",
    Programme.centre: "ЦЖ",
}


class CaseStatus(LabeledEnum):
    intake = N_("Intake")
    assessment = N_("Needs assessment")
    plan = N_("Individual plan")
    active = N_("Active accompaniment")
    review = N_("Review")
    closed = N_("Closed")


OPEN_STATUSES = tuple(s for s in CaseStatus if s is not CaseStatus.closed)


class ClosureReason(LabeledEnum):
    goals_achieved = N_("Goals of the plan achieved")
    refused = N_("Beneficiary refused further support")
    moved = N_("Beneficiary moved away")
    lost_contact = N_("Contact lost")
    transferred_out = N_("Handed over to another service")
    died = N_("Beneficiary died")
    other = N_("Other reason")


class BeneficiaryCategory(LabeledEnum):
    serviceman = N_("Serviceman or servicewoman")
    family_member = N_("Family member of a serviceman")
    veteran = N_("Veteran")
    difficult_family = N_("Family in difficult life circumstances")
    idp = N_("Internally displaced person")
    other = N_("Other")


class NeedDomain(LabeledEnum):
    documents = N_("Documents")
    social_protection = N_("Social protection")
    health = N_("Health")
    education = N_("Education")
    legal_aid = N_("Legal aid")
    psychosocial = N_("Psychosocial support")
    family_relations = N_("Family relations")
    employment = N_("Employment")
    housing = N_("Housing")
    debts = N_("Debts")


class Priority(LabeledEnum):
    high = N_("High")
    medium = N_("Medium")
    low = N_("Low")


class Measure(LabeledEnum):
    documents_help = N_("Help with documents")
    inform_social_protection = N_("Informing on social protection")
    inform_health = N_("Informing on health care")
    inform_education = N_("Informing on education")
    inform_legal_aid = N_("Informing on free legal aid")
    psychosocial_consultation = N_("Psychosocial consultation")
    family_consultation = N_("Family-strengthening consultation")
    representation = N_("Representation in state bodies")
    mobilisation_assistance = N_("Assistance at mobilisation or discharge")
    support_group = N_("Peer support group")
    resilience_training = N_("Resilience skills training")


#: The measure catalogue of each programme.
PROGRAMME_MEASURES = {
    Programme.servicemen: (
        Measure.documents_help, Measure.inform_social_protection, Measure.inform_health,
        Measure.inform_legal_aid, Measure.psychosocial_consultation,
        Measure.representation, Measure.mobilisation_assistance,
    ),
    Programme.family: (
        Measure.documents_help, Measure.inform_social_protection, Measure.inform_health,
        Measure.inform_education, Measure.inform_legal_aid,
        Measure.psychosocial_consultation, Measure.family_consultation,
        Measure.representation,
    ),
    Programme.centre: (
        Measure.psychosocial_consultation, Measure.family_consultation,
        Measure.support_group, Measure.resilience_training, Measure.inform_social_protection,
        Measure.inform_legal_aid,
    ),
}


class PlanItemStatus(LabeledEnum):
    planned = N_("Planned")
    in_progress = N_("In progress")
    done = N_("Done")
    cancelled = N_("Cancelled")


#: How a contact took place: defined with the programme reference, whose
#: rules say which forms count as a meeting.
ContactForm = _ContactForm


class ReferralService(LabeledEnum):
    cnap = N_("Administrative services centre (TsNAP)")
    legal_aid = N_("Free legal aid centre")
    employment = N_("Employment centre")
    health = N_("Health care facility")
    provider = N_("Another provider")
    other = N_("Other service")


class ReferralStatus(LabeledEnum):
    sent = N_("Sent")
    accepted = N_("Accepted by the service")
    completed = N_("Service provided")
    declined = N_("Declined by the service")


class ReferralOutcome(LabeledEnum):
    """What came of a referral to a service of the directory (app.directory)."""

    received = N_("Service received")
    refused = N_("Refused by the service")
    no_answer = N_("No answer from the service")


class ReviewProgress(LabeledEnum):
    significant = N_("Significant progress")
    some = N_("Some progress")
    none = N_("No progress")
    worse = N_("Situation got worse")


class ReviewDecision(LabeledEnum):
    continue_plan = N_("Continue the plan")
    revise_plan = N_("Revise the plan")
    close = N_("Close the case")


class TransferStatus(LabeledEnum):
    requested = N_("Requested")
    accepted = N_("Accepted")
    rejected = N_("Rejected")
    cancelled = N_("Cancelled")


# --------------------------------------------------------------------------- scope helpers
def _case_scope(scope):
    """Scope of a case for a confined user: their provider, or nothing."""
    if scope.provider_id:
        return Case.provider_id == scope.provider_id
    return false()


class _CaseChild:
    """Mixin: child rows are scoped through their case."""

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return cls.case.has(Case.provider_id == scope.provider_id)
        return false()


# --------------------------------------------------------------------------- models
class CaseNumberCounter(Model):
    """Last issued number per (prefix, year); the row is locked while a number
    is taken (``SELECT ... FOR UPDATE``), in the same transaction as the case,
    so numbers are unique and have no gaps."""

    __tablename__ = "case_number_counter"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Case(AuditColumnsMixin, VersionedMixin, Model):
    """A case of the register. No personal data here (see :class:`Beneficiary`)."""

    __tablename__ = "case_file"
    __table_args__ = (
        # Every list filter (status, programme, provider) with the default
        # order (opened on, newest first) is one index walk; the dashboard's
        # programme x status counts read an index, not the table.
        Index("ix_case_file_provider_status_opened", "provider_id", "status", "opened_on"),
        Index("ix_case_file_status_opened", "status", "opened_on"),
        # The default order is (opened_on, id): with both in the index PostgreSQL
        # walks it for any page instead of re-sorting each day's cases.
        Index("ix_case_file_opened_id", "opened_on", "id"),
        Index("ix_case_file_programme_opened", "programme", "opened_on"),
        Index("ix_case_file_programme_status", "programme", "status"),
        Index("ix_case_file_worker_due", "assigned_worker_id", "next_contact_due"),
        # "My overdue / due-soon contacts" (every user's home page, never shared):
        # one index range instead of a walk of every worker's active cases.
        Index("ix_case_file_worker_status_due", "assigned_worker_id", "status",
              "next_contact_due"),
        Index("ix_case_file_status_due", "status", "next_contact_due", "assigned_worker_id"),
        Index("ix_case_file_provider_opened", "provider_id", "opened_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    programme: Mapped[Programme] = mapped_column(enum_column(Programme), nullable=False)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False,
                                             index=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id", ondelete="SET NULL"),
                                                  index=True)
    assigned_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    status: Mapped[CaseStatus] = mapped_column(
        enum_column(CaseStatus), nullable=False, default=CaseStatus.intake,
        server_default=CaseStatus.intake.name)

    opened_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    assessment_on: Mapped[dt.date | None] = mapped_column(Date)
    plan_on: Mapped[dt.date | None] = mapped_column(Date)
    active_on: Mapped[dt.date | None] = mapped_column(Date)
    review_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    reopened_on: Mapped[dt.date | None] = mapped_column(Date)
    reopen_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                              server_default="0")
    closure_reason: Mapped[ClosureReason | None] = mapped_column(enum_column(ClosureReason))
    status_changed_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status_changed_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"))

    #: Kept by the services from the contact log (indexed for the overdue lists).
    last_contact_on: Mapped[dt.date | None] = mapped_column(Date)
    next_contact_due: Mapped[dt.date | None] = mapped_column(Date, index=True)
    contact_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                               server_default="0")

    # Not shown in the case list: loaded on demand (many-to-one lookups hit the
    # identity map, so a page of one provider's cases costs one query at most).
    provider = relationship("Provider", lazy="select")
    centre = relationship("ResilienceCentre", lazy="select")
    assigned_worker = relationship("PortalUser", foreign_keys=[assigned_worker_id],
                                   lazy="joined")
    beneficiary = relationship("Beneficiary", back_populates="case", uselist=False,
                               lazy="joined", cascade="all, delete-orphan")
    household = relationship("HouseholdMember", back_populates="case", lazy="select",
                             cascade="all, delete-orphan")
    needs = relationship("NeedsAssessment", back_populates="case", lazy="select",
                         cascade="all, delete-orphan")
    plan_items = relationship("PlanItem", back_populates="case", lazy="select",
                              cascade="all, delete-orphan")
    contacts = relationship("Contact", back_populates="case", lazy="select",
                            cascade="all, delete-orphan")
    referrals = relationship("Referral", back_populates="case", lazy="select",
                             cascade="all, delete-orphan")
    reviews = relationship("Review", back_populates="case", lazy="select",
                           cascade="all, delete-orphan")
    transfers = relationship("CaseTransfer", back_populates="case_full", lazy="select",
                             cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return self.number or ""

    @classmethod
    def scope_clause(cls, scope):
        return _case_scope(scope)


trigram_index(Case.__table__, "number")


class CaseSummary(Model):
    """Read-only, de-identified mapping of ``case_file`` (no relationship to
    any personal row). Never written: it has no form and no write permission."""

    __table__ = Case.__table__
    __mapper_args__ = {
        "include_properties": [
            "id", "number", "programme", "provider_id", "centre_id", "status", "opened_on",
            "assessment_on", "plan_on", "active_on", "review_on", "closed_on", "reopened_on",
            "reopen_count", "closure_reason", "last_contact_on", "next_contact_due",
            "contact_count",
        ],
    }

    provider = relationship("Provider", lazy="joined", innerjoin=True, viewonly=True)
    centre = relationship("ResilienceCentre", lazy="joined", viewonly=True)

    def __repr__(self) -> str:
        return self.number or ""

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return cls.provider_id == scope.provider_id
        return false()


class Beneficiary(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """The person the case is about (personal data)."""

    __tablename__ = "case_beneficiary"
    __personal_data__ = ("full_name", "birth_date", "rnokpp", "phone", "address",
                         "military_unit", "notes")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"),
                                         nullable=False, unique=True)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    rnokpp: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(13))
    address: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[BeneficiaryCategory] = mapped_column(enum_column(BeneficiaryCategory),
                                                          nullable=False)
    military_unit: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case", back_populates="beneficiary", lazy="select")

    def __repr__(self) -> str:
        return self.full_name


class HouseholdMember(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """A member of the beneficiary's household (personal data)."""

    __tablename__ = "case_household_member"
    __personal_data__ = ("full_name", "birth_date", "rnokpp", "phone", "relation", "notes")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    relation: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    rnokpp: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(13))
    category: Mapped[BeneficiaryCategory] = mapped_column(enum_column(BeneficiaryCategory),
                                                          nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case", back_populates="household", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return self.full_name


class NeedsAssessment(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """One assessed need of a case (one row per domain)."""

    __tablename__ = "case_need"
    __table_args__ = (UniqueConstraint("case_id", "domain", name="uq_case_need_domain"),)
    __personal_data__ = ("description",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    domain: Mapped[NeedDomain] = mapped_column(enum_column(NeedDomain), nullable=False)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    assessed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)

    case = relationship("Case", back_populates="needs", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return str(self.domain)


class PlanItem(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """A measure of the individual plan."""

    __tablename__ = "case_plan_item"
    __table_args__ = (Index("ix_case_plan_item_case_due", "case_id", "due_on"),)
    __personal_data__ = ("responsible", "note")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    measure: Mapped[Measure] = mapped_column(enum_column(Measure), nullable=False)
    responsible: Mapped[str] = mapped_column(String(200), nullable=False)
    due_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[PlanItemStatus] = mapped_column(
        enum_column(PlanItemStatus), nullable=False, default=PlanItemStatus.planned,
        server_default=PlanItemStatus.planned.name)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case", back_populates="plan_items", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return str(self.measure)


class Contact(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """A contact or meeting with the beneficiary."""

    __tablename__ = "case_contact"
    __table_args__ = (Index("ix_case_contact_case_date", "case_id", "contact_on"),)
    __personal_data__ = ("summary",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    contact_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    form: Mapped[ContactForm] = mapped_column(enum_column(ContactForm), nullable=False)
    summary: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case", back_populates="contacts", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"{self.contact_on:%d.%m.%Y} {self.form}" if self.contact_on else ""


class Referral(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """A referral of the beneficiary to another service."""

    __tablename__ = "case_referral"
    __personal_data__ = ("organisation", "note")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    service: Mapped[ReferralService] = mapped_column(enum_column(ReferralService),
                                                     nullable=False)
    organisation: Mapped[str | None] = mapped_column(String(300))
    referred_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[ReferralStatus] = mapped_column(
        enum_column(ReferralStatus), nullable=False, default=ReferralStatus.sent,
        server_default=ReferralStatus.sent.name)
    note: Mapped[str | None] = mapped_column(Text)
    #: The service of the directory referred to (app.directory), when picked from it.
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("directory_entry.id"), index=True)
    outcome: Mapped[ReferralOutcome | None] = mapped_column(enum_column(ReferralOutcome))
    outcome_on: Mapped[dt.date | None] = mapped_column(Date)

    case = relationship("Case", back_populates="referrals", lazy="joined", innerjoin=True)
    entry = relationship("DirectoryEntry", lazy="select")

    def __repr__(self) -> str:
        return str(self.service)


class Review(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """A progress review of the case."""

    __tablename__ = "case_review"
    __personal_data__ = ("summary",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    reviewed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    progress: Mapped[ReviewProgress] = mapped_column(enum_column(ReviewProgress),
                                                     nullable=False)
    decision: Mapped[ReviewDecision] = mapped_column(enum_column(ReviewDecision),
                                                     nullable=False)
    summary: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case", back_populates="reviews", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"{self.reviewed_on:%d.%m.%Y}" if self.reviewed_on else ""


class CaseTransfer(AuditColumnsMixin, VersionedMixin, Model):
    """Hand-over of a case to another provider; the receiving side decides.

    While ``requested`` the case stays with the old provider; on acceptance
    the case's provider changes and the old provider loses all access.
    Both sides see the transfer row (number only, no personal data)."""

    __tablename__ = "case_transfer"
    __personal_data__ = ("reason", "decision_note")  # free text about the person
    __table_args__ = (Index("ix_case_transfer_to_status", "to_provider_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    from_provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False,
                                                  index=True)
    to_provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False)
    status: Mapped[TransferStatus] = mapped_column(
        enum_column(TransferStatus), nullable=False, default=TransferStatus.requested,
        server_default=TransferStatus.requested.name, index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    requested_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False,
                                                      default=dt.datetime.utcnow)
    requested_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"))
    decided_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"))
    decision_note: Mapped[str | None] = mapped_column(Text)

    case = relationship("CaseSummary", lazy="joined", innerjoin=True, viewonly=True)
    case_full = relationship("Case", back_populates="transfers")
    from_provider = relationship("Provider", foreign_keys=[from_provider_id], lazy="joined",
                                 innerjoin=True)
    to_provider = relationship("Provider", foreign_keys=[to_provider_id], lazy="joined",
                               innerjoin=True)

    def __repr__(self) -> str:
        return f"{self.case.number if self.case else ''} → {self.to_provider or ''}"

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return or_(cls.from_provider_id == scope.provider_id,
                       cls.to_provider_id == scope.provider_id)
        return false()
