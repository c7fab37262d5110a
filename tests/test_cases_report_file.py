"""The case register's monthly figures as an XLSX file made by a background job
(issue #24), on the hand-counted March data set of the report's own tests.

* The page's «Сформувати файл XLSX» starts the job, the user lands on the
  job's page and downloads a file whose every cell equals the page's.
* The same through REST (``POST /api/v1/case_report/file``), with the same
  bytes: the file is reproducible, also when the job runs again.
* A regional administrator's file holds their oblast only, small counts «<5».
* A role without the report starts nothing (web and REST); a job whose user
  lost the report or changed scope after submitting writes no file.
* With Celery the request only queues the job, and a worker's run of it makes
  the same file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import threading
from dataclasses import asdict
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from app.audit.models import AuditAction, AuditLog
from app.cases import report_file, reports
from app.errors import NotPermitted
from app.extensions import db
from app.geography.models import Hromada, Oblast
from app.jobs import services as jobs
from app.jobs.models import Job, JobStatus
from app.security.models import PortalUser
from app.security.scope import UserScope, scope_of

from .conftest import jwt_headers, running_app
from .test_cases_programme_rules import (  # noqa: F401  (the March data set and its counts)
    LVIV_SHOWN,
    NATIONAL,
    PROVIDER_B,
    march,
    world,
)

MONTH = "2025-03"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(
        tmp_path_factory, JOBS_EAGER=True, JOBS_FOLDER=str(tmp_path_factory.mktemp("jobs"))
    ) as app:
        yield app


# --- reading the page and the file ----------------------------------------------------------
class _Page(HTMLParser):
    """The report page's two tables (cell texts) and its file form (action, fields)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, dict[str, list[list[str]]]] = {}
        self.form: dict | None = None
        self._table = self._part = self._cell = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "table" and {"portal-case-report", "portal-case-closures"} & set(classes):
            self._table = self.tables.setdefault(classes[-1], {})
        elif tag == "form" and "portal-case-report-file" in classes:
            self.form = {"action": attrs["action"], "fields": {}}
            self._in_form = True
        elif tag == "input" and self._in_form:
            self.form["fields"][attrs["name"]] = attrs.get("value") or ""
        elif self._table is not None and tag in ("thead", "tbody", "tfoot"):
            self._part = self._table.setdefault(tag, [])
        elif self._table is not None and tag == "tr":
            self._part.append([])
        elif self._table is not None and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "form":
            self._in_form = False
        elif tag in ("td", "th") and self._cell is not None:
            self._part[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_of(client, query: str) -> _Page:
    response = client.get(f"/cases/report/?{query}")
    assert response.status_code == 200, response.status_code
    page = _Page()
    page.feed(response.text)
    assert page.form is not None, "no «Сформувати файл XLSX» form on the page"
    assert "Сформувати файл XLSX" in response.text
    return page


def page_cells(page: _Page) -> dict:
    figures = page.tables["portal-case-report"]
    closures = page.tables["portal-case-closures"]["tbody"]
    return {
        "header": figures["thead"][0],
        "rows": figures["tbody"],
        "total": figures["tfoot"][0],
        "closures": closures,
    }


def file_cells(data: bytes, header: list[str]) -> dict:
    """The file's sheet in the page's shape, every cell as the page writes it."""
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [
        [str(cell) for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)
    ]
    start = rows.index(header)
    end = next(n for n in range(start, len(rows)) if rows[n] and rows[n][0] == "Усього")
    closures_at = rows.index(["Закриття за підставами"])
    return {
        "preamble": rows[:start],
        "header": rows[start],
        "rows": rows[start + 1 : end],
        "total": rows[end],
        "closures": [r for r in rows[closures_at + 1 :] if r],
    }


def job_id(response) -> int:
    assert response.status_code == 302, response.status_code
    match = re.search(r"/jobs/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def job_of(app, pk) -> Job:
    with app.app_context():
        job = db.session.get(Job, pk)
        db.session.expunge(job)
        return job


def jobs_of(app, username) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Job.id))
            .join(PortalUser, PortalUser.id == Job.created_by_fk)
            .where(PortalUser.username == username)
        )


