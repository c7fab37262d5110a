"""Views of the case register.

* ``CaseView`` (resource ``Case``): the full register for case workers of the
  owning provider (the scope keeps them there) and the administrator. Every
  show of a case and every list page with names is written to the audit log
  (``view``); exports are logged by the export mixin.
  Its «Open a case» form is read field by field into ``services.NewCase``
  (:func:`new_case_from_form`) and opened by ``services.open_new_case``, the
  call ``POST /api/v1/case/open`` makes too.
* ``MyOverdueCaseView`` / ``DueSoonCaseView``: the same resource, restricted
  to the user's own active cases whose contact is overdue / due within 7 days.
* The deadline lists (assessment overdue, term ending, follow-up due): one
  :class:`Deadline` each, listed in full (``DeadlineCaseView``) and
  de-identified for the ministry (``DeadlineDeidentifiedView``).
* ``CaseDeidentifiedView`` (resource ``CaseDeidentified``): ministry staff and
  auditors; built on :class:`CaseSummary`, which has no path to personal data.
* Child views (beneficiary, household, needs, plan, contacts, referrals,
  reviews, transfers) are shown on the case page; they are scoped through
  the case and have no menu items.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from .. import fab_seam
from ..audit.services import record_event
from ..common.export import ExportMixin
from ..common.fields import EnumSelectField, UkDateField
from ..common.listing import BoundedCountInterface
from ..common.lookup import AjaxSelectField
from ..common.validators import Rnokpp, UkrainianPhone
from ..common.views import PortalModelView
from ..directory.views import EntryPickerField
from ..errors import UserError
from ..extensions import db
from ..security import roles
from ..security.scope import SCOPE_FILTER
from . import services
from .models import (
    AssessmentAct,
    Beneficiary,
    BeneficiaryCategory,
    Case,
    CaseExtension,
    CaseFollowUp,
    CaseProviderSetting,
    CaseSummary,
    CaseTransfer,
    ClosureReason,
    ConsentScope,
    Contact,
    ContactForm,
    HouseholdMember,
    MilitaryUnit,
    NeedsAssessment,
    PlanItem,
    Referral,
    Review,
    Sex,
)

CASE_LABELS = {
    "number": _l("Case number"),
    "programme": _l("Programme"),
    "provider": _l("Provider"),
    "provider.name": _l("Provider"),
    "centre": _l("Resilience centre"),
    "centre.name": _l("Resilience centre"),
    "assigned_worker": _l("Case worker"),
    "status": _l("Status"),
    "opened_on": _l("Opened on"),
    "assessment_on": _l("Assessment started on"),
    "plan_on": _l("Plan drawn up on"),
    "active_on": _l("Accompaniment started on"),
    "review_on": _l("Review started on"),
    "closed_on": _l("Closed on"),
    "reopened_on": _l("Reopened on"),
    "reopen_count": _l("Times reopened"),
    "closure_reason": _l("Closure reason"),
    "last_contact_on": _l("Last contact"),
    "next_contact_due": _l("Next contact due"),
    "contact_count": _l("Contacts"),
    "status_changed_on": _l("Status changed on"),
    "beneficiary": _l("Beneficiary"),
    "beneficiary.full_name": _l("Beneficiary"),
    "beneficiary.category": _l("Category"),
    "application_on": _l("Application date"),
    "intake_source": _l("Intake source"),
    "assessment_due_on": _l("Assessment due by"),
    "term_end_on": _l("Service term ends"),
    "extension_count": _l("Extensions"),
    "next_review_due": _l("Next review due"),
    "plan_version": _l("Plan version"),
    "plan_agreed_on": _l("Family agreed to the plan on"),
    "military_unit": _l("Military unit"),
    "military_unit_id": _l("Military unit"),
    "service_stage": _l("Service stage"),
    "handover_on": _l("Handed over on"),
    "handover_hromada": _l("Handed over to the community"),
    "handover_hromada_id": _l("Handed over to the community"),
    "last_meeting_on": _l("Last meeting"),
    "contract_number": _l("Contract with the recipient: number"),
    "contract_on": _l("Contract with the recipient: date"),
    "plan_approved_on": _l("Plan approved by the supervisor on"),
    "plan_approved_by": _l("Plan approved by"),
    "follow_up_due_on": _l("Follow-up due on"),
    "follow_up_done_on": _l("Follow-up made on"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}

PERSON_LABELS = {
    "case": _l("Case"),
    "full_name": _l("Full name"),
    "birth_date": _l("Date of birth"),
    "rnokpp": _l("RNOKPP (taxpayer number)"),
    "phone": _l("Phone"),
    "address": _l("Address"),
    "category": _l("Category"),
    "military_unit": _l("Military unit"),
    "relation": _l("Relation to the beneficiary"),
    "relation_code": _l("Relation"),
    "sex": _l("Sex"),
    "hromada": _l("Community of residence"),
    "consent_on": _l("Consent to data processing given on"),
    "consent_scope": _l("Scope of the consent"),
    "consent_document": _l("Consent document"),
    "receives_services": _l("Receives services"),
    "notes": _l("Notes"),
}

PERSON_VALIDATORS = {"rnokpp": [Optional(), Rnokpp()], "phone": [Optional(), UkrainianPhone()]}

#: Beneficiary fields of the "new case" form (prefixed, not columns of Case).
BENEFICIARY_FIELDS = {
    "b_full_name": StringField(
        _l("Beneficiary: full name"), validators=[DataRequired(), Length(max=200)]
    ),
    "b_birth_date": UkDateField(_l("Date of birth"), validators=[Optional()]),
    "b_rnokpp": StringField(
        _l("RNOKPP (taxpayer number)"),
        description=_l("Optional; 10 digits, the check digit is verified."),
        validators=[Optional(), Rnokpp()],
    ),
    "b_phone": StringField(_l("Phone"), validators=[Optional(), UkrainianPhone()]),
    "b_address": StringField(_l("Address"), validators=[Optional(), Length(max=300)]),
    "b_category": SelectField(
        _l("Category"), choices=BeneficiaryCategory.choices, validators=[DataRequired()]
    ),
    "b_sex": EnumSelectField(_l("Sex"), enum_class=Sex, validators=[Optional()]),
    "b_hromada": AjaxSelectField(
        _l("Community of residence"),
        lookup="case_hromada",
        description=_l("The reports count people by it."),
    ),
    "b_consent_on": UkDateField(_l("Consent to data processing given on"), validators=[Optional()]),
    "b_consent_scope": EnumSelectField(
        _l("Scope of the consent"), enum_class=ConsentScope, validators=[Optional()]
    ),
    "b_consent_document": StringField(
        _l("Consent document"),
        description=_l("Number or name of the signed consent."),
        validators=[Optional(), Length(max=200)],
    ),
    "b_military_unit": StringField(
        _l("Military unit"),
        description=_l("For servicemen only."),
        validators=[Optional(), Length(max=100)],
    ),
}


#: The case's own fields of the "new case" form (the beneficiary's follow).
CASE_ADD_FIELDS = [
    "programme",
    "provider",
    "centre",
    "assigned_worker",
    "opened_on",
    "application_on",
    "intake_source",
]


def _picked_id(field) -> int | None:
    """The key of the row a server-searched select field holds (None: none)."""
    return field.data.id if field.data is not None else None


def new_case_from_form(form) -> services.NewCase:
    """What a validated "new case" form asks for, field by field: the case's
    fields and the beneficiary's (``b_*``, not columns of Case)."""
    category = form.b_category.data
    return services.NewCase(
        programme=form.programme.data,
        provider_id=_picked_id(form.provider),
        centre_id=_picked_id(form.centre),
        assigned_worker_id=_picked_id(form.assigned_worker),
        opened_on=form.opened_on.data,
        application_on=form.application_on.data,
        intake_source=form.intake_source.data,
        beneficiary=services.NewBeneficiary(
            full_name=form.b_full_name.data,
            category=BeneficiaryCategory[category] if category else None,
            birth_date=form.b_birth_date.data,
            rnokpp=form.b_rnokpp.data,
            phone=form.b_phone.data,
            address=form.b_address.data,
            sex=form.b_sex.data,
            hromada_id=_picked_id(form.b_hromada),
            consent_on=form.b_consent_on.data,
            consent_scope=form.b_consent_scope.data,
            consent_document=form.b_consent_document.data,
            military_unit=form.b_military_unit.data,
        ),
    )


