"""The case register's monthly figures as an XLSX file, made by a background job
(issue #24).

:func:`submit_report_file` is the one way to start it (the report page's
button and ``POST /api/v1/case_report/file`` both call it): it checks the
permission to read the report (``can_read`` on ``CaseReport``), and
:func:`app.jobs.services.submit` captures the user and their scope. The job
(:func:`run_report_file`, kind ``case_report``) checks both again before it
computes anything: a user who lost the report, or whose scope changed (moved
to another oblast or provider) since the submission, gets no file. The
figures are :func:`app.cases.reports.monthly_figures` of the captured scope
shown through :func:`app.cases.reports.report_table`, the very code of the
page, so a regional administrator's small counts are «<5» in the file too.

The file is written with the exports' XLSX writer
(:func:`app.common.export.write_xlsx_sheet`) and made reproducible: the
workbook's dates and the archive's timestamps are the report month's first
day, not the moment of writing, so the same figures always give the same
bytes (a job run again, or started again, leaves the same file).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from flask import g
from flask_babel import gettext as _

from ..audit.services import record_event
from ..common.export import MIMETYPES, safe_cell, write_xlsx_sheet
from ..errors import NotPermitted
from ..extensions import db, get_appbuilder
from ..jobs import services as jobs
from ..jobs.models import Job
from ..security.scope import scope_of
from . import reports
from .permissions import REPORT

KIND = "case_report"
BY = ("oblast", "hromada")
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def may_read_report() -> bool:
    """The request's (or the job's) user may read the monthly figures."""
    return bool(get_appbuilder().sm.has_access("can_read", REPORT))


def file_name(year: int, month: int, by: str) -> str:
    return f"case-report-{year:04d}-{month:02d}-{by}.xlsx"


def month_label(year: int, month: int) -> str:
    return f"{month:02d}.{year:04d}"


def submit_report_file(year: int, month: int, by: str = "oblast") -> Job:
    """Start the job writing the XLSX file of ``year``-``month`` for the request's
    user in their scope; ``by``: ``"oblast"`` or ``"hromada"``. Recorded in the
    audit log as an export of the report.

    Raises :class:`NotPermitted` (no ``can_read`` on the report) and
    :class:`app.jobs.services.TooManyJobs`.
    """
    if not may_read_report():
        raise NotPermitted()
    if by not in BY:
        raise ValueError(by)
    job = jobs.submit(
        KIND,
        _(
            "Case register: monthly figures for %(month)s, XLSX file",
            month=month_label(year, month),
        ),
        {"year": year, "month": month, "by": by, "filename": file_name(year, month, by)},
    )
    record_event(
        "export",
        REPORT,
        details={"report": "monthly", "month": f"{year:04d}-{month:02d}", "by": by, "job": job.id},
    )
    return job


def own_job(pk: int) -> Job | None:
    """The user's own report-file job ``pk`` (None for anybody else's, or another kind)."""
    job = db.session.get(Job, pk)
    if job is None or job.kind != KIND or job.created_by_fk != g.user.id:
        return None
    return job


def report_rows(figures: dict, table: dict) -> list[list]:
    """The file's rows: what the report is, then the page's table, its total and
    the closures by reason (cells as the page shows them)."""
    width = len(table["header"])
    blank: list = []
    place = _("Oblast") if figures["by"] == "oblast" else _("Territorial community")
    rows: list[list] = [
        [_("Cases: monthly figures")],
        [_("Month"), month_label(figures["year"], figures["month"])],
        [_("Place of residence"), place],
        [
            _(
                "Counts only: no person or case is shown. People served are the "
                "beneficiaries of the cases open in the month and the household "
                "members who receive services."
            )
        ],
    ]
    if figures["suppressed"]:
        rows.append(
            [
                _(
                    "Counts from 1 to 4 are shown as «<5» so that no person of a "
                    "small community can be singled out."
                )
            ]
        )
    rows.append(blank)
    rows.append(list(table["header"]))
    rows.extend(list(row) for row in table["rows"])
    if not table["rows"]:
        rows.append([_("No cases in this month.")])
    describing = width - len(table["totals"])
    rows.append([_("Total"), *([None] * (describing - 1)), *(n for _m, n in table["totals"])])
    rows.append(blank)
    rows.append([_("Closures by reason")])
    rows.extend([reason, n] for reason, n in table["closures"])
    if not table["closures"]:
        rows.append([_("No case was closed in this month.")])
    return [[None if cell is None else safe_cell(cell) for cell in row] for row in rows]


def reproducible(data: bytes, stamp: dt.datetime) -> bytes:
    """An XLSX archive with its dates set to ``stamp``: the workbook's created and
    modified properties and every entry's timestamp (openpyxl writes "now")."""
    moment = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_DATES.sub(lambda m: m.group(1) + moment + m.group(3), body)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, body)
    return out.getvalue()


def write_report_file(path: str, figures: dict, table: dict) -> None:
    buffer = io.BytesIO()
    write_xlsx_sheet(buffer, report_rows(figures, table), _("Monthly figures"))
    stamp = dt.datetime(figures["year"], figures["month"], 1, tzinfo=dt.UTC)
    with open(path, "wb") as out:
        out.write(reproducible(buffer.getvalue(), stamp))


@jobs.task(KIND)
def run_report_file(ctx: jobs.JobContext) -> None:
    """The job: the month's figures in the captured scope, to an XLSX file."""
    year, month, by = int(ctx.params["year"]), int(ctx.params["month"]), ctx.params["by"]
    if by not in BY or not 1 <= month <= 12:
        raise ValueError((year, month, by))
    # Checked again: the role or the scope may have changed since the submission.
    if not may_read_report() or scope_of(ctx.user) != ctx.scope:
        ctx.fail(
            _(
                "Your access to the report changed after the job was started, so no "
                "file was made. Open the report again and generate a new file."
            )
        )
        return
    ctx.progress(0, 1, message=_("Computing the figures…"))
    session = db.session
    figures = reports.monthly_figures(session, year, month, ctx.scope, by=by)
    table = reports.report_table(session, figures)
    path = ctx.new_file("xlsx")
    write_report_file(path, figures, table)
    ctx.attach(path, ctx.params.get("filename") or file_name(year, month, by), MIMETYPES["xlsx"])
    ctx.summary = {"rows": len(table["rows"]), "suppressed": figures["suppressed"]}
    ctx.message = _(
        "The file is ready: %(rows)d rows of figures for %(month)s.",
        rows=len(table["rows"]),
        month=month_label(year, month),
    )


__all__ = [
    "KIND",
    "file_name",
    "own_job",
    "report_rows",
    "reproducible",
    "run_report_file",
    "submit_report_file",
]