def file_via_the_page(app, client, query: str) -> tuple[_Page, int, bytes]:
    """Open the report, press the button, land on the job's page, download."""
    page = page_of(client, query)
    assert page.form["action"] == "/cases/report/xlsx"
    response = client.post(page.form["action"], data=page.form["fields"])
    pk = job_id(response)
    landing = client.get(f"/jobs/{pk}")
    assert landing.status_code == 200
    assert f"/jobs/{pk}/download" in landing.text
    assert client.get(f"/jobs/{pk}/status").json["status"] == "done"
    download = client.get(f"/jobs/{pk}/download")
    assert download.status_code == 200 and download.mimetype == XLSX
    assert "case-report-2025-03-" in download.headers["Content-Disposition"]
    return page, pk, download.data


# --- the web path ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "username, by, totals",
    [
        ("ministry", "oblast", NATIONAL),
        ("ministry", "hromada", NATIONAL),
        ("lviv", "oblast", LVIV_SHOWN),
        ("cw_b", "oblast", PROVIDER_B),
    ],
)
def test_the_file_equals_the_page_cell_by_cell(app, march, client_as, username, by, totals):
    client = client_as(username)
    page, pk, data = file_via_the_page(app, client, f"month={MONTH}&by={by}")
    shown = page_cells(page)
    made = file_cells(data, shown["header"])
    assert shown["rows"], "the data set has rows in March"
    assert made["header"] == shown["header"]
    assert made["rows"] == shown["rows"]
    assert made["total"] == shown["total"]
    assert made["total"][1:] == [str(totals[m]) for m in reports.MEASURES]
    if shown["closures"] == [["У цьому місяці жоден випадок не закрито."]]:
        assert made["closures"] == shown["closures"]
    else:
        assert made["closures"] == shown["closures"] and made["closures"]
    preamble = made["preamble"]
    assert ["Місяць", "03.2025"] in preamble
    assert ["Місце проживання", "Область" if by == "oblast" else "Територіальна громада"] in (
        preamble
    )
    job = job_of(app, pk)
    assert job.kind == report_file.KIND and job.status == JobStatus.done
    assert job.params["year"] == 2025 and job.params["month"] == 3 and job.params["by"] == by
    assert job.result_name == f"case-report-2025-03-{by}.xlsx"
    # counts only: no name of the data set leaves in the file
    text = " ".join(" ".join(r) for r in made["rows"] + preamble)
    assert "Звітна" not in text and "Воїн" not in text


def test_the_request_records_who_asked_for_the_file(app, march, client_as):
    def exports() -> int:
        with app.app_context():
            return db.session.scalar(
                select(func.count(AuditLog.id)).where(
                    AuditLog.action == AuditAction.export,
                    AuditLog.entity == "CaseReport",
                    AuditLog.username == "auditor",
                )
            )

    before = exports()
    client = client_as("auditor")
    pk = job_id(client.post("/cases/report/xlsx", data={"month": MONTH, "by": "oblast"}))
    assert exports() == before + 1
    with app.app_context():
        details = db.session.scalars(
            select(AuditLog.details)
            .where(AuditLog.username == "auditor", AuditLog.entity == "CaseReport")
            .order_by(AuditLog.id.desc())
        ).first()
    assert details == {"report": "monthly", "month": MONTH, "by": "oblast", "job": pk}


# --- scope -----------------------------------------------------------------------------------
def _titles(app, oblast_code=None, hromadas=False) -> set[str]:
    with app.app_context():
        if not hromadas:
            stmt = select(Oblast.title)
        else:
            stmt = select(Hromada.title).join(Oblast, Oblast.id == Hromada.oblast_id)
        if oblast_code:
            stmt = stmt.where(Oblast.code == oblast_code)
        return set(db.session.scalars(stmt))


