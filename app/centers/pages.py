"""Import page and dashboard of the centre registry."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..jobs import services as jobs
from ..jobs.models import Job
from ..security.scope import current_scope, scoped
from . import importer, permissions, services
from .models import CentreStatus, CentreStatusChange, ResilienceCentre


class CentreImportView(BaseView):
    """Upload of an XLSX/CSV file with centres (all or nothing), imported by a job.

    The upload is checked here for type and size only, then saved and imported
    in the background (:func:`importer.run_import_job`); the user lands on the
    job's page, which shows progress and then the import report.
    """

    route_base = "/centres/import"
    default_view = "index"
    class_permission_name = permissions.RESOURCE
    method_permission_name = {"index": "import", "template": "import"}
    # Same resource as the list and the API: declare its full permission set (see
    # views.CENTRE_PERMISSIONS), or FAB's sync would delete the others.
    base_permissions = None

    def __init__(self, **kwargs):
        from .views import CENTRE_PERMISSIONS

        self.base_permissions = list(CENTRE_PERMISSIONS)
        super().__init__(**kwargs)

    @expose("/", methods=["GET", "POST"])
    @has_access
    def index(self):
        errors = []
        if request.method == "POST":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                errors = [_("Choose a file to upload.")]
            else:
                data = upload.stream.read(importer.MAX_BYTES + 1)
                try:
                    job = importer.submit_import(upload.filename, data)
                except (importer.ImportFileError, jobs.TooManyJobs) as exc:
                    errors = [str(exc)]
                else:
                    return redirect(url_for("JobView.show", pk=job.id))
        recent = db.session.scalars(
            select(Job)
            .where(Job.created_by_fk == g.user.id, Job.kind == "centre_import")
            .order_by(Job.created_on.desc(), Job.id.desc())
            .limit(5)
        ).all()
        return self.render_template(
            "centers/import.html",
            errors=errors,
            max_rows=importer.MAX_ROWS,
            columns=importer.COLUMNS,
            recent=recent,
            status_label=jobs.status_label,
        )

    @expose("/template/<string:fmt>")
    @has_access
    def template(self, fmt):
        if fmt == "xlsx":
            return Response(
                importer.template_xlsx(),
                mimetype=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                headers={"Content-Disposition": 'attachment; filename="centres-template.xlsx"'},
            )
        if fmt == "csv":
            return Response(
                importer.template_csv(),
                mimetype="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="centres-template.csv"'},
            )
        abort(404)


def _status_colours() -> dict:
    from ..home import COLOURS

    return {
        CentreStatus.planned: COLOURS["cyan"],
        CentreStatus.preparing: COLOURS["sand"],
        CentreStatus.operating: COLOURS["green"],
        CentreStatus.suspended: COLOURS["rose"],
        CentreStatus.closed: COLOURS["dark"],
    }


#: Colours of the centre statuses (colour-blind safe), shared with the home page.
STATUS_COLOURS = _status_colours()


def area_status_counts(scope, by_raion: bool = False):
    """[(area id, area title, {status: n})] in Ukrainian alphabetical order, scoped;
    one statement."""
    from ..collation import ukrainian_sort_key

    counts: dict = {}
    for area_id, title, status, number in db.session.execute(
        services.status_counts_query(scope, by_raion)
    ):
        counts.setdefault((area_id, title), {s: 0 for s in CentreStatus})[status] = number
    return [
        (area_id, title, c)
        for (area_id, title), c in sorted(
            counts.items(), key=lambda item: (item[0][1] is None, ukrainian_sort_key(item[0][1]))
        )
    ]


def oblast_status_table(scope):
    """Rows [{oblast, counts{status: n}, total}] and totals per status, scoped."""
    rows = [
        {"oblast": title, "counts": c, "total": sum(c.values())}
        for _id, title, c in area_status_counts(scope)
    ]
    totals = {s: sum(r["counts"][s] for r in rows) for s in CentreStatus}
    return rows, totals


def month_ends(months: int, today: dt.date | None = None) -> list[dt.date]:
    today = today or clock.kyiv_today()
    ends = [today]
    first = today.replace(day=1)
    for _i in range(months - 1):
        last = first - dt.timedelta(days=1)
        ends.append(last)
        first = last.replace(day=1)
    return list(reversed(ends))


def planned_vs_operating(scope, months: int = 12, today: dt.date | None = None):
    """[(month end, planned incl. preparing, operating)] from the status history."""
    ends = month_ends(months, today)
    stmt = (
        select(
            CentreStatusChange.centre_id,
            CentreStatusChange.to_status,
            CentreStatusChange.changed_on,
        )
        .join(ResilienceCentre, ResilienceCentre.id == CentreStatusChange.centre_id)
        .order_by(CentreStatusChange.changed_on, CentreStatusChange.id)
    )
    stmt = scoped(stmt, ResilienceCentre, scope)
    state: dict[int, CentreStatus] = {}
    series = []
    rows = db.session.execute(stmt.execution_options(yield_per=2000))
    pending = None
    for end in ends:
        limit = dt.datetime.combine(end, dt.time.max)
        while True:
            if pending is None:
                pending = next(rows, None)
                if pending is None:
                    break
            if pending.changed_on > limit:
                break
            state[pending.centre_id] = pending.to_status
            pending = None
        planned = sum(
            1 for s in state.values() if s in (CentreStatus.planned, CentreStatus.preparing)
        )
        operating = sum(1 for s in state.values() if s == CentreStatus.operating)
        series.append((end, planned, operating))
    return series


class CentreDashboardView(BaseView):
    """Centres by oblast and status, and planned vs operating over time (scoped)."""

    route_base = "/centres/dashboard"
    default_view = "index"
    class_permission_name = permissions.DASHBOARD
    method_permission_name = {"index": "read"}

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        rows, totals = oblast_status_table(scope)
        series = planned_vs_operating(scope)
        peak_oblast = max([r["total"] for r in rows] or [1]) or 1
        peak_series = max([max(p, o) for _e, p, o in series] or [1]) or 1
        return self.render_template(
            "centers/dashboard.html",
            title=_l("Resilience centres: dashboard"),
            rows=rows,
            totals=totals,
            statuses=list(CentreStatus),
            colours=STATUS_COLOURS,
            series=series,
            peak_oblast=peak_oblast,
            peak_series=peak_series,
            grand_total=sum(totals.values()),
        )
