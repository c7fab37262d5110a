"""Programme reference (issue #20): the programmes the portal serves and their rules.

One row per programme (servicemen accompaniment, family assistant, resilience
centre service) with the rules the case register applies: which contact forms
count as a meeting, the meeting interval, the service term and its
extensions, the review interval and the needs-assessment deadline; and the
programme's catalogue of measures (:class:`ProgrammeMeasure`).

Other domains refer to a programme by ``ForeignKey("programme.code")`` on a
string column: ``code`` is stable and unique and is never edited after
creation (the edit form and the API do not offer it).

Both tables are reference data kept by ministry staff; every change is in the
audit log (``app.audit.events``: any domain model). The seed rows are loaded
by the migration and, for databases built with ``create_all`` (tests), by
:func:`app.programmes.seed.install_seed_events`.
"""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.enums import N_, LabeledEnum
from ..common.mixins import AuditColumnsMixin, VersionedMixin


class ContactForm(LabeledEnum):
    """How a contact with a beneficiary took place (the case register's contact log)."""

    visit = N_("Home visit")
    phone = N_("Phone call")
    online = N_("Online meeting")
    office = N_("Meeting at the office")


#: Separator of ``Programme.meeting_forms`` (contact form names, e.g. ``visit,office``).
FORMS_SEPARATOR = ","


class Programme(AuditColumnsMixin, VersionedMixin, Model):
    """A programme and its rules (reference data kept by ministry staff)."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable key other tables refer to (``servicemen``, ``family``, ``centre``).
    code: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    #: Contact forms that count as a meeting, comma-separated names of
    #: :class:`ContactForm` (``visit,office,online``).
    meeting_forms: Mapped[str] = mapped_column(
        String(100), nullable=False, default="visit,office", server_default="visit,office"
    )
    #: A meeting at least every N days in every open stage (None: no rule).
    meeting_interval_days: Mapped[int | None] = mapped_column(Integer)
    #: Service term from the opening of the case, in months (None: no term).
    term_months: Mapped[int | None] = mapped_column(Integer)
    #: Months one extension adds, and how many extensions a case may have.
    extension_months: Mapped[int | None] = mapped_column(Integer)
    max_extensions: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    #: A review at least every N days once the plan is drawn up (None: no rule).
    review_interval_days: Mapped[int | None] = mapped_column(Integer)
    #: The needs assessment is due within N working days of the application.
    assessment_deadline_working_days: Mapped[int | None] = mapped_column(Integer)
    #: Accompaniment starts only with a contract with the recipient (number, date).
    requires_contract: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    #: A follow-up contact N days after closure (None: no follow-up).
    follow_up_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )

    measures = relationship(
        "ProgrammeMeasure",
        back_populates="programme",
        lazy="select",
        order_by="ProgrammeMeasure.id",
    )

    def __repr__(self) -> str:
        return self.name or ""

    @property
    def meeting_form_set(self) -> frozenset[str]:
        return frozenset(f for f in (self.meeting_forms or "").split(FORMS_SEPARATOR) if f)

    @classmethod
    def scope_clause(cls, scope):
        # Reference data: every role that may read it reads all of it
        # (only ministry staff may write it: a permission, not a scope).
        return true()


class ProgrammeMeasure(AuditColumnsMixin, VersionedMixin, Model):
    """A measure of a programme's catalogue (what a plan item may be)."""

    __tablename__ = "programme_measure"
    __table_args__ = (UniqueConstraint("programme_code", "code", name="uq_programme_measure_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_code: Mapped[str] = mapped_column(
        ForeignKey("programme.code"), nullable=False, index=True
    )
    #: The group of measures the programme lists it under.
    group_name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: Stable key stored on plan items (``family_consultation``).
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    #: A retired measure stays on old plan items but is not chosen for new ones.
    active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )

    programme = relationship("Programme", back_populates="measures", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return self.name or ""

    @classmethod
    def scope_clause(cls, scope):
        return true()


def _install_seed() -> None:
    from .seed import install_seed_events

    install_seed_events(Programme.__table__, ProgrammeMeasure.__table__)


_install_seed()