def test_a_regional_administrators_file_holds_their_oblast_with_small_cells_hidden(
    app, march, client_as
):
    from app.demo import IVANO_FRANKIVSK, LVIV

    for by in ("oblast", "hromada"):
        page, pk, data = file_via_the_page(app, client_as("lviv"), f"month={MONTH}&by={by}")
        made = file_cells(data, page_cells(page)["header"])
        places = {row[4] for row in made["rows"]}
        assert places and places <= _titles(app, LVIV, hromadas=by == "hromada")
        assert not places & _titles(app, IVANO_FRANKIVSK, hromadas=by == "hromada")
        counts = [cell for row in made["rows"] for cell in row[5:]] + made["total"][1:]
        assert "<5" in counts
        assert all(c == "<5" or c == "0" or int(c) >= 5 for c in counts)
        assert made["total"][1:] == [str(LVIV_SHOWN[m]) for m in reports.MEASURES]
        assert any("«<5»" in " ".join(row) for row in made["preamble"])  # the reader is told
        # the scope the job ran with is the one captured at submission
        scope = job_of(app, pk).params["scope"]
        assert scope["oblast_id"] == march["lviv"] and scope["national"] is False
    # the ministry's file of the same month has both oblasts and exact counts
    page, _pk, data = file_via_the_page(app, client_as("ministry"), f"month={MONTH}&by=oblast")
    made = file_cells(data, page_cells(page)["header"])
    assert _titles(app, IVANO_FRANKIVSK) <= {row[4] for row in made["rows"]}
    assert "<5" not in [cell for row in made["rows"] for cell in row]


# --- permissions --------------------------------------------------------------------------
def test_a_role_without_the_report_starts_no_job(app, march, client_as):
    client = client_as("trainer")
    before = jobs_of(app, "trainer")
    response = client.post("/cases/report/xlsx", data={"month": MONTH, "by": "oblast"})
    assert response.status_code in (302, 403)
    assert "/jobs/" not in response.headers.get("Location", "")
    headers = jwt_headers(client, "trainer")
    reply = client.post("/api/v1/case_report/file", json={"month": MONTH}, headers=headers)
    assert reply.status_code == 403
    # the service refuses too, whoever calls it
    with app.test_request_context("/"):
        from flask import g

        g.user = db.session.scalar(select(PortalUser).where(PortalUser.username == "trainer"))
        g._login_user = g.user
        with pytest.raises(NotPermitted):
            report_file.submit_report_file(2025, 3, "oblast")
    assert jobs_of(app, "trainer") == before == 0
    # anonymous: to the login page, no job
    anonymous = app.test_client().post("/cases/report/xlsx", data={"month": MONTH})
    assert anonymous.status_code == 302 and "/login/" in anonymous.headers["Location"]


def _queued_job(app, username, scope: UserScope) -> int:
    now = dt.datetime.utcnow()
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
        job = Job(
            kind=report_file.KIND,
            title="Показники",
            status=JobStatus.queued,
            created_by_fk=user.id,
            created_on=now,
            heartbeat_on=now,
            params={
                "year": 2025,
                "month": 3,
                "by": "oblast",
                "filename": "case-report-2025-03-oblast.xlsx",
                "scope": asdict(scope),
                "locale": "uk",
            },
        )
        db.session.add(job)
        db.session.commit()
        return job.id


def test_the_job_checks_the_permission_and_the_scope_again(app, march):
    with app.app_context():
        users = {
            u.username: u
            for u in db.session.scalars(
                select(PortalUser).where(PortalUser.username.in_(("lviv", "trainer")))
            )
        }
        lviv_now = scope_of(users["lviv"])
        trainer_now = scope_of(users["trainer"])
    # scope changed since the submission: captured Ivano-Frankivsk, now Lviv
    moved = _queued_job(
        app, "lviv", UserScope(user_id=lviv_now.user_id, oblast_id=march["frankivsk"])
    )
    # the role does not read the report (its scope is unchanged)
    refused = _queued_job(app, "trainer", trainer_now)
    for pk in (moved, refused):
        assert jobs.run_job(app, pk) == jobs.RAN
        job = job_of(app, pk)
        assert job.status == JobStatus.failed and job.result_path is None
        assert "доступ до звіту змінився" in job.message
    # the same job with the scope the user still has runs
    kept = _queued_job(app, "lviv", lviv_now)
    jobs.run_job(app, kept)
    assert job_of(app, kept).status == JobStatus.done


