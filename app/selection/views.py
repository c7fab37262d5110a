"""Selection rounds and applications: views, results page and export, API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.api import safe
from flask_appbuilder.security.decorators import has_access, protect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, NumberRange

from .. import clock, fab_seam
from ..common.apidoc import record_rows_doc, transition_doc
from ..common.enums import N_
from ..common.export import ExportMixin, safe_cell
from ..common.fields import UA_DATE_FORMAT
from ..common.listing import PortalInterface
from ..common.lookup import AjaxSelectField
from ..common.views import EMPTY, PortalModelView, PortalRestApi
from ..errors import UserError
from ..providers.views import PageChangeMixin, _send_stored, json_bool
from ..security import roles
from . import services
from .models import (
    Application,
    DocumentType,
    Lot,
    ProposalLot,
    RoundStatus,
    SelectionRound,
    ServiceAct,
    ServiceAgreement,
    TeamMember,
)
from .programme_ref import ProgrammeSelectField, programme_label

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")

ROUND_LABELS = {
    "title": _l("Title"),
    "programme": _l("Programme"),
    "programme_ref": _l("Programme"),
    "programme_name": _l("Programme"),
    "oblast": _l("Oblast (empty for a national round)"),
    "oblast.title": _l("Oblast"),
    "scope_label": _l("Territory"),
    "announced_on": _l("Announced on"),
    "deadline": _l("Application deadline"),
    "description": _l("Description"),
    "winners_count": _l("Number of winners"),
    "reserve_count": _l("Number of reserve places"),
    "status": _l("Status"),
    "status_reason": _l("Reason"),
    "protocol_number": _l("Protocol number"),
    "protocol_date": _l("Protocol date"),
    "pass_mark": _l("Pass mark (lowest total score that can win)"),
    "appeal_days": _l("Appeal window, days"),
    "appeal_until": _l("Appeals until"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}

#: name -> (button text, needs reason, needs protocol)
ROUND_ACTIONS = {
    "open_applications": (N_("Open acceptance of applications"), False, False),
    "start_evaluation": (N_("Start evaluation"), False, False),
    "complete": (N_("Publish the results and the protocol"), False, True),
    "award": (N_("Award the lots (service agreements)"), False, False),
    "cancel": (N_("Cancel the round"), True, False),
}


def _blank(value):
    return EMPTY if value is None or value == "" else value


def _round_action(name):
    text = ROUND_ACTIONS[name][0]

    def run(self, items):
        return self.run_transition(name, items)

    run.__name__ = name
    return action(name, text, confirmation=None, icon="fa-flag", single=False, multiple=False)(run)


def _parse_date(value):
    try:
        return dt.datetime.strptime((value or "").strip(), UA_DATE_FORMAT).date()
    except ValueError:
        try:
            return dt.date.fromisoformat((value or "").strip())
        except ValueError:
            return None


def results_rows(rnd):
    """Header and rows of a round's results (the applications in the user's scope)."""
    header = [
        _("Rank"),
        _("Provider"),
        _("EDRPOU code"),
        _("Oblast"),
        _("Total score"),
        _("Decision"),
        _("Protocol number"),
        _("Protocol date"),
    ]
    rows = []
    for a in services.results(rnd):
        rows.append(
            [
                a.rank,
                a.provider.name,
                a.provider.edrpou,
                a.provider.oblast.title,
                float(a.total_score) if a.total_score is not None else None,
                str(a.decision) if a.decision else "",
                a.protocol_number or "",
                a.protocol_date,
            ]
        )
    return header, rows


def _with_path_id(doc: str, name: str) -> str:
    """An operation's docstring with one more integer path parameter."""
    import yaml

    summary, spec = doc.split("\n---\n", 1)
    data = yaml.safe_load(spec)
    for operation in data.values():
        operation["parameters"].append(
            {"in": "path", "name": name, "required": True, "schema": {"type": "integer"}}
        )
    return f"{summary}\n---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _protocol_response(item):
    from ..audit.services import record_event

    record_event("export", "SelectionRound", item.id, details={"protocol": True})
    return Response(
        services.protocol_docx(item),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={
            "Content-Disposition": f'attachment; filename="protocol-round-{item.id}.docx"',
            "Cache-Control": "no-store",
        },
    )


def _form_bool(name) -> bool:
    return request.form.get(name) in ("y", "yes", "1", "true", "on")


