"""A centre as a place of work (issue #21): staff assignments, community applications,
activities, daily visits, monthly reports; the readiness, late-report and activity
dashboard pages. Every rule is in :mod:`app.centers.services` (commands and transitions);
these views only call them."""

from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.api import permission_name, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import NumberRange, Optional

from .. import clock, fab_seam
from ..common import fields as parsed_fields
from ..common.apidoc import transition_doc
from ..common.listing import BoundedCountInterface, PortalInterface
from ..common.lookup import AjaxSelectField
from ..common.views import PortalModelView, PortalRestApi
from ..security import roles
from ..security.scope import current_scope
from . import permissions, services
from .models import (
    ACCESSIBILITY,
    AGE_COUNTS,
    CATEGORY_COUNTS,
    SEX_COUNTS,
    ApplicationStatus,
    CentreActivity,
    CentreReport,
    CentreStaff,
    CentreVisitDay,
    CommunityApplication,
    ReportStatus,
)

COMMON_LABELS = {
    "centre": _l("Resilience centre"),
    "centre.name": _l("Resilience centre"),
    "specialist": _l("Specialist"),
    "role": _l("Role"),
    "employment": _l("Employment"),
    "start_on": _l("From"),
    "end_on": _l("To"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}


def _dash(value) -> str:
    return "—" if value is None or value == "" else str(value)


def _when(value) -> str:
    return value.strftime("%d.%m.%Y %H:%M") if value else "—"


def _yes_no(value) -> str:
    return _("Yes") if value else _("No")


# --- staff --------------------------------------------------------------------------------
STAFF_PERMISSIONS = ["can_read", "can_write"]


class CentreStaffView(PortalModelView):
    datamodel = BoundedCountInterface(CentreStaff)
    class_permission_name = permissions.STAFF
    base_permissions = STAFF_PERMISSIONS
    list_title = _l("Centre staff")
    show_title = _l("Staff assignment")
    add_title = _l("Assign a specialist to a centre")
    edit_title = _l("Edit staff assignment")
    label_columns = COMMON_LABELS
    list_columns = ["centre", "specialist", "role", "employment", "start_on", "end_on"]
    add_columns = edit_columns = [
        "centre",
        "specialist",
        "role",
        "employment",
        "start_on",
        "end_on",
    ]
    show_columns = [*add_columns, "created_on", "changed_on"]
    search_columns = ["role", "employment", "start_on", "end_on"]
    order_columns = ["role", "start_on", "end_on"]
    base_order = ("start_on", "desc")
    formatters_columns = {"end_on": _dash}
    add_form_extra_fields = edit_form_extra_fields = {
        "centre": AjaxSelectField(_l("Resilience centre"), lookup="staff_centre"),
        "specialist": AjaxSelectField(
            _l("Specialist"),
            lookup="staff_specialist",
            description=_l("A specialist of the provider that runs the centre."),
        ),
    }


class CentreStaffApi(PortalRestApi):
    resource_name = "centre-staff"
    class_permission_name = permissions.STAFF
    base_permissions = STAFF_PERMISSIONS
    datamodel = PortalInterface(CentreStaff)
    label_columns = COMMON_LABELS
    list_columns = [
        "id",
        "centre.id",
        "centre.name",
        "specialist.id",
        "specialist.full_name",
        "role",
        "employment",
        "start_on",
        "end_on",
    ]
    show_columns = [*list_columns, "version"]
    add_columns = edit_columns = [
        "centre",
        "specialist",
        "role",
        "employment",
        "start_on",
        "end_on",
    ]
    order_columns = ["id", "start_on"]


# --- community applications -----------------------------------------------------------------
APPLICATION_LABELS = {
    "oblast": _l("Oblast"),
    "oblast.title": _l("Oblast"),
    "hromada": _l("Territorial community"),
    "hromada.title": _l("Territorial community"),
    "submitted_on": _l("Submitted on"),
    "contact_name": _l("Contact person"),
    "contact_phone": _l("Phone"),
    "contact_email": _l("E-mail"),
    "population": _l("Population of the community"),
    "premises_address": _l("Address of the premises"),
    "premises_area": _l("Area of the premises, m²"),
    "rooms_individual": _l("Rooms for individual work"),
    "rooms_group": _l("Rooms for group work"),
    "shelter": _l("Shelter (укриття)"),
    "premises_owner": _l("Owner or balance holder of the premises"),
    "benefactor_consent": _l("Benefactor's consent to maintain the premises"),
    "social_passport": _l("Social passport of the territory attached"),
    "documents": _l("Documents"),
    "status": _l("Status"),
    "decided_on": _l("Decided on"),
    "decided_by": _l("Decided by"),
    "decision_reason": _l("Reason of the decision"),
    "centre_name": _l("Name of the centre"),
    "provider": _l("Provider"),
    "planned_open_on": _l("Planned opening date"),
    "centre": _l("Planned centre"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
    **ACCESSIBILITY,
}
APPLICATION_FORM = [
    "hromada",
    "submitted_on",
    "contact_name",
    "contact_phone",
    "contact_email",
    "population",
    "premises_address",
    "premises_area",
    "rooms_individual",
    "rooms_group",
    "shelter",
    *ACCESSIBILITY,
    "premises_owner",
    "benefactor_consent",
    "social_passport",
    "documents",
    "centre_name",
    "planned_open_on",
]
APPLICATION_PERMISSIONS = ["can_read", "can_write", permissions.DECIDE_APPLICATION]


def _application_fields() -> dict:
    fields = {
        "hromada": AjaxSelectField(_l("Territorial community"), lookup="hromada"),
        # The portal's one phone parser (any usual spelling, stored +380XXXXXXXXX).
        "contact_phone": parsed_fields.PHONE.form(APPLICATION_LABELS["contact_phone"]),
    }
    for attr in ("shelter", *ACCESSIBILITY, "benefactor_consent", "social_passport"):
        fields[attr] = BooleanField(APPLICATION_LABELS[attr])
    return fields


def _parse_date(text):
    text = (text or "").strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def figure_labels() -> dict:
    from .models import PEOPLE_COUNTS, ActivityKind, Direction

    return {
        "visits": _("Visits"),
        "activities": _("Activities"),
        "participants": _("Participants"),
        **{k: str(v) for k, v in PEOPLE_COUNTS.items()},
        **{f"dir_{d.name}": _("Activities: %(what)s", what=str(d)) for d in Direction},
        **{f"kind_{k.name}": _("Activities: %(what)s", what=str(k)) for k in ActivityKind},
    }


class _TransitionForms:
    """Show pages with the record's transitions as small forms (reason, comment)."""

    show_template = "centers/work_show.html"
    transitions: dict = {}

    def _offered(self, item) -> list:
        return []

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        item = self.scoped_get(pk)
        widgets = fab_seam.record_page_widgets(self, item)
        return self.render_template(
            self.show_template,
            pk=item.id,
            title=self.show_title,
            widgets=widgets,
            related_views=fab_seam.related_views(self),
            item=item,
            forms=self._offered(item),
            extra=self._show_extra(item),
            figure_labels=figure_labels(),
        )

    def _show_extra(self, item):
        return None

    def _action_redirect(self):
        if request.view_args and request.view_args.get("pk"):
            return redirect(url_for(".show", pk=request.view_args["pk"]))
        return redirect(url_for(".list"))


class CommunityApplicationView(_TransitionForms, PortalModelView):
    datamodel = BoundedCountInterface(CommunityApplication)
    class_permission_name = permissions.APPLICATION
    base_permissions = APPLICATION_PERMISSIONS
    method_permission_name = {**roles.METHOD_PERMISSIONS, "approve": "decide", "reject": "decide"}
    list_title = _l("Community applications to host a centre")
    show_title = _l("Community application")
    add_title = _l("Register a community application")
    edit_title = _l("Edit community application")
    label_columns = APPLICATION_LABELS
    list_columns = [
        "hromada.title",
        "oblast.title",
        "submitted_on",
        "population",
        "status",
        "planned_open_on",
    ]
    add_columns = edit_columns = APPLICATION_FORM
    show_fieldsets = [
        (
            _l("Community"),
            {
                "fields": [
                    "oblast",
                    "hromada",
                    "population",
                    "submitted_on",
                    "contact_name",
                    "contact_phone",
                    "contact_email",
                ]
            },
        ),
        (
            _l("Premises"),
            {
                "fields": [
                    "premises_address",
                    "premises_area",
                    "rooms_individual",
                    "rooms_group",
                    "shelter",
                    *ACCESSIBILITY,
                    "premises_owner",
                ]
            },
        ),
        (_l("Documents"), {"fields": ["benefactor_consent", "social_passport", "documents"]}),
        (
            _l("Decision"),
            {
                "fields": [
                    "status",
                    "decided_on",
                    "decided_by",
                    "decision_reason",
                    "centre_name",
                    "provider",
                    "planned_open_on",
                    "centre",
                ]
            },
        ),
    ]
    search_columns = ["status", "submitted_on", "planned_open_on"]
    order_columns = ["submitted_on", "status", "planned_open_on"]
    base_order = ("submitted_on", "desc")
    formatters_columns = {
        **{
            a: _yes_no for a in ("shelter", *ACCESSIBILITY, "benefactor_consent", "social_passport")
        },
        "decided_on": _when,
        **{
            c: _dash
            for c in (
                "decided_by",
                "decision_reason",
                "centre_name",
                "provider",
                "centre",
                "documents",
                "premises_owner",
                "contact_phone",
                "contact_email",
            )
        },
    }
    validators_columns = {
        "population": [Optional(), NumberRange(min=0, max=5_000_000)],
        "premises_area": [Optional(), NumberRange(min=0, max=100_000)],
        "rooms_individual": [Optional(), NumberRange(min=0, max=100)],
        "rooms_group": [Optional(), NumberRange(min=0, max=100)],
    }
    add_form_extra_fields = edit_form_extra_fields = _application_fields()

    def _offered(self, item):
        if item.status != ApplicationStatus.submitted or not self.appbuilder.sm.has_access(
            permissions.DECIDE_APPLICATION, self.class_permission_name
        ):
            return []
        return [
            {
                "name": "approve",
                "label": _("Approve: create the planned centre"),
                "fields": [
                    ("name", _("Name of the centre"), "text", item.centre_name or ""),
                    ("provider", _("Provider that will run the centre"), "provider", ""),
                    (
                        "planned_open_on",
                        _("Planned opening date"),
                        "date",
                        item.planned_open_on.strftime("%d.%m.%Y") if item.planned_open_on else "",
                    ),
                    ("reason", _("Reason of the decision"), "textarea", ""),
                ],
                "style": "success",
            },
            {
                "name": "reject",
                "label": _("Reject"),
                "fields": [("reason", _("Reason of the decision"), "textarea", "")],
                "style": "danger",
            },
        ]

    def _decide(self, name, items):
        item = items[0] if isinstance(items, list) else items
        form = request.form
        if name == "approve":
            provider = form.get("provider", "").strip()
            centre = services.approve_application(
                item,
                provider_id=int(provider) if provider.isdigit() else None,
                planned_open_on=_parse_date(form.get("planned_open_on")),
                name=form.get("name"),
                user=g.user,
                reason=form.get("reason"),
            )
            self.datamodel.session.commit()
            flash(_("The application is approved; the planned centre is created."), "success")
            return redirect(url_for("CentreView.show", pk=centre.id))
        services.reject_application(item, user=g.user, reason=form.get("reason"))
        self.datamodel.session.commit()
        flash(_("The application is rejected."), "success")
        return redirect(url_for(".show", pk=item.id))

    @action("approve", _l("Approve"), None, "fa-check", multiple=False)
    def approve(self, items):
        return self._decide("approve", items)

    @action("reject", _l("Reject"), None, "fa-times", multiple=False)
    def reject(self, items):
        return self._decide("reject", items)


class CommunityApplicationApi(PortalRestApi):
    resource_name = "centre-application"
    class_permission_name = permissions.APPLICATION
    base_permissions = APPLICATION_PERMISSIONS
    method_permission_name = {**roles.METHOD_PERMISSIONS, "approve": "decide", "reject": "decide"}
    datamodel = PortalInterface(CommunityApplication)
    label_columns = APPLICATION_LABELS
    list_columns = [
        "id",
        "oblast.id",
        "oblast.title",
        "hromada.id",
        "hromada.title",
        "submitted_on",
        "population",
        "status",
        "planned_open_on",
        "centre_id",
    ]
    show_columns = [
        *list_columns,
        *[
            c
            for c in APPLICATION_FORM
            if c not in ("hromada", "submitted_on", "population", "planned_open_on")
        ],
        "decision_reason",
        "provider_id",
        "version",
    ]
    add_columns = edit_columns = APPLICATION_FORM
    order_columns = ["id", "submitted_on"]

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("approve")
    def approve(self, pk):
        return self.change_item(
            pk,
            lambda item, body: services.approve_application(
                item,
                provider_id=body["provider_id"],
                planned_open_on=body["planned_open_on"],
                name=body["name"],
                reason=body["reason"],
            ),
            respond=lambda item, centre: self.response(
                200, id=item.id, status=item.status.name, centre_id=centre.id
            ),
            fields={"reason": str, "provider_id": int, "planned_open_on": "date", "name": str},
        )

    approve.__doc__ = transition_doc(
        "Approve the application: creates the planned centre.",
        body={
            "reason": "string",
            "provider_id": "integer",
            "planned_open_on": "string",
            "name": "string",
        },
        returns={"centre_id": "integer"},
    )

    @expose("/<int:pk>/reject", methods=["POST"])
    @protect()
    @safe
    @permission_name("reject")
    def reject(self, pk):
        return self.change_item(
            pk,
            lambda item, body: services.reject_application(item, reason=body["reason"]),
            fields={"reason": str},
        )

    reject.__doc__ = transition_doc(
        "Reject the application, with the reason.", body={"reason": "string"}
    )


# --- activities and visits ---------------------------------------------------------------------
ACTIVITY_LABELS = {
    **COMMON_LABELS,
    "held_on": _l("Date"),
    "direction": _l("Direction"),
    "kind": _l("Type of activity"),
    "format": _l("Format"),
    "facilitator": _l("Facilitator"),
    "participants": _l("Participants"),
    "day": _l("Day"),
    "visits": _l("Visits"),
    **CATEGORY_COUNTS,
    **SEX_COUNTS,
    **AGE_COUNTS,
}
ACTIVITY_FORM = [
    "centre",
    "held_on",
    "direction",
    "kind",
    "format",
    "facilitator",
    *CATEGORY_COUNTS,
    *SEX_COUNTS,
    *AGE_COUNTS,
]
ACTIVITY_PERMISSIONS = ["can_read", "can_write"]
_COUNT_VALIDATORS = {
    c: [Optional(), NumberRange(min=0, max=10_000)]
    for c in (*CATEGORY_COUNTS, *SEX_COUNTS, *AGE_COUNTS, "visits")
}


class CentreActivityView(PortalModelView):
    datamodel = BoundedCountInterface(CentreActivity)
    class_permission_name = permissions.ACTIVITY
    base_permissions = ACTIVITY_PERMISSIONS
    list_title = _l("Activities of the centres")
    show_title = _l("Activity")
    add_title = _l("Record an activity")
    edit_title = _l("Edit activity")
    label_columns = ACTIVITY_LABELS
    list_columns = ["held_on", "centre", "direction", "kind", "format", "participants"]
    add_columns = edit_columns = ACTIVITY_FORM
    show_columns = [*ACTIVITY_FORM, "participants", "created_on", "changed_on"]
    search_columns = ["held_on", "direction", "kind", "format"]
    order_columns = ["held_on", "direction", "kind"]
    base_order = ("held_on", "desc")
    validators_columns = _COUNT_VALIDATORS
    description_columns = {
        "veterans": _l(
            "Counts only: no names. Each breakdown (category, "
            "sex, age) adds up to the number of participants."
        )
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "centre": AjaxSelectField(_l("Resilience centre"), lookup="activity_centre"),
        "facilitator": AjaxSelectField(_l("Facilitator"), lookup="activity_facilitator"),
    }


class CentreActivityApi(PortalRestApi):
    resource_name = "centre-activity"
    class_permission_name = permissions.ACTIVITY
    base_permissions = ACTIVITY_PERMISSIONS
    datamodel = PortalInterface(CentreActivity)
    label_columns = ACTIVITY_LABELS
    list_columns = [
        "id",
        "centre.id",
        "held_on",
        "direction",
        "kind",
        "format",
        "facilitator.id",
        *CATEGORY_COUNTS,
        *SEX_COUNTS,
        *AGE_COUNTS,
    ]
    show_columns = [*list_columns, "version"]
    add_columns = edit_columns = ACTIVITY_FORM
    order_columns = ["id", "held_on"]


class CentreVisitDayView(PortalModelView):
    datamodel = BoundedCountInterface(CentreVisitDay)
    class_permission_name = permissions.ACTIVITY
    base_permissions = ACTIVITY_PERMISSIONS
    list_title = _l("Daily visits of the centres")
    show_title = _l("Visits of a day")
    add_title = _l("Record the visits of a day")
    edit_title = _l("Edit the visits of a day")
    label_columns = ACTIVITY_LABELS
    list_columns = ["day", "centre", "visits"]
    add_columns = edit_columns = ["centre", "day", "visits"]
    show_columns = ["centre", "day", "visits", "created_on", "changed_on"]
    search_columns = ["day", "visits"]
    order_columns = ["day", "visits"]
    base_order = ("day", "desc")
    validators_columns = _COUNT_VALIDATORS
    description_columns = {"visits": _l("Walk-in visitors are counted, not registered.")}
    add_form_extra_fields = edit_form_extra_fields = {
        "centre": AjaxSelectField(_l("Resilience centre"), lookup="activity_centre"),
    }


class CentreVisitDayApi(PortalRestApi):
    resource_name = "centre-visits"
    class_permission_name = permissions.ACTIVITY
    base_permissions = ACTIVITY_PERMISSIONS
    datamodel = PortalInterface(CentreVisitDay)
    label_columns = ACTIVITY_LABELS
    list_columns = ["id", "centre.id", "day", "visits"]
    show_columns = [*list_columns, "version"]
    add_columns = edit_columns = ["centre", "day", "visits"]
    order_columns = ["id", "day"]


# --- monthly reports -----------------------------------------------------------------------
REPORT_LABELS = {
    **COMMON_LABELS,
    "month": _l("Month"),
    "month_label": _l("Month"),
    "narrative": _l("Narrative"),
    "status": _l("Status"),
    "visits": _l("Visits"),
    "activities": _l("Activities"),
    "participants": _l("Participants"),
    "submitted_on": _l("Submitted on"),
    "decided_on": _l("Decided on"),
    "review_comment": _l("Comment of the regional administrator"),
}
REPORT_PERMISSIONS = ["can_read", "can_write", permissions.SUBMIT_REPORT, permissions.REVIEW_REPORT]
REPORT_ACTIONS = {"submit": "submit", "accept": "review", "return_": "review"}


class CentreReportView(_TransitionForms, PortalModelView):
    datamodel = BoundedCountInterface(CentreReport)
    class_permission_name = permissions.REPORT
    base_permissions = REPORT_PERMISSIONS
    method_permission_name = {**roles.METHOD_PERMISSIONS, **REPORT_ACTIONS}
    list_title = _l("Monthly reports of the centres")
    show_title = _l("Monthly report")
    add_title = _l("Start a monthly report")
    edit_title = _l("Edit monthly report")
    label_columns = REPORT_LABELS
    list_columns = ["centre", "month_label", "status", "visits", "activities", "participants"]
    add_columns = ["centre", "month", "narrative"]
    edit_columns = ["narrative"]
    show_columns = [
        "centre",
        "month_label",
        "status",
        "narrative",
        "visits",
        "activities",
        "participants",
        "submitted_on",
        "decided_on",
        "review_comment",
    ]
    search_columns = ["status", "month"]
    order_columns = ["month", "status"]
    base_order = ("month", "desc")
    formatters_columns = {
        "submitted_on": _when,
        "decided_on": _when,
        **{c: _dash for c in ("review_comment", "narrative")},
    }
    description_columns = {"month": _l("Any day of the month reported.")}
    add_form_extra_fields = {
        "centre": AjaxSelectField(_l("Resilience centre"), lookup="report_centre"),
    }

    def _show_extra(self, item):
        return {"figures": services.month_figures(item.centre_id, item.month)}

    def _offered(self, item):
        sm = self.appbuilder.sm
        forms = []
        if item.status in (ReportStatus.draft, ReportStatus.returned) and sm.has_access(
            permissions.SUBMIT_REPORT, self.class_permission_name
        ):
            forms.append(
                {
                    "name": "submit",
                    "label": _("Submit the report"),
                    "fields": [],
                    "style": "primary",
                }
            )
        if item.status == ReportStatus.submitted and sm.has_access(
            permissions.REVIEW_REPORT, self.class_permission_name
        ):
            forms.append(
                {
                    "name": "accept",
                    "label": _("Accept the report"),
                    "fields": [],
                    "style": "success",
                }
            )
            forms.append(
                {
                    "name": "return_",
                    "label": _("Return for correction"),
                    "fields": [("reason", _("Comment"), "textarea", "")],
                    "style": "warning",
                }
            )
        return forms

    def _run(self, name, items):
        item = items[0] if isinstance(items, list) else items
        services.REPORT_TRANSITIONS[name](item, user=g.user, reason=request.form.get("reason"))
        self.datamodel.session.commit()
        flash(_("Report status: %(status)s.", status=str(item.status)), "success")
        return redirect(url_for(".show", pk=item.id))

    @action("submit", _l("Submit"), None, "fa-send", multiple=False)
    def submit(self, items):
        return self._run("submit", items)

    @action("accept", _l("Accept"), None, "fa-check", multiple=False)
    def accept(self, items):
        return self._run("accept", items)

    @action("return_", _l("Return for correction"), None, "fa-undo", multiple=False)
    def return_(self, items):
        return self._run("return", items)


class CentreReportApi(PortalRestApi):
    resource_name = "centre-report"
    class_permission_name = permissions.REPORT
    base_permissions = REPORT_PERMISSIONS
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        "submit": "submit",
        "accept": "review",
        "return_": "review",
    }
    datamodel = PortalInterface(CentreReport)
    label_columns = REPORT_LABELS
    list_columns = [
        "id",
        "centre.id",
        "centre.name",
        "month",
        "status",
        "visits",
        "activities",
        "participants",
    ]
    show_columns = [*list_columns, "narrative", "review_comment", "version"]
    add_columns = ["centre", "month", "narrative"]
    edit_columns = ["narrative"]
    order_columns = ["id", "month"]

    def _transition(self, pk, name):
        return self.change_item(
            pk,
            lambda item, body: services.REPORT_TRANSITIONS[name](item, reason=body["reason"]),
            fields={"reason": str},
        )

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    @permission_name("submit")
    def submit(self, pk):
        return self._transition(pk, "submit")

    submit.__doc__ = transition_doc(
        "Draft or returned → submitted (figures from the activity log).", body={"reason": "string"}
    )

    @expose("/<int:pk>/accept", methods=["POST"])
    @protect()
    @safe
    @permission_name("accept")
    def accept(self, pk):
        return self._transition(pk, "accept")

    accept.__doc__ = transition_doc("Submitted → accepted.", body={"reason": "string"})

    @expose("/<int:pk>/return", methods=["POST"])
    @protect()
    @safe
    @permission_name("return_")
    def return_(self, pk):
        return self._transition(pk, "return")

    return_.__doc__ = transition_doc(
        "Submitted → returned for correction, with a comment.", body={"reason": "string"}
    )


# --- pages: readiness per oblast, late reports ------------------------------------------------
class CentreReadinessView(BaseView):
    """Planned centres per oblast, their planned dates and what each still lacks."""

    route_base = "/centres/readiness"
    default_view = "index"
    class_permission_name = permissions.DASHBOARD
    method_permission_name = {"index": "read"}

    @expose("/")
    @has_access
    def index(self):
        groups = services.planned_readiness(current_scope())
        return self.render_template(
            "centers/readiness.html", title=_l("Readiness of planned centres"), groups=groups
        )


class CentreLateReportsView(BaseView):
    """Operating centres whose monthly report is overdue."""

    route_base = "/centres/late-reports"
    default_view = "index"
    class_permission_name = permissions.REPORT
    method_permission_name = {"index": "read"}
    base_permissions = None

    def __init__(self, **kwargs):
        self.base_permissions = list(REPORT_PERMISSIONS)
        super().__init__(**kwargs)

    @expose("/")
    @has_access
    def index(self):
        late = services.late_reports(current_scope())
        return self.render_template(
            "centers/late_reports.html",
            title=_l("Late monthly reports"),
            late=late,
            due_day=services.report_due_day(),
        )


# --- dashboard by oblast and month --------------------------------------------------------------
def _month_arg(text, default):
    text = (text or "").strip()
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return default


class CentreActivityDashboardView(BaseView):
    """Visits, activities and people by oblast and month: national for the ministry,
    the oblast for its regional administrator (scope); a period selector; XLSX."""

    route_base = "/centres/activity"
    default_view = "index"
    class_permission_name = permissions.DASHBOARD
    method_permission_name = {"index": "read", "xlsx": "read"}

    def _period(self):
        last_month = (clock.kyiv_today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        last = _month_arg(request.args.get("to"), last_month)
        first = _month_arg(request.args.get("from"), (last - dt.timedelta(days=62)).replace(day=1))
        if first > last:
            first, last = last, first
        if (last.year - first.year) * 12 + last.month - first.month > 35:
            first = dt.date(last.year - 3, last.month, 1)
        return first, last

    @staticmethod
    def labels() -> dict:
        return {
            "oblast": _("Oblast"),
            "total": _("Total"),
            "month": _("Month"),
            "centres": _("Operating centres"),
            **figure_labels(),
        }

    @expose("/")
    @has_access
    def index(self):
        from .models import AGE_COUNTS, CATEGORY_COUNTS, SEX_COUNTS, ActivityKind, Direction

        first, last = self._period()
        data = services.activity_dashboard(current_scope(), first, last)
        return self.render_template(
            "centers/activity_dashboard.html",
            title=_l("Centres at work: visits and activities"),
            data=data,
            labels=self.labels(),
            directions=list(Direction),
            kinds=list(ActivityKind),
            categories=CATEGORY_COUNTS,
            sexes=SEX_COUNTS,
            ages=AGE_COUNTS,
            period={"from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m")},
        )

    @expose("/xlsx")
    @has_access
    def xlsx(self):
        from flask import Response

        first, last = self._period()
        data = services.activity_dashboard(current_scope(), first, last)
        body = services.dashboard_xlsx(data, self.labels())
        name = f"centres-activity-{first:%Y-%m}-{last:%Y-%m}.xlsx"
        return Response(
            body,
            mimetype=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
