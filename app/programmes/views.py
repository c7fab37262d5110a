"""Programme reference: ministry staff edit the rules and catalogues; every
other portal role reads them (web and REST; the rules in ``services``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectMultipleField, widgets

from ..common.listing import BoundedCountInterface, PortalInterface
from ..common.views import PortalModelView, PortalRestApi
from . import permissions
from .models import FORMS_SEPARATOR, ContactForm, Programme, ProgrammeMeasure

LABELS = {
    "code": _l("Code"),
    "name": _l("Name"),
    "meeting_forms": _l("Contact forms that count as a meeting"),
    "meeting_interval_days": _l("Meeting interval (days)"),
    "term_months": _l("Service term (months)"),
    "extension_months": _l("Length of one extension (months)"),
    "max_extensions": _l("Extensions allowed"),
    "review_interval_days": _l("Review interval (days)"),
    "assessment_deadline_working_days": _l("Assessment deadline (working days)"),
    "requires_contract": _l("A contract with the recipient is required"),
    "follow_up_days": _l("Follow-up after closure (days)"),
    "active": _l("Active"),
    "programme": _l("Programme"),
    "programme.name": _l("Programme"),
    "programme_code": _l("Programme"),
    "group_name": _l("Group of measures"),
    "measures": _l("Measures"),
}
DESCRIPTIONS = {
    "code": _l("Stable key other records refer to; not changed after saving."),
    "meeting_forms": _l("Only these contacts reset the meeting clock of a case."),
    "meeting_interval_days": _l(
        "A meeting at least every so many days in every open stage of a case; empty: no rule."
    ),
    "term_months": _l("From the opening of the case; empty: no term."),
    "assessment_deadline_working_days": _l(
        "Counted from the application date, without weekends and public holidays."
    ),
    "requires_contract": _l(
        "Accompaniment starts only once the contract's number and date are recorded on the case."
    ),
    "follow_up_days": _l(
        "A follow-up contact so many days after the case is closed; empty: no follow-up."
    ),
    "active": _l("An inactive measure stays on old plan items but is not chosen for new ones."),
}


class MeetingFormsField(SelectMultipleField):
    """Check boxes of the contact forms, stored as ``visit,office``."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.choices = [(f.name, f.label) for f in ContactForm]

    def iter_choices(self):
        # labels computed at render time, in the request's language
        selected = set(self.data or [])
        for form in ContactForm:
            yield (form.name, form.label, form.name in selected, {})

    def process_formdata(self, valuelist):
        # an empty box list is «none chosen», refused by the command with its message
        super().process_formdata([v for v in valuelist if v])

    def process_data(self, value):
        if isinstance(value, str):
            value = [v for v in value.split(FORMS_SEPARATOR) if v]
        super().process_data(value)

    def pre_validate(self, form):
        known = {f.name for f in ContactForm}
        if any(v not in known for v in self.data or []):
            from wtforms.validators import ValidationError

            raise ValidationError(self.gettext("Not a valid choice."))

    def populate_obj(self, obj, name):
        setattr(obj, name, FORMS_SEPARATOR.join(self.data or []))


def _forms_cell(value) -> str:
    names = [v for v in (value or "").split(FORMS_SEPARATOR) if v]
    return ", ".join(ContactForm[n].label for n in names if n in ContactForm.__members__)


PROGRAMME_RULES = [
    "meeting_forms",
    "meeting_interval_days",
    "term_months",
    "extension_months",
    "max_extensions",
    "review_interval_days",
    "assessment_deadline_working_days",
    "requires_contract",
    "follow_up_days",
    "active",
]


class ProgrammeView(PortalModelView):
    datamodel = BoundedCountInterface(Programme)
    class_permission_name = permissions.PROGRAMME
    route_base = "/programmes"
    list_title = _l("Programmes")
    show_title = _l("Programme")
    add_title = _l("Add a programme")
    edit_title = _l("Edit a programme")
    label_columns = LABELS
    description_columns = DESCRIPTIONS
    list_columns = [
        "name",
        "code",
        "meeting_interval_days",
        "term_months",
        "assessment_deadline_working_days",
        "active",
    ]
    add_columns = ["code", "name", *PROGRAMME_RULES]
    edit_columns = ["name", *PROGRAMME_RULES]
    show_columns = ["name", "code", *PROGRAMME_RULES]
    search_columns = ["name", "code", "active"]
    order_columns = ["name", "code"]
    base_order = ("id", "asc")
    formatters_columns = {"meeting_forms": _forms_cell}
    add_form_extra_fields = edit_form_extra_fields = {
        "meeting_forms": MeetingFormsField(
            LABELS["meeting_forms"], description=DESCRIPTIONS["meeting_forms"]
        ),
        "active": BooleanField(LABELS["active"], default=True),
        "requires_contract": BooleanField(
            LABELS["requires_contract"], description=DESCRIPTIONS["requires_contract"]
        ),
    }
    related_views: list[type] = []


class ProgrammeMeasureView(PortalModelView):
    datamodel = BoundedCountInterface(ProgrammeMeasure)
    class_permission_name = permissions.MEASURE
    route_base = "/programmes/measures"
    list_title = _l("Measures of the programmes")
    show_title = _l("Measure")
    add_title = _l("Add a measure")
    edit_title = _l("Edit a measure")
    label_columns = LABELS
    description_columns = DESCRIPTIONS
    list_columns = ["programme.name", "group_name", "name", "code", "active"]
    add_columns = ["programme", "group_name", "code", "name", "active"]
    edit_columns = ["group_name", "name", "active"]
    show_columns = ["programme", "group_name", "code", "name", "active"]
    search_columns = ["programme", "group_name", "name", "code", "active"]
    order_columns = ["group_name", "name", "code"]
    base_order = ("id", "asc")
    add_form_extra_fields = edit_form_extra_fields = {
        "active": BooleanField(LABELS["active"], default=True, description=DESCRIPTIONS["active"]),
    }


ProgrammeView.related_views = [ProgrammeMeasureView]


class ProgrammeApi(PortalRestApi):
    resource_name = "programme"
    class_permission_name = permissions.PROGRAMME
    datamodel = PortalInterface(Programme)
    label_columns = LABELS
    list_columns = ["id", "code", "name", *PROGRAMME_RULES]
    show_columns = [*list_columns, "version"]
    add_columns = ["code", "name", *PROGRAMME_RULES]
    edit_columns = ["name", *PROGRAMME_RULES]
    search_columns = ["code", "name", "active"]
    order_columns = ["id", "code", "name"]


class ProgrammeMeasureApi(PortalRestApi):
    resource_name = "programme_measure"
    class_permission_name = permissions.MEASURE
    datamodel = PortalInterface(ProgrammeMeasure)
    label_columns = LABELS
    list_columns = ["id", "programme_code", "group_name", "code", "name", "active"]
    show_columns = [*list_columns, "version"]
    add_columns = ["programme_code", "group_name", "code", "name", "active"]
    edit_columns = ["group_name", "name", "active"]
    search_columns = ["programme_code", "group_name", "code", "name", "active"]
    order_columns = ["id", "code", "name"]