#: Case ids written into one export event (the query string is kept as well).
EXPORT_IDS_LOGGED = 50_000

ONLY_INTAKE_DELETED = services.ONLY_INTAKE_DELETED
WORKER_NOT_OF_PROVIDER = services.WORKER_NOT_OF_PROVIDER


def log_personal_view(case_id, what: str = "case") -> None:
    """Who looked at which case's personal data, when (readable by auditors)."""
    record_event("view", "Case", case_id, details={"what": what})


# --------------------------------------------------------------------------- filters
class MyOverdueFilter(BaseFilter):
    name = _l("My overdue contacts")
    arg_name = None

    def apply(self, query, value):
        today = services.kyiv_today()
        return query.filter(services.overdue_clause(today), Case.assigned_worker_id == g.user.id)


class MyDueSoonFilter(BaseFilter):
    name = _l("My contacts due within 7 days")
    arg_name = None

    def apply(self, query, value):
        today = services.kyiv_today()
        return query.filter(services.due_soon_clause(today), Case.assigned_worker_id == g.user.id)


# --------------------------------------------------------------------------- forms
class ExtendForm(FlaskForm):
    # Optional here: the command refuses an empty reason with the rule's message
    reason = TextAreaField(
        _l("Reason for the extension"), validators=[Optional(), Length(max=2000)]
    )


class AgreementForm(FlaskForm):
    agreed_on = UkDateField(
        _l("The family agreed to the plan on"),
        validators=[DataRequired()],
        default=services.kyiv_today,
    )


class ContractForm(FlaskForm):
    # Optional here: the command refuses a missing number or date with the rule's message
    contract_number = StringField(
        _l("Contract with the recipient: number"), validators=[Optional(), Length(max=50)]
    )
    contract_on = UkDateField(_l("Contract with the recipient: date"), validators=[Optional()])


class FollowUpForm(FlaskForm):
    follow_up_on = UkDateField(
        _l("Date of the follow-up"), validators=[DataRequired()], default=services.kyiv_today
    )
    form = EnumSelectField(_l("Form of contact"), enum_class=ContactForm, validators=[Optional()])
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=4000)])


class CloseForm(FlaskForm):
    reason = SelectField(
        _l("Closure reason"), choices=ClosureReason.choices, validators=[DataRequired()]
    )


class TransferForm(FlaskForm):
    to_provider = AjaxSelectField(
        _l("Receiving provider"), lookup="case_transfer_provider", validators=[InputRequired()]
    )
    reason = TextAreaField(_l("Reason for the transfer"), validators=[Optional(), Length(max=2000)])


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


# --------------------------------------------------------------------------- child base
class CaseChildView(PortalModelView):
    """A record of a case: scoped through the case, refused on closed cases,
    and its add form pre-selects the case when opened from the case page."""

    label_columns = PERSON_LABELS
    exclude_route_methods = {"download"}
    add_form_extra_fields = {
        "case": AjaxSelectField(_l("Case"), lookup="case", validators=[InputRequired()])
    }
    #: A show or an edit form of this resource reveals personal data.
    personal = True

    add_form_keeps_filtered_relations = True

    def before_add_page(self, form) -> None:
        """Opened from a case (``?case=<id>`` or the case filter): the case is chosen."""
        if request.method != "GET":
            return
        case_pk = request.args.get("case") or next(
            (v for k, v in request.args.items() if re.fullmatch(r"_flt_\d+_case", k)), None
        )
        if case_pk and "case" in form:
            form.case.process_formdata([case_pk])

    def parent_url(self, item):
        """The case's page, on this record's tab."""
        return url_for("CaseView.show", pk=item.case_id) + "#" + type(self).__name__

    def after_list_widgets(self, widgets: dict) -> dict:
        widgets = super().after_list_widgets(widgets)
        if self.personal:
            pks = list(getattr(widgets.get("list"), "template_args", {}).get("pks") or [])
            record_event(
                "view",
                type(self).datamodel.obj.__name__,
                None,
                details={"what": "list", "ids": pks},
            )
        return widgets

    def after_show_widgets(self, pk, widgets: dict) -> dict:
        widgets = super().after_show_widgets(pk, widgets)
        if self.personal:
            item = fab_seam.get_in_scope(self, pk)
            log_personal_view(item.case_id, type(item).__name__)
        return widgets

    def prefill_form(self, form, pk):
        # An edit form shows the stored personal data: that is a view too.
        if self.personal and request.method == "GET":
            item = fab_seam.get_in_scope(self, pk)
            if item is not None:
                log_personal_view(item.case_id, type(item).__name__)


class BeneficiaryView(CaseChildView):
    datamodel = BoundedCountInterface(Beneficiary)
    class_permission_name = "Beneficiary"
    exclude_route_methods = {"add", "delete", "download"}  # created and deleted with the case
    list_title = _l("Beneficiary")
    show_title = _l("Beneficiary")
    edit_title = _l("Edit beneficiary")
    list_columns = ["full_name", "birth_date", "category", "phone"]
    show_columns = [
        "case",
        "full_name",
        "birth_date",
        "sex",
        "rnokpp",
        "phone",
        "address",
        "hromada",
        "category",
        "military_unit",
        "consent_on",
        "consent_scope",
        "consent_document",
        "notes",
    ]
    edit_columns = [
        "full_name",
        "birth_date",
        "sex",
        "rnokpp",
        "phone",
        "address",
        "hromada",
        "category",
        "military_unit",
        "consent_on",
        "consent_scope",
        "consent_document",
        "notes",
    ]
    search_columns = ["category"]
    validators_columns = PERSON_VALIDATORS
    edit_form_extra_fields = {
        "hromada": AjaxSelectField(_l("Community of residence"), lookup="case_hromada")
    }

    def post_update(self, item):
        super().post_update(item)
        warn_duplicate(item)


