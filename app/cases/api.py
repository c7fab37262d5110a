"""REST API of the case register (JWT; same permissions and scope as the views).

* ``/api/v1/case/`` (resource ``Case``): cases with the beneficiary's
  personal data, for case workers of the owning provider. Every ``get`` and
  every list answer is written to the audit log; responses are ``no-store``.
  Lifecycle: ``POST /api/v1/case/<pk>/transition/<name>`` (``{"reason": ...}``
  for ``close``), ``POST /api/v1/case/<pk>/transfer`` (``{"to_provider_id": n}``).
* ``/api/v1/case_transfer/`` (resource ``CaseTransfer``): ``POST <pk>/accept``,
  ``<pk>/reject``, ``<pk>/cancel``.
* ``/api/v1/case_deidentified/`` (resource ``CaseDeidentified``): read-only,
  non-personal columns only (ministry staff, auditors).
"""

from __future__ import annotations

from flask import g
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface

from ..audit.services import record_event
from ..common.apidoc import transition_doc
from ..common.views import PortalRestApi
from ..security import roles
from . import services
from .models import Case, CaseSummary, CaseTransfer, ClosureReason
from .views import (CASE_LABELS, DEIDENTIFIED_COLUMNS, TRANSFER_LABELS)

BENEFICIARY_COLUMNS = ["beneficiary.full_name", "beneficiary.birth_date", "beneficiary.rnokpp",
                       "beneficiary.phone", "beneficiary.address", "beneficiary.category",
                       "beneficiary.military_unit"]


class _NoStoreMixin:
    def response(self, code, **kwargs):
        resp = super().response(code, **kwargs)
        resp.headers["Cache-Control"] = "no-store"
        return resp


class CaseApi(_NoStoreMixin, PortalRestApi):
    resource_name = "case"
    class_permission_name = "Case"
    datamodel = SQLAInterface(Case)
    method_permission_name = {**roles.METHOD_PERMISSIONS, "transition": "write",
                              "transfer": "write"}
    include_route_methods = {"get", "get_list", "info", "put", "delete", "transition",
                             "transfer"}
    label_columns = CASE_LABELS
    list_columns = ["id", "number", "programme", "status", "provider.id", "provider.name",
                    "assigned_worker_id", "opened_on", "next_contact_due",
                    "beneficiary.full_name"]
    show_columns = ["id", "number", "programme", "status", "provider.id", "provider.name",
                    "centre_id", "assigned_worker_id", "opened_on",
                    "assessment_on", "plan_on", "active_on", "review_on", "closed_on",
                    "reopened_on", "reopen_count", "closure_reason", "last_contact_on",
                    "next_contact_due", "contact_count", "version", *BENEFICIARY_COLUMNS]
    edit_columns = ["assigned_worker_id"]
    search_columns = ["number", "programme", "status", "opened_on", "next_contact_due"]
    order_columns = ["number", "opened_on", "status", "next_contact_due"]

    def pre_get(self, data):
        record_event("view", "Case", data.get("id"), details={"what": "api"})

    def pre_get_list(self, data):
        ids = data.get("ids") or [row.get("id") for row in data.get("result", [])]
        record_event("view", "Case", None, details={"what": "api list", "ids": ids[:100]})

    @expose("/<int:pk>/transition/<string:name>", methods=["POST"])
    @protect()
    @safe
    def transition(self, pk, name):
        if name not in services.TRANSITIONS:
            return self.response_404()
        return self.change_item(pk, lambda item, body: services.transition(
            self.datamodel.session, item, name, g.user, reason=body["reason"]),
            fields={"reason": ClosureReason})

    transition.__doc__ = transition_doc(
        "Apply a lifecycle transition to a case.", names=list(services.TRANSITIONS),
        body={"reason": "string"})

    @expose("/<int:pk>/transfer", methods=["POST"])
    @protect()
    @safe
    def transfer(self, pk):
        from ..providers.models import Provider

        return self.change_item(
            pk, lambda item, body: services.request_transfer(
                self.datamodel.session, item,
                self.datamodel.session.get(Provider, body["to_provider_id"] or 0), g.user,
                reason=body["reason"]),
            lambda _item, transfer: self.response(201, id=transfer.id),
            fields={"to_provider_id": int, "reason": str})

    transfer.__doc__ = transition_doc(
        "Ask another provider to take the case over.",
        body={"to_provider_id": "integer", "reason": "string"}, ok="Transfer requested")


class CaseTransferApi(PortalRestApi):
    resource_name = "case_transfer"
    class_permission_name = "CaseTransfer"
    datamodel = SQLAInterface(CaseTransfer)
    method_permission_name = {**roles.METHOD_PERMISSIONS, "accept": "write", "reject": "write",
                              "cancel": "write"}
    include_route_methods = {"get", "get_list", "info", "accept", "reject", "cancel"}
    label_columns = TRANSFER_LABELS
    list_columns = ["id", "case_id", "case.number", "from_provider_id", "to_provider_id",
                    "status", "requested_on", "decided_on"]
    show_columns = list_columns + ["reason", "decision_note"]
    search_columns = ["status"]

    def _decide(self, pk, fn):
        if fn is services.cancel_transfer:
            return self.change_item(pk, lambda item: fn(self.datamodel.session, item, g.user))
        return self.change_item(
            pk, lambda item, body: fn(self.datamodel.session, item, g.user, body["note"]),
            fields={"note": str})

    @expose("/<int:pk>/accept", methods=["POST"])
    @protect()
    @safe
    def accept(self, pk):
        return self._decide(pk, services.accept_transfer)

    accept.__doc__ = transition_doc("Accept a transfer (receiving provider).",
                                    body={"note": "string"})

    @expose("/<int:pk>/reject", methods=["POST"])
    @protect()
    @safe
    def reject(self, pk):
        return self._decide(pk, services.reject_transfer)

    reject.__doc__ = transition_doc("Reject a transfer (receiving provider).",
                                    body={"note": "string"})

    @expose("/<int:pk>/cancel", methods=["POST"])
    @protect()
    @safe
    def cancel(self, pk):
        return self._decide(pk, services.cancel_transfer)

    cancel.__doc__ = transition_doc("Withdraw a transfer (sending provider).")


API_DEIDENTIFIED = [c for c in DEIDENTIFIED_COLUMNS if c != "centre.name"]


class CaseDeidentifiedApi(PortalRestApi):
    resource_name = "case_deidentified"
    class_permission_name = "CaseDeidentified"
    datamodel = SQLAInterface(CaseSummary)
    include_route_methods = {"get", "get_list", "info"}
    label_columns = CASE_LABELS
    # "centre.name" is left out on purpose: FAB's dotted select joins the optional
    # centre's inner-joined relations flat, which drops cases without a centre.
    list_columns = ["id", "centre_id", *API_DEIDENTIFIED]
    show_columns = ["id", "centre_id", *API_DEIDENTIFIED, "assessment_on", "plan_on", "active_on",
                    "review_on", "reopened_on", "reopen_count"]
    search_columns = ["number", "programme", "status", "opened_on", "closed_on"]
    order_columns = ["number", "opened_on", "status"]
