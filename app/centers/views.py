"""Centre registry: list/show/add/edit with status actions, export and REST API."""

from __future__ import annotations

import functools

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.api import permission_name, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField
from wtforms.validators import InputRequired, NumberRange, Optional

from .. import fab_seam
from ..common.apidoc import transition_doc
from ..common.export import ExportMixin
from ..common.fields import ParsedApiFields, form_fields
from ..common.listing import BoundedCountInterface, PortalInterface
from ..common.lookup import AjaxSelectField
from ..common.views import PortalModelView, PortalRestApi
from ..security import roles
from . import permissions, services
from .importer import export_columns
from .models import (
    ACCESSIBILITY,
    DIRECTIONS,
    EXTRA_SERVICES,
    CentreStatusChange,
    ResilienceCentre,
    input_kinds,
)

LABELS = {
    "name": _l("Name of the centre"),
    "external_code": _l("External code"),
    "provider": _l("Provider"),
    "provider.name": _l("Provider"),
    "provider_edrpou": _l("Provider EDRPOU code"),
    "oblast": _l("Oblast"),
    "oblast.title": _l("Oblast"),
    "hromada": _l("Territorial community"),
    "hromada.title": _l("Territorial community"),
    "hromada.code": _l("KATOTTG code of the community"),
    "address": _l("Address"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "status": _l("Status"),
    "status_changed_on": _l("Status changed on"),
    "status_changed_by": _l("Status changed by"),
    "status_reason": _l("Reason"),
    "opened_on": _l("Opened on"),
    "working_hours": _l("Working hours"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "website": _l("Website"),
    "psychologists": _l("Planned positions: psychologists"),
    "social_managers": _l("Planned positions: social managers"),
    "social_workers": _l("Planned positions: social workers"),
    "planned_open_on": _l("Planned opening date"),
    "premises_area": _l("Area of the premises, m²"),
    "rooms_individual": _l("Rooms for individual work"),
    "rooms_group": _l("Rooms for group work"),
    "shelter": _l("Shelter (укриття)"),
    "premises_owner": _l("Owner or balance holder of the premises"),
    "agreement_number": _l("Agreement with the community: number"),
    "agreement_signed_on": _l("Agreement with the community: signed on"),
    "staff_text": _l("Staff (from the assignments)"),
    "published": _l("Published in the public directory"),
    "published_on": _l("Published on"),
    "other_services": _l("Other local services"),
    "barrier_free": _l("Fully barrier-free"),
    "directions_text": _l("Service directions"),
    "extra_services_text": _l("Extra local services"),
    "accessibility_text": _l("Accessibility features present"),
    "selection_round": _l("Selection round"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
    **{k: v for k, v in {**DIRECTIONS, **EXTRA_SERVICES, **ACCESSIBILITY}.items()},
}

FORM_COLUMNS = [
    "name",
    "external_code",
    "hromada",
    "address",
    "latitude",
    "longitude",
    "provider",
    "opened_on",
    "planned_open_on",
    "working_hours",
    "phone",
    "email",
    "website",
    "psychologists",
    "social_managers",
    "social_workers",
    "premises_area",
    "rooms_individual",
    "rooms_group",
    "shelter",
    "premises_owner",
    "agreement_number",
    "agreement_signed_on",
    *DIRECTIONS,
    *EXTRA_SERVICES,
    "other_services",
    *ACCESSIBILITY,
]

FORM_FIELDSETS = [
    (
        _l("Centre"),
        {"fields": ["name", "external_code", "provider", "planned_open_on", "opened_on"]},
    ),
    (_l("Location"), {"fields": ["hromada", "address", "latitude", "longitude"]}),
    (
        _l("Premises and agreement"),
        {
            "fields": [
                "premises_area",
                "rooms_individual",
                "rooms_group",
                "shelter",
                "premises_owner",
                "agreement_number",
                "agreement_signed_on",
            ]
        },
    ),
    (
        _l("Contacts and staffing plan"),
        {
            "fields": [
                "working_hours",
                "phone",
                "email",
                "website",
                "psychologists",
                "social_managers",
                "social_workers",
            ]
        },
    ),
    (_l("Service directions"), {"fields": list(DIRECTIONS)}),
    (_l("Extra local services"), {"fields": [*EXTRA_SERVICES, "other_services"]}),
    (_l("Accessibility"), {"fields": list(ACCESSIBILITY)}),
]

ACTION_PERMISSIONS = {
    name: perm.removeprefix("can_") for name, (_fn, perm) in services.TRANSITIONS.items()
}

#: Every permission of the "Centre" resource. The list view, the API and the import
#: page share the resource, and FAB's permission sync deletes from a resource whatever
#: the view being synced does not declare, so all three declare the full set.
CENTRE_PERMISSIONS = [
    "can_read",
    "can_write",
    "can_export",
    permissions.IMPORT,
    *[perm for _fn, perm in services.TRANSITIONS.values()],
]


#: OpenAPI text of the centre status endpoints.
_api_doc = functools.partial(
    transition_doc,
    body={"reason": "string"},
    returns={"status_label": "string"},
    ok="The new status of the centre",
)


def _yes_no(value) -> str:
    return _("Yes") if value else _("No")


def _dash(value) -> str:
    return "—" if value is None or value == "" else str(value)


#: Optional values shown as a dash instead of FAB's "None".
OPTIONAL = [
    "external_code",
    "selection_round",
    "status_changed_by",
    "status_reason",
    "latitude",
    "longitude",
    "working_hours",
    "phone",
    "email",
    "website",
    "directions_text",
    "extra_services_text",
    "accessibility_text",
    "premises_area",
    "rooms_individual",
    "rooms_group",
    "premises_owner",
    "agreement_number",
]


def _form_extra_fields() -> dict:
    fields = {
        # Required (marked *): the same message as the command's (HromadaRequired).
        "hromada": AjaxSelectField(
            _l("Territorial community"),
            lookup="hromada",
            validators=[InputRequired(message=services.HromadaRequired.default_message)],
        ),
        "provider": AjaxSelectField(
            _l("Provider"),
            lookup="approved_provider",
            description=_l("Only approved providers can run a centre."),
        ),
    }
    for attr, label in {**DIRECTIONS, **EXTRA_SERVICES, **ACCESSIBILITY}.items():
        fields[attr] = BooleanField(label)
    fields["shelter"] = BooleanField(LABELS["shelter"])
    # Coordinates (6 decimals, never rounded), phone, dates: the importer's parsers.
    fields.update(form_fields(ResilienceCentre, input_kinds(), LABELS))
    return fields


class CentreView(ExportMixin, PortalModelView):
    datamodel = BoundedCountInterface(ResilienceCentre)
    class_permission_name = permissions.RESOURCE
    base_permissions = CENTRE_PERMISSIONS
    method_permission_name = {**roles.METHOD_PERMISSIONS, **ACTION_PERMISSIONS}
    list_template = "centers/list.html"
    show_template = "centers/show.html"
    list_title = _l("Resilience centres")
    show_title = _l("Resilience centre")
    add_title = _l("Register a resilience centre")
    edit_title = _l("Edit resilience centre")
    label_columns = LABELS
    list_columns = ["name", "hromada.title", "oblast.title", "provider", "status", "barrier_free"]
    add_columns = edit_columns = FORM_COLUMNS
    add_fieldsets = FORM_FIELDSETS
    # FAB rebuilds edit_columns from edit_fieldsets, dropping the hidden "version" field
    # that PortalModelView adds for optimistic locking: keep it in a fieldset.
    edit_fieldsets = [
        *FORM_FIELDSETS[:-1],
        (FORM_FIELDSETS[-1][0], {"fields": [*ACCESSIBILITY, "version"]}),
    ]
    show_fieldsets = [
        (
            _l("Centre"),
            {
                "fields": [
                    "name",
                    "external_code",
                    "provider",
                    "provider_edrpou",
                    "selection_round",
                    "status",
                    "status_changed_on",
                    "status_changed_by",
                    "status_reason",
                    "planned_open_on",
                    "opened_on",
                    "published",
                    "published_on",
                ]
            },
        ),
        (_l("Location"), {"fields": ["oblast", "hromada", "address", "latitude", "longitude"]}),
        (
            _l("Premises and agreement"),
            {
                "fields": [
                    "premises_area",
                    "rooms_individual",
                    "rooms_group",
                    "shelter",
                    "premises_owner",
                    "agreement_number",
                    "agreement_signed_on",
                ]
            },
        ),
        (
            _l("Contacts and staff"),
            {
                "fields": [
                    "working_hours",
                    "phone",
                    "email",
                    "website",
                    "staff_text",
                    "psychologists",
                    "social_managers",
                    "social_workers",
                ]
            },
        ),
        (_l("Services"), {"fields": ["directions_text", "extra_services_text"]}),
        (_l("Accessibility"), {"fields": ["accessibility_text", "barrier_free"]}),
        (_l("Record"), {"fields": ["created_on", "changed_on"], "expanded": False}),
    ]
    # Relations are filtered with server-searched pickers (a dropdown of every
    # community would load the table on every list page).
    search_columns = [
        "name",
        "status",
        "hromada",
        "provider",
        "oblast",
        "barrier_free",
        "address",
        "external_code",
    ]
    search_form_extra_fields = {
        "hromada": AjaxSelectField(_l("Territorial community"), lookup="hromada"),
        "provider": AjaxSelectField(_l("Provider"), lookup="centre_filter_provider"),
        "oblast": AjaxSelectField(_l("Oblast"), lookup="centre_filter_oblast"),
    }

    def quick_search_clauses(self, text):
        """Name, code and address, and the community, raion and provider by name
        (or ЄДРПОУ / КАТОТТГ code): «Пустомит» finds the centres of that raion."""
        from ..common.finder import contains
        from ..geography.models import Hromada, Raion
        from ..providers.models import Provider

        c = ResilienceCentre
        return [
            contains(c.name, text),
            contains(c.external_code, text),
            contains(c.address, text),
            c.hromada.has(
                contains(Hromada.title, text)
                | contains(Hromada.code, text)
                | Hromada.raion.has(contains(Raion.title, text))
            ),
            c.provider.has(contains(Provider.name, text) | contains(Provider.edrpou, text)),
        ]

    order_columns = ["name", "status", "oblast.title", "hromada.title"]
    base_order = ("name", "asc")
    formatters_columns = {
        "barrier_free": _yes_no,
        "shelter": _yes_no,
        "published": _yes_no,
        **{c: _dash for c in OPTIONAL},
    }
    validators_columns = {
        "psychologists": [Optional(), NumberRange(min=0, max=500)],
        "social_workers": [Optional(), NumberRange(min=0, max=500)],
        "social_managers": [Optional(), NumberRange(min=0, max=500)],
        "premises_area": [Optional(), NumberRange(min=0, max=100_000)],
        "rooms_individual": [Optional(), NumberRange(min=0, max=100)],
        "rooms_group": [Optional(), NumberRange(min=0, max=100)],
    }
    add_form_extra_fields = edit_form_extra_fields = _form_extra_fields()
    description_columns = {
        "working_hours": _l(
            "Days and times, e.g. «Пн–Пт 09:00–18:00, "
            "Сб 10:00–14:00»: the public directory finds "
            "centres open now or on Saturday from them."
        )
    }
    # The import's columns and headers: an exported file imports again (importer).
    export_columns = export_columns()

    def render_template(self, template, **kwargs):
        kwargs.setdefault(
            "can_import",
            self.appbuilder.sm.has_access(permissions.IMPORT, self.class_permission_name),
        )
        return super().render_template(template, **kwargs)

    # --- saving ------------------------------------------------------------------

    # --- show with status history -----------------------------------------------
    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        item = self.scoped_get(pk)
        widgets = fab_seam.record_page_widgets(self, item)
        history = self.datamodel.session.scalars(
            select(CentreStatusChange)
            .where(CentreStatusChange.centre_id == item.id)
            .order_by(CentreStatusChange.changed_on.desc(), CentreStatusChange.id.desc())
            .limit(50)
        ).all()
        from .models import CentreReport, CentreStatus, StaffRole

        # Staff are named only to those who may read the staff register (specialists'
        # names are personal data: not for the auditor); the counts are shown to all.
        names_allowed = self.appbuilder.sm.has_access("can_read", permissions.STAFF)
        staff = services.current_staff([item.id])[item.id] if names_allowed else []
        checklist = (
            services.readiness(item)
            if item.status in (CentreStatus.planned, CentreStatus.preparing)
            else []
        )
        if not names_allowed:
            for entry in checklist:
                if entry.key == "certified":
                    entry.detail = ""
        reports = self.datamodel.session.scalars(
            select(CentreReport)
            .where(CentreReport.centre_id == item.id)
            .order_by(CentreReport.month.desc())
            .limit(12)
        ).all()
        return self.render_template(
            self.show_template,
            pk=item.id,
            title=self.show_title,
            widgets=widgets,
            related_views=fab_seam.related_views(self),
            history=history,
            staff=staff,
            checklist=checklist,
            reports=reports,
            roles=list(StaffRole),
            centre=item,
            names_allowed=names_allowed,
            status_changes=self.status_changes(item),
            centre_agreements=self._agreements(item),
        )

    def _agreements(self, item):
        """The service agreements under which the centre works (from the selection's
        award), for those who may read agreements; None hides the panel."""
        if not self.appbuilder.sm.has_access("can_read", "ServiceAgreement"):
            return None
        from ..selection.services import agreements_of_centre

        return agreements_of_centre(item.id)

    def _action_redirect(self):
        """A refused action on a centre's page returns to that page (with the refusal)."""
        if request.view_args and request.view_args.get("pk"):
            return redirect(url_for(".show", pk=request.view_args["pk"]))
        return redirect(url_for(".list"))

    # --- status actions -------------------------------------------------------------
    #: The centre's page renders its status changes itself: only those allowed now,
    #: suspend and close with the reason, close marked as final.
    record_page_actions = frozenset(services.TRANSITIONS)
    single_record_actions = frozenset(services.NEEDS_REASON)

    def status_changes(self, item) -> list[dict]:
        """The status-change buttons of a centre's page: allowed now, for this user."""
        warnings = {
            "close": _(
                "Closing is final: a closed centre cannot be reopened or changed, "
                "and it leaves the public directory. Its history stays."
            ),
            "suspend": _(
                "The centre stops receiving visitors until it is resumed; its "
                "entry leaves the public directory."
            ),
        }
        return [
            {
                "name": name,
                "label": str(self.actions[name].text),
                "needs_reason": name in services.NEEDS_REASON,
                "final": name == "close",
                "warning": warnings.get(name, ""),
            }
            for name in services.allowed_transitions(item)
        ]

    def _transition(self, name, items):
        func = services.TRANSITIONS[name][0]
        single = not isinstance(items, list)
        items = [items] if single else items
        reason = request.form.get("reason")
        for item in items:
            func(item, reason=reason)
        self.datamodel.session.commit()
        if single:
            flash(
                _("Centre «%(name)s»: %(status)s.", name=items[0].name, status=items[0].status),
                "success",
            )
            return redirect(url_for(".show", pk=items[0].id))
        flash(_("Status changed: %(count)d centre(s).", count=len(items)), "success")
        return redirect(self.get_redirect())

    @action(
        "prepare", _l("Start preparing"), _l("Start preparing the selected centres?"), "fa-wrench"
    )
    def prepare(self, items):
        return self._transition("prepare", items)

    @action(
        "open", _l("Open the centre"), _l("Mark the selected centres as operating?"), "fa-check"
    )
    def open(self, items):
        return self._transition("open", items)

    @action("suspend", _l("Suspend the centre"), _l("Suspend the selected centres?"), "fa-pause")
    def suspend(self, items):
        return self._transition("suspend", items)

    @action(
        "resume", _l("Resume the centre"), _l("Resume the work of the selected centres?"), "fa-play"
    )
    def resume(self, items):
        return self._transition("resume", items)

    @action(
        "close",
        _l("Close the centre"),
        _l("Close the selected centres? This cannot be undone."),
        "fa-times",
    )
    def close(self, items):
        return self._transition("close", items)

    @action(
        "publish",
        _l("Publish in the public directory"),
        _l(
            "Publish the selected centres in the public directory? Check what the public "
            "will see: address, working hours, contacts, services."
        ),
        "fa-globe",
    )
    def publish(self, items):
        return self._transition("publish", items)

    @action(
        "unpublish",
        _l("Remove from the public directory"),
        _l("Remove the selected centres from the public directory?"),
        "fa-eye-slash",
    )
    def unpublish(self, items):
        return self._transition("unpublish", items)


class CentreApi(ParsedApiFields, PortalRestApi):
    resource_name = "centre"
    class_permission_name = permissions.RESOURCE
    base_permissions = CENTRE_PERMISSIONS
    method_permission_name = {**roles.METHOD_PERMISSIONS, **ACTION_PERMISSIONS}
    datamodel = PortalInterface(ResilienceCentre)
    parsed_fields = input_kinds()  # «49,8», «067 123 45 67», dd.mm.yyyy: as the form
    label_columns = LABELS
    list_columns = [
        "id",
        "name",
        "external_code",
        "status",
        "oblast.id",
        "oblast.title",
        "hromada.id",
        "hromada.title",
        "provider.id",
        "provider.name",
        "barrier_free",
    ]
    show_columns = [
        *list_columns,
        "address",
        "latitude",
        "longitude",
        "opened_on",
        "planned_open_on",
        "working_hours",
        "phone",
        "email",
        "website",
        "psychologists",
        "social_managers",
        "social_workers",
        "premises_area",
        "rooms_individual",
        "rooms_group",
        "shelter",
        "premises_owner",
        "agreement_number",
        "agreement_signed_on",
        *DIRECTIONS,
        *EXTRA_SERVICES,
        "other_services",
        *ACCESSIBILITY,
        "status_changed_on",
        "status_reason",
        "version",
    ]
    add_columns = edit_columns = [c for c in FORM_COLUMNS]
    search_columns = ["name", "status", "barrier_free", "oblast", "external_code"]
    order_columns = ["name", "status", "id"]

    def _transition(self, pk, name):
        return self.change_item(
            pk,
            lambda item, body: services.TRANSITIONS[name][0](item, reason=body["reason"]),
            respond=lambda item, _result: self.response(
                200, id=item.id, status=item.status.name, status_label=str(item.status)
            ),
            fields={"reason": str},
        )

    @expose("/<int:pk>/prepare", methods=["POST"])
    @protect()
    @safe
    @permission_name("prepare")
    def prepare(self, pk):
        return self._transition(pk, "prepare")

    prepare.__doc__ = _api_doc("Planned → being prepared.")

    @expose("/<int:pk>/open", methods=["POST"])
    @protect()
    @safe
    @permission_name("open")
    def open(self, pk):
        return self._transition(pk, "open")

    open.__doc__ = _api_doc("Being prepared → operating.")

    @expose("/<int:pk>/suspend", methods=["POST"])
    @protect()
    @safe
    @permission_name("suspend")
    def suspend(self, pk):
        return self._transition(pk, "suspend")

    suspend.__doc__ = _api_doc("Operating → suspended.")

    @expose("/<int:pk>/resume", methods=["POST"])
    @protect()
    @safe
    @permission_name("resume")
    def resume(self, pk):
        return self._transition(pk, "resume")

    resume.__doc__ = _api_doc("Suspended → operating.")

    @expose("/<int:pk>/close", methods=["POST"])
    @protect()
    @safe
    @permission_name("close")
    def close(self, pk):
        return self._transition(pk, "close")

    close.__doc__ = _api_doc("Any status → closed.")

    @expose("/<int:pk>/publish", methods=["POST"])
    @protect()
    @safe
    @permission_name("publish")
    def publish(self, pk):
        return self._transition(pk, "publish")

    publish.__doc__ = _api_doc("Publish an operating centre in the public directory.")

    @expose("/<int:pk>/unpublish", methods=["POST"])
    @protect()
    @safe
    @permission_name("unpublish")
    def unpublish(self, pk):
        return self._transition(pk, "unpublish")

    unpublish.__doc__ = _api_doc("Remove the centre from the public directory.")