def warn_duplicate(item) -> None:
    """The same РНОКПП has an open case at another provider: a warning that
    names neither the provider nor the case."""
    if getattr(item, "duplicate_elsewhere", False):
        flash(str(services.DUPLICATE_ELSEWHERE), "warning")


class HouseholdMemberView(CaseChildView):
    datamodel = BoundedCountInterface(HouseholdMember)
    class_permission_name = "HouseholdMember"
    list_title = _l("Household members")
    show_title = _l("Household member")
    add_title = _l("Add household member")
    edit_title = _l("Edit household member")
    list_columns = ["full_name", "relation_code", "birth_date", "category", "receives_services"]
    show_columns = [
        "case",
        "full_name",
        "relation_code",
        "relation",
        "birth_date",
        "sex",
        "rnokpp",
        "phone",
        "category",
        "receives_services",
        "notes",
    ]
    add_columns = [
        "case",
        "full_name",
        "relation_code",
        "relation",
        "birth_date",
        "sex",
        "rnokpp",
        "phone",
        "category",
        "receives_services",
        "notes",
    ]
    add_form_extra_fields = {
        **CaseChildView.add_form_extra_fields,
        "receives_services": BooleanField(PERSON_LABELS["receives_services"]),
    }
    edit_form_extra_fields = {"receives_services": add_form_extra_fields["receives_services"]}
    edit_columns = add_columns[1:]
    search_columns = ["category"]
    validators_columns = PERSON_VALIDATORS


class NeedsAssessmentView(CaseChildView):
    datamodel = BoundedCountInterface(NeedsAssessment)
    class_permission_name = "NeedsAssessment"
    label_columns = {
        **PERSON_LABELS,
        "domain": _l("Domain of need"),
        "priority": _l("Priority"),
        "description": _l("Description"),
        "assessed_on": _l("Assessed on"),
    }
    list_title = _l("Needs assessment")
    show_title = _l("Assessed need")
    add_title = _l("Add assessed need")
    edit_title = _l("Edit assessed need")
    list_columns = ["assessed_on", "domain", "priority"]
    show_columns = ["case", "domain", "priority", "assessed_on", "description"]
    add_columns = ["case", "domain", "priority", "assessed_on", "description"]
    edit_columns = add_columns[1:]
    search_columns = ["domain", "priority", "assessed_on"]
    base_order = ("assessed_on", "desc")


class AssessmentActView(CaseChildView):
    """Acts of needs assessment: repeated during the case (progress between acts)."""

    datamodel = BoundedCountInterface(AssessmentAct)
    class_permission_name = "AssessmentAct"
    label_columns = {
        **PERSON_LABELS,
        "assessed_on": _l("Assessed on"),
        "assessor": _l("Assessed by"),
        "participants": _l("Participants"),
        "summary": _l("Conclusions"),
    }
    list_title = _l("Assessment acts")
    show_title = _l("Assessment act")
    add_title = _l("Add assessment act")
    edit_title = _l("Edit assessment act")
    list_columns = ["assessed_on", "assessor"]
    show_columns = ["case", "assessed_on", "assessor", "participants", "summary"]
    add_columns = ["case", "assessed_on", "assessor", "participants", "summary"]
    edit_columns = add_columns[1:]
    search_columns = ["assessed_on"]
    base_order = ("assessed_on", "desc")
    description_columns = {
        "participants": _l("Who took part: the family members, partners."),
        "assessed_on": _l("Due within the programme's working days of the application."),
    }


class CaseExtensionView(CaseChildView):
    """Extensions of the service term (made with the «Extend the term» form)."""

    datamodel = BoundedCountInterface(CaseExtension)
    class_permission_name = "CaseExtension"
    base_permissions = ["can_read"]
    exclude_route_methods = {"add", "edit", "delete", "download"}
    label_columns = {
        **PERSON_LABELS,
        "extended_on": _l("Extended on"),
        "months": _l("Months added"),
        "term_end_before": _l("Term ended"),
        "term_end_after": _l("Term ends now"),
        "reason": _l("Reason"),
    }
    list_title = _l("Extensions of the term")
    show_title = _l("Extension of the term")
    list_columns = ["extended_on", "months", "term_end_after"]
    show_columns = ["case", "extended_on", "months", "term_end_before", "term_end_after", "reason"]
    search_columns = ["extended_on"]
    base_order = ("extended_on", "desc")


class CaseFollowUpView(CaseChildView):
    """Follow-up contacts after closure (recorded with the case's «follow-up» form)."""

    datamodel = BoundedCountInterface(CaseFollowUp)
    class_permission_name = "CaseFollowUp"
    base_permissions = ["can_read"]
    exclude_route_methods = {"add", "edit", "delete", "download"}
    label_columns = {
        **PERSON_LABELS,
        "follow_up_on": _l("Date of the follow-up"),
        "form": _l("Form of contact"),
        "outcome": _l("Outcome"),
    }
    list_title = _l("Follow-up after closure")
    show_title = _l("Follow-up after closure")
    list_columns = ["follow_up_on", "form", "outcome"]
    show_columns = ["case", "follow_up_on", "form", "outcome"]
    search_columns = ["follow_up_on"]
    base_order = ("follow_up_on", "desc")


class PlanItemView(CaseChildView):
    datamodel = BoundedCountInterface(PlanItem)
    class_permission_name = "PlanItem"
    label_columns = {
        **PERSON_LABELS,
        "measure": _l("Measure"),
        "responsible": _l("Responsible person"),
        "due_on": _l("Due date"),
        "status": _l("Status"),
        "done_on": _l("Done on"),
        "note": _l("Notes"),
        "goal": _l("Goal"),
        "expected_result": _l("Expected result"),
        "need": _l("Need it answers"),
        "partner": _l("Partner organisation"),
        "outcome": _l("Outcome"),
    }
    list_title = _l("Individual plan")
    show_title = _l("Plan item")
    add_title = _l("Add plan item")
    edit_title = _l("Edit plan item")
    list_columns = ["measure", "goal", "responsible", "due_on", "status"]
    show_columns = [
        "case",
        "measure",
        "need",
        "goal",
        "expected_result",
        "responsible",
        "partner",
        "due_on",
        "status",
        "done_on",
        "outcome",
        "note",
    ]
    add_columns = [
        "case",
        "measure",
        "need",
        "goal",
        "expected_result",
        "responsible",
        "partner",
        "due_on",
        "status",
        "note",
    ]
    edit_columns = [
        "measure",
        "need",
        "goal",
        "expected_result",
        "responsible",
        "partner",
        "due_on",
        "status",
        "done_on",
        "outcome",
        "note",
    ]
    search_columns = ["status", "due_on"]
    base_order = ("due_on", "asc")
    formatters_columns = {"measure": lambda code: measure_label(code)}
    add_form_extra_fields: dict[str, Any] = {
        **CaseChildView.add_form_extra_fields,
        "measure": None,  # set below (MeasureField)
        "need": AjaxSelectField(_l("Need it answers"), lookup="case_need"),
    }


