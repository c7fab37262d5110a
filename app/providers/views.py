"""Provider registry views and API: CRUD, approval workflow, specialists."""

from __future__ import annotations

import os

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.api import safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import ValidationError
from wtforms.validators import Email, Optional

from ..common.apidoc import record_rows_doc, transition_doc
from ..common.enums import N_
from ..common.export import ExportMixin
from ..common.listing import BoundedCountInterface
from ..common.lookup import AjaxSelectField
from ..common.validators import Edrpou, UkrainianPhone
from ..common.views import EMPTY, PortalModelView, PortalRestApi
from ..security import roles
from ..security.scope import SCOPE_FILTER, scoped
from . import services
from .models import Provider, Specialist

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")

LABELS = {
    "name": _l("Full name"),
    "short_name": _l("Short name"),
    "kind": _l("Kind of organisation"),
    "edrpou": _l("EDRPOU code"),
    "address": _l("Address"),
    "oblast": _l("Oblast"),
    "oblast.title": _l("Oblast"),
    "hromada": _l("Territorial community"),
    "hromada.title": _l("Territorial community"),
    "head_name": _l("Head"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "status": _l("Status"),
    "status_changed_on": _l("Status changed on"),
    "status_reason": _l("Reason"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}

EMAIL_MESSAGE = services.EMAIL_MESSAGE
EDRPOU_TAKEN = services.EDRPOU_TAKEN
ONLY_DRAFT_DELETE = services.ONLY_DRAFT_DELETE

#: Transition actions: name -> (button text, permission suffix).
TRANSITION_ACTIONS = {
    "submit": (N_("Submit for approval"), "submit"),
    "approve": (N_("Approve"), "approve"),
    "reject": (N_("Reject"), "approve"),
    "suspend": (N_("Suspend"), "approve"),
    "reinstate": (N_("Reinstate"), "approve"),
    "archive": (N_("Archive"), "approve"),
}
TRANSITION_PERMISSIONS = {name: perm for name, (_t, perm) in TRANSITION_ACTIONS.items()}


class UniqueEdrpou:
    """Form validator: no other provider has this EDRPOU (clear message, not a DB error)."""

    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            return
        from flask import current_app

        stmt = select(func.count()).select_from(Provider).where(Provider.edrpou == value)
        own_id = getattr(form, "_id", None)
        if own_id is not None:
            stmt = stmt.where(Provider.id != int(own_id))
        if current_app.appbuilder.session.scalar(stmt):
            raise ValidationError(str(EDRPOU_TAKEN))


def _blank(value):
    return EMPTY if value is None or value == "" else value


def _transition_action(name):
    text, _perm = TRANSITION_ACTIONS[name]

    def run(self, items):
        return self.run_transition(name, items)

    run.__name__ = name
    return action(name, text, confirmation=None, icon="fa-check", single=False,
                  multiple=True)(run)


class ProviderView(ExportMixin, PortalModelView):
    datamodel = BoundedCountInterface(Provider)
    class_permission_name = "Provider"
    method_permission_name = {**roles.METHOD_PERMISSIONS, **TRANSITION_PERMISSIONS}
    template_folder = TEMPLATES
    list_template = "providers/list.html"
    show_template = "providers/show.html"
    list_title = _l("Providers of social services")
    show_title = _l("Provider")
    add_title = _l("Add provider")
    edit_title = _l("Edit provider")
    label_columns = LABELS
    list_columns = ["name", "edrpou", "kind", "oblast.title", "status"]
    add_columns = ["name", "short_name", "kind", "edrpou", "oblast", "hromada", "address",
                   "head_name", "phone", "email"]
    edit_columns = add_columns
    show_fieldsets = [
        (_l("Organisation"), {"fields": ["name", "short_name", "kind", "edrpou", "status",
                                         "status_changed_on", "status_reason"]}),
        (_l("Location and contacts"), {"fields": ["oblast", "hromada", "address",
                                                  "head_name", "phone", "email"]}),
        (_l("Record"), {"fields": ["created_on", "changed_on"], "expanded": False}),
    ]
    search_columns = ["name", "edrpou", "status", "kind"]
    validators_columns = {
        "edrpou": [Edrpou(), UniqueEdrpou()],
        "phone": [UkrainianPhone()],
        "email": [Optional(), Email(message=EMAIL_MESSAGE)],
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "hromada": AjaxSelectField(_l("Territorial community"), lookup="hromada"),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {"oblast": [SCOPE_FILTER]}
    export_columns = ["name", "short_name", "edrpou", "kind", "oblast.title", "hromada.title",
                      "address", "head_name", "phone", "email", "status"]
    order_columns = ["name", "edrpou", "status"]
    base_order = ("name", "asc")
    formatters_columns = {c: _blank for c in ("short_name", "address", "hromada", "head_name",
                                              "phone", "email", "status_reason")}

    submit = _transition_action("submit")
    approve = _transition_action("approve")
    reject = _transition_action("reject")
    suspend = _transition_action("suspend")
    reinstate = _transition_action("reinstate")
    archive = _transition_action("archive")

    def run_transition(self, name, items):
        items = items if isinstance(items, list) else [items]
        single = len(items) == 1 and request.form.getlist("rowid") == []
        reason = request.form.get("reason")
        version = request.form.get("version") if single else None
        for item in items:
            services.transition(name, item, g.user, reason=reason, expected_version=version)
        self.datamodel.session.commit()
        flash(_("Status changed: %(count)s provider(s).", count=len(items)), "success")
        if single:
            return redirect(url_for(".show", pk=items[0].id))
        return redirect(url_for(".list"))

    def _action_redirect(self):
        if request.view_args and request.view_args.get("pk"):
            return redirect(url_for(".show", pk=request.view_args["pk"]))
        return redirect(url_for(".list"))

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            item = self.datamodel.get(kwargs["pk"], self._base_filters)
            if item is not None:
                sm = self.appbuilder.sm
                kwargs["item"] = item
                kwargs["transitions"] = [
                    (name, TRANSITION_ACTIONS[name][0], services.TRANSITIONS[name][3])
                    for name in services.allowed_transitions(item, g.user)
                    if sm.has_access("can_" + TRANSITION_PERMISSIONS[name], "Provider")]
                kwargs["history"] = services.history(item.id)
                kwargs["specialists"] = None
                if sm.has_access("can_read", "Specialist"):
                    kwargs["specialists"] = list(self.datamodel.session.scalars(
                        scoped(select(Specialist), Specialist)
                        .where(Specialist.provider_id == item.id)
                        .order_by(Specialist.full_name)))
        return super().render_template(template, **kwargs)


class ProviderApi(PortalRestApi):
    # Nullable relations (hromada, national round) must not drop rows: outer joins.
    list_outer_default_load = True
    show_outer_default_load = True
    resource_name = "provider"
    class_permission_name = "Provider"
    method_permission_name = {**roles.METHOD_PERMISSIONS, "transition_endpoint": "read",
                              "history_endpoint": "read"}
    datamodel = SQLAInterface(Provider)
    label_columns = LABELS
    list_columns = ["id", "name", "short_name", "edrpou", "kind", "status", "oblast.id",
                    "oblast.title"]
    show_columns = list_columns + ["address", "hromada.id", "hromada.title", "head_name",
                                   "phone", "email", "status_reason", "version"]
    # Selecting "hromada.*" makes FAB join geo_hromada explicitly, and the model's own
    # eager load of hromada.oblast (innerjoin) then drops providers without a hromada
    # (404). The hromada is still returned, through the relationship's default load.
    show_select_columns = [c for c in show_columns if not c.startswith("hromada.")]
    add_columns = ["name", "short_name", "kind", "edrpou", "oblast", "hromada", "address",
                   "head_name", "phone", "email"]
    edit_columns = add_columns
    search_columns = ["name", "edrpou", "status", "oblast"]

    @expose("/<int:pk>/<string:name>", methods=["POST"])
    @protect()
    @safe
    def transition_endpoint(self, pk, name):
        if name not in TRANSITION_ACTIONS:
            return self.response_404()
        if not self.appbuilder.sm.has_access("can_" + TRANSITION_PERMISSIONS[name],
                                             self.class_permission_name):
            return self.response_403()
        return self.change_item(
            pk, lambda item, body: services.transition(name, item, g.user,
                                                       reason=body["reason"],
                                                       expected_version=body["version"]),
            respond=lambda item, _result: self.response(
                200, id=item.id, status=item.status.name, status_label=item.status.label,
                version=item.version),
            fields={"reason": str, "version": int})

    transition_endpoint.__doc__ = transition_doc(
        "Provider approval workflow (submit, approve, reject, suspend, reinstate, archive)",
        names=list(TRANSITION_ACTIONS), body={"reason": "string", "version": "integer"},
        returns={"status_label": "string", "version": "integer"},
        conflict="Stale version or a transition not allowed from the current state")

    @expose("/<int:pk>/history", methods=["GET"])
    @protect()
    @safe
    def history_endpoint(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()
        return self.response(200, result=[
            {"from": c.from_status.name, "to": c.to_status.name,
             "by": c.changed_by.username if c.changed_by else None,
             "at": c.changed_on.isoformat(), "reason": c.reason}
            for c in services.history(item.id)])

    history_endpoint.__doc__ = record_rows_doc("Status history of a provider")


SPECIALIST_LABELS = {
    "provider": _l("Provider"),
    "provider.name": _l("Provider"),
    "full_name": _l("Full name (person)"),
    "position": _l("Position"),
    "qualification": _l("Qualification"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "active": _l("Works now"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}


class SpecialistView(ExportMixin, PortalModelView):
    datamodel = SQLAInterface(Specialist)
    class_permission_name = "Specialist"
    list_title = _l("Specialists of providers")
    show_title = _l("Specialist")
    add_title = _l("Add specialist")
    edit_title = _l("Edit specialist")
    label_columns = SPECIALIST_LABELS
    list_columns = ["full_name", "position", "provider.name", "active"]
    add_columns = ["provider", "full_name", "position", "qualification", "phone", "email",
                   "active"]
    edit_columns = add_columns
    show_columns = add_columns + ["created_on", "changed_on"]
    search_columns = ["full_name", "position", "qualification", "active"]
    validators_columns = {
        "phone": [UkrainianPhone()],
        "email": [Optional(), Email(message=EMAIL_MESSAGE)],
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "provider": AjaxSelectField(_l("Provider"), lookup="provider"),
    }
    export_columns = ["full_name", "position", "qualification", "provider.name", "phone",
                      "email", "active"]
    order_columns = ["full_name", "position"]
    base_order = ("full_name", "asc")
    formatters_columns = {c: _blank for c in ("position", "qualification", "phone", "email")}



class SpecialistApi(PortalRestApi):
    # Nullable relations (hromada, national round) must not drop rows: outer joins.
    list_outer_default_load = True
    show_outer_default_load = True
    resource_name = "specialist"
    class_permission_name = "Specialist"
    datamodel = SQLAInterface(Specialist)
    label_columns = SPECIALIST_LABELS
    list_columns = ["id", "full_name", "position", "qualification", "provider.id",
                    "provider.name", "active"]
    show_columns = list_columns + ["phone", "email"]
    add_columns = ["provider", "full_name", "position", "qualification", "phone", "email",
                   "active"]
    edit_columns = add_columns
    search_columns = ["full_name", "position", "active"]

