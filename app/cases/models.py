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
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    or_,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..common.enums import N_, LabeledEnum, enum_column
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
    term_expired = N_("Service term expired")
    veterans_specialist = N_("Handed over to the community's specialist for veterans' support")
    children_service = N_("Referred to the children's service")
    serviceman_killed = N_("Serviceman killed (the family continues)")
    serviceman_missing = N_("Serviceman missing (the family continues)")
    serviceman_captured = N_("Serviceman captured (the family continues)")
    other = N_("Other reason")


#: Closure reasons of the servicemen programme only (the family's own case continues).
SERVICEMEN_ONLY_REASONS = (
    ClosureReason.serviceman_killed,
    ClosureReason.serviceman_missing,
    ClosureReason.serviceman_captured,
    ClosureReason.veterans_specialist,
)


class BeneficiaryCategory(LabeledEnum):
    serviceman = N_("Serviceman or servicewoman")
    family_member = N_("Family member of a serviceman")
    veteran = N_("Veteran")
    difficult_family = N_("Family in difficult life circumstances")
    idp = N_("Internally displaced person")
    family_fallen = N_("Family member of a fallen defender")
    family_missing = N_("Family member of a defender missing in action")
    family_captive = N_("Family member of a prisoner of war")
    demobilised = N_("Demobilised person")
    combatant = N_("Combatant (UBD)")
    other = N_("Other")


class Sex(LabeledEnum):
    female = N_("Female")
    male = N_("Male")


class IntakeSource(LabeledEnum):
    """How the case came to the provider (Law «Про соціальні послуги», art. 20:
    an application, an appeal or a notification)."""

    self = N_("The person applied")
    military_unit = N_("Military unit")
    cnap = N_("Administrative services centre (TsNAP)")
    hromada_manager = N_("Community social manager")
    children_service = N_("Children's service")
    other_provider = N_("Another provider")


class ConsentScope(LabeledEnum):
    processing = N_("Processing of personal data for the service")
    processing_transfer = N_("Processing and transfer to partner services")


class Relation(LabeledEnum):
    spouse = N_("Spouse or partner")
    child = N_("Child")
    parent = N_("Parent")
    sibling = N_("Brother or sister")
    grandparent = N_("Grandparent")
    grandchild = N_("Grandchild")
    guardian = N_("Guardian or foster carer")
    other = N_("Other relative")


class ServiceStage(LabeledEnum):
    """Where the serviceman is in their service (servicemen programme)."""

    conscription = N_("Conscription")
    mobilisation = N_("Mobilisation")
    service = N_("In service")
    discharge = N_("Discharge")
    killed = N_("Killed")
    missing = N_("Missing")
    captured = N_("Prisoner of war")


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