def measure_label(code) -> str:
    """A measure code's name in the programmes' catalogues (one query a request)."""
    names = getattr(g, "_portal_measure_names", None)
    if names is None:
        from ..programmes.services import measure_names

        names = {c: n for (_p, c), n in sorted(measure_names(db.session).items())}
        g._portal_measure_names = names
    return names.get(str(code or ""), str(code or ""))


class MeasureField(SelectField):
    """The programmes' active measures, grouped by programme (the command
    refuses one outside the case's programme)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [DataRequired()], choices=[], **kwargs)

    def _groups(self):
        from ..programmes.models import Programme, ProgrammeMeasure

        rows = db.session.execute(
            select(Programme.name, ProgrammeMeasure.code, ProgrammeMeasure.name)
            .join(Programme, Programme.code == ProgrammeMeasure.programme_code)
            .where(ProgrammeMeasure.active.is_(True), Programme.active.is_(True))
            .order_by(Programme.id, ProgrammeMeasure.id)
        ).all()
        groups: dict[str, list] = {}
        for programme, code, name in rows:
            groups.setdefault(programme, []).append((code, name))
        return groups

    def has_groups(self):
        return True

    def iter_groups(self):
        current = getattr(self.data, "name", self.data)
        for programme, items in self._groups().items():
            yield (programme, [(code, name, code == current, {}) for code, name in items])

    def iter_choices(self):
        for _group, items in self.iter_groups():
            yield from items

    def pre_validate(self, form):
        # a measure of some catalogue; the case's programme's is the command's rule
        if self.data and not any(
            self.data == code for _g, items in self.iter_groups() for code, *_rest in items
        ):
            from wtforms.validators import ValidationError

            raise ValidationError(self.gettext("Not a valid choice."))


PlanItemView.add_form_extra_fields["measure"] = MeasureField(_l("Measure"))
PlanItemView.edit_form_extra_fields = {
    "measure": PlanItemView.add_form_extra_fields["measure"],
    "need": PlanItemView.add_form_extra_fields["need"],
}


class ContactView(CaseChildView):
    datamodel = BoundedCountInterface(Contact)
    class_permission_name = "Contact"
    label_columns = {
        **PERSON_LABELS,
        "contact_on": _l("Date"),
        "form": _l("Form of contact"),
        "summary": _l("Summary"),
    }
    list_title = _l("Contacts and meetings")
    show_title = _l("Contact")
    add_title = _l("Add contact")
    edit_title = _l("Edit contact")
    list_columns = ["contact_on", "form"]
    show_columns = ["case", "contact_on", "form", "summary"]
    add_columns = ["case", "contact_on", "form", "summary"]
    edit_columns = add_columns[1:]
    search_columns = ["contact_on", "form"]
    base_order = ("contact_on", "desc")


class ReferralView(CaseChildView):
    datamodel = BoundedCountInterface(Referral)
    class_permission_name = "Referral"
    label_columns = {
        **PERSON_LABELS,
        "service": _l("Service"),
        "organisation": _l("Organisation"),
        "referred_on": _l("Referred on"),
        "status": _l("Status"),
        "note": _l("Notes"),
        # the service directory (app.directory): the pick and its outcome
        "entry": _l("Service from the directory"),
        "entry.title": _l("Service from the directory"),
        "outcome": _l("Outcome"),
        "outcome_on": _l("Outcome on"),
    }
    list_title = _l("Referrals")
    show_title = _l("Referral")
    add_title = _l("Add referral")
    edit_title = _l("Edit referral")
    list_columns = ["service", "entry.title", "organisation", "referred_on", "status", "outcome"]
    show_columns = [
        "case",
        "service",
        "entry",
        "organisation",
        "referred_on",
        "status",
        "outcome",
        "outcome_on",
        "note",
    ]
    add_columns = [
        "case",
        "entry",
        "service",
        "organisation",
        "referred_on",
        "status",
        "outcome",
        "outcome_on",
        "note",
    ]
    edit_columns = add_columns[1:]
    add_form_extra_fields = {
        **CaseChildView.add_form_extra_fields,
        "entry": EntryPickerField(
            _l("Service from the directory"),
            lookup="directory_entry",
            description=_l("Services offered in the beneficiary's community for their category."),
        ),
    }
    edit_form_extra_fields = {"entry": add_form_extra_fields["entry"]}
    search_columns = ["service", "status", "outcome", "referred_on"]
    base_order = ("referred_on", "desc")


class ReviewView(CaseChildView):
    datamodel = BoundedCountInterface(Review)
    class_permission_name = "Review"
    label_columns = {
        **PERSON_LABELS,
        "reviewed_on": _l("Reviewed on"),
        "progress": _l("Progress"),
        "decision": _l("Decision"),
        "summary": _l("Summary"),
    }
    list_title = _l("Reviews")
    show_title = _l("Review")
    add_title = _l("Add review")
    edit_title = _l("Edit review")
    list_columns = ["reviewed_on", "progress", "decision"]
    show_columns = ["case", "reviewed_on", "progress", "decision", "summary"]
    add_columns = ["case", "reviewed_on", "progress", "decision", "summary"]
    edit_columns = add_columns[1:]
    search_columns = ["reviewed_on", "progress", "decision"]
    base_order = ("reviewed_on", "desc")


# --------------------------------------------------------------------------- transfers
TRANSFER_LABELS = {
    "case": _l("Case"),
    "case.number": _l("Case number"),
    "from_provider": _l("From provider"),
    "to_provider": _l("To provider"),
    "status": _l("Status"),
    "reason": _l("Reason"),
    "requested_on": _l("Requested on"),
    "decided_on": _l("Decided on"),
    "decision_note": _l("Comment"),
}


class CaseTransferView(PortalModelView):
    """Transfers sent by or addressed to the user's provider (numbers only)."""

    datamodel = BoundedCountInterface(CaseTransfer)
    class_permission_name = "CaseTransfer"
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        "accept": "write",
        "reject": "write",
        "cancel": "write",
    }
    exclude_route_methods = {"add", "edit", "delete", "download"}  # via services only
    list_title = _l("Case transfers")
    show_title = _l("Case transfer")
    label_columns = TRANSFER_LABELS
    list_columns = ["case.number", "from_provider", "to_provider", "status", "requested_on"]
    show_columns = [
        "case",
        "from_provider",
        "to_provider",
        "status",
        "reason",
        "requested_on",
        "decided_on",
        "decision_note",
    ]
    search_columns = ["status", "requested_on"]
    base_order = ("requested_on", "desc")

    def _decide(self, items, fn, message):
        items = items if isinstance(items, list) else [items]
        session = self.datamodel.session
        for item in items:
            fn(session, item, g.user)
        session.commit()
        flash(str(message), "success")
        return redirect(self.get_redirect())

    @action(
        "accept",
        _l("Accept the case"),
        _l("Take this case over? Your provider becomes responsible for it."),
        "fa-check",
    )
    def accept(self, items):
        return self._decide(items, services.accept_transfer, _l("The case has been taken over."))

    @action("reject", _l("Reject the transfer"), _l("Reject this transfer?"), "fa-times")
    def reject(self, items):
        return self._decide(items, services.reject_transfer, _l("The transfer was rejected."))

    @action("cancel", _l("Withdraw the transfer"), _l("Withdraw this transfer request?"), "fa-undo")
    def cancel(self, items):
        return self._decide(items, services.cancel_transfer, _l("The transfer was withdrawn."))