class SelectionRoundView(PageChangeMixin, ExportMixin, PortalModelView):
    datamodel = PortalInterface(SelectionRound)
    class_permission_name = "SelectionRound"
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        **{name: "write" for name in ROUND_ACTIONS},
        "results": "read",
        "results_export": "export",
        "add_criterion": "write",
        "delete_criterion": "write",
        "add_member": "write",
        "delete_member": "write",
        "recalculate": "write",
        "protocol": "read",
    }
    template_folder = TEMPLATES
    show_template = "selection/round_show.html"
    list_title = _l("Selection rounds")
    show_title = _l("Selection round")
    add_title = _l("Announce a selection round")
    edit_title = _l("Edit selection round")
    label_columns = ROUND_LABELS
    list_columns = ["title", "programme", "scope_label", "announced_on", "deadline", "status"]
    add_columns = [
        "title",
        "programme",
        "oblast",
        "announced_on",
        "deadline",
        "winners_count",
        "reserve_count",
        "pass_mark",
        "appeal_days",
        "description",
    ]
    edit_columns = add_columns
    show_fieldsets = [
        (
            _l("Selection round"),
            {
                "fields": [
                    "title",
                    "programme",
                    "oblast",
                    "announced_on",
                    "deadline",
                    "winners_count",
                    "reserve_count",
                    "pass_mark",
                    "appeal_days",
                    "description",
                ]
            },
        ),
        (
            _l("Status"),
            {
                "fields": [
                    "status",
                    "status_reason",
                    "protocol_number",
                    "protocol_date",
                    "appeal_until",
                ]
            },
        ),
    ]
    search_columns = ["title", "programme_ref", "status", "announced_on"]
    add_form_extra_fields = {
        "programme": ProgrammeSelectField(_l("Programme"), validators=[DataRequired()])
    }
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {
        "winners_count": [NumberRange(min=0, max=1000)],
        "reserve_count": [NumberRange(min=0, max=1000)],
        "appeal_days": [NumberRange(min=0, max=60)],
    }
    export_columns = [
        "title",
        "programme_name",
        "scope_label",
        "announced_on",
        "deadline",
        "status",
        "protocol_number",
        "protocol_date",
    ]
    order_columns = ["title", "announced_on", "deadline", "status"]
    base_order = ("announced_on", "desc")
    formatters_columns = {
        "oblast": lambda v: v if v is not None else _("National"),
        "programme": programme_label,
        **{c: _blank for c in ("description", "status_reason", "protocol_number")},
    }

    open_applications = _round_action("open_applications")
    start_evaluation = _round_action("start_evaluation")
    complete = _round_action("complete")
    award = _round_action("award")
    cancel = _round_action("cancel")

    def run_transition(self, name, items):
        item = items[0] if isinstance(items, list) else items
        services.transition_round(
            name,
            item,
            g.user,
            reason=request.form.get("reason"),
            expected_version=request.form.get("version"),
            protocol_number=request.form.get("protocol_number"),
            protocol_date=_parse_date(request.form.get("protocol_date")),
        )
        self.datamodel.session.commit()
        flash(_("The status of the selection round has been changed."), "success")
        return redirect(url_for(".show", pk=item.id))

    def _action_redirect(self):
        if request.view_args and request.view_args.get("pk"):
            return redirect(url_for(".show", pk=request.view_args["pk"]))
        return redirect(url_for(".list"))

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            item = fab_seam.get_in_scope(self, kwargs["pk"])
            if item is not None:
                sm = self.appbuilder.sm
                can_write = sm.has_access("can_write", "SelectionRound")
                organiser = bool(services.role_names(g.user) & services.ORGANISERS)
                kwargs.update(
                    item=item,
                    transitions=[
                        (n, t, r, p)
                        for n, (t, r, p) in ROUND_ACTIONS.items()
                        if can_write
                        and organiser
                        and item.status in services.ROUND_TRANSITIONS[n][0]
                    ],
                    can_edit_setup=can_write
                    and organiser
                    and item.status in (RoundStatus.announced, RoundStatus.accepting),
                    can_edit_commission=can_write
                    and organiser
                    and item.status not in (RoundStatus.completed, RoundStatus.cancelled),
                    lots=services.lots_of(item),
                    can_add_lot=sm.has_access("can_write", "Lot")
                    and item.status in (RoundStatus.announced, RoundStatus.accepting),
                    appeals=services.appeals_of(item),
                    can_propose=sm.has_access("can_write", "Application")
                    and bool(services.role_names(g.user) & services.SUBMITTERS)
                    and item.status == RoundStatus.accepting,
                )
        return super().render_template(template, **kwargs)

    # --- criteria and commission -----------------------------------------------
    def _setup_round(self, pk):
        item = self.scoped_get(pk)
        if not services.role_names(g.user) & services.ORGANISERS:
            abort(403)
        return item

    def _change_round(self, pk, change, done: str):
        """A change of the round's set-up, by an organiser (403 for others)."""
        return self.apply_change(pk, change, done, load=self._setup_round)

    @expose("/criterion/<int:pk>", methods=["POST"])
    @has_access
    def add_criterion(self, pk):
        form = request.form
        return self._change_round(
            pk,
            lambda item: services.add_criterion(
                item, g.user, form.get("name"), form.get("weight"), form.get("max_score")
            ),
            _("Criterion added."),
        )

    @expose("/criterion/<int:pk>/<int:cid>/delete", methods=["POST"])
    @has_access
    def delete_criterion(self, pk, cid):
        return self._change_round(
            pk, lambda item: services.delete_criterion(item, g.user, cid), _("Criterion deleted.")
        )

    @expose("/member/<int:pk>", methods=["POST"])
    @has_access
    def add_member(self, pk):
        raw = request.form.get("user_id", "")
        member_id = int(raw) if raw.isdigit() else None
        role = request.form.get("role")
        return self._change_round(
            pk,
            lambda item: services.appoint_commission_member(item, member_id, g.user, role),
            _("Commission member added."),
        )

    @expose("/member/<int:pk>/<int:mid>/delete", methods=["POST"])
    @has_access
    def delete_member(self, pk, mid):
        return self._change_round(
            pk,
            lambda item: services.remove_commission_member(item, g.user, mid),
            _("Commission member removed."),
        )

    @expose("/recalculate/<int:pk>", methods=["POST"])
    @has_access
    def recalculate(self, pk):
        item = self._setup_round(pk)
        services.compute_results(item)
        self.datamodel.session.commit()
        flash(_("Totals and ranks recalculated."), "success")
        return redirect(url_for(".results", pk=pk))

    @expose("/protocol/<int:pk>")
    @has_access
    def protocol(self, pk):
        item = self.scoped_get(pk)
        return _protocol_response(item)

    # --- results --------------------------------------------------------------
    @expose("/results/<int:pk>")
    @has_access
    def results(self, pk):
        item = self.scoped_get(pk)
        header, rows = results_rows(item)
        sm = self.appbuilder.sm
        return self.render_template(
            "selection/results.html",
            item=item,
            header=header,
            rows=rows,
            applications=services.results(item),
            can_export=sm.has_access("can_export", "SelectionRound"),
            can_recalculate=sm.has_access("can_write", "SelectionRound")
            and bool(services.role_names(g.user) & services.ORGANISERS)
            and item.status == RoundStatus.evaluating,
            title=_("Results of the selection round"),
        )

    @expose("/results/<int:pk>/<string:fmt>")
    @has_access
    def results_export(self, pk, fmt):
        if fmt not in ("csv", "xlsx"):
            abort(404)
        item = self.scoped_get(pk)
        header, rows = results_rows(item)
        from ..audit.services import record_event

        record_event(
            "export",
            "SelectionRound",
            item.id,
            details={"results": True, "rows": len(rows), "format": fmt},
        )
        name = f"results-round-{item.id}.{fmt}"
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            writer.writerow(header)
            for row in rows:
                writer.writerow([safe_cell(v) for v in row])
            return Response(
                "\ufeff" + buffer.getvalue(),
                mimetype="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=_("Results")[:31])
        sheet.append([item.title])
        sheet.append(header)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        out = io.BytesIO()
        workbook.save(out)
        return Response(
            out.getvalue(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


APPLICATION_LABELS = {
    "round": _l("Selection round"),
    "round.title": _l("Selection round"),
    "provider": _l("Provider"),
    "provider.name": _l("Provider"),
    "provider.edrpou": _l("EDRPOU code"),
    "provider.oblast.title": _l("Oblast"),
    "submitted_on": _l("Submitted on"),
    "notes": _l("Notes"),
    "total_score": _l("Total score"),
    "rank": _l("Rank"),
    "decision": _l("Decision"),
    "protocol_number": _l("Protocol number"),
    "protocol_date": _l("Protocol date"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}


class ApplicationView(PageChangeMixin, ExportMixin, PortalModelView):
    datamodel = PortalInterface(Application)
    class_permission_name = "Application"
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        "upload": "write",
        "document": "read",
        "save_scores": "score",
        "screen": "review",
        "conflict": "score",
        "appeal": "file",
        "decide_appeal": "review",
    }
    template_folder = TEMPLATES
    show_template = "selection/application_show.html"
    list_title = _l("Applications for selection")
    show_title = _l("Application")
    add_title = _l("Register an application")
    edit_title = _l("Edit application")
    label_columns = APPLICATION_LABELS
    list_columns = [
        "round.title",
        "provider.name",
        "submitted_on",
        "total_score",
        "rank",
        "decision",
    ]
    add_columns = ["round", "provider", "submitted_on", "notes"]
    edit_columns = ["decision", "protocol_number", "protocol_date", "notes"]
    show_columns = [
        "round",
        "provider",
        "submitted_on",
        "total_score",
        "rank",
        "decision",
        "protocol_number",
        "protocol_date",
        "notes",
    ]
    search_columns = ["round", "provider", "decision", "submitted_on", "rank"]
    # Rounds and providers are searched on the server (any round the user reads).
    search_form_extra_fields = {
        "round": AjaxSelectField(_l("Selection round"), lookup="application_filter_round"),
        "provider": AjaxSelectField(_l("Provider"), lookup="application_filter_provider"),
    }
    add_form_extra_fields = {
        "round": AjaxSelectField(_l("Selection round"), lookup="open_round"),
        "provider": AjaxSelectField(_l("Provider"), lookup="approved_provider"),
    }
    export_columns = [
        "round.title",
        "provider.name",
        "provider.edrpou",
        "provider.oblast.title",
        "submitted_on",
        "total_score",
        "rank",
        "decision",
        "protocol_number",
        "protocol_date",
    ]
    order_columns = ["submitted_on", "total_score", "rank"]
    base_order = ("id", "desc")
    formatters_columns = {
        c: _blank for c in ("total_score", "rank", "decision", "protocol_number", "notes")
    }

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            item = fab_seam.get_in_scope(self, kwargs["pk"])
            if item is not None:
                sm = self.appbuilder.sm
                rnd = item.round
                members = sorted(rnd.commission, key=lambda m: m.id)
                kwargs.update(
                    item=item,
                    criteria=rnd.criteria,
                    members=members,
                    scores=services.scores_of(item),
                    can_upload=sm.has_access("can_write", "Application")
                    and rnd.status not in (RoundStatus.completed, RoundStatus.cancelled),
                    can_score=sm.has_access("can_score", "Application")
                    and rnd.status == RoundStatus.evaluating
                    and item.eligible is True
                    and services.is_commission_member(rnd, g.user)
                    and (item.id, g.user.id) not in services.conflicts_of(rnd),
                    can_declare=sm.has_access("can_score", "Application")
                    and rnd.status in (RoundStatus.accepting, RoundStatus.evaluating)
                    and services.is_commission_member(rnd, g.user)
                    and (item.id, g.user.id) not in services.conflicts_of(rnd),
                    can_screen=sm.has_access("can_review", "Application")
                    and rnd.status == RoundStatus.evaluating,
                    can_appeal=sm.has_access("can_file", "Application")
                    and rnd.status == RoundStatus.appeals,
                    can_decide=sm.has_access("can_review", "Application")
                    and rnd.status == RoundStatus.appeals,
                    can_propose=sm.has_access("can_write", "ProposalLot")
                    and rnd.status == RoundStatus.accepting,
                    appeals=[a for a in services.appeals_of(rnd) if a.application_id == item.id],
                    conflicts=[c for c in services.conflict_rows(item)],
                    doc_types=DocumentType.choices(),
                    max_mb=services.MAX_DOCUMENT_BYTES // (1024 * 1024),
                    allowed=", ".join(sorted(services.ALLOWED_EXTENSIONS)),
                )
        return super().render_template(template, **kwargs)

    @expose("/upload/<int:pk>", methods=["POST"])
    @has_access
    def upload(self, pk):
        return self.apply_change(
            pk,
            lambda item: services.save_document(
                item, request.files.get("file"), request.form.get("doc_type"), g.user
            ),
            _("Document uploaded."),
        )

    @expose("/document/<int:pk>/<int:doc_id>")
    @has_access
    def document(self, pk, doc_id):
        item = self.scoped_get(pk)
        document = next((d for d in item.documents if d.id == doc_id), None)
        if document is None:
            abort(404)
        return _send_stored(
            services.document_path(document),
            document.filename,
            "ApplicationDocument",
            document.id,
            {"application": item.id},
        )

    @expose("/screen/<int:pk>", methods=["POST"])
    @has_access
    def screen(self, pk):
        return self.apply_change(
            pk,
            lambda item: services.screen(
                item,
                g.user,
                _form_bool("eligible"),
                request.form.get("reason"),
                expected_version=request.form.get("version"),
            ),
            _("Screening recorded."),
        )

    @expose("/conflict/<int:pk>", methods=["POST"])
    @has_access
    def conflict(self, pk):
        return self.apply_change(
            pk,
            lambda item: services.declare_conflict(item, g.user, request.form.get("note")),
            _("Conflict of interest declared."),
        )

    @expose("/appeal/<int:pk>", methods=["POST"])
    @has_access
    def appeal(self, pk):
        return self.apply_change(
            pk,
            lambda item: services.file_appeal(item, g.user, request.form.get("grounds")),
            _("Appeal filed."),
        )

    @expose("/appeal/<int:pk>/<int:appeal_id>", methods=["POST"])
    @has_access
    def decide_appeal(self, pk, appeal_id):
        def change(item):
            appeal = services.appeal_of(item, appeal_id)
            if appeal is None:
                abort(404)
            services.decide_appeal(appeal, g.user, _form_bool("upheld"), request.form.get("reason"))

        return self.apply_change(pk, change, _("The appeal is decided."))

    @expose("/scores/<int:pk>", methods=["POST"])
    @has_access
    def save_scores(self, pk):
        values = {
            key[6:]: value
            for key, value in request.form.items()
            if key.startswith("score_") and key[6:].isdigit()
        }
        comments = {
            key[8:]: value
            for key, value in request.form.items()
            if key.startswith("comment_") and key[8:].isdigit()
        }
        return self.apply_change(
            pk,
            lambda item: services.record_scores(item, g.user, values, comments),
            _("Scores saved."),
        )


class SelectionRoundApi(PortalRestApi):
    # Nullable relations (hromada, national round) must not drop rows: outer joins.
    list_outer_default_load = True
    show_outer_default_load = True
    resource_name = "selection_round"
    class_permission_name = "SelectionRound"
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        "transition_endpoint": "write",
        "results_endpoint": "read",
        "protocol_endpoint": "read",
        "add_criterion_endpoint": "write",
        "delete_criterion_endpoint": "write",
        "add_member_endpoint": "write",
        "delete_member_endpoint": "write",
    }
    datamodel = PortalInterface(SelectionRound)
    label_columns = ROUND_LABELS
    #: ``programme`` is a code of the programme reference (names: /api/v1/programme/).
    list_columns = [
        "id",
        "title",
        "programme",
        "oblast.id",
        "oblast.title",
        "announced_on",
        "deadline",
        "status",
    ]
    show_columns = list_columns + [
        "description",
        "winners_count",
        "reserve_count",
        "pass_mark",
        "appeal_days",
        "appeal_until",
        "status_reason",
        "protocol_number",
        "protocol_date",
        "version",
    ]
    add_columns = [
        "title",
        "programme",
        "oblast",
        "announced_on",
        "deadline",
        "winners_count",
        "reserve_count",
        "pass_mark",
        "appeal_days",
        "description",
    ]
    edit_columns = add_columns
    search_columns = ["title", "programme", "status"]

    @expose("/<int:pk>/<string:name>", methods=["POST"])
    @protect()
    @safe
    def transition_endpoint(self, pk, name):
        if name not in ROUND_ACTIONS:
            return self.response_404()
        return self.change_item(
            pk,
            lambda item, body: services.transition_round(
                name,
                item,
                g.user,
                reason=body["reason"],
                expected_version=body["version"],
                protocol_number=body["protocol_number"],
                protocol_date=body["protocol_date"],
            ),
            respond=lambda item, _result: self.response(
                200, id=item.id, status=item.status.name, version=item.version
            ),
            fields={"reason": str, "version": int, "protocol_number": str, "protocol_date": "date"},
        )

    transition_endpoint.__doc__ = transition_doc(
        "Selection round workflow",
        names=list(ROUND_ACTIONS),
        body={
            "reason": "string",
            "version": "integer",
            "protocol_number": "string",
            "protocol_date": "date",
        },
        returns={"version": "integer"},
        conflict="Stale version or a transition not allowed from the current state",
    )

    # --- criteria and commission: the same services as the round's page -----------
    @expose("/<int:pk>/criterion", methods=["POST"])
    @protect()
    @safe
    def add_criterion_endpoint(self, pk):
        """Add a criterion to a round (organisers, before the evaluation).
        ---
        post:
          summary: Add an evaluation criterion
          parameters:
            - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    name: {type: string}
                    weight: {oneOf: [{type: number}, {type: string}]}
                    max_score: {type: integer}
          description: >-
            Body: name (text), weight (a number above 0 and up to 1000, as a
            JSON number or text such as "0,3"), max_score (1-100, default 10).
          responses:
            201: {description: "The criterion's id and position"}
            400: {description: "A missing name, a wrong weight or maximum score"}
            403: {description: "Not an organiser"}
            404: {description: "No such round in the user's scope"}
            409: {description: "The evaluation has started: criteria are fixed"}
        """
        # a number or a text («0,3»): read as it came, checked by the service
        weight = (request.get_json(silent=True) or {}).get("weight")
        return self.change_item(
            pk,
            lambda item, body: services.add_criterion(
                item, g.user, body["name"], weight, body["max_score"]
            ),
            respond=lambda _item, criterion: self.response(
                201, id=criterion.id, position=criterion.position
            ),
            fields={"name": str, "max_score": int},
        )

    @expose("/<int:pk>/criterion/<int:cid>", methods=["DELETE"])
    @protect()
    @safe
    def delete_criterion_endpoint(self, pk, cid):
        """Remove a criterion of a round (organisers, before the evaluation).
        ---
        delete:
          summary: Remove an evaluation criterion
          parameters:
            - {in: path, name: pk, required: true, schema: {type: integer}}
            - {in: path, name: cid, required: true, schema: {type: integer}}
          responses:
            200: {description: Removed}
            403: {description: "Not an organiser"}
            404: {description: "No such round or criterion"}
            409: {description: "The evaluation has started: criteria are fixed"}
        """
        return self.change_item(
            pk,
            lambda item: services.delete_criterion(item, g.user, cid),
            respond=lambda item, _r: self.response(200, id=item.id),
        )

    @expose("/<int:pk>/commission", methods=["POST"])
    @protect()
    @safe
    def add_member_endpoint(self, pk):
        """Add a member to a round's commission (organisers, until it closes).
        ---
        post:
          summary: Add a commission member
          parameters:
            - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    user_id: {type: integer}
                    role: {type: string}
          description: "Body: user_id (a user who may sit on commissions), role (text)."
          responses:
            201: {description: "The member's id"}
            400: {description: "Already a member, or the round is closed"}
            403: {description: "Not an organiser"}
            404: {description: "No such round in the user's scope"}
            422: {description: "user_id is not a user who may sit on commissions"}
        """
        return self.change_item(
            pk,
            lambda item, body: services.appoint_commission_member(
                item, body["user_id"], g.user, body["role"]
            ),
            respond=lambda _item, member: self.response(201, id=member.id),
            fields={"user_id": int, "role": str},
        )

    @expose("/<int:pk>/commission/<int:mid>", methods=["DELETE"])
    @protect()
    @safe
    def delete_member_endpoint(self, pk, mid):
        """Remove a member of a round's commission (organisers, until it closes).
        ---
        delete:
          summary: Remove a commission member
          parameters:
            - {in: path, name: pk, required: true, schema: {type: integer}}
            - {in: path, name: mid, required: true, schema: {type: integer}}
          responses:
            200: {description: Removed}
            400: {description: "The round is closed"}
            403: {description: "Not an organiser"}
            404: {description: "No such round or member"}
        """
        return self.change_item(
            pk,
            lambda item: services.remove_commission_member(item, g.user, mid),
            respond=lambda item, _r: self.response(200, id=item.id),
        )

    @expose("/<int:pk>/results", methods=["GET"])
    @protect()
    @safe
    def results_endpoint(self, pk):
        item = fab_seam.get_in_scope(self, pk)
        if item is None:
            return self.response_404()
        return self.response(
            200,
            result=[
                {
                    "application_id": a.id,
                    "rank": a.rank,
                    "provider_id": a.provider_id,
                    "provider": a.provider.name,
                    "edrpou": a.provider.edrpou,
                    "total_score": str(a.total_score) if a.total_score is not None else None,
                    "decision": a.decision.name if a.decision else None,
                    "protocol_number": a.protocol_number,
                    "protocol_date": a.protocol_date.isoformat() if a.protocol_date else None,
                }
                for a in services.results(item)
            ],
        )

    results_endpoint.__doc__ = record_rows_doc(
        "Ranked results of a selection round (applications in scope)"
    )

    @expose("/<int:pk>/protocol", methods=["GET"])
    @protect()
    @safe
    def protocol_endpoint(self, pk):
        """The evaluation protocol of the round as a DOCX document.
        ---
        get:
          summary: The evaluation protocol (DOCX)
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            200:
              description: The protocol
              content:
                application/vnd.openxmlformats-officedocument.wordprocessingml.document:
                  schema:
                    type: string
                    format: binary
            404:
              $ref: '#/components/responses/404'
        """
        item = fab_seam.get_in_scope(self, pk)
        if item is None:
            return self.response_404()
        return _protocol_response(item)


class ApplicationApi(PortalRestApi):
    # Nullable relations (hromada, national round) must not drop rows: outer joins.
    list_outer_default_load = True
    show_outer_default_load = True
    resource_name = "selection_application"
    class_permission_name = "Application"
    datamodel = PortalInterface(Application)
    label_columns = APPLICATION_LABELS
    list_columns = [
        "id",
        "round.id",
        "round.title",
        "provider.id",
        "provider.name",
        "submitted_on",
        "total_score",
        "rank",
        "decision",
    ]
    show_columns = list_columns + [
        "protocol_number",
        "protocol_date",
        "notes",
        "eligible",
        "screening_reason",
        "version",
    ]
    add_columns = ["round", "provider", "submitted_on", "notes"]
    edit_columns = ["decision", "protocol_number", "protocol_date", "notes"]
    search_columns = ["decision", "rank"]
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        "screen_endpoint": "review",
        "conflict_endpoint": "score",
        "scores_endpoint": "score",
        "appeal_endpoint": "file",
        "decide_appeal_endpoint": "review",
    }

    def _respond(self, item, _result):
        return self.response(
            200,
            id=item.id,
            eligible=item.eligible,
            total_score=str(item.total_score) if item.total_score is not None else None,
            version=item.version,
        )

    @expose("/<int:pk>/screen", methods=["POST"])
    @protect()
    @safe
    def screen_endpoint(self, pk):
        def change(item):
            data = _json()
            return services.screen(
                item,
                g.user,
                json_bool(data, "eligible"),
                _text(data, "reason"),
                expected_version=data.get("version"),
            )

        return self.change_item(pk, change, respond=self._respond)

    screen_endpoint.__doc__ = transition_doc(
        "Eligibility screening of a proposal (before scoring)",
        names=None,
        body={"eligible": "boolean", "reason": "string", "version": "integer"},
        returns={"version": "integer"},
        conflict="The round is not being evaluated",
    )

    @expose("/<int:pk>/conflict", methods=["POST"])
    @protect()
    @safe
    def conflict_endpoint(self, pk):
        return self.change_item(
            pk,
            lambda item: services.declare_conflict(item, g.user, _text(_json(), "note")),
            respond=self._respond,
        )

    conflict_endpoint.__doc__ = transition_doc(
        "A commission member declares a conflict of interest with a proposal",
        names=None,
        body={"note": "string"},
        returns={"version": "integer"},
        conflict="Already declared, or the round is not being evaluated",
    )

    @expose("/<int:pk>/scores", methods=["POST"])
    @protect()
    @safe
    def scores_endpoint(self, pk):
        def change(item):
            data = _json()
            scores = data.get("scores")
            if not isinstance(scores, dict):
                raise UserError(
                    _l("Field «%(field)s»: expected an object of criterion id to score.")
                    % {"field": "scores"}
                )
            return services.record_scores(item, g.user, scores)

        return self.change_item(pk, change, respond=self._respond)

    scores_endpoint.__doc__ = transition_doc(
        "A commission member's scores of a proposal ({criterion id: score})",
        names=None,
        body={"scores": "object"},
        returns={"version": "integer"},
        conflict="Not screened eligible, a declared conflict, or the round not evaluated",
    )

    @expose("/<int:pk>/appeal", methods=["POST"])
    @protect()
    @safe
    def appeal_endpoint(self, pk):
        return self.change_item(
            pk,
            lambda item: services.file_appeal(item, g.user, _text(_json(), "grounds")),
            respond=lambda item, appeal: self.response(
                201, id=appeal.id, application_id=item.id, status=appeal.status.name
            ),
        )

    appeal_endpoint.__doc__ = transition_doc(
        "The provider appeals the published result of its proposal",
        names=None,
        body={"grounds": "string"},
        returns={"status": "string"},
        conflict="The appeal window is closed or an appeal awaits decision",
    )

    @expose("/<int:pk>/appeal/<int:appeal_id>", methods=["POST"])
    @protect()
    @safe
    def decide_appeal_endpoint(self, pk, appeal_id):
        def change(item):
            appeal = services.appeal_of(item, appeal_id)
            if appeal is None:
                raise UserError(_l("No such appeal."))
            data = _json()
            return services.decide_appeal(
                appeal, g.user, json_bool(data, "upheld"), _text(data, "reason")
            )

        return self.change_item(
            pk,
            change,
            respond=lambda item, appeal: self.response(
                200, id=appeal.id, status=appeal.status.name, round_status=item.round.status.name
            ),
        )

    decide_appeal_endpoint.__doc__ = _with_path_id(
        transition_doc(
            "Ministry staff decide an appeal (an upheld appeal returns the round to evaluation)",
            body={"upheld": "boolean", "reason": "string"},
            returns={"status": "string"},
            conflict="The appeal is already decided",
        ),
        "appeal_id",
    )


def _json() -> dict:
    from ..providers.views import _json_body

    return _json_body()


def _text(data: dict, name: str) -> str | None:
    value = data.get(name)
    return value[:4000] if isinstance(value, str) else None


# --- lots, proposals' lots and teams, agreements and acts (issue #22) ---------------------
LOT_LABELS = {
    "round": _l("Selection round"),
    "round.title": _l("Selection round"),
    "number": _l("Lot number"),
    "kind": _l("Kind of lot"),
    "hromada": _l("Territorial community"),
    "hromada.title": _l("Territorial community"),
    "centre": _l("Planned centre"),
    "centre.name": _l("Planned centre"),
    "unit_name": _l("Military unit (name or number)"),
    "budget_limit": _l("Budget limit, UAH"),
}


class LotView(PortalModelView):
    datamodel = PortalInterface(Lot)
    class_permission_name = "Lot"
    list_title = _l("Lots of selection rounds")
    show_title = add_title = edit_title = _l("Lot")
    label_columns = LOT_LABELS
    list_columns = [
        "round.title",
        "number",
        "kind",
        "hromada.title",
        "centre.name",
        "unit_name",
        "budget_limit",
    ]
    add_columns = edit_columns = [
        "round",
        "number",
        "kind",
        "hromada",
        "centre",
        "unit_name",
        "budget_limit",
    ]
    show_columns = add_columns
    add_form_extra_fields = edit_form_extra_fields = {
        "round": AjaxSelectField(_l("Selection round"), lookup="setup_round"),
        "hromada": AjaxSelectField(_l("Territorial community"), lookup="hromada"),
        "centre": AjaxSelectField(_l("Planned centre"), lookup="lot_centre"),
    }
    validators_columns = {"number": [NumberRange(min=1, max=999)]}
    order_columns = ["number"]
    base_order = ("id", "desc")
    formatters_columns = {c: _blank for c in ("hromada", "centre", "unit_name", "budget_limit")}


class LotApi(PortalRestApi):
    list_outer_default_load = True
    show_outer_default_load = True
    resource_name = "selection_lot"
    class_permission_name = "Lot"
    datamodel = PortalInterface(Lot)
    label_columns = LOT_LABELS
    list_columns = ["id", "round.id", "number", "kind", "unit_name", "budget_limit"]
    show_columns = list_columns + ["version"]
    add_columns = edit_columns = [
        "round",
        "number",
        "kind",
        "hromada",
        "centre",
        "unit_name",
        "budget_limit",
    ]


PROPOSAL_LOT_LABELS = {
    "application": _l("Proposal"),
    "lot": _l("Lot"),
    "budget": _l("Budget asked, UAH"),
    "rank": _l("Rank in the lot"),
    "decision": _l("Decision"),
}


class ProposalLotView(PortalModelView):
    datamodel = PortalInterface(ProposalLot)
    class_permission_name = "ProposalLot"
    list_title = _l("Proposals for lots")
    show_title = add_title = edit_title = _l("Proposal for a lot")
    label_columns = PROPOSAL_LOT_LABELS
    list_columns = ["application", "lot", "budget", "rank", "decision"]
    add_columns = edit_columns = ["application", "lot", "budget"]
    show_columns = list_columns
    add_form_extra_fields = edit_form_extra_fields = {
        "application": AjaxSelectField(_l("Proposal"), lookup="own_proposal"),
        "lot": AjaxSelectField(_l("Lot"), lookup="open_lot"),
    }
    base_order = ("id", "desc")
    formatters_columns = {c: _blank for c in ("rank", "decision")}


class ProposalLotApi(PortalRestApi):
    resource_name = "selection_proposal_lot"
    class_permission_name = "ProposalLot"
    datamodel = PortalInterface(ProposalLot)
    label_columns = PROPOSAL_LOT_LABELS
    list_columns = ["id", "application.id", "lot.id", "budget", "rank", "decision"]
    show_columns = list_columns
    add_columns = edit_columns = ["application", "lot", "budget"]


TEAM_LABELS = {
    "application": _l("Proposal"),
    "specialist": _l("Specialist"),
    "role": _l("Role in the team"),
}


class TeamMemberView(PortalModelView):
    datamodel = PortalInterface(TeamMember)
    class_permission_name = "TeamMember"
    list_title = _l("Proposed teams")
    show_title = add_title = edit_title = _l("Team member")
    label_columns = TEAM_LABELS
    list_columns = ["application", "specialist", "role"]
    add_columns = edit_columns = show_columns = ["application", "specialist", "role"]
    add_form_extra_fields = edit_form_extra_fields = {
        "application": AjaxSelectField(_l("Proposal"), lookup="own_proposal"),
        "specialist": AjaxSelectField(_l("Specialist"), lookup="specialist"),
    }
    base_order = ("id", "desc")
    formatters_columns = {"role": _blank}


class TeamMemberApi(PortalRestApi):
    resource_name = "selection_team_member"
    class_permission_name = "TeamMember"
    datamodel = PortalInterface(TeamMember)
    label_columns = TEAM_LABELS
    list_columns = ["id", "application.id", "specialist.id", "role"]
    show_columns = list_columns
    add_columns = edit_columns = ["application", "specialist", "role"]


AGREEMENT_LABELS = {
    "number": _l("Agreement number"),
    "lot": _l("Lot"),
    "provider": _l("Provider"),
    "provider.name": _l("Provider"),
    "centre": _l("Centre"),
    "signed_on": _l("Signed on"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "amount": _l("Amount, UAH"),
    "status": _l("Status"),
    "application": _l("Proposal"),
}


class ServiceAgreementView(ExportMixin, PortalModelView):
    datamodel = PortalInterface(ServiceAgreement)
    class_permission_name = "ServiceAgreement"
    template_folder = TEMPLATES
    show_template = "selection/agreement_show.html"
    list_title = _l("Service agreements")
    show_title = _l("Service agreement")
    edit_title = _l("Edit service agreement")
    label_columns = AGREEMENT_LABELS
    list_columns = ["number", "provider.name", "lot", "starts_on", "ends_on", "amount", "status"]
    edit_columns = ["starts_on", "ends_on", "amount", "status"]
    add_columns = edit_columns
    show_columns = [
        "number",
        "provider",
        "lot",
        "centre",
        "signed_on",
        "starts_on",
        "ends_on",
        "amount",
        "status",
    ]
    export_columns = ["number", "provider.name", "starts_on", "ends_on", "amount", "status"]
    search_columns = ["number", "status"]
    base_order = ("id", "desc")
    formatters_columns = {"centre": _blank}

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            item = fab_seam.get_in_scope(self, kwargs["pk"])
            if item is not None:
                last_month = (clock.kyiv_today().replace(day=1) - dt.timedelta(days=1)).replace(
                    day=1
                )
                kwargs.update(
                    item=item,
                    acts=services.acts_of(item),
                    can_decide=self.appbuilder.sm.has_access("can_review", "ServiceAct"),
                    can_submit_act=self.appbuilder.sm.has_access("can_write", "ServiceAct")
                    and bool(services.role_names(g.user) & services.SUBMITTERS),
                    default_act_month=max(last_month, item.starts_on.replace(day=1)).strftime(
                        "%Y-%m"
                    ),
                )
        return super().render_template(template, **kwargs)


class ServiceAgreementApi(PortalRestApi):
    list_outer_default_load = True
    show_outer_default_load = True
    resource_name = "selection_agreement"
    class_permission_name = "ServiceAgreement"
    datamodel = PortalInterface(ServiceAgreement)
    label_columns = AGREEMENT_LABELS
    list_columns = [
        "id",
        "number",
        "provider.id",
        "provider.name",
        "lot.id",
        "centre.id",
        "signed_on",
        "starts_on",
        "ends_on",
        "amount",
        "status",
    ]
    show_columns = list_columns + ["version"]
    add_columns = edit_columns = ["starts_on", "ends_on", "amount", "status"]


ACT_LABELS = {
    "agreement": _l("Service agreement"),
    "agreement.number": _l("Service agreement"),
    "month": _l("Month (first day)"),
    "amount": _l("Amount, UAH"),
    "services_summary": _l("Services delivered"),
    "status": _l("Status"),
    "decision_comment": _l("Comment of the ministry"),
    "activities": _l("Activities held"),
    "participants": _l("Participants of the activities"),
    "visits": _l("Walk-in visits"),
    "cases_served": _l("Cases served"),
    "cases_opened": _l("Cases opened in the month"),
    "meetings": _l("Meetings held"),
}
ACT_FIGURE_HELP = _l(
    "Pre-filled from the portal's data for the month (the centre's activity "
    "log and visits, the case register); correct it if needed."
)
ACT_ACTIONS = {"accept": N_("Accept the act"), "return_act": N_("Return for correction")}


def _act_action(name):
    def run(self, items):
        item = items[0] if isinstance(items, list) else items
        services.decide_act(
            item,
            g.user,
            name == "accept",
            request.form.get("comment"),
            expected_version=request.form.get("version"),
        )
        self.datamodel.session.commit()
        flash(_("The act is decided."), "success")
        return redirect(url_for("ServiceAgreementView.show", pk=item.agreement_id))

    run.__name__ = name
    return action(
        name, ACT_ACTIONS[name], confirmation=None, icon="fa-check", single=False, multiple=False
    )(run)


class ServiceActView(PortalModelView):
    datamodel = PortalInterface(ServiceAct)
    class_permission_name = "ServiceAct"
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        "accept": "review",
        "return_act": "review",
    }
    list_title = _l("Acts of services delivered")
    show_title = add_title = edit_title = _l("Act of services delivered")
    label_columns = ACT_LABELS
    list_columns = ["agreement.number", "month", "amount", "status"]
    add_columns = edit_columns = [
        "agreement",
        "month",
        "amount",
        "services_summary",
        *services.ACT_FIGURES,
    ]
    show_columns = add_columns + ["status", "decision_comment"]
    add_form_extra_fields = edit_form_extra_fields = {
        "agreement": AjaxSelectField(_l("Service agreement"), lookup="agreement"),
    }
    description_columns = {name: ACT_FIGURE_HELP for name in services.ACT_FIGURES}
    base_order = ("month", "desc")
    formatters_columns = {
        "decision_comment": _blank,
        **{name: _blank for name in services.ACT_FIGURES},
    }

    def before_add_page(self, form) -> None:
        """``/serviceactview/add?agreement=<id>&month=YYYY-MM`` (the agreement page's
        «Draft the act»): the form comes pre-filled from the portal's data."""
        agreement_id = request.args.get("agreement", type=int)
        if request.method == "GET" and agreement_id:
            from ..common.lookup import LOOKUPS

            agreement = LOOKUPS["agreement"].get(agreement_id)
            if agreement is not None:
                try:
                    draft = services.prefill_act(
                        agreement, request.args.get("month") or clock.kyiv_today().strftime("%Y-%m")
                    )
                except UserError as exc:
                    flash(str(exc), "danger")
                else:
                    for name, value in draft.items():
                        if name == "agreement":
                            form.agreement.data = agreement
                        elif name in form:
                            form[name].data = value

    accept = _act_action("accept")
    return_act = _act_action("return_act")

    def _action_redirect(self):
        if request.view_args and request.view_args.get("pk"):
            return redirect(url_for(".show", pk=request.view_args["pk"]))
        return redirect(url_for(".list"))


class ServiceActApi(PortalRestApi):
    resource_name = "selection_act"
    class_permission_name = "ServiceAct"
    method_permission_name = {
        **roles.METHOD_PERMISSIONS,
        "decide_endpoint": "review",
        "prefill_endpoint": "read",
    }
    datamodel = PortalInterface(ServiceAct)
    label_columns = ACT_LABELS
    list_columns = ["id", "agreement.id", "month", "amount", "status"]
    show_columns = list_columns + [
        "services_summary",
        *services.ACT_FIGURES,
        "decision_comment",
        "version",
    ]
    add_columns = edit_columns = [
        "agreement",
        "month",
        "amount",
        "services_summary",
        *services.ACT_FIGURES,
    ]

    @expose("/prefill", methods=["GET"])
    @protect()
    @safe
    def prefill_endpoint(self):
        """The draft of a monthly act from the portal's data.
        ---
        get:
          summary: The draft of a monthly act of services, pre-filled from the portal's data
          parameters:
          - in: query
            name: agreement
            required: true
            schema: {type: integer}
          - in: query
            name: month
            required: true
            schema: {type: string, example: "2026-03"}
          responses:
            200:
              description: Month, suggested amount, text and figures of the act
            400:
              description: A month that cannot be read
            404:
              description: No such agreement in the user's scope
        """
        from sqlalchemy import select as _select

        from ..security.scope import scoped as _scoped

        raw = request.args.get("agreement", "")
        agreement = None
        if raw.isdigit() and 0 < int(raw) < 2**31:
            agreement = self.datamodel.session.scalar(
                _scoped(_select(ServiceAgreement), ServiceAgreement).where(
                    ServiceAgreement.id == int(raw)
                )
            )
        if agreement is None:
            return self.response_404()
        try:
            draft = services.prefill_act(agreement, request.args.get("month"))
        except UserError as exc:
            return self.response(400, message=str(exc))
        draft["month"] = draft["month"].isoformat()
        draft["amount"] = str(draft["amount"])
        return self.response(200, result=draft)

    @expose("/<int:pk>/<string:name>", methods=["POST"])
    @protect()
    @safe
    def decide_endpoint(self, pk, name):
        if name not in ("accept", "return"):
            return self.response_404()
        return self.change_item(
            pk,
            lambda item, body: services.decide_act(
                item, g.user, name == "accept", body["comment"], expected_version=body["version"]
            ),
            respond=lambda item, _r: self.response(
                200, id=item.id, status=item.status.name, version=item.version
            ),
            fields={"comment": str, "version": int},
        )

    decide_endpoint.__doc__ = transition_doc(
        "Ministry staff accept an act of services or return it with a comment",
        names=["accept", "return"],
        body={"comment": "string", "version": "integer"},
        returns={"version": "integer"},
        conflict="The act is not submitted",
    )


__all__ = [
    "SelectionRoundView",
    "ApplicationView",
    "SelectionRoundApi",
    "ApplicationApi",
    "LotView",
    "LotApi",
    "ProposalLotView",
    "ProposalLotApi",
    "TeamMemberView",
    "TeamMemberApi",
    "ServiceAgreementView",
    "ServiceAgreementApi",
    "ServiceActView",
    "ServiceActApi",
]