#: The measure catalogue of each programme is data: ``programme_measure``
#: (app.programmes), kept by ministry staff; plan items store its codes.


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
    """A case of the register. No personal data here (see :class:`Beneficiary`),
    except the number of the contract signed with the person, declared as such
    (the de-identified :class:`CaseSummary` leaves it out)."""

    __tablename__ = "case_file"
    __personal_data__ = ("contract_number",)
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
        Index("ix_case_file_worker_status_due", "assigned_worker_id", "status", "next_contact_due"),
        Index("ix_case_file_status_due", "status", "next_contact_due", "assigned_worker_id"),
        Index("ix_case_file_provider_opened", "provider_id", "opened_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    #: The programme's code (``programme.code``): the rules and catalogue are
    #: that row's; the enum keeps the labels and case-number prefixes.
    programme: Mapped[Programme] = mapped_column(
        enum_column(Programme), ForeignKey("programme.code"), nullable=False
    )
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False, index=True)
    centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("centre.id", ondelete="SET NULL"), index=True
    )
    assigned_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[CaseStatus] = mapped_column(
        enum_column(CaseStatus),
        nullable=False,
        default=CaseStatus.intake,
        server_default=CaseStatus.intake.name,
    )

    opened_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    assessment_on: Mapped[dt.date | None] = mapped_column(Date)
    plan_on: Mapped[dt.date | None] = mapped_column(Date)
    active_on: Mapped[dt.date | None] = mapped_column(Date)
    review_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    reopened_on: Mapped[dt.date | None] = mapped_column(Date)
    reopen_count: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    closure_reason: Mapped[ClosureReason | None] = mapped_column(enum_column(ClosureReason))
    status_changed_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status_changed_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )

    #: Intake and legal basis (Law «Про соціальні послуги», art. 20).
    application_on: Mapped[dt.date | None] = mapped_column(Date)
    intake_source: Mapped[IntakeSource | None] = mapped_column(enum_column(IntakeSource))
    #: Derived from the programme: the assessment deadline (working days from
    #: the application), the service term and its extensions, the next review.
    assessment_due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    term_end_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    extension_count: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    next_review_due: Mapped[dt.date | None] = mapped_column(Date)
    #: The plan's version and the date the family agreed to it.
    plan_version: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    plan_agreed_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Who recorded the agreement: the plan's author for the supervisor's approval.
    plan_agreed_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    #: Supervisor approval of the agreed plan (where the provider requires it).
    plan_approved_on: Mapped[dt.date | None] = mapped_column(Date)
    plan_approved_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    #: The contract with the recipient (where the programme requires one).
    contract_number: Mapped[str | None] = mapped_column(String(50))
    contract_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Follow-up after closure: due date from the programme, last one recorded.
    follow_up_due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    follow_up_done_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Servicemen programme: the unit, the service stage, the hand-over at discharge.
    military_unit_id: Mapped[int | None] = mapped_column(ForeignKey("military_unit.id"), index=True)
    service_stage: Mapped[ServiceStage | None] = mapped_column(enum_column(ServiceStage))
    handover_on: Mapped[dt.date | None] = mapped_column(Date)
    handover_hromada_id: Mapped[int | None] = mapped_column(ForeignKey("geo_hromada.id"))

    #: Kept by the services from the contact log (indexed for the overdue lists).
    last_meeting_on: Mapped[dt.date | None] = mapped_column(Date)
    last_contact_on: Mapped[dt.date | None] = mapped_column(Date)
    next_contact_due: Mapped[dt.date | None] = mapped_column(Date, index=True)
    contact_count: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )

    # Not shown in the case list: loaded on demand (many-to-one lookups hit the
    # identity map, so a page of one provider's cases costs one query at most).
    provider = relationship("Provider", lazy="select")
    centre = relationship("ResilienceCentre", lazy="select")
    assigned_worker = relationship("PortalUser", foreign_keys=[assigned_worker_id], lazy="joined")
    beneficiary = relationship(
        "Beneficiary",
        back_populates="case",
        uselist=False,
        lazy="joined",
        cascade="all, delete-orphan",
    )
    household = relationship(
        "HouseholdMember", back_populates="case", lazy="select", cascade="all, delete-orphan"
    )
    needs = relationship(
        "NeedsAssessment", back_populates="case", lazy="select", cascade="all, delete-orphan"
    )
    plan_items = relationship(
        "PlanItem", back_populates="case", lazy="select", cascade="all, delete-orphan"
    )
    contacts = relationship(
        "Contact", back_populates="case", lazy="select", cascade="all, delete-orphan"
    )
    referrals = relationship(
        "Referral", back_populates="case", lazy="select", cascade="all, delete-orphan"
    )
    reviews = relationship(
        "Review", back_populates="case", lazy="select", cascade="all, delete-orphan"
    )
    assessments = relationship(
        "AssessmentAct", back_populates="case", lazy="select", cascade="all, delete-orphan"
    )
    extensions = relationship(
        "CaseExtension", back_populates="case", lazy="select", cascade="all, delete-orphan"
    )
    follow_ups = relationship(
        "CaseFollowUp", back_populates="case", lazy="select", cascade="all, delete-orphan"
    )
    plan_approved_by = relationship("PortalUser", foreign_keys=[plan_approved_by_fk], lazy="select")
    military_unit = relationship("MilitaryUnit", lazy="select")
    handover_hromada = relationship("Hromada", lazy="select")
    transfers = relationship(
        "CaseTransfer", back_populates="case_full", lazy="select", cascade="all, delete-orphan"
    )

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
            "id",
            "number",
            "programme",
            "provider_id",
            "centre_id",
            "status",
            "opened_on",
            "assessment_on",
            "plan_on",
            "active_on",
            "review_on",
            "closed_on",
            "reopened_on",
            "reopen_count",
            "closure_reason",
            "last_contact_on",
            "next_contact_due",
            "contact_count",
            "application_on",
            "intake_source",
            "assessment_due_on",
            "term_end_on",
            "extension_count",
            "next_review_due",
            "service_stage",
            "last_meeting_on",
            "follow_up_due_on",
            "follow_up_done_on",
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
    __personal_data__ = (
        "full_name",
        "birth_date",
        "rnokpp",
        "phone",
        "address",
        "military_unit",
        "notes",
        "consent_document",
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    rnokpp: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(13))
    address: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[BeneficiaryCategory] = mapped_column(
        enum_column(BeneficiaryCategory), nullable=False
    )
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex))
    #: Residence (KATOTTG community): the reports count people by it.
    hromada_id: Mapped[int | None] = mapped_column(ForeignKey("geo_hromada.id"), index=True)
    military_unit: Mapped[str | None] = mapped_column(String(100))
    #: Consent to the processing of personal data.
    consent_on: Mapped[dt.date | None] = mapped_column(Date)
    consent_scope: Mapped[ConsentScope | None] = mapped_column(enum_column(ConsentScope))
    consent_document: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case", back_populates="beneficiary", lazy="select")
    hromada = relationship("Hromada", lazy="select")

    def __repr__(self) -> str:
        return self.full_name