# --------------------------------------------------------------------------- cases
class CaseView(ExportMixin, PortalModelView):
    datamodel = BoundedCountInterface(Case)
    class_permission_name = "Case"
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        **{name: "write" for name in services.TRANSITIONS},
        "close_form": "write",
        "transfer_form": "write",
        "extend_form": "write",
        "agreement_form": "write",
        "contract_form": "write",
        "plan_approval": "write",
        "follow_up_form": "write",
    }
    list_title = _l("Case register")
    show_title = _l("Case")
    add_title = _l("Open a case")
    edit_title = _l("Edit case")
    label_columns = CASE_LABELS
    list_columns = [
        "number",
        "beneficiary.full_name",
        "programme",
        "status",
        "assigned_worker",
        "opened_on",
        "next_contact_due",
    ]
    add_columns = [*CASE_ADD_FIELDS, *BENEFICIARY_FIELDS]
    edit_columns = [
        "centre",
        "assigned_worker",
        "application_on",
        "intake_source",
        "contract_number",
        "contract_on",
        "military_unit",
        "service_stage",
        "handover_on",
        "handover_hromada",
    ]
    show_fieldsets = [
        (
            _l("Case"),
            {
                "fields": [
                    "number",
                    "programme",
                    "status",
                    "closure_reason",
                    "provider",
                    "centre",
                    "assigned_worker",
                ]
            },
        ),
        (
            _l("Intake and legal basis"),
            {
                "fields": [
                    "application_on",
                    "intake_source",
                    "assessment_due_on",
                    "contract_number",
                    "contract_on",
                ]
            },
        ),
        (
            _l("Term and plan"),
            {
                "fields": [
                    "term_end_on",
                    "extension_count",
                    "next_review_due",
                    "plan_version",
                    "plan_agreed_on",
                    "plan_approved_on",
                    "plan_approved_by",
                ]
            },
        ),
        (_l("Follow-up after closure"), {"fields": ["follow_up_due_on", "follow_up_done_on"]}),
        (
            _l("Meetings"),
            {"fields": ["last_meeting_on", "next_contact_due", "last_contact_on", "contact_count"]},
        ),
        (
            _l("Servicemen programme"),
            {"fields": ["military_unit", "service_stage", "handover_on", "handover_hromada"]},
        ),
        (
            _l("Dates of the stages"),
            {
                "fields": [
                    "opened_on",
                    "assessment_on",
                    "plan_on",
                    "active_on",
                    "review_on",
                    "closed_on",
                    "reopened_on",
                    "reopen_count",
                ]
            },
        ),
    ]
    search_columns = [
        "number",
        "programme",
        "status",
        "provider",
        "opened_on",
        "next_contact_due",
        "closed_on",
    ]
    search_form_extra_fields = {
        "provider": AjaxSelectField(_l("Provider"), lookup="case_filter_provider"),
    }

    def quick_search_clauses(self, text):
        """The case number; and the person's name, РНОКПП or phone for the roles
        that may see personal data (a search is as personal as the value found)."""
        from ..security.pii import may_see_personal

        conditions = super().quick_search_clauses(text)
        if may_see_personal(Beneficiary):
            from ..common.finder import contains

            digits = "".join(ch for ch in text if ch.isdigit())
            person = contains(Beneficiary.full_name, text)
            if len(digits) >= 5:
                person = person | contains(Beneficiary.phone, digits[-9:])
            if len(digits) == 10:
                person = person | (Beneficiary.rnokpp == digits)
            conditions.append(Case.beneficiary.has(person))
        return conditions

    order_columns = ["number", "programme", "status", "opened_on", "next_contact_due"]
    base_order = ("opened_on", "desc")
    export_columns = [
        "number",
        "beneficiary.full_name",
        "beneficiary.category",
        "programme",
        "status",
        "provider.name",
        "centre.name",
        "assigned_worker",
        "opened_on",
        "last_contact_on",
        "next_contact_due",
        "closed_on",
        "closure_reason",
    ]
    formatters_columns = {
        "closure_reason": lambda v: v or "",
        "centre": lambda v: v or "",
        "assigned_worker": lambda v: v or "",
        "military_unit": lambda v: v or "—",
        "plan_approved_by": lambda v: v or "—",
        "handover_hromada": lambda v: v or "—",
    }
    add_form_extra_fields = {
        "opened_on": UkDateField(
            _l("Opened on"), validators=[DataRequired()], default=services.kyiv_today
        ),
        "provider": AjaxSelectField(
            _l("Provider"),
            lookup="case_provider",
            description=_l("Case workers always open cases of their own provider."),
        ),
        "centre": AjaxSelectField(_l("Resilience centre"), lookup="case_centre"),
        "assigned_worker": AjaxSelectField(_l("Case worker"), lookup="case_worker"),
        **BENEFICIARY_FIELDS,
    }
    edit_form_extra_fields = {
        "centre": AjaxSelectField(_l("Resilience centre"), lookup="case_centre"),
        "assigned_worker": AjaxSelectField(_l("Case worker"), lookup="case_worker"),
        "military_unit": AjaxSelectField(
            _l("Military unit"),
            lookup="case_military_unit",
            description=_l("Servicemen programme: a unit your provider's team serves."),
        ),
        "handover_hromada": AjaxSelectField(
            _l("Handed over to the community"),
            lookup="case_hromada",
            description=_l(
                "At discharge: the community whose "
                "specialist for veterans' support "
                "takes the person over."
            ),
        ),
    }
    exclude_route_methods = {"download"}
    related_views = [
        BeneficiaryView,
        HouseholdMemberView,
        AssessmentActView,
        NeedsAssessmentView,
        PlanItemView,
        ContactView,
        ReferralView,
        ReviewView,
        CaseExtensionView,
        CaseFollowUpView,
        CaseTransferView,
    ]
    show_template = "cases/show.html"

    # --- audit of personal-data views -------------------------------------------
    def after_list_widgets(self, widgets: dict) -> dict:
        widgets = super().after_list_widgets(widgets)
        pks = list(getattr(widgets.get("list"), "template_args", {}).get("pks") or [])
        record_event(
            "view",
            "Case",
            None,
            details={"what": "list", "case_ids": pks, "query": request.query_string.decode()[:300]},
        )
        return widgets

    def _export_csv(self):
        response = super()._export_csv()
        response.headers["Cache-Control"] = "no-store"  # personal data: never cached
        return response

    def _export_xlsx(self):
        response = super()._export_xlsx()
        response.headers["Cache-Control"] = "no-store"
        return response

    def record_export(self, fmt: str) -> None:
        """Before any byte is sent: who exports which cases (ids), with which filters."""
        from flask_appbuilder.urltools import get_filter_args

        from ..common.export import MAX_ROWS

        shared = fab_seam.search_filters(self)
        get_filter_args(shared)
        filters = shared.get_joined_filters(fab_seam.base_filters(self))
        query = filters.apply_all(self.datamodel.session.query(Case.id)).limit(MAX_ROWS)
        ids = [row[0] for row in query]
        record_event(
            "export",
            self.class_permission_name,
            None,
            details={
                "format": fmt,
                "rows": len(ids),
                "case_ids": ids[:EXPORT_IDS_LOGGED],
                "truncated": len(ids) > EXPORT_IDS_LOGGED,
                "query": request.query_string.decode()[:500],
            },
        )

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The case page, built from the case it loads (once, through the scope)."""
        item = self.scoped_get(pk)
        widgets = fab_seam.record_page_widgets(self, item)
        log_personal_view(item.id)
        return self.render_template(
            self.show_template,
            pk=item.id,
            title=self.show_title,
            widgets=widgets,
            related_views=fab_seam.related_views(self),
            **self.case_page_context(item),
        )

    def case_page_context(self, item) -> dict:
        """What the case page shows beside FAB's widgets: the stage buttons the
        case allows, its warnings and the needs' progress."""
        return {
            "case_transitions": services.allowed_transitions(item),
            "transition_labels": services.TRANSITION_LABELS,
            "case_item": item,
            "can_work_on_case": services.works_for(g.user, item.provider_id),
            "case_warnings": services.case_warnings(item),
            "needs_progress": services.needs_progress(self.datamodel.session, item.id),
        }

    def prefill_form(self, form, pk):
        # the edit page lists the case's records (beneficiary included)
        if request.method == "GET":
            log_personal_view(pk, "edit")

    def render_template(self, template, **kwargs):
        kwargs.setdefault("modelview_name", self.__class__.__name__)
        return super().render_template(template, **kwargs)

    # --- saving -------------------------------------------------------------------
    def add_from_form(self, form):
        """«Open a case»: the form read explicitly (:func:`new_case_from_form`)
        and opened by the one service call ``POST /api/v1/case/open`` makes too
        (the number, the rules, the case's commands)."""
        return services.open_new_case(self.datamodel.session, new_case_from_form(form), g.user)

    def post_add(self, item):
        super().post_add(item)
        warn_duplicate(item)

    # --- lifecycle ----------------------------------------------------------------
    def _transition(self, items, name):
        items = items if isinstance(items, list) else [items]
        session = self.datamodel.session
        for item in items:
            services.transition(session, item, name, g.user)
        session.commit()
        flash(_("Status changed: %(count)d case(s).", count=len(items)), "success")
        return redirect(self.get_redirect())

    @action("start_assessment", _l("Start needs assessment"), None, "fa-search", single=False)
    def start_assessment(self, items):
        return self._transition(items, "start_assessment")

    @action("approve_plan", _l("Draw up the plan"), None, "fa-list-ol", single=False)
    def approve_plan(self, items):
        return self._transition(items, "approve_plan")

    @action("activate", _l("Start accompaniment"), None, "fa-play", single=False)
    def activate(self, items):
        return self._transition(items, "activate")

    @action("start_review", _l("Start review"), None, "fa-balance-scale", single=False)
    def start_review(self, items):
        return self._transition(items, "start_review")

    @action("resume", _l("Continue accompaniment"), None, "fa-play-circle", single=False)
    def resume(self, items):
        return self._transition(items, "resume")

    @action("revise_plan", _l("Revise the plan"), None, "fa-pencil", single=False)
    def revise_plan(self, items):
        return self._transition(items, "revise_plan")

    @action(
        "reopen", _l("Reopen the case"), _l("Reopen the selected cases?"), "fa-undo", single=False
    )
    def reopen(self, items):
        return self._transition(items, "reopen")

    @expose("/close/<int:pk>", methods=["GET", "POST"])
    @has_access
    def close_form(self, pk):
        item = self.scoped_get(pk)
        form = CloseForm()
        if request.method == "POST" and form.validate_on_submit():
            try:
                services.transition(
                    self.datamodel.session,
                    item,
                    "close",
                    g.user,
                    reason=ClosureReason[form.reason.data],
                )
                self.datamodel.session.commit()
            except UserError as exc:
                self.datamodel.session.rollback()
                flash(str(exc), "danger")
            else:
                flash(_("The case has been closed."), "success")
                return redirect(url_for(".show", pk=pk))
        return self.render_template(
            "cases/form.html",
            form=form,
            item=item,
            title=_("Close case %(number)s", number=item.number),
        )

    def _case_form(self, pk, form, apply, done, title):
        """A form page of one case command (close, extend, agreement)."""
        item = self.scoped_get(pk)
        if request.method == "POST" and form.validate_on_submit():
            try:
                apply(item, form)
                self.datamodel.session.commit()
            except UserError as exc:
                self.datamodel.session.rollback()
                flash(str(exc), "danger")
            else:
                flash(str(done), "success")
                return redirect(url_for(".show", pk=pk))
        return self.render_template(
            "cases/form.html", form=form, item=item, title=title % {"number": item.number}
        )

    @expose("/extend/<int:pk>", methods=["GET", "POST"])
    @has_access
    def extend_form(self, pk):
        return self._case_form(
            pk,
            ExtendForm(),
            lambda item, form: services.extend_term(
                self.datamodel.session, item, g.user, form.reason.data
            ),
            _l("The service term has been extended."),
            _l("Extend the term of case %(number)s"),
        )

    @expose("/agreement/<int:pk>", methods=["GET", "POST"])
    @has_access
    def agreement_form(self, pk):
        return self._case_form(
            pk,
            AgreementForm(),
            lambda item, form: services.record_agreement(
                self.datamodel.session, item, g.user, form.agreed_on.data
            ),
            _l("The family's agreement to the plan has been recorded."),
            _l("Agreement to the plan of case %(number)s"),
        )

    @expose("/contract/<int:pk>", methods=["GET", "POST"])
    @has_access
    def contract_form(self, pk):
        item = self.scoped_get(pk)
        form = ContractForm(obj=item) if request.method == "GET" else ContractForm()
        return self._case_form(
            pk,
            form,
            lambda item, form: services.record_contract(
                self.datamodel.session,
                item,
                g.user,
                form.contract_number.data,
                form.contract_on.data,
            ),
            _l("The contract with the recipient has been recorded."),
            _l("Contract with the recipient of case %(number)s"),
        )

    @expose("/plan-approval/<int:pk>", methods=["POST"])
    @has_access
    def plan_approval(self, pk):
        item = self.scoped_get(pk)
        try:
            services.approve_plan_version(self.datamodel.session, item, g.user)
            self.datamodel.session.commit()
        except UserError as exc:
            self.datamodel.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(_("The plan has been approved."), "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/follow-up/<int:pk>", methods=["GET", "POST"])
    @has_access
    def follow_up_form(self, pk):
        return self._case_form(
            pk,
            FollowUpForm(),
            lambda item, form: services.record_follow_up(
                self.datamodel.session,
                item,
                g.user,
                form.follow_up_on.data,
                form.form.data,
                form.outcome.data,
            ),
            _l("The follow-up contact has been recorded."),
            _l("Follow-up after closure of case %(number)s"),
        )

    @expose("/transfer/<int:pk>", methods=["GET", "POST"])
    @has_access
    def transfer_form(self, pk):
        item = self.scoped_get(pk)
        form = TransferForm()
        if request.method == "POST" and form.validate_on_submit():
            try:
                services.request_transfer(
                    self.datamodel.session,
                    item,
                    form.to_provider.data,
                    g.user,
                    reason=form.reason.data or None,
                )
                self.datamodel.session.commit()
            except UserError as exc:
                self.datamodel.session.rollback()
                flash(str(exc), "danger")
            else:
                flash(_("Transfer requested; the receiving provider will decide."), "success")
                return redirect(url_for(".show", pk=pk))
        return self.render_template(
            "cases/form.html",
            form=form,
            item=item,
            title=_("Transfer case %(number)s", number=item.number),
        )


