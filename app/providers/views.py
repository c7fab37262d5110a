"""Provider registry views and API: CRUD, approval workflow, specialists."""

from __future__ import annotations

import datetime as dt
import os

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.api import safe
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access, protect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import StringField, ValidationError
from wtforms.validators import Email, Optional

from .. import clock, fab_seam
from ..common import fields
from ..common.apidoc import record_rows_doc, transition_doc
from ..common.enums import N_
from ..common.export import ExportMixin
from ..common.listing import BoundedCountInterface, PortalInterface
from ..common.lookup import AjaxSelectField
from ..common.validators import Edrpou, Rnokpp
from ..common.views import EMPTY, PortalModelView, PortalRestApi
from ..errors import InvalidData, UserError
from ..security import roles
from ..security.scope import current_scope, scope_clause, scoped
from . import services
from .models import EligibilityCriterion, Provider, ProviderDocType, SoleProprietor, Specialist

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")

LABELS = {
    "name": _l("Full name"),
    "short_name": _l("Short name"),
    "kind": _l("Kind of organisation"),
    "edrpou": _l("EDRPOU code"),
    "legal_form": _l("Legal form"),
    "rnokpp": _l("RNOKPP (for a sole proprietor)"),
    "registered_on": _l("State registration date"),
    "register_number": _l("Entry number in the Register of providers"),
    "register_date": _l("Date of the entry in the Register of providers"),
    "services_offered": _l("Social services offered"),
    "legal_address": _l("Legal address"),
    "iban": _l("IBAN"),
    "recheck_on": _l("Next eligibility check"),
    "code": _l("EDRPOU or RNOKPP"),
    "address": _l("Actual address"),
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
    "changes_pending": _l("Changes awaiting a check"),
    "changes_fields": _l("Changed key data"),
    "changes_noted_on": _l("Changes noted on"),
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


class OblastPicker(BaseFilter):
    """The oblast picker of the provider form: the user's scope, and for a provider's
    own representative the provider's oblast (their card keeps its oblast)."""

    name = _l("Scope")
    arg_name = None

    def apply(self, query, value):
        from ..geography.models import Oblast

        scope = current_scope()
        if scope.provider_id:
            return query.filter(
                Oblast.id
                == select(Provider.oblast_id)
                .where(Provider.id == scope.provider_id)
                .scalar_subquery()
            )
        clause = scope_clause(Oblast)
        return query if clause is None else query.filter(clause)


def _form_date(value):
    text = (value or "").strip()
    for parse in (lambda t: dt.datetime.strptime(t, "%d.%m.%Y").date(), dt.date.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidData(_l("The request body must be a JSON object."))
    return data


def json_bool(data: dict, name: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        raise InvalidData(_l("Field «%(field)s»: expected true or false.") % {"field": name})
    return value


def _send_stored(key, filename, entity, entity_id, details):
    """A stored document (its key in the ``uploads`` storage), streamed to the reader."""
    from ..storage import get_storage

    storage = get_storage("uploads")
    if not storage.exists(key):
        abort(404)
    from ..audit.services import record_event

    record_event("export", entity, entity_id, details=details)
    try:
        response = storage.send(key, download_name=filename, mimetype="application/octet-stream")
    except FileNotFoundError:
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


class PageChangeMixin:
    """A change posted from a record's page: applied and committed, or refused with
    the rule's message flashed; back to the record's page either way."""

    def apply_change(self, pk, change, message, load=None):
        """``load`` (default: the record in scope) may refuse first (403, 404); a
        refusal that names a missing part of the record (status 404) is a 404."""
        item = (load or self.scoped_get)(pk)
        try:
            change(item)
            self.datamodel.session.commit()
            flash(message, "success")
        except UserError as exc:
            self.datamodel.session.rollback()
            if exc.status_code == 404:
                abort(404)
            flash(str(exc), "danger")
        return redirect(url_for(".show", pk=pk))


class UniqueCode:
    """Form validator: no other provider has this code (clear message, not a DB error)."""

    def __init__(self, column, message):
        self.column, self.message = column, message

    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            return
        from flask import current_app

        owner = Provider.id if self.column.class_ is Provider else SoleProprietor.provider_id
        stmt = select(func.count()).select_from(self.column.class_).where(self.column == value)
        own_id = fab_seam.edited_record(form)
        if own_id is not None:
            stmt = stmt.where(owner != int(own_id))
        if current_app.appbuilder.session.scalar(stmt):
            raise ValidationError(str(self.message))


def UniqueEdrpou():
    return UniqueCode(Provider.edrpou, EDRPOU_TAKEN)


def _blank(value):
    return EMPTY if value is None or value == "" else value


RNOKPP_KEPT = _l(
    "The RNOKPP is personal data you do not see: left empty, the stored one is "
    "kept; a code entered replaces it."
)


def _rnokpp_shown(value):
    """The РНОКПП on the provider's page: ``***`` for a role that may not read it
    (a representative reads only their own provider: the scope)."""
    if value in (None, ""):
        return EMPTY
    if not services.role_names(g.user) & services.RNOKPP_READERS:
        from ..security.pii import MASK

        return MASK
    return value


def _transition_action(name):
    text, _perm = TRANSITION_ACTIONS[name]

    def run(self, items):
        return self.run_transition(name, items)

    run.__name__ = name
    return action(name, text, confirmation=None, icon="fa-check", single=False, multiple=True)(run)


class ProviderView(PageChangeMixin, ExportMixin, PortalModelView):
    datamodel = BoundedCountInterface(Provider)
    class_permission_name = "Provider"
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        **TRANSITION_PERMISSIONS,
        "check": "approve",
        "upload": "write",
        "document": "read",
        "confirm_changes": "approve",
    }
    template_folder = TEMPLATES
    list_template = "providers/list.html"
    show_template = "providers/show.html"
    list_title = _l("Providers of social services")
    show_title = _l("Provider")
    add_title = _l("Add provider")
    edit_title = _l("Edit provider")
    label_columns = LABELS
    list_columns = ["name", "edrpou", "kind", "oblast.title", "status"]
    add_columns = [
        "name",
        "short_name",
        "legal_form",
        "kind",
        "edrpou",
        "rnokpp",
        "registered_on",
        "register_number",
        "register_date",
        "services_offered",
        "oblast",
        "hromada",
        "legal_address",
        "address",
        "iban",
        "head_name",
        "phone",
        "email",
    ]
    edit_columns = add_columns
    show_fieldsets = [
        (
            _l("Organisation"),
            {
                "fields": [
                    "name",
                    "short_name",
                    "legal_form",
                    "kind",
                    "edrpou",
                    "rnokpp",
                    "registered_on",
                    "status",
                    "status_changed_on",
                    "status_reason",
                    "recheck_on",
                ]
            },
        ),
        (
            _l("Register of providers"),
            {"fields": ["register_number", "register_date", "services_offered", "iban"]},
        ),
        (
            _l("Location and contacts"),
            {
                "fields": [
                    "oblast",
                    "hromada",
                    "legal_address",
                    "address",
                    "head_name",
                    "phone",
                    "email",
                ]
            },
        ),
        (_l("Record"), {"fields": ["created_on", "changed_on"], "expanded": False}),
    ]
    search_columns = ["name", "edrpou", "status", "kind", "changes_pending"]
    validators_columns = {
        "edrpou": [Edrpou(), UniqueEdrpou()],
        "email": [Optional(), Email(message=EMAIL_MESSAGE)],
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "hromada": AjaxSelectField(_l("Territorial community"), lookup="hromada"),
        # The portal's one phone parser (any usual spelling, stored +380XXXXXXXXX).
        "phone": fields.PHONE.form(LABELS["phone"]),
        # A sole proprietor's РНОКПП lives in provider_proprietor (personal data).
        "rnokpp": StringField(
            LABELS["rnokpp"],
            validators=[
                Optional(),
                Rnokpp(),
                UniqueCode(SoleProprietor.rnokpp, services.RNOKPP_TAKEN),
            ],
        ),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "oblast": [["id", OblastPicker, None]]
    }
    export_columns = [
        "name",
        "short_name",
        "edrpou",
        "kind",
        "oblast.title",
        "hromada.title",
        "address",
        "head_name",
        "phone",
        "email",
        "status",
    ]
    order_columns = ["name", "edrpou", "status"]
    base_order = ("name", "asc")
    formatters_columns = {
        c: _blank
        for c in (
            "short_name",
            "address",
            "hromada",
            "head_name",
            "phone",
            "email",
            "status_reason",
            "edrpou",
            "legal_form",
            "register_number",
            "services_offered",
            "legal_address",
            "iban",
        )
    }

    formatters_columns["rnokpp"] = _rnokpp_shown

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
        recheck_on = _form_date(request.form.get("recheck_on"))
        for item in items:
            services.transition(
                name, item, g.user, reason=reason, expected_version=version, recheck_on=recheck_on
            )
        self.datamodel.session.commit()
        flash(_("Status changed: %(count)s provider(s).", count=len(items)), "success")
        if single:
            return redirect(url_for(".show", pk=items[0].id))
        return redirect(url_for(".list"))

    def _action_redirect(self):
        if request.view_args and request.view_args.get("pk"):
            return redirect(url_for(".show", pk=request.view_args["pk"]))
        return redirect(url_for(".list"))

    # --- the РНОКПП on the edit form: written by a card keeper, read only by its readers
    @staticmethod
    def _reads_rnokpp() -> bool:
        return bool(services.role_names(g.user) & services.RNOKPP_READERS)

    def _hide_rnokpp(self, form) -> None:
        if "rnokpp" in form and not self._reads_rnokpp():
            form.rnokpp.data = ""
            form.rnokpp.description = RNOKPP_KEPT

    def prefill_form(self, form, pk):
        super().prefill_form(form, pk)
        self._hide_rnokpp(form)

    def process_form(self, form, is_created):
        super().process_form(form, is_created)
        # A regional administrator does not see the РНОКПП: left blank, it is kept.
        pk = fab_seam.edited_record(form)
        if (
            not is_created
            and pk is not None
            and "rnokpp" in form
            and not self._reads_rnokpp()
            and not (form.rnokpp.data or "").strip()
        ):
            form.rnokpp.data = services.rnokpp_of([int(pk)]).get(int(pk)) or ""

    def edit_widgets_after_refusal(self, form, item):
        self._hide_rnokpp(form)
        return super().edit_widgets_after_refusal(form, item)

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            item = fab_seam.get_in_scope(self, kwargs["pk"])
            if item is not None:
                sm = self.appbuilder.sm
                kwargs["item"] = item
                kwargs["transitions"] = [
                    (name, TRANSITION_ACTIONS[name][0], services.TRANSITIONS[name][3])
                    for name in services.allowed_transitions(item, g.user)
                    if sm.has_access("can_" + TRANSITION_PERMISSIONS[name], "Provider")
                ]
                kwargs["history"] = services.history(item.id)
                names = services.role_names(g.user)
                kwargs["changed_fields"] = services.changed_field_labels(item)
                kwargs["can_confirm_changes"] = (
                    item.changes_pending
                    and bool(names & services.APPROVERS)
                    and sm.has_access("can_approve", "Provider")
                )
                kwargs["criteria"] = services.active_criteria()
                kwargs["checks"] = services.checks_of(item.id)
                kwargs["can_check"] = bool(names & services.APPROVERS) and item.status in (
                    services.S.submitted,
                    services.S.approved,
                    services.S.suspended,
                )
                kwargs["documents"] = services.documents_of(item.id)
                kwargs["can_upload"] = (
                    bool(names & services.CARD_KEEPERS)
                    and sm.has_access("can_write", "Provider")
                    and item.status != services.S.archived
                )
                kwargs["doc_types"] = ProviderDocType.choices()
                kwargs["today"] = clock.kyiv_today()
                kwargs["agreements"] = None
                if sm.has_access("can_read", "ServiceAgreement"):
                    from ..selection.services import agreements_of_provider

                    kwargs["agreements"] = agreements_of_provider(item.id)
                kwargs["specialists"] = None
                if sm.has_access("can_read", "Specialist"):
                    kwargs["specialists"] = list(
                        self.datamodel.session.scalars(
                            scoped(select(Specialist), Specialist)
                            .where(Specialist.provider_id == item.id)
                            .order_by(Specialist.full_name)
                        )
                    )
        return super().render_template(template, **kwargs)

    # --- eligibility checklist and documents ---------------------------------------
    @expose("/check/<int:pk>", methods=["POST"])
    @has_access
    def check(self, pk):
        def change(item):
            raw = request.form.get("criterion_id", "")
            criterion = (
                self.datamodel.session.get(EligibilityCriterion, int(raw))
                if raw.isdigit()
                else None
            )
            services.record_check(
                item,
                criterion,
                request.form.get("met") == "y",
                request.form.get("evidence"),
                g.user,
            )

        return self.apply_change(pk, change, _("The assessment of the criterion is saved."))

    @expose("/confirm-changes/<int:pk>", methods=["POST"])
    @has_access
    def confirm_changes(self, pk):
        return self.apply_change(
            pk,
            lambda item: services.confirm_changes(
                item,
                g.user,
                note=request.form.get("note"),
                expected_version=request.form.get("version"),
            ),
            _("The changes of key data are confirmed."),
        )

    @expose("/documents/<int:pk>", methods=["POST"])
    @has_access
    def upload(self, pk):
        return self.apply_change(
            pk,
            lambda item: services.add_document(
                item,
                request.files.get("file"),
                request.form.get("doc_type"),
                _form_date(request.form.get("valid_from")),
                _form_date(request.form.get("valid_until")),
                g.user,
            ),
            _("Document uploaded."),
        )

    @expose("/documents/<int:pk>/<int:doc_id>")
    @has_access
    def document(self, pk, doc_id):
        item = self.scoped_get(pk)
        document = next((d for d in services.documents_of(item.id) if d.id == doc_id), None)
        if document is None:
            abort(404)
        return _send_stored(
            services.document_path(document),
            document.filename,
            "ProviderDocument",
            document.id,
            {"provider": item.id},
        )


class ProviderApi(PortalRestApi):
    # Nullable relations (hromada, national round) must not drop rows: outer joins.
    list_outer_default_load = True
    show_outer_default_load = True
    resource_name = "provider"
    class_permission_name = "Provider"
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        "transition_endpoint": "read",
        "history_endpoint": "read",
        "check_endpoint": "approve",
        "documents_endpoint": "write",
        "documents_list": "read",
    }
    datamodel = PortalInterface(Provider)
    label_columns = LABELS
    list_columns = [
        "id",
        "name",
        "short_name",
        "edrpou",
        "legal_form",
        "kind",
        "status",
        "oblast.id",
        "oblast.title",
    ]
    show_columns = list_columns + [
        "address",
        "hromada.id",
        "hromada.title",
        "head_name",
        "phone",
        "email",
        "status_reason",
        "registered_on",
        "register_number",
        "register_date",
        "services_offered",
        "legal_address",
        "iban",
        "recheck_on",
        "changes_pending",
        "changes_fields",
        "changes_noted_on",
        "version",
    ]
    # Selecting "hromada.*" makes FAB join geo_hromada explicitly, and the model's own
    # eager load of hromada.oblast (innerjoin) then drops providers without a hromada
    # (404). The hromada is still returned, through the relationship's default load.
    show_select_columns = [c for c in show_columns if not c.startswith("hromada.")]
    add_columns = [c for c in ProviderView.add_columns if c != "rnokpp"]
    edit_columns = add_columns
    search_columns = ["name", "edrpou", "status", "oblast"]

    def after_model_schemas(self) -> None:
        from marshmallow import fields

        super().after_model_schemas()
        for attr in ("add_model_schema", "edit_model_schema"):
            # A sole proprietor's РНОКПП: written to provider_proprietor (personal data).
            # Declared on a subclass, not on the instance: the edit schema is
            # instantiated again when the version field is added (PUT refused it).
            klass = type(getattr(self, attr))
            meta = klass.Meta
            if getattr(meta, "fields", None) and "rnokpp" not in meta.fields:
                meta = type("Meta", (meta,), {"fields": (*meta.fields, "rnokpp")})
            field = fields.String(
                allow_none=True, load_default=None, validate=lambda v: v is None or len(v) <= 20
            )
            schema = type(klass.__name__, (klass,), {"rnokpp": field, "Meta": meta})()
            # The legal form may be left out: the command derives it from the kind.
            if "legal_form" in schema.fields:
                schema.fields["legal_form"].required = False
            setattr(self, attr, schema)

    def _without_rnokpp(self, response, pk=None):
        """A write's answer carries the РНОКПП only for those who may read it."""
        if services.can_see_rnokpp(g.user, pk):
            return response
        data = response.get_json(silent=True)
        if (
            isinstance(data, dict)
            and isinstance(data.get("result"), dict)
            and "rnokpp" in data["result"]
        ):
            import json

            data["result"].pop("rnokpp")
            response.set_data(json.dumps(data))
        return response

    def post_headless(self):
        response = super().post_headless()
        data = response.get_json(silent=True) or {}
        return self._without_rnokpp(response, data.get("id") if isinstance(data, dict) else None)

    def put_headless(self, pk):
        return self._without_rnokpp(super().put_headless(pk), pk)

    # A sole proprietor's РНОКПП (personal data, provider_proprietor) in the reads:
    # for ministry staff, the administrator and the provider's own representative
    # only (services.can_see_rnokpp); for every other role the key is absent.
    def pre_get(self, data):
        pk = data.get("id")
        if isinstance(pk, int) and services.can_see_rnokpp(g.user, pk):
            data["result"]["rnokpp"] = services.rnokpp_of([pk]).get(pk)

    def pre_get_list(self, data):
        ids = data.get("ids") or []
        visible = [pk for pk in ids if services.can_see_rnokpp(g.user, pk)]
        if not visible:
            return
        codes = services.rnokpp_of(visible)
        for pk, row in zip(ids, data.get("result") or []):
            if pk in visible:
                row["rnokpp"] = codes.get(pk)

    @expose("/<int:pk>/<string:name>", methods=["POST"])
    @protect()
    @safe
    def transition_endpoint(self, pk, name):
        if name == "confirm_changes":
            return self._confirm_changes(pk)
        if name not in TRANSITION_ACTIONS:
            return self.response_404()
        if not self.appbuilder.sm.has_access(
            "can_" + TRANSITION_PERMISSIONS[name], self.class_permission_name
        ):
            return self.response_403()
        return self.change_item(
            pk,
            lambda item, body: services.transition(
                name,
                item,
                g.user,
                reason=body["reason"],
                expected_version=body["version"],
                recheck_on=body["recheck_on"],
            ),
            respond=lambda item, _result: self.response(
                200,
                id=item.id,
                status=item.status.name,
                status_label=item.status.label,
                version=item.version,
            ),
            fields={"reason": str, "version": int, "recheck_on": "date"},
        )

    transition_endpoint.__doc__ = transition_doc(
        "Provider approval workflow (submit, approve, reject, suspend, reinstate, archive)",
        names=list(TRANSITION_ACTIONS),
        body={"reason": "string", "version": "integer", "recheck_on": "date"},
        returns={"status_label": "string", "version": "integer"},
        conflict="Stale version or a transition not allowed from the current state",
    )

    def _confirm_changes(self, pk):
        """``POST /api/v1/provider/<id>/confirm_changes`` {"note", "version"}: ministry
        staff confirm the checked changes of key data (services.confirm_changes)."""
        if not self.appbuilder.sm.has_access("can_approve", self.class_permission_name):
            return self.response_403()
        return self.change_item(
            pk,
            lambda item, body: services.confirm_changes(
                item, g.user, note=body["note"], expected_version=body["version"]
            ),
            respond=lambda item, _result: self.response(
                200,
                id=item.id,
                status=item.status.name,
                changes_pending=item.changes_pending,
                version=item.version,
            ),
            fields={"note": str, "version": int},
        )

    @expose("/<int:pk>/history", methods=["GET"])
    @protect()
    @safe
    def history_endpoint(self, pk):
        item = fab_seam.get_in_scope(self, pk)
        if item is None:
            return self.response_404()
        return self.response(
            200,
            result=[
                {
                    "from": c.from_status.name,
                    "to": c.to_status.name,
                    "by": c.changed_by.username if c.changed_by else None,
                    "at": c.changed_on.isoformat(),
                    "reason": c.reason,
                }
                for c in services.history(item.id)
            ],
        )

    history_endpoint.__doc__ = record_rows_doc("Status history of a provider")

    @expose("/<int:pk>/check", methods=["POST"])
    @protect()
    @safe
    def check_endpoint(self, pk):
        def change(item):
            data = _json_body()
            raw = data.get("criterion_id")
            criterion = (
                self.datamodel.session.get(EligibilityCriterion, raw)
                if isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw < 2**31
                else None
            )
            return services.record_check(
                item,
                criterion,
                json_bool(data, "met"),
                data.get("evidence") if isinstance(data.get("evidence"), str) else None,
                g.user,
            )

        return self.change_item(
            pk,
            change,
            respond=lambda item, check: self.response(
                200,
                id=check.id,
                provider_id=item.id,
                criterion_id=check.criterion_id,
                met=check.met,
            ),
        )

    check_endpoint.__doc__ = transition_doc(
        "Assess one eligibility criterion of a provider (met or not, with evidence)",
        body={"criterion_id": "integer", "met": "boolean", "evidence": "string"},
        returns={"met": "boolean"},
        conflict="The provider is not awaiting or holding approval",
    )

    @expose("/<int:pk>/documents", methods=["POST"])
    @protect()
    @safe
    def documents_endpoint(self, pk):
        return self.change_item(
            pk,
            lambda item: services.add_document(
                item,
                request.files.get("file"),
                request.form.get("doc_type"),
                _form_date(request.form.get("valid_from")),
                _form_date(request.form.get("valid_until")),
                g.user,
            ),
            respond=lambda item, doc: self.response(
                201, id=doc.id, provider_id=item.id, filename=doc.filename
            ),
        )

    documents_endpoint.__doc__ = """Upload a document of the provider
---
post:
  summary: Upload a document of the provider (multipart form)
  parameters:
  - in: path
    name: pk
    required: true
    schema:
      type: integer
  requestBody:
    required: true
    content:
      multipart/form-data:
        schema:
          type: object
          properties:
            file:
              type: string
              format: binary
            doc_type:
              type: string
            valid_from:
              type: string
              format: date
            valid_until:
              type: string
              format: date
  responses:
    201:
      description: The document is stored
      content:
        application/json:
          schema:
            type: object
            properties:
              id:
                type: integer
              filename:
                type: string
"""

    @expose("/<int:pk>/documents", methods=["GET"])
    @protect()
    @safe
    def documents_list(self, pk):
        item = fab_seam.get_in_scope(self, pk)
        if item is None:
            return self.response_404()
        return self.response(
            200,
            result=[
                {
                    "id": d.id,
                    "doc_type": d.doc_type.name,
                    "filename": d.filename,
                    "valid_from": d.valid_from.isoformat(),
                    "valid_until": d.valid_until.isoformat() if d.valid_until else None,
                }
                for d in services.documents_of(item.id)
            ],
        )

    documents_list.__doc__ = record_rows_doc("Documents of a provider")


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
    datamodel = PortalInterface(Specialist)
    class_permission_name = "Specialist"
    list_title = _l("Specialists of providers")
    show_title = _l("Specialist")
    add_title = _l("Add specialist")
    edit_title = _l("Edit specialist")
    label_columns = SPECIALIST_LABELS
    list_columns = ["full_name", "position", "provider.name", "active"]
    add_columns = ["provider", "full_name", "position", "qualification", "phone", "email", "active"]
    edit_columns = add_columns
    show_columns = add_columns + ["created_on", "changed_on"]
    search_columns = ["full_name", "position", "qualification", "active"]
    validators_columns = {
        "email": [Optional(), Email(message=EMAIL_MESSAGE)],
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "provider": AjaxSelectField(_l("Provider"), lookup="provider"),
        "phone": fields.PHONE.form(SPECIALIST_LABELS["phone"]),
    }
    export_columns = [
        "full_name",
        "position",
        "qualification",
        "provider.name",
        "phone",
        "email",
        "active",
    ]
    order_columns = ["full_name", "position"]
    base_order = ("full_name", "asc")
    formatters_columns = {c: _blank for c in ("position", "qualification", "phone", "email")}


class SpecialistApi(PortalRestApi):
    # Nullable relations (hromada, national round) must not drop rows: outer joins.
    list_outer_default_load = True
    show_outer_default_load = True
    resource_name = "specialist"
    class_permission_name = "Specialist"
    datamodel = PortalInterface(Specialist)
    label_columns = SPECIALIST_LABELS
    list_columns = [
        "id",
        "full_name",
        "position",
        "qualification",
        "provider.id",
        "provider.name",
        "active",
    ]
    show_columns = list_columns + ["phone", "email"]
    add_columns = ["provider", "full_name", "position", "qualification", "phone", "email", "active"]
    edit_columns = add_columns
    search_columns = ["full_name", "position", "active"]


CRITERION_LABELS = {
    "name": _l("Criterion"),
    "description": _l("Description"),
    "active": _l("In use"),
    "position": _l("Order"),
}


class EligibilityCriterionView(PortalModelView):
    datamodel = PortalInterface(EligibilityCriterion)
    class_permission_name = "EligibilityCriterion"
    list_title = _l("Eligibility criteria of providers")
    show_title = add_title = edit_title = _l("Eligibility criterion")
    label_columns = CRITERION_LABELS
    list_columns = ["position", "name", "active"]
    add_columns = edit_columns = show_columns = ["name", "description", "active", "position"]
    order_columns = ["position", "name"]
    base_order = ("position", "asc")
    formatters_columns = {"description": _blank}


class EligibilityCriterionApi(PortalRestApi):
    resource_name = "provider-criterion"
    class_permission_name = "EligibilityCriterion"
    datamodel = PortalInterface(EligibilityCriterion)
    label_columns = CRITERION_LABELS
    list_columns = ["id", "name", "active", "position"]
    show_columns = list_columns + ["description", "version"]
    add_columns = edit_columns = ["name", "description", "active", "position"]
