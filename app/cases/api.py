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
* Case records (issue #20), the same commands as the web forms:
  ``/api/v1/case_beneficiary/`` (get, put), ``case_household_member``,
  ``case_assessment``, ``case_need``, ``case_plan_item``, ``case_contact``,
  ``case_review`` (get, post, put, delete), ``case_extension`` (get);
  ``POST /api/v1/case/open`` (a case with its beneficiary),
  ``POST /api/v1/case/<pk>/extend`` (``{"reason": ...}``),
  ``POST /api/v1/case/<pk>/agreement`` (``{"agreed_on": "YYYY-MM-DD"}``).
* Issue #20, second part: ``POST /api/v1/case/<pk>/contract``
  (``{"contract_number", "contract_on"}``, also editable by PUT),
  ``POST /api/v1/case/<pk>/plan_approval`` (a supervisor approves the agreed
  plan), ``POST /api/v1/case/<pk>/follow_up`` (``{"follow_up_on", "form",
  "outcome"}``, a closed case); ``/api/v1/case_follow_up/`` (read),
  ``/api/v1/case_referral/`` (referrals, as the web form),
  ``/api/v1/case_provider_setting/`` (a provider's supervisor-approval setting).
* ``/api/v1/military_unit/``: the pilot's military units (ministry staff write).
* ``/api/v1/case_report/``: the monthly figures in the caller's scope;
  ``POST /api/v1/case_report/file`` (``{"month": "YYYY-MM", "by": "oblast"}``)
  starts the background job writing them to an XLSX file (issue #24),
  ``GET /api/v1/case_report/file/<job id>`` follows it and
  ``GET /api/v1/case_report/file/<job id>/download`` fetches the file.
"""

from __future__ import annotations

from flask import g
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_babel import lazy_gettext as _l

from ..audit.services import record_event
from ..common.apidoc import transition_doc
from ..common.listing import PortalInterface
from ..common.views import PortalRestApi
from ..security import roles
from . import report_file, services  # report_file registers the "case_report" job
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
    IntakeSource,
    MilitaryUnit,
    NeedsAssessment,
    PlanItem,
    Programme,
    Referral,
    Review,
    Sex,
)
from .views import CASE_LABELS, DEIDENTIFIED_COLUMNS, TRANSFER_LABELS

BENEFICIARY_COLUMNS = [
    "beneficiary.full_name",
    "beneficiary.birth_date",
    "beneficiary.rnokpp",
    "beneficiary.phone",
    "beneficiary.address",
    "beneficiary.category",
    "beneficiary.military_unit",
    "beneficiary.sex",
    "beneficiary.hromada_id",
]
#: Case columns of the programmes' rules (issue #20).
RULE_COLUMNS = [
    "application_on",
    "intake_source",
    "assessment_due_on",
    "term_end_on",
    "extension_count",
    "next_review_due",
    "plan_version",
    "plan_agreed_on",
    "military_unit_id",
    "service_stage",
    "handover_on",
    "handover_hromada_id",
    "last_meeting_on",
    "contract_number",
    "contract_on",
    "plan_approved_on",
    "plan_approved_by_fk",
    "follow_up_due_on",
    "follow_up_done_on",
]


class _NullableFields:
    """FAB's schemas refuse ``null`` for a nullable enum or key column and ask
    for a column that has a default: PUT merges the stored ``null`` of an
    unset column into the body (``Field may not be null``), and a POST without
    ``status`` was refused. The schemas here follow the columns."""

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        # after the base class rebuilt the edit schema (its ``version`` field)
        table = self.datamodel.obj.__table__
        for schema in (self.add_model_schema, self.edit_model_schema):
            for name, field in schema.fields.items() if schema is not None else ():
                column = table.columns.get(name)
                if column is None:
                    column = table.columns.get(f"{name}_id")
                if column is None:
                    continue
                if column.nullable:
                    field.allow_none = True
                if column.default is not None or column.server_default is not None:
                    field.required = False
        return blueprint


class _NoStoreMixin:
    def response(self, code, **kwargs):
        resp = super().response(code, **kwargs)
        resp.headers["Cache-Control"] = "no-store"
        return resp


class CaseApi(_NullableFields, _NoStoreMixin, PortalRestApi):
    resource_name = "case"
    class_permission_name = "Case"
    datamodel = PortalInterface(Case)
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        "transition": "write",
        "transfer": "write",
        "open": "write",
        "extend": "write",
        "agreement": "write",
        "contract": "write",
        "plan_approval": "write",
        "follow_up": "write",
    }
    include_route_methods = {
        "get",
        "get_list",
        "info",
        "put",
        "delete",
        "transition",
        "transfer",
        "open",
        "extend",
        "agreement",
        "contract",
        "plan_approval",
        "follow_up",
    }
    label_columns = CASE_LABELS
    list_columns = [
        "id",
        "number",
        "programme",
        "status",
        "provider.id",
        "provider.name",
        "assigned_worker_id",
        "opened_on",
        "next_contact_due",
        "beneficiary.full_name",
    ]
    show_columns = [
        "id",
        "number",
        "programme",
        "status",
        "provider.id",
        "provider.name",
        "centre_id",
        "assigned_worker_id",
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
        "version",
        *RULE_COLUMNS,
        *BENEFICIARY_COLUMNS,
    ]
    edit_columns = [
        "assigned_worker_id",
        "application_on",
        "intake_source",
        "military_unit_id",
        "service_stage",
        "handover_on",
        "handover_hromada_id",
        "contract_number",
        "contract_on",
    ]
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
        return self.change_item(
            pk,
            lambda item, body: services.transition(
                self.datamodel.session, item, name, g.user, reason=body["reason"]
            ),
            fields={"reason": ClosureReason},
        )

    transition.__doc__ = transition_doc(
        "Apply a lifecycle transition to a case.",
        names=list(services.TRANSITIONS),
        body={"reason": "string"},
    )

    @expose("/<int:pk>/transfer", methods=["POST"])
    @protect()
    @safe
    def transfer(self, pk):
        from ..providers.models import Provider

        return self.change_item(
            pk,
            lambda item, body: services.request_transfer(
                self.datamodel.session,
                item,
                self.datamodel.session.get(Provider, body["to_provider_id"] or 0),
                g.user,
                reason=body["reason"],
            ),
            lambda _item, transfer: self.response(201, id=transfer.id),
            fields={"to_provider_id": int, "reason": str},
        )

    transfer.__doc__ = transition_doc(
        "Ask another provider to take the case over.",
        body={"to_provider_id": "integer", "reason": "string"},
        ok="Transfer requested",
    )

    @expose("/<int:pk>/extend", methods=["POST"])
    @protect()
    @safe
    def extend(self, pk):
        return self.change_item(
            pk,
            lambda item, body: services.extend_term(
                self.datamodel.session, item, g.user, body["reason"]
            ),
            lambda item, ext: self.response(
                201, id=ext.id, term_end_on=item.term_end_on.isoformat()
            ),
            fields={"reason": str},
        )

    extend.__doc__ = transition_doc(
        "Extend the service term (a reason; at most the programme's number of times).",
        body={"reason": "string"},
        ok="Term extended",
    )

    @expose("/<int:pk>/agreement", methods=["POST"])
    @protect()
    @safe
    def agreement(self, pk):
        return self.change_item(
            pk,
            lambda item, body: services.record_agreement(
                self.datamodel.session, item, g.user, body["agreed_on"]
            ),
            lambda item, _r: self.response(200, id=item.id, plan_version=item.plan_version),
            fields={"agreed_on": "date"},
        )

    agreement.__doc__ = transition_doc(
        "Record the family's agreement to the plan (a new plan version).",
        body={"agreed_on": "string"},
        ok="Agreement recorded",
    )

    @expose("/<int:pk>/contract", methods=["POST"])
    @protect()
    @safe
    def contract(self, pk):
        return self.change_item(
            pk,
            lambda item, body: services.record_contract(
                self.datamodel.session, item, g.user, body["contract_number"], body["contract_on"]
            ),
            lambda item, _r: self.response(
                200,
                id=item.id,
                contract_number=item.contract_number,
                contract_on=item.contract_on.isoformat(),
            ),
            fields={"contract_number": str, "contract_on": "date"},
        )

    contract.__doc__ = transition_doc(
        "Record the contract with the recipient (number and date).",
        body={"contract_number": "string", "contract_on": "string"},
        ok="Contract recorded",
    )

    @expose("/<int:pk>/plan_approval", methods=["POST"])
    @protect()
    @safe
    def plan_approval(self, pk):
        return self.change_item(
            pk,
            lambda item: services.approve_plan_version(self.datamodel.session, item, g.user),
            lambda item, _r: self.response(
                200,
                id=item.id,
                plan_approved_on=item.plan_approved_on.isoformat(),
                plan_approved_by_fk=item.plan_approved_by_fk,
            ),
        )

    plan_approval.__doc__ = transition_doc(
        "A supervisor (not the plan's author) approves the agreed plan.", ok="Plan approved"
    )

    @expose("/<int:pk>/follow_up", methods=["POST"])
    @protect()
    @safe
    def follow_up(self, pk):
        return self.change_item(
            pk,
            lambda item, body: services.record_follow_up(
                self.datamodel.session,
                item,
                g.user,
                body["follow_up_on"],
                body["form"],
                body["outcome"],
            ),
            lambda item, record: self.response(
                201, id=record.id, follow_up_done_on=item.follow_up_done_on.isoformat()
            ),
            fields={"follow_up_on": "date", "form": ContactForm, "outcome": str},
        )

    follow_up.__doc__ = transition_doc(
        "Record a follow-up contact after the case was closed.",
        body={"follow_up_on": "string", "form": "string", "outcome": "string"},
        ok="Follow-up recorded",
    )

    @expose("/open", methods=["POST"])
    @protect()
    @safe
    def open(self):
        """Open a case with its beneficiary (the web's «Open a case» form).
        ---
        post:
          summary: Open a case with its beneficiary.
          requestBody:
            content:
              application/json:
                schema:
                  type: object
          responses:
            201:
              description: Case opened
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            422:
              $ref: '#/components/responses/422'
        """
        from ..common.views import read_body
        from ..errors import UserError

        session = self.datamodel.session
        try:
            body = read_body(
                {
                    "programme": Programme,
                    "provider_id": int,
                    "opened_on": "date",
                    "application_on": "date",
                    "intake_source": IntakeSource,
                    "full_name": str,
                    "birth_date": "date",
                    "rnokpp": str,
                    "phone": str,
                    "address": str,
                    "category": BeneficiaryCategory,
                    "sex": Sex,
                    "hromada_id": int,
                    "consent_on": "date",
                    "consent_scope": ConsentScope,
                    "consent_document": str,
                }
            )
            case = services.open_new_case(
                session,
                services.NewCase(
                    programme=body["programme"],
                    provider_id=body["provider_id"],
                    opened_on=body["opened_on"],
                    application_on=body["application_on"],
                    intake_source=body["intake_source"],
                    beneficiary=services.NewBeneficiary(
                        full_name=body["full_name"],
                        category=body["category"],
                        birth_date=body["birth_date"],
                        rnokpp=body["rnokpp"],
                        phone=body["phone"],
                        address=body["address"],
                        sex=body["sex"],
                        hromada_id=body["hromada_id"],
                        consent_on=body["consent_on"],
                        consent_scope=body["consent_scope"],
                        consent_document=body["consent_document"],
                    ),
                ),
                g.user,
            )
            session.commit()
        except UserError as exc:
            session.rollback()
            return self.response(exc.status_code, message=str(exc))
        warnings = [str(services.DUPLICATE_ELSEWHERE)] if case.duplicate_elsewhere else []
        return self.response(201, id=case.id, number=case.number, warnings=warnings)


class CaseTransferApi(PortalRestApi):
    resource_name = "case_transfer"
    class_permission_name = "CaseTransfer"
    datamodel = PortalInterface(CaseTransfer)
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        "accept": "write",
        "reject": "write",
        "cancel": "write",
    }
    include_route_methods = {"get", "get_list", "info", "accept", "reject", "cancel"}
    label_columns = TRANSFER_LABELS
    list_columns = [
        "id",
        "case_id",
        "case.number",
        "from_provider_id",
        "to_provider_id",
        "status",
        "requested_on",
        "decided_on",
    ]
    show_columns = list_columns + ["reason", "decision_note"]
    search_columns = ["status"]

    def _decide(self, pk, fn):
        if fn is services.cancel_transfer:
            return self.change_item(pk, lambda item: fn(self.datamodel.session, item, g.user))
        return self.change_item(
            pk,
            lambda item, body: fn(self.datamodel.session, item, g.user, body["note"]),
            fields={"note": str},
        )

    @expose("/<int:pk>/accept", methods=["POST"])
    @protect()
    @safe
    def accept(self, pk):
        return self._decide(pk, services.accept_transfer)

    accept.__doc__ = transition_doc(
        "Accept a transfer (receiving provider).", body={"note": "string"}
    )

    @expose("/<int:pk>/reject", methods=["POST"])
    @protect()
    @safe
    def reject(self, pk):
        return self._decide(pk, services.reject_transfer)

    reject.__doc__ = transition_doc(
        "Reject a transfer (receiving provider).", body={"note": "string"}
    )

    @expose("/<int:pk>/cancel", methods=["POST"])
    @protect()
    @safe
    def cancel(self, pk):
        return self._decide(pk, services.cancel_transfer)

    cancel.__doc__ = transition_doc("Withdraw a transfer (sending provider).")


# --------------------------------------------------------------------------- case records
class _CaseRecordApi(_NullableFields, _NoStoreMixin, PortalRestApi):
    """A case record through REST: the same commands (``CaseRecordCommands``)
    as its web form; every read is in the audit log (personal data)."""

    include_route_methods = {"get", "get_list", "info", "post", "put", "delete"}

    def pre_get(self, data):
        record_event("view", self.datamodel.obj.__name__, data.get("id"), details={"what": "api"})

    def pre_get_list(self, data):
        ids = data.get("ids") or [row.get("id") for row in data.get("result", [])]
        record_event(
            "view",
            self.datamodel.obj.__name__,
            None,
            details={"what": "api list", "ids": ids[:100]},
        )


def _record_api(model, resource, name, columns, edit=None, methods=None, labels=None):
    """A REST resource of a case record (``/api/v1/<name>/``)."""
    from .views import PERSON_LABELS

    attrs = dict(
        resource_name=name,
        class_permission_name=resource,
        datamodel=PortalInterface(model),
        label_columns={**PERSON_LABELS, **(labels or {})},
        list_columns=["id", "case_id", *columns],
        show_columns=["id", "case_id", *columns, "version"],
        add_columns=["case", *columns],
        edit_columns=edit or columns,
        search_columns=["case_id"],
    )
    if methods is not None:
        attrs["include_route_methods"] = methods
    return type(f"{model.__name__}Api", (_CaseRecordApi,), attrs)


BeneficiaryApi = _record_api(
    Beneficiary,
    "Beneficiary",
    "case_beneficiary",
    [
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
    ],
    methods={"get", "get_list", "info", "put"},
)
HouseholdMemberApi = _record_api(
    HouseholdMember,
    "HouseholdMember",
    "case_household_member",
    [
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
    ],
)
AssessmentActApi = _record_api(
    AssessmentAct,
    "AssessmentAct",
    "case_assessment",
    ["assessed_on", "assessor", "participants", "summary"],
    labels={
        "assessed_on": _l("Assessed on"),
        "assessor": _l("Assessed by"),
        "participants": _l("Participants"),
        "summary": _l("Conclusions"),
    },
)
NeedsAssessmentApi = _record_api(
    NeedsAssessment,
    "NeedsAssessment",
    "case_need",
    ["domain", "priority", "assessed_on", "description"],
    labels={
        "domain": _l("Domain of need"),
        "priority": _l("Priority"),
        "description": _l("Description"),
        "assessed_on": _l("Assessed on"),
    },
)
PlanItemApi = _record_api(
    PlanItem,
    "PlanItem",
    "case_plan_item",
    [
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
    ],
    labels={
        "measure": _l("Measure"),
        "need": _l("Need it answers"),
        "goal": _l("Goal"),
        "expected_result": _l("Expected result"),
        "responsible": _l("Responsible person"),
        "partner": _l("Partner organisation"),
        "due_on": _l("Due date"),
        "status": _l("Status"),
        "done_on": _l("Done on"),
        "outcome": _l("Outcome"),
        "note": _l("Notes"),
    },
)
ContactApi = _record_api(
    Contact,
    "Contact",
    "case_contact",
    ["contact_on", "form", "summary"],
    labels={"contact_on": _l("Date"), "form": _l("Form of contact"), "summary": _l("Summary")},
)
ReviewApi = _record_api(
    Review,
    "Review",
    "case_review",
    ["reviewed_on", "progress", "decision", "summary"],
    labels={
        "reviewed_on": _l("Reviewed on"),
        "progress": _l("Progress"),
        "decision": _l("Decision"),
        "summary": _l("Summary"),
    },
)
CaseExtensionApi = _record_api(
    CaseExtension,
    "CaseExtension",
    "case_extension",
    ["extended_on", "months", "term_end_before", "term_end_after", "reason"],
    methods={"get", "get_list", "info"},
    labels={
        "extended_on": _l("Extended on"),
        "months": _l("Months added"),
        "term_end_before": _l("Term ended"),
        "term_end_after": _l("Term ends now"),
        "reason": _l("Reason"),
    },
)
CaseExtensionApi.base_permissions = ["can_read"]

CaseFollowUpApi = _record_api(
    CaseFollowUp,
    "CaseFollowUp",
    "case_follow_up",
    ["follow_up_on", "form", "outcome"],
    methods={"get", "get_list", "info"},
    labels={
        "follow_up_on": _l("Date of the follow-up"),
        "form": _l("Form of contact"),
        "outcome": _l("Outcome"),
    },
)
CaseFollowUpApi.base_permissions = ["can_read"]
ReferralApi = _record_api(
    Referral,
    "Referral",
    "case_referral",
    ["service", "entry", "organisation", "referred_on", "status", "outcome", "outcome_on", "note"],
    labels={
        "service": _l("Service"),
        "entry": _l("Service from the directory"),
        "organisation": _l("Organisation"),
        "referred_on": _l("Referred on"),
        "status": _l("Status"),
        "outcome": _l("Outcome"),
        "outcome_on": _l("Outcome on"),
        "note": _l("Notes"),
    },
)

RECORD_APIS = (
    BeneficiaryApi,
    HouseholdMemberApi,
    AssessmentActApi,
    NeedsAssessmentApi,
    PlanItemApi,
    ContactApi,
    ReviewApi,
    CaseExtensionApi,
    CaseFollowUpApi,
    ReferralApi,
)


class CaseProviderSettingApi(_NullableFields, PortalRestApi):
    """``/api/v1/case_provider_setting/``: whether a provider's agreed plans
    need a supervisor's approval (ministry staff, the provider's representative)."""

    resource_name = "case_provider_setting"
    class_permission_name = "CaseProviderSetting"
    datamodel = PortalInterface(CaseProviderSetting)
    include_route_methods = {"get", "get_list", "info", "post", "put"}
    label_columns = {
        "provider": _l("Provider"),
        "provider_id": _l("Provider"),
        "plan_approval_required": _l("Agreed plans need a supervisor's approval"),
    }
    list_columns = ["id", "provider_id", "plan_approval_required"]
    show_columns = [*list_columns, "version"]
    add_columns = ["provider", "plan_approval_required"]
    edit_columns = ["plan_approval_required"]
    search_columns = ["provider", "plan_approval_required"]


class MilitaryUnitApi(_NullableFields, PortalRestApi):
    resource_name = "military_unit"
    class_permission_name = "MilitaryUnit"
    datamodel = PortalInterface(MilitaryUnit)
    list_columns = ["id", "number", "name", "pilot_entry_on", "provider_id", "active"]
    show_columns = [*list_columns, "version"]
    add_columns = ["number", "name", "pilot_entry_on", "provider", "active"]
    edit_columns = add_columns
    search_columns = ["number", "name", "active"]

    def __init__(self):
        from .views import UNIT_LABELS

        self.label_columns = UNIT_LABELS
        super().__init__()


class CaseReportApi(BaseApi):
    """``GET /api/v1/case_report/?month=YYYY-MM&by=oblast|hromada``: the
    de-identified monthly figures in the caller's scope (counts only)."""

    resource_name = "case_report"
    class_permission_name = "CaseReport"
    # The file holds the figures of GET: reading the report is what it takes.
    method_permission_name = {
        "month": "read",
        "start_file": "read",
        "file_status": "read",
        "file_download": "read",
    }
    base_permissions = ["can_read"]
    allow_browser_login = False
    openapi_spec_tag = "CaseReport"
    #: The answer of the file endpoints: the job's state, where to follow it and,
    #: once done, where to fetch the file.
    FILE_JOB_SCHEMA = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "status": {
                "type": "string",
                "enum": ["queued", "running", "done", "failed", "interrupted"],
            },
            "status_label": {"type": "string"},
            "finished": {"type": "boolean"},
            "done": {"type": "integer"},
            "total": {"type": "integer", "nullable": True},
            "percent": {"type": "integer"},
            "progress_text": {"type": "string"},
            "message": {"type": "string"},
            "status_url": {"type": "string"},
            "page_url": {"type": "string"},
            "download_url": {"type": "string"},
        },
    }

    def add_apispec_components(self, api_spec):
        from apispec.exceptions import DuplicateComponentNameError

        super().add_apispec_components(api_spec)
        try:
            api_spec.components.schema("CaseReportFileJob", self.FILE_JOB_SCHEMA)
        except DuplicateComponentNameError:
            pass

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def month(self):
        """Monthly figures of the case register
        ---
        get:
          description: People served, new cases, meetings, plans completed and closures
            by programme, category, sex, age band and place of residence (counts only)
          parameters:
          - in: query
            name: month
            schema:
              type: string
          - in: query
            name: by
            schema:
              type: string
          responses:
            200:
              description: The figures of the month in the caller's scope
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
        """
        from flask import request

        from ..security.scope import current_scope
        from . import reports

        year, month = reports.parse_month(request.args.get("month"), services.kyiv_today())
        by = "hromada" if request.args.get("by") == "hromada" else "oblast"
        from ..extensions import db

        return self.response(
            200, **reports.monthly_figures(db.session, year, month, current_scope(), by=by)
        )

    @expose("/file", methods=["POST"])
    @protect()
    @safe
    def start_file(self):
        """Start the XLSX file of the monthly figures
        ---
        post:
          description: A background job computes the figures of the month in the
            caller's scope (the same figures as GET /api/v1/case_report/, small
            counts of a regional administrator as «<5») and writes them to an XLSX
            file; follow it at status_url, then fetch download_url
          requestBody:
            required: false
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    month:
                      type: string
                      description: YYYY-MM; the previous month when absent
                    by:
                      type: string
                      enum: [oblast, hromada]
          responses:
            202:
              description: The job was started (in tests it may already be done)
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/CaseReportFileJob'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            422:
              $ref: '#/components/responses/422'
            429:
              description: The caller already has as many jobs in progress as allowed
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message:
                        type: string
        """
        from ..common.views import BODY_FIELD, EXPECTED_CHOICE, read_body
        from ..errors import InvalidData, UserError
        from ..jobs import services as jobs
        from . import reports

        try:
            body = read_body({"month": str, "by": str})
            today = services.kyiv_today()
            year, month = reports.parse_month(body["month"], today)
            if body["month"] is not None and body["month"] != f"{year:04d}-{month:02d}":
                raise InvalidData(BODY_FIELD % {"field": "month", "expected": MONTH_EXPECTED})
            by = body["by"] or "oblast"
            if by not in report_file.BY:
                expected = EXPECTED_CHOICE % {"choices": ", ".join(report_file.BY)}
                raise InvalidData(BODY_FIELD % {"field": "by", "expected": expected})
            job = report_file.submit_report_file(year, month, by)
        except jobs.TooManyJobs as exc:
            return self.response(429, message=str(exc))
        except UserError as exc:
            return self.response(exc.status_code, message=str(exc))
        return self.response(202, **self._file_payload(job))

    @expose("/file/<int:pk>", methods=["GET"])
    @protect()
    @safe
    def file_status(self, pk):
        """Progress of an XLSX file of the monthly figures
        ---
        get:
          description: The caller's own job started by POST /api/v1/case_report/file
          parameters:
          - in: path
            name: pk
            required: true
            schema:
              type: integer
          responses:
            200:
              description: The job's status (download_url once the file is ready)
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/CaseReportFileJob'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        job = report_file.own_job(pk)
        if job is None:
            return self.response_404()
        response = self.response(200, **self._file_payload(job))
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/file/<int:pk>/download", methods=["GET"])
    @protect()
    @safe
    def file_download(self, pk):
        """The XLSX file of the monthly figures
        ---
        get:
          description: The file of the caller's own finished job (kept for
            JOBS_RESULT_TTL_HOURS hours)
          parameters:
          - in: path
            name: pk
            required: true
            schema:
              type: integer
          responses:
            200:
              description: The XLSX file
              content:
                application/vnd.openxmlformats-officedocument.spreadsheetml.sheet:
                  schema:
                    type: string
                    format: binary
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        from ..jobs import services as jobs

        job = report_file.own_job(pk)
        if job is None or not jobs.has_file(job):
            return self.response_404()
        try:
            return jobs.send_result(job)
        except FileNotFoundError:
            return self.response_404()

    @staticmethod
    def _file_payload(job) -> dict:
        from flask import url_for

        from ..jobs import services as jobs

        payload = jobs.status_payload(job)
        payload["status_url"] = url_for("CaseReportApi.file_status", pk=job.id)
        payload["page_url"] = url_for("JobView.show", pk=job.id)
        if jobs.has_file(job):
            payload["download_url"] = url_for("CaseReportApi.file_download", pk=job.id)
        return payload


MONTH_EXPECTED = _l("a month as YYYY-MM (for example 2025-03)")

API_DEIDENTIFIED = [c for c in DEIDENTIFIED_COLUMNS if c != "centre.name"]


class CaseDeidentifiedApi(PortalRestApi):
    resource_name = "case_deidentified"
    class_permission_name = "CaseDeidentified"
    datamodel = PortalInterface(CaseSummary)
    include_route_methods = {"get", "get_list", "info"}
    label_columns = CASE_LABELS
    # "centre.name" is left out on purpose: FAB's dotted select joins the optional
    # centre's inner-joined relations flat, which drops cases without a centre.
    list_columns = ["id", "centre_id", *API_DEIDENTIFIED]
    show_columns = [
        "id",
        "centre_id",
        *API_DEIDENTIFIED,
        "assessment_on",
        "plan_on",
        "active_on",
        "review_on",
        "reopened_on",
        "reopen_count",
    ]
    search_columns = ["number", "programme", "status", "opened_on", "closed_on"]
    order_columns = ["number", "opened_on", "status"]