# --------------------------------------------------------------------------- case lists
class CaseListView(CaseView):
    """The case register narrowed by one filter (set ``base_filters``): its
    list, the case pages and the export, without the related lists."""

    include_route_methods = {"list", "show", "export"}
    related_views: list[type[PortalModelView]] = []


class MyOverdueCaseView(CaseListView):
    route_base = "/cases/overdue"
    list_title = _l("My cases with an overdue contact")
    base_filters = [SCOPE_FILTER, ["id", MyOverdueFilter, None]]
    base_order = ("next_contact_due", "asc")


class DueSoonCaseView(CaseListView):
    route_base = "/cases/due-soon"
    list_title = _l("My cases with a contact due within 7 days")
    base_filters = [SCOPE_FILTER, ["id", MyDueSoonFilter, None]]
    base_order = ("next_contact_due", "asc")


@dataclass(frozen=True)
class Deadline:
    """One deadline of the case register, listed twice: in full for case
    workers (``/cases/<slug>``) and de-identified for the ministry
    (``/cases/deidentified/<slug>``); the home page's cards link to them."""

    slug: str
    #: ``clause(today, model=Case or CaseSummary)``: the cases past or near it.
    clause: Callable[..., Any]
    filter_name: Any
    title: Any
    deidentified_title: Any
    #: The deadline's own columns, after the number, (the beneficiary,) the
    #: programme, (the status,) and the case worker or the provider.
    columns: tuple[str, ...]
    order_by: str
    #: Closed cases have no status worth a column.
    with_status: bool = True

    def list_columns(self, deidentified: bool) -> list[str]:
        status = ["status"] if self.with_status else []
        if deidentified:
            return ["number", "programme", *status, "provider.name", *self.columns]
        return [
            "number",
            "beneficiary.full_name",
            "programme",
            *status,
            "assigned_worker",
            *self.columns,
        ]