class HouseholdMember(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """A member of the beneficiary's household (personal data)."""

    __tablename__ = "case_household_member"
    __personal_data__ = ("full_name", "birth_date", "rnokpp", "phone", "relation", "notes")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=False, index=True
    )
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    relation: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    rnokpp: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(13))
    category: Mapped[BeneficiaryCategory] = mapped_column(
        enum_column(BeneficiaryCategory), nullable=False
    )
    relation_code: Mapped[Relation | None] = mapped_column(enum_column(Relation))
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex))
    #: The member receives services of the case too (counted as a person served).
    receives_services: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    notes: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case", back_populates="household", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return self.full_name


class NeedsAssessment(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """One assessed need of a case (one row per domain)."""

    __tablename__ = "case_need"
    __table_args__ = (
        UniqueConstraint("case_id", "domain", "assessed_on", name="uq_case_need_domain_date"),
    )
    __personal_data__ = ("description",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=False, index=True
    )
    domain: Mapped[NeedDomain] = mapped_column(enum_column(NeedDomain), nullable=False)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    assessed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)

    case = relationship("Case", back_populates="needs", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return (
            f"{self.domain} ({self.assessed_on:%d.%m.%Y})" if self.assessed_on else str(self.domain)
        )


class AssessmentAct(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """An act of needs assessment (акт оцінки потреб): who assessed, when, with
    whom. Repeated during the case; its needs are the rows of
    :class:`NeedsAssessment` of the same date."""

    __tablename__ = "case_assessment"
    __table_args__ = (UniqueConstraint("case_id", "assessed_on", name="uq_case_assessment_date"),)
    __personal_data__ = ("assessor", "participants", "summary")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=False, index=True
    )
    assessed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    assessor: Mapped[str] = mapped_column(String(200), nullable=False)
    participants: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case", back_populates="assessments", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"{self.assessed_on:%d.%m.%Y}" if self.assessed_on else ""


class CaseExtension(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """An extension of the service term, with its reason (a complex case)."""

    __tablename__ = "case_extension"
    __personal_data__ = ("reason",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=False, index=True
    )
    extended_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    months: Mapped[int] = mapped_column(Integer, nullable=False)
    term_end_before: Mapped[dt.date] = mapped_column(Date, nullable=False)
    term_end_after: Mapped[dt.date] = mapped_column(Date, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)

    case = relationship("Case", back_populates="extensions", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"{self.term_end_after:%d.%m.%Y}" if self.term_end_after else ""


class MilitaryUnit(AuditColumnsMixin, VersionedMixin, Model):
    """A military unit of the servicemen accompaniment pilot and the provider
    whose team serves it (register kept by ministry staff)."""

    __tablename__ = "military_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The unit's conventional number (e.g. «А1234»).
    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    pilot_entry_on: Mapped[dt.date | None] = mapped_column(Date)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )

    provider = relationship("Provider", lazy="joined")

    def __repr__(self) -> str:
        return " ".join(x for x in (self.number, self.name) if x)

    @classmethod
    def scope_clause(cls, scope):
        # A provider's staff see the units their team serves.
        if scope.provider_id:
            return cls.provider_id == scope.provider_id
        return false()


class PlanItem(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """A measure of the individual plan."""

    __tablename__ = "case_plan_item"
    __table_args__ = (Index("ix_case_plan_item_case_due", "case_id", "due_on"),)
    __personal_data__ = ("responsible", "note", "goal", "expected_result", "partner", "outcome")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: A code of the case's programme's catalogue (``programme_measure.code``).
    measure: Mapped[str] = mapped_column(String(40), nullable=False)
    goal: Mapped[str | None] = mapped_column(Text)
    expected_result: Mapped[str | None] = mapped_column(Text)
    #: The assessed need the item answers.
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_need.id", ondelete="SET NULL"), index=True
    )
    partner: Mapped[str | None] = mapped_column(String(300))
    responsible: Mapped[str] = mapped_column(String(200), nullable=False)
    due_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[PlanItemStatus] = mapped_column(
        enum_column(PlanItemStatus),
        nullable=False,
        default=PlanItemStatus.planned,
        server_default=PlanItemStatus.planned.name,
    )
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case", back_populates="plan_items", lazy="joined", innerjoin=True)
    need = relationship("NeedsAssessment", lazy="select")

    def __repr__(self) -> str:
        return str(self.measure)


class Contact(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """A contact or meeting with the beneficiary."""

    __tablename__ = "case_contact"
    __table_args__ = (Index("ix_case_contact_case_date", "case_id", "contact_on"),)
    __personal_data__ = ("summary",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=False, index=True
    )
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
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=False, index=True
    )
    service: Mapped[ReferralService] = mapped_column(enum_column(ReferralService), nullable=False)
    organisation: Mapped[str | None] = mapped_column(String(300))
    referred_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[ReferralStatus] = mapped_column(
        enum_column(ReferralStatus),
        nullable=False,
        default=ReferralStatus.sent,
        server_default=ReferralStatus.sent.name,
    )
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
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=False, index=True
    )
    reviewed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    progress: Mapped[ReviewProgress] = mapped_column(enum_column(ReviewProgress), nullable=False)
    decision: Mapped[ReviewDecision] = mapped_column(enum_column(ReviewDecision), nullable=False)
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
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id"), nullable=False, index=True
    )
    to_provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), nullable=False)
    status: Mapped[TransferStatus] = mapped_column(
        enum_column(TransferStatus),
        nullable=False,
        default=TransferStatus.requested,
        server_default=TransferStatus.requested.name,
        index=True,
    )
    reason: Mapped[str | None] = mapped_column(Text)
    requested_on: Mapped[dt.datetime] = mapped_column(
        DateTime, nullable=False, default=clock.utcnow
    )
    requested_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    decided_on: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_fk: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    decision_note: Mapped[str | None] = mapped_column(Text)

    case = relationship("CaseSummary", lazy="joined", innerjoin=True, viewonly=True)
    case_full = relationship("Case", back_populates="transfers")
    from_provider = relationship(
        "Provider", foreign_keys=[from_provider_id], lazy="joined", innerjoin=True
    )
    to_provider = relationship(
        "Provider", foreign_keys=[to_provider_id], lazy="joined", innerjoin=True
    )

    def __repr__(self) -> str:
        return f"{self.case.number if self.case else ''} → {self.to_provider or ''}"

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return or_(
                cls.from_provider_id == scope.provider_id, cls.to_provider_id == scope.provider_id
            )
        return false()


class CaseFollowUp(_CaseChild, AuditColumnsMixin, VersionedMixin, Model):
    """A follow-up contact after the case was closed (recorded by
    ``services.record_follow_up`` only: the closed case stays read-only)."""

    __tablename__ = "case_follow_up"
    __personal_data__ = ("outcome",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=False, index=True
    )
    follow_up_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    form: Mapped[ContactForm] = mapped_column(enum_column(ContactForm), nullable=False)
    outcome: Mapped[str] = mapped_column(Text, nullable=False)

    case = relationship("Case", back_populates="follow_ups", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"{self.follow_up_on:%d.%m.%Y} {self.form}" if self.follow_up_on else ""


class CaseProviderSetting(AuditColumnsMixin, VersionedMixin, Model):
    """A provider's own settings of its case work (kept in the case register so
    the provider register is not touched): whether an agreed plan needs a
    supervisor's approval before accompaniment starts."""

    __tablename__ = "case_provider_setting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    plan_approval_required: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    provider = relationship("Provider", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return str(self.provider or "")

    @classmethod
    def scope_clause(cls, scope):
        if scope.provider_id:
            return cls.provider_id == scope.provider_id
        return false()
