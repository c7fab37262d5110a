"""“My jobs”: the list, a job's page with its progress, the status poll, the result file.

Every route needs ``can_read`` on "Job"; beyond that a user reaches only their
own jobs (the administrator: everybody's) and anything else is a 404, so job
ids reveal nothing. Result files are for the owner alone.
"""

from __future__ import annotations

from flask import abort, g, jsonify, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, has_access_api
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from . import permissions, services
from .models import Job

PAGE_SIZE = 25


class JobView(BaseView):
    route_base = "/jobs"
    default_view = "list"
    class_permission_name = permissions.RESOURCE
    method_permission_name = {"list": "read", "show": "read", "status": "read", "download": "read"}
    base_permissions = ["can_read"]

    @expose("/")
    @has_access
    def list(self):
        user = g.user
        show_all = services.is_admin(user)
        try:
            page = max(0, min(int(request.args.get("page", 0)), 10**6))
        except ValueError:
            page = 0
        where = [] if show_all else [Job.created_by_fk == user.id]
        total = db.session.scalar(select(func.count(Job.id)).where(*where))
        stmt = (
            select(Job)
            .where(*where)
            .order_by(Job.created_on.desc(), Job.id.desc())
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        if show_all:
            stmt = stmt.options(joinedload(Job.created_by))
        jobs = db.session.scalars(stmt).unique().all()
        rows = [
            {"job": job, "state": services.state_name(job), "label": services.status_label(job)}
            for job in jobs
        ]
        pages = max(1, -(-total // PAGE_SIZE))
        title = _l("Jobs of all users") if show_all else _l("My jobs")
        return self.render_template(
            "jobs/list.html",
            title=title,
            rows=rows,
            show_owner=show_all,
            page=page,
            pages=pages,
            total=total,
        )

    @expose("/<int:pk>")
    @has_access
    def show(self, pk):
        job = services.visible_job(pk)
        state = services.state_name(job)
        return self.render_template(
            "jobs/show.html",
            title=job.title,
            job=job,
            state=state,
            status_label=services.status_label(job),
            message=services.display_message(job),
            progress_text=services.progress_text(job),
            can_download=job.created_by_fk == g.user.id and services.has_file(job),
            report_template=services.REPORT_TEMPLATES.get(job.kind),
            finished=state in ("done", "failed", "interrupted"),
        )

    @expose("/<int:pk>/status")
    @has_access_api
    def status(self, pk):
        job = db.session.get(Job, pk)
        if job is None or (job.created_by_fk != g.user.id and not services.is_admin(g.user)):
            response = jsonify(
                message=_("There is no such page or record, or it is outside your scope.")
            )
            response.status_code = 404
        else:
            response = jsonify(services.status_payload(job))
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/<int:pk>/download")
    @has_access
    def download(self, pk):
        job = services.visible_job(pk)
        if job.created_by_fk != g.user.id or not services.has_file(job):
            abort(404)
        try:
            return services.send_result(job)
        except FileNotFoundError:
            abort(404)