ASSESSMENT_OVERDUE = Deadline(
    slug="assessment-overdue",
    clause=services.assessment_overdue_clause,
    filter_name=_l("Assessment overdue"),
    title=_l("Cases whose needs assessment is overdue"),
    deidentified_title=_l("Cases whose needs assessment is overdue (de-identified)"),
    columns=("application_on", "assessment_due_on"),
    order_by="assessment_due_on",
)
TERM_ENDING = Deadline(
    slug="term-ending",
    clause=services.term_ending_clause,
    filter_name=_l("Service term ending"),
    title=_l("Cases whose service term ends within 14 days or has ended"),
    deidentified_title=_l(
        "Cases whose service term ends within 14 days or has ended (de-identified)"
    ),
    columns=("term_end_on", "extension_count"),
    order_by="term_end_on",
)
FOLLOW_UP_DUE = Deadline(
    slug="follow-up-due",
    clause=services.follow_up_due_clause,
    filter_name=_l("Follow-up due"),
    title=_l("Follow-up after closure"),
    deidentified_title=_l("Follow-up after closure (de-identified)"),
    columns=("closed_on", "closure_reason", "follow_up_due_on"),
    order_by="follow_up_due_on",
    with_status=False,
)


class DeadlineFilter(BaseFilter):
    """The cases of one deadline on today's date in Kyiv:
    ``class F(DeadlineFilter, deadline=...)`` (over ``Case``; the de-identified
    lists use a subclass over ``CaseSummary``)."""

    arg_name = None
    deadline: Deadline
    model: type = Case

    def __init_subclass__(cls, deadline: Deadline | None = None, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if deadline is not None:
            cls.deadline, cls.name = deadline, deadline.filter_name

    def apply(self, query, value):
        return query.filter(self.deadline.clause(services.kyiv_today(), model=self.model))


class AssessmentOverdueFilter(DeadlineFilter, deadline=ASSESSMENT_OVERDUE): ...


class TermEndingFilter(DeadlineFilter, deadline=TERM_ENDING): ...


class FollowUpDueFilter(DeadlineFilter, deadline=FOLLOW_UP_DUE): ...


class DeadlineCaseView(CaseListView):
    """The full list of one deadline, for case workers:
    ``class V(DeadlineCaseView, case_filter=<a DeadlineFilter>)``."""

    def __init_subclass__(cls, case_filter: type[DeadlineFilter] | None = None, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if case_filter is not None:
            deadline = case_filter.deadline
            cls.route_base = f"/cases/{deadline.slug}"
            cls.list_title = deadline.title
            cls.list_columns = deadline.list_columns(deidentified=False)
            cls.base_filters = [SCOPE_FILTER, ["id", case_filter, None]]
            cls.base_order = (deadline.order_by, "asc")


class AssessmentOverdueCaseView(DeadlineCaseView, case_filter=AssessmentOverdueFilter): ...


class TermEndingCaseView(DeadlineCaseView, case_filter=TermEndingFilter): ...


class FollowUpDueCaseView(DeadlineCaseView, case_filter=FollowUpDueFilter): ...


# --------------------------------------------------------------------------- de-identified
DEIDENTIFIED_COLUMNS = [
    "number",
    "programme",
    "status",
    "provider.name",
    "centre.name",
    "opened_on",
    "closed_on",
    "closure_reason",
    "contact_count",
    "last_contact_on",
    "next_contact_due",
]


class CaseDeidentifiedView(ExportMixin, PortalModelView):
    """Cases without personal data, for ministry staff and auditors."""

    datamodel = BoundedCountInterface(CaseSummary)
    class_permission_name = "CaseDeidentified"
    exclude_route_methods = {"add", "edit", "delete", "action", "action_post", "download"}
    list_title = _l("Case register (de-identified)")
    show_title = _l("Case (de-identified)")
    label_columns = CASE_LABELS
    list_columns = [
        "number",
        "programme",
        "status",
        "provider.name",
        "centre.name",
        "opened_on",
        "closed_on",
    ]
    show_columns = DEIDENTIFIED_COLUMNS + [
        "assessment_on",
        "plan_on",
        "active_on",
        "review_on",
        "reopened_on",
        "reopen_count",
    ]
    export_columns = DEIDENTIFIED_COLUMNS
    search_columns = ["number", "programme", "status", "opened_on", "closed_on"]
    order_columns = ["number", "programme", "status", "opened_on", "closed_on"]
    base_order = ("opened_on", "desc")


class DeadlineDeidentifiedView(CaseDeidentifiedView):
    """The de-identified list of one deadline (the ministry's home-page cards):
    ``class V(DeadlineDeidentifiedView, case_filter=<the full list's filter>)``."""

    include_route_methods = {"list", "show", "export"}
    related_views: list[type[PortalModelView]] = []

    def __init_subclass__(cls, case_filter: type[DeadlineFilter] | None = None, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if case_filter is not None:
            deadline = case_filter.deadline
            summary_filter = type(
                f"{case_filter.__name__}OnSummary",
                (case_filter,),
                {"model": CaseSummary, "__module__": __name__},
            )
            cls.route_base = f"/cases/deidentified/{deadline.slug}"
            cls.list_title = deadline.deidentified_title
            cls.list_columns = deadline.list_columns(deidentified=True)
            cls.base_filters = [SCOPE_FILTER, ["id", summary_filter, None]]
            cls.base_order = (deadline.order_by, "asc")


class AssessmentOverdueDeidentifiedView(
    DeadlineDeidentifiedView, case_filter=AssessmentOverdueFilter
): ...


class TermEndingDeidentifiedView(DeadlineDeidentifiedView, case_filter=TermEndingFilter): ...


class FollowUpDueDeidentifiedView(DeadlineDeidentifiedView, case_filter=FollowUpDueFilter): ...


# --------------------------------------------------------------------------- military units
UNIT_LABELS = {
    "number": _l("Unit number"),
    "name": _l("Name"),
    "pilot_entry_on": _l("Joined the pilot on"),
    "provider": _l("Provider whose team serves it"),
    "provider.name": _l("Provider whose team serves it"),
    "provider_id": _l("Provider whose team serves it"),
    "active": _l("Active"),
}


class MilitaryUnitView(PortalModelView):
    """The military units of the servicemen pilot (kept by ministry staff)."""

    datamodel = BoundedCountInterface(MilitaryUnit)
    class_permission_name = "MilitaryUnit"
    route_base = "/cases/military-units"
    list_title = _l("Military units of the pilot")
    show_title = _l("Military unit")
    add_title = _l("Add a military unit")
    edit_title = _l("Edit a military unit")
    label_columns = UNIT_LABELS
    list_columns = ["number", "name", "pilot_entry_on", "provider.name", "active"]
    add_columns = ["number", "name", "pilot_entry_on", "provider", "active"]
    edit_columns = add_columns
    show_columns = add_columns
    search_columns = ["number", "name", "pilot_entry_on", "active"]
    order_columns = ["number", "pilot_entry_on"]
    base_order = ("number", "asc")
    add_form_extra_fields = edit_form_extra_fields = {
        "provider": AjaxSelectField(_l("Provider whose team serves it"), lookup="case_provider"),
        "active": BooleanField(_l("Active"), default=True),
    }


# --------------------------------------------------------------------------- provider settings
class CaseProviderSettingView(PortalModelView):
    """A provider's case settings: whether agreed plans need a supervisor's approval."""

    datamodel = BoundedCountInterface(CaseProviderSetting)
    class_permission_name = "CaseProviderSetting"
    route_base = "/cases/provider-settings"
    exclude_route_methods = {"download", "delete"}
    list_title = _l("Supervisor approval of plans")
    show_title = _l("Provider's case settings")
    add_title = _l("Add a provider's case settings")
    edit_title = _l("Edit a provider's case settings")
    label_columns = {
        "provider": _l("Provider"),
        "provider.name": _l("Provider"),
        "plan_approval_required": _l("Agreed plans need a supervisor's approval"),
    }
    list_columns = ["provider.name", "plan_approval_required"]
    add_columns = ["provider", "plan_approval_required"]
    edit_columns = ["plan_approval_required"]
    show_columns = add_columns
    search_columns = ["plan_approval_required"]
    description_columns = {
        "plan_approval_required": _l(
            "Accompaniment starts only after a colleague other than the plan's author approves "
            "the plan the family agreed to."
        )
    }
    add_form_extra_fields = {
        "provider": AjaxSelectField(
            _l("Provider"), lookup="case_setting_provider", validators=[InputRequired()]
        ),
        "plan_approval_required": BooleanField(
            _l("Agreed plans need a supervisor's approval"), default=True
        ),
    }
    edit_form_extra_fields = {
        "plan_approval_required": add_form_extra_fields["plan_approval_required"]
    }


# --------------------------------------------------------------------------- monthly figures
class CaseReportView(BaseView):
    """De-identified monthly figures (counts only), each reader in their scope;
    the same figures as an XLSX file made by a background job (``xlsx``)."""

    route_base = "/cases/report"
    default_view = "month"
    class_permission_name = "CaseReport"
    # The file holds the page's figures: reading the report is what it takes.
    method_permission_name = {"month": "read", "xlsx": "read"}

    @expose("/")
    @has_access
    def month(self):
        from ..security.scope import current_scope
        from . import reports

        year, month = reports.parse_month(request.args.get("month"), services.kyiv_today())
        by = "hromada" if request.args.get("by") == "hromada" else "oblast"
        figures = reports.monthly_figures(db.session, year, month, current_scope(), by=by)
        return self.render_template(
            "cases/report.html",
            title=_("Cases: monthly figures"),
            figures=figures,
            table=reports.report_table(db.session, figures),
            describing=reports.DESCRIBING_COLUMNS,
            month_value=f"{year:04d}-{month:02d}",
            by=by,
        )

    @expose("/xlsx", methods=["POST"])
    @has_access
    def xlsx(self):
        """The page's «Generate an XLSX file»: the job starts, the user lands on its page."""
        from ..jobs import services as jobs
        from . import report_file, reports

        year, month = reports.parse_month(request.form.get("month"), services.kyiv_today())
        by = "hromada" if request.form.get("by") == "hromada" else "oblast"
        try:
            job = report_file.submit_report_file(year, month, by)
        except jobs.TooManyJobs as exc:
            flash(str(exc), "warning")
            return redirect(url_for("JobView.list"))
        except UserError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("CaseReportView.month", month=f"{year:04d}-{month:02d}", by=by))
        return redirect(url_for("JobView.show", pk=job.id))
