"""Training views: courses, workshops (with the group attendance screen and
the attendance sheet), sessions, participants, certificates, reports."""

from __future__ import annotations

import functools
import io

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField
from wtforms.validators import DataRequired

from .. import clock, fab_seam
from ..common.apidoc import transition_doc
from ..common.export import ExportMixin, safe_cell
from ..common.listing import PortalInterface
from ..common.lookup import AjaxSelectField
from ..common.views import PortalModelView, PortalRestApi
from ..errors import UserError
from ..security import roles
from ..security.scope import scoped
from ..selection.programme_ref import ProgrammeSelectField, programme_label
from . import services
from .fields import AjaxMultiSelectField
from .models import (
    AttendanceStatus,
    Certificate,
    Course,
    Participant,
    TrainingSession,
    Workshop,
    WorkshopStatus,
)

COURSE_LABELS = {
    "title": _l("Title"),
    "programme": _l("Programme"),
    "programme_ref": _l("Programme"),
    "programme_ref.name": _l("Programme"),
    "programme_name": _l("Programme"),
    "hours": _l("Hours"),
    "completion_hours": _l("Hours to complete"),
    "topics": _l("Topics"),
    "description": _l("Description"),
    "active": _l("Active"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}

WORKSHOP_LABELS = {
    "course": _l("Course"),
    "course.title": _l("Course"),
    "course.programme_name": _l("Programme"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "online": _l("Online"),
    "place": _l("Place"),
    "where": _l("Place"),
    "capacity": _l("Capacity"),
    "occupancy": _l("Enrolled / places"),
    "participant_count": _l("Enrolled"),
    "trainers": _l("Trainers"),
    "trainer_names": _l("Trainers"),
    "status": _l("Status"),
    "status_changed_on": _l("Status changed on"),
    "notes": _l("Notes"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}

SESSION_LABELS = {
    "workshop": _l("Workshop"),
    "day": _l("Day"),
    "hours": _l("Hours"),
    "topic": _l("Topic"),
}

PARTICIPANT_LABELS = {
    "workshop": _l("Workshop"),
    "workshop.status": _l("Workshop status"),
    "specialist": _l("Specialist"),
    "full_name": _l("Participant"),
    "organisation": _l("Organisation"),
    "guest_name": _l("Guest participant (full name)"),
    "guest_organisation": _l("Guest's organisation"),
    "certificate.number": _l("Certificate No."),
    "created_on": _l("Enrolled on"),
}

CERTIFICATE_LABELS = {
    "number": _l("Certificate No."),
    "participant": _l("Participant"),
    "participant.full_name": _l("Participant"),
    "participant.organisation": _l("Organisation"),
    "participant.workshop": _l("Workshop"),
    "participant.workshop.course.programme_name": _l("Programme"),
    "issued_on": _l("Issued on"),
    "hours": _l("Hours attended"),
    "year": _l("Year"),
}


def _workshop_from_args():
    """Pre-select the workshop in add forms opened from a workshop page."""
    from ..common.lookup import LOOKUPS

    pk = request.args.get("workshop", type=int)
    return LOOKUPS["training_workshop"].get(pk) if pk else None


class CourseView(ExportMixin, PortalModelView):
    datamodel = PortalInterface(Course)
    class_permission_name = "Course"
    list_title = _l("Training courses")
    show_title = _l("Course")
    add_title = _l("Add course")
    edit_title = _l("Edit course")
    label_columns = COURSE_LABELS
    formatters_columns = {
        "topics": lambda v: v or "",
        "description": lambda v: v or "",
        "programme": programme_label,
    }
    add_form_extra_fields = {
        "programme": ProgrammeSelectField(_l("Programme"), validators=[DataRequired()])
    }
    edit_form_extra_fields = add_form_extra_fields
    description_columns = {
        "completion_hours": _l(
            "A participant completes the course and gets a certificate "
            "after attending at least this many hours."
        ),
        "topics": _l("One topic per line."),
    }
    list_columns = ["title", "programme", "hours", "completion_hours", "active"]
    add_columns = [
        "title",
        "programme",
        "hours",
        "completion_hours",
        "topics",
        "description",
        "active",
    ]
    edit_columns = add_columns
    show_columns = add_columns + ["created_on", "changed_on"]
    search_columns = ["title", "programme_ref", "active"]
    order_columns = ["title", "programme", "hours"]
    base_order = ("title", "asc")
    export_columns = ["title", "programme_name", "hours", "completion_hours", "topics", "active"]


WORKSHOP_PERMISSIONS = {
    **roles.METHOD_PERMISSIONS,
    "start_action": "write",
    "finish_action": "write",
    "cancel_action": "write",
    "reopen_action": "reopen",
    "attendance": "write",
    "attendance_print": "export",
    "attendance_xlsx": "export",
}


class WorkshopView(ExportMixin, PortalModelView):
    datamodel = PortalInterface(Workshop)
    class_permission_name = "Workshop"
    method_permission_name = WORKSHOP_PERMISSIONS
    list_title = _l("Workshops and trainings")
    show_title = _l("Workshop")
    add_title = _l("Add workshop")
    edit_title = _l("Edit workshop")
    show_template = "training/workshop_show.html"
    formatters_columns = {"notes": lambda v: v or ""}
    label_columns = WORKSHOP_LABELS
    list_columns = [
        "course.title",
        "start_date",
        "end_date",
        "where",
        "occupancy",
        "trainer_names",
        "status",
    ]
    add_columns = [
        "course",
        "start_date",
        "end_date",
        "online",
        "place",
        "capacity",
        "trainers",
        "notes",
    ]
    edit_columns = add_columns
    show_columns = [
        "course",
        "course.programme_name",
        "start_date",
        "end_date",
        "where",
        "capacity",
        "participant_count",
        "trainer_names",
        "status",
        "status_changed_on",
        "notes",
    ]
    search_columns = ["status", "start_date", "end_date", "online", "place"]
    order_columns = ["start_date", "end_date", "status", "capacity"]
    base_order = ("start_date", "desc")
    export_columns = [
        "course.title",
        "course.programme_name",
        "start_date",
        "end_date",
        "where",
        "capacity",
        "participant_count",
        "trainer_names",
        "status",
    ]
    add_form_extra_fields = edit_form_extra_fields = {
        "online": BooleanField(
            _l("Online"),
            default=False,
            description=_l(
                "Tick for an online workshop; the place may then hold the platform or link."
            ),
        ),
        "trainers": AjaxMultiSelectField(
            _l("Trainers"),
            lookup="training_trainer",
            description=_l("Portal users with the Trainer role. You are added automatically."),
        ),
    }

    # A trainer changes only their own workshops (services.WorkshopCommands); the
    # edit form itself is not offered to others.
    def before_edit(self, pk) -> None:
        if not services.can_edit_workshop(self.scoped_get(pk)):
            abort(403)

    # --- show page: sessions, participants, buttons -----------------------------------------
    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        item = self.scoped_get(pk)
        widgets = fab_seam.record_page_widgets(self, item)
        sm = self.appbuilder.sm
        can_people = sm.has_access("can_read", "Participant")
        sessions = sorted(item.sessions, key=lambda s: (s.day, s.id))
        participants = []
        hours = {}
        if can_people:
            participants = sorted(item.participants, key=lambda p: p.full_name)
            hours = services.attended_hours([p.id for p in participants])
        return self.render_template(
            self.show_template,
            pk=pk,
            title=self.show_title,
            widgets=widgets,
            related_views=[],
            item=item,
            sessions=sessions,
            participants=participants,
            hours=hours,
            can_people=can_people,
            can_edit=services.can_edit_workshop(item) and sm.has_access("can_write", "Workshop"),
            can_enrol=services.can_edit_workshop(item)
            and sm.has_access("can_write", "Participant"),
            can_export=sm.has_access("can_export", "Workshop"),
            can_reopen=sm.has_access("can_reopen", "Workshop"),
            is_open=item.status in services.OPEN_STATUSES,
            Status=WorkshopStatus,
        )

    # --- workflow actions -------------------------------------------------------------------
    def _transition(self, items, fn, message):
        items = items if isinstance(items, list) else [items]
        for item in items:
            result = fn(item)
            if fn is services.finish_workshop and result:
                flash(_("Certificates issued: %(count)s.", count=len(result)), "info")
        flash(str(message), "success")
        if len(items) == 1:
            return redirect(url_for(f"{self.__class__.__name__}.show", pk=items[0].id))
        return redirect(self.get_redirect())

    @action(
        "start_action", _l("Start"), _l("Start the selected workshops?"), "fa-play", single=False
    )
    def start_action(self, items):
        return self._transition(items, services.start_workshop, _l("The workshop has started."))

    @action(
        "finish_action",
        _l("Finish"),
        _l("Finish the selected workshops? Attendance will be locked and certificates issued."),
        "fa-flag",
        single=False,
    )
    def finish_action(self, items):
        return self._transition(
            items, services.finish_workshop, _l("The workshop is finished; attendance is locked.")
        )

    @action(
        "cancel_action", _l("Cancel"), _l("Cancel the selected workshops?"), "fa-ban", single=False
    )
    def cancel_action(self, items):
        return self._transition(items, services.cancel_workshop, _l("The workshop is cancelled."))

    @action(
        "reopen_action",
        _l("Reopen"),
        _l("Reopen the finished workshop for corrections?"),
        "fa-undo",
        single=False,
    )
    def reopen_action(self, items):
        return self._transition(items, services.reopen_workshop, _l("The workshop is reopened."))

    # --- group attendance -------------------------------------------------------------------
    @expose("/attendance/<int:pk>", methods=["GET", "POST"])
    @has_access
    def attendance(self, pk):
        workshop = self.scoped_get(pk)
        if not services.can_edit_workshop(workshop):
            abort(403)
        locked = workshop.status not in services.OPEN_STATUSES
        status_code = 200
        if request.method == "POST":
            try:
                sheet = services.save_attendance(workshop, request.form)
            except UserError as exc:
                self.datamodel.session.rollback()
                flash(str(exc), "danger")
                sheet = services.parse_attendance(services.load_sheet(workshop), request.form)
                status_code = exc.status_code
            else:
                if sheet.errors:
                    flash(
                        _(
                            "Attendance was not saved: correct the marked cells (%(count)s).",
                            count=len(sheet.errors),
                        ),
                        "danger",
                    )
                    status_code = 400
                else:
                    flash(_("Attendance of the group is saved."), "success")
                    return redirect(url_for(f"{self.__class__.__name__}.attendance", pk=pk))
        else:
            sheet = services.load_sheet(workshop)
        return self.render_template(
            "training/attendance.html",
            title=_("Attendance"),
            sheet=sheet,
            workshop=workshop,
            locked=locked,
            statuses=list(AttendanceStatus),
        ), status_code

    # --- attendance sheet: print view and XLSX ---------------------------------------------
    @expose("/attendance/<int:pk>/print")
    @has_access
    def attendance_print(self, pk):
        workshop = self.scoped_get(pk)
        sheet = services.load_sheet(workshop)
        _record_sheet_export(workshop, "print")
        return self.render_template(
            "training/attendance_print.html",
            sheet=sheet,
            workshop=workshop,
            today=clock.kyiv_today(),
        )

    @expose("/attendance/<int:pk>/xlsx")
    @has_access
    def attendance_xlsx(self, pk):
        from openpyxl import Workbook

        workshop = self.scoped_get(pk)
        sheet = services.load_sheet(workshop)
        book = Workbook()
        ws = book.active
        ws.title = str(_("Attendance"))[:31]
        ws.append([str(_("Attendance sheet")), safe_cell(repr(workshop))])
        ws.append([str(_("Trainers")), safe_cell(workshop.trainer_names)])
        ws.append([])
        ws.append(
            ["№", str(_("Participant")), str(_("Organisation"))]
            + [safe_cell(s.day) + f" ({s.hours} {_('h')})" for s in sheet.sessions]
            + [str(_("Hours attended")), str(_("Completed"))]
        )
        for number, p in enumerate(sheet.participants, 1):
            cells = []
            for s in sheet.sessions:
                c = sheet.cell(p.id, s.id)
                cells.append(
                    ""
                    if c.status is None
                    else f"{c.status.label} ({c.hours})"
                    if c.status is AttendanceStatus.partial
                    else c.status.label
                )
            ws.append(
                [
                    number,
                    safe_cell(p.full_name),
                    safe_cell(p.organisation),
                    *cells,
                    float(sheet.attended(p.id)),
                    _("yes") if sheet.completed(p.id) else _("no"),
                ]
            )
        out = io.BytesIO()
        book.save(out)
        _record_sheet_export(workshop, "xlsx")
        return Response(
            out.getvalue(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={
                "Content-Disposition": f'attachment; filename="attendance-{workshop.id}.xlsx"'
            },
        )


def _record_sheet_export(workshop, fmt):
    from ..audit.services import record_event

    record_event("export", "Workshop", workshop.id, details={"sheet": "attendance", "format": fmt})


class _WorkshopChildView(PortalModelView):
    """Sessions and participants: changed only by the workshop's trainers,
    only while the workshop is planned or running."""

    def parent_url(self, item):
        """Sessions and participants are edited from the workshop's page."""
        return url_for("WorkshopView.show", pk=item.workshop_id)

    def before_edit(self, pk) -> None:
        if not services.can_edit_workshop(self.scoped_get(pk).workshop):
            abort(403)


class TrainingSessionView(_WorkshopChildView):
    datamodel = PortalInterface(TrainingSession)
    class_permission_name = "Workshop"
    list_title = _l("Workshop sessions")
    show_title = _l("Session")
    add_title = _l("Add session")
    edit_title = _l("Edit session")
    label_columns = SESSION_LABELS
    list_columns = ["workshop", "day", "hours", "topic"]
    add_columns = ["workshop", "day", "hours", "topic"]
    edit_columns = ["day", "hours", "topic"]
    show_columns = add_columns
    search_columns = ["day", "topic"]
    order_columns = ["day", "hours"]
    base_order = ("day", "desc")
    add_form_extra_fields = {
        "workshop": AjaxSelectField(
            _l("Workshop"), lookup="training_workshop", default=_workshop_from_args
        ),
    }


class ParticipantView(ExportMixin, _WorkshopChildView):
    datamodel = PortalInterface(Participant)
    class_permission_name = "Participant"
    list_title = _l("Participants of workshops")
    show_title = _l("Participant")
    add_title = _l("Enrol a participant")
    edit_title = _l("Edit participant")
    label_columns = PARTICIPANT_LABELS
    description_columns = {
        "specialist": _l(
            "A specialist of a provider; or leave empty and enter a guest "
            "participant from another organisation."
        ),
    }
    list_columns = [
        "full_name",
        "organisation",
        "workshop",
        "workshop.status",
        "certificate.number",
    ]
    add_columns = ["workshop", "specialist", "guest_name", "guest_organisation"]
    edit_columns = ["specialist", "guest_name", "guest_organisation"]
    show_columns = ["workshop", "full_name", "organisation", "certificate.number", "created_on"]
    search_columns = ["guest_name", "guest_organisation"]
    order_columns = ["guest_name"]
    base_order = ("id", "desc")
    export_columns = [
        "full_name",
        "organisation",
        "workshop",
        "workshop.status",
        "certificate.number",
    ]
    add_form_extra_fields = {
        "workshop": AjaxSelectField(
            _l("Workshop"), lookup="training_workshop", default=_workshop_from_args
        ),
        "specialist": AjaxSelectField(_l("Specialist"), lookup="training_specialist"),
    }
    edit_form_extra_fields = {
        "specialist": AjaxSelectField(_l("Specialist"), lookup="training_specialist"),
    }


class CertificateView(ExportMixin, PortalModelView):
    datamodel = PortalInterface(Certificate)
    class_permission_name = "Certificate"
    base_permissions = ["can_read", "can_export"]
    list_title = _l("Certificates")
    show_title = _l("Certificate")
    label_columns = CERTIFICATE_LABELS
    list_columns = [
        "number",
        "participant.full_name",
        "participant.organisation",
        "participant.workshop",
        "issued_on",
        "hours",
    ]
    show_columns = [
        "number",
        "participant.full_name",
        "participant.organisation",
        "participant.workshop",
        "participant.workshop.course.programme_name",
        "issued_on",
        "hours",
    ]
    search_columns = ["number", "year", "issued_on"]
    order_columns = ["number", "issued_on"]
    base_order = ("number", "desc")
    export_columns = show_columns


REPORT_PERMISSIONS = {
    "providers": "read",
    "provider": "read",
    "by_oblast": "read",
    "by_oblast_xlsx": "export",
}


class TrainingReportView(BaseView):
    """Reports: training by provider (and one provider's summary), trained
    specialists by oblast and programme."""

    route_base = "/trainingreports"
    default_view = "providers"
    class_permission_name = "TrainingReport"
    method_permission_name = REPORT_PERMISSIONS
    base_permissions = ["can_read", "can_export"]
    page_size = 25

    @expose("/providers")
    @has_access
    def providers(self):
        page = max(0, min(request.args.get("page", 0, type=int), 100000))
        search = (request.args.get("q") or "").strip()
        total, rows = services.providers_training(
            page=page, page_size=self.page_size, search=search
        )
        pages = (total + self.page_size - 1) // self.page_size
        return self.render_template(
            "training/providers.html",
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            search=search,
            title=_("Training by provider"),
        )

    @expose("/provider/<int:provider_id>")
    @has_access
    def provider(self, provider_id):
        from ..providers.models import Provider

        provider = self.appbuilder.session.scalar(
            scoped(select(Provider), Provider).where(Provider.id == provider_id)
        )
        if provider is None:
            abort(404)
        summary = services.provider_training_summary(provider_id)
        certificates = []
        if self.appbuilder.sm.has_access("can_read", "Certificate"):
            from ..providers.models import Specialist

            certificates = (
                self.appbuilder.session.scalars(
                    scoped(select(Certificate), Certificate)
                    .join(Participant, Participant.id == Certificate.participant_id)
                    .join(Specialist, Specialist.id == Participant.specialist_id)
                    .where(Specialist.provider_id == provider_id)
                    .order_by(Certificate.issued_on.desc())
                    .limit(200)
                )
                .unique()
                .all()
            )
        return self.render_template(
            "training/provider.html",
            provider=provider,
            summary=summary,
            certificates=certificates,
            programmes=services.programme_items(),
            title=_("Training of the provider's specialists"),
        )

    @expose("/by-oblast")
    @has_access
    def by_oblast(self):
        programmes, table = services.trained_by_oblast_and_programme()
        return self.render_template(
            "training/by_oblast.html",
            programmes=programmes,
            table=table,
            title=_("Trained specialists by oblast"),
            can_export=self.appbuilder.sm.has_access("can_export", "TrainingReport"),
        )

    @expose("/by-oblast/xlsx")
    @has_access
    def by_oblast_xlsx(self):
        from openpyxl import Workbook

        from ..audit.services import record_event

        programmes, table = services.trained_by_oblast_and_programme()
        book = Workbook()
        ws = book.active
        ws.title = str(_("Trained specialists"))[:31]
        ws.append([str(_("Oblast")), *[p.label for p in programmes], str(_("Total"))])
        for oblast, counts in table.items():
            ws.append(
                [
                    safe_cell(oblast),
                    *[counts.get(p.name, 0) for p in programmes],
                    counts.get("total", 0),
                ]
            )
        out = io.BytesIO()
        book.save(out)
        record_event("export", "TrainingReport", details={"report": "by_oblast"})
        return Response(
            out.getvalue(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="trained-by-oblast.xlsx"'},
        )


# --- REST API ----------------------------------------------------------------------------
class CourseApi(PortalRestApi):
    resource_name = "training-course"
    class_permission_name = "Course"
    #: Shared resource with CourseView: FAB's permission sync replaces a resource's
    #: permissions with the last registered view's, so the API lists the export too.
    base_permissions = ["can_read", "can_write", "can_export"]
    datamodel = PortalInterface(Course)
    label_columns = COURSE_LABELS
    #: ``programme`` is a code of the programme reference (names: /api/v1/programme/).
    list_columns = ["id", "title", "programme", "hours", "completion_hours", "active"]
    show_columns = list_columns + ["topics", "description", "version"]
    add_columns = [
        "title",
        "programme",
        "hours",
        "completion_hours",
        "topics",
        "description",
        "active",
    ]
    edit_columns = add_columns


API_PERMISSIONS = {
    **roles.METHOD_PERMISSIONS,
    "start": "write",
    "finish": "write",
    "cancel": "write",
    "reopen": "reopen",
}

#: OpenAPI text of the workshop status endpoints.
_transition_doc = functools.partial(
    transition_doc,
    returns={"certificates": "strings"},
    ok="New status (and certificates issued, when finishing)",
)


class WorkshopApi(PortalRestApi):
    resource_name = "training-workshop"
    class_permission_name = "Workshop"
    base_permissions = ["can_read", "can_write", "can_export", "can_reopen"]
    method_permission_name = API_PERMISSIONS
    datamodel = PortalInterface(Workshop)
    label_columns = WORKSHOP_LABELS
    list_columns = [
        "id",
        "course.id",
        "course.title",
        "start_date",
        "end_date",
        "online",
        "place",
        "capacity",
        "status",
    ]
    show_columns = list_columns + ["notes", "version"]
    add_columns = ["course", "start_date", "end_date", "online", "place", "capacity", "notes"]
    edit_columns = add_columns
    search_columns = ["status", "start_date", "course"]

    def _run(self, pk, fn):
        def respond(item, result):
            body = {"id": item.id, "status": item.status.name}
            if isinstance(result, list):
                body["certificates"] = [c.number for c in result]
            return self.response(200, **body)

        return self.change_item(pk, fn, respond)

    @api_expose("/<int:pk>/start", methods=["POST"])
    @protect()
    @safe
    def start(self, pk):
        return self._run(pk, services.start_workshop)

    start.__doc__ = _transition_doc("Start a planned workshop.")

    @api_expose("/<int:pk>/finish", methods=["POST"])
    @protect()
    @safe
    def finish(self, pk):
        return self._run(pk, services.finish_workshop)

    finish.__doc__ = _transition_doc("Finish a running workshop; issues the certificates due.")

    @api_expose("/<int:pk>/cancel", methods=["POST"])
    @protect()
    @safe
    def cancel(self, pk):
        return self._run(pk, services.cancel_workshop)

    cancel.__doc__ = _transition_doc("Cancel a planned or running workshop.")

    @api_expose("/<int:pk>/reopen", methods=["POST"])
    @protect()
    @safe
    def reopen(self, pk):
        return self._run(pk, services.reopen_workshop)

    reopen.__doc__ = _transition_doc("Reopen a finished workshop (administrators).")