# --- REST, and the same bytes every time --------------------------------------------------
def test_rest_starts_the_same_job_and_gets_the_same_file(app, march, client_as):
    client = client_as("ministry")
    headers = jwt_headers(client, "ministry")
    reply = client.post(
        "/api/v1/case_report/file", json={"month": MONTH, "by": "oblast"}, headers=headers
    )
    assert reply.status_code == 202, reply.text
    body = reply.json
    assert body["status"] == "done" and body["finished"] is True  # eager in tests
    status = client.get(body["status_url"], headers=headers)
    assert status.status_code == 200 and status.json["download_url"] == body["download_url"]
    download = client.get(body["download_url"], headers=headers)
    assert download.status_code == 200 and download.mimetype == XLSX
    # the GET of the same figures agrees with the file's total
    figures = client.get(f"/api/v1/case_report/?month={MONTH}", headers=headers).json
    page, _pk, web_file = file_via_the_page(app, client, f"month={MONTH}&by=oblast")
    made = file_cells(download.data, page_cells(page)["header"])
    assert made["total"][1:] == [str(figures["totals"][m]) for m in reports.MEASURES]
    # the same figures give the same bytes, whichever path started the job
    assert hashlib.sha256(download.data).digest() == hashlib.sha256(web_file).digest()
    # the job run again (a redelivery) leaves the same file again
    pk = body["id"]
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == pk).values(status=JobStatus.queued))
        db.session.commit()
    assert jobs.run_job(app, pk) == jobs.RAN
    again = client.get(body["download_url"], headers=headers)
    assert again.status_code == 200 and again.data == download.data
    # somebody else's job is not there for them; nor without a token
    other = client_as("auditor")
    other_headers = jwt_headers(other, "auditor")
    assert other.get(body["status_url"], headers=other_headers).status_code == 404
    assert other.get(body["download_url"], headers=other_headers).status_code == 404
    assert other.get(f"/jobs/{pk}/download").status_code == 404
    assert app.test_client().get(body["download_url"]).status_code == 401


def test_rest_refuses_a_malformed_month_and_starts_nothing(app, march, client_as):
    client = client_as("ministry")
    headers = jwt_headers(client, "ministry")
    before = jobs_of(app, "ministry")
    for payload in ({"month": "березень"}, {"month": "2025-13"}, {"by": "raion"}, [1]):
        reply = client.post("/api/v1/case_report/file", json=payload, headers=headers)
        assert reply.status_code == 422, (payload, reply.status_code)
        assert reply.json["message"]
    assert jobs_of(app, "ministry") == before


# --- on a Celery worker ---------------------------------------------------------------------
def test_with_celery_the_job_is_queued_and_a_worker_makes_the_same_file(
    app, march, client_as, monkeypatch
):
    """With a broker the request only queues the job; a worker runs it later, out of
    any request, through what the Celery task calls (``run_job(..., reclaim=True,
    heartbeat=True)``). A real worker is not started here: a second
    ``worker_celery`` in the same process (tests/test_jobs_celery.py starts one) would
    share its task names with the first (Celery's shared tasks)."""
    from app.jobs import celery_app

    client = client_as("lviv")
    _page, _pk, eager_file = file_via_the_page(app, client, f"month={MONTH}&by=hromada")
    queued: list[int] = []
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.config, "JOBS_EAGER", False)
    monkeypatch.setattr(celery_app, "enqueue", lambda _app, pk: queued.append(pk))
    pk = job_id(client.post("/cases/report/xlsx", data={"month": MONTH, "by": "hromada"}))
    assert queued == [pk] and job_of(app, pk).status == JobStatus.queued
    assert client.get(f"/jobs/{pk}/download").status_code == 404  # no file yet
    outcome: list[str] = []
    worker = threading.Thread(
        target=lambda: outcome.append(jobs.run_job(app, pk, reclaim=True, heartbeat=True))
    )
    worker.start()
    worker.join(timeout=60)
    assert outcome == [jobs.RAN]
    assert client.get(f"/jobs/{pk}/status").json["status"] == "done"
    # a second delivery of the same message does nothing: the job is finished
    assert jobs.run_job(app, pk, reclaim=True) == jobs.NOT_CLAIMED
    download = client.get(f"/jobs/{pk}/download")
    assert download.status_code == 200 and download.data == eager_file
