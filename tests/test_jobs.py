"""Background jobs: large exports and centre imports run outside the request.

* An export above EXPORT_INLINE_MAX_ROWS becomes a job whose file has exactly
  the rows a direct, scoped query finds (filters, order, scope, formula escaping);
  an oblast-scoped user's file holds only their oblast.
* A job is its owner's: anyone else gets 404 (page, status, file); the
  administrator sees every job but downloads only their own files.
* An import job gives the same report as running the importer directly.
* A job whose process died is shown as interrupted, then marked failed.
* One test runs a real worker thread and polls the status endpoint.

The module's app runs jobs eagerly (JOBS_EAGER) unless a test switches it off.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import threading
import time

import pytest
from flask import g
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.audit.models import AuditAction, AuditLog
from app.centers.importer import COLUMNS, run_import
from app.centers.models import CentreStatus, ResilienceCentre
from app.collation import ukrainian_sort_key
from app.common import export
from app.demo import IVANO_FRANKIVSK, LVIV
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.models import Job, JobStatus
from app.security.models import PortalUser
from app.security.scope import scope_of, scoped

from .conftest import PASSWORD, count_queries, running_app, visible_text
from .test_centers_fixtures import EDRPOU_IF, EDRPOU_LVIV, centre, first_hromada, provider

INLINE_MAX = 5
LVIV_CENTRES = 14
IF_CENTRES = 7
TWIN = "Однаковий центр"  # several centres share it: batches must not repeat or skip
FORMULA = '=HYPERLINK("http://evil")'


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(
        tmp_path_factory,
        JOBS_EAGER=True,
        EXPORT_INLINE_MAX_ROWS=INLINE_MAX,
        JOBS_FOLDER=str(tmp_path_factory.mktemp("jobs")),
    ) as app:
        yield app


@pytest.fixture(scope="module")
def data(app):
    with app.app_context():
        p_lviv = provider(EDRPOU_LVIV, LVIV, name="ГО «Опора Львів»")
        p_if = provider(EDRPOU_IF, IVANO_FRANKIVSK, name="БФ «Карпати разом»")
        for n in range(LVIV_CENTRES):
            name = TWIN if n % 2 else f"Львівський центр {n:02d}"
            if n == 3:
                name = FORMULA
            centre(
                name,
                LVIV,
                p_lviv,
                offset=n,
                external_code=f"LV-{n:02d}",
                address=f"вул. Львівська, {n + 1}",
                status=CentreStatus.planned if n % 3 == 0 else CentreStatus.operating,
            )
        for n in range(IF_CENTRES):
            centre(
                TWIN if n % 2 else f"Прикарпатський центр {n:02d}",
                IVANO_FRANKIVSK,
                p_if,
                offset=n,
                external_code=f"IF-{n:02d}",
                address=f"вул. Галицька, {n + 1}",
            )
        db.session.commit()
        return {"h_lviv": first_hromada(LVIV, 0).code}


# --- helpers -------------------------------------------------------------------------------
def job_id(response) -> int:
    assert response.status_code == 302, response.status_code
    match = re.search(r"/jobs/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def get_job(app, pk) -> Job:
    with app.app_context():
        job = db.session.get(Job, pk)
        db.session.expunge(job)
        return job


def user_id(app, username) -> int:
    with app.app_context():
        return db.session.scalar(select(PortalUser.id).where(PortalUser.username == username))


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(data: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def scoped_centres(app, username, *where):
    """External codes and names of the centres the user's scope allows (direct query)."""
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
        stmt = scoped(
            select(ResilienceCentre.external_code, ResilienceCentre.name).where(*where),
            ResilienceCentre,
            scope_of(user),
        )
        return db.session.execute(stmt).all()


def translated(app, msgid: str, **kwargs) -> str:
    with app.test_request_context("/"), force_locale("uk"):
        return _(msgid, **kwargs)


def make_job(app, username, **values) -> int:
    now = dt.datetime.utcnow()
    values = {
        "kind": "export",
        "title": "Тестове завдання",
        "status": JobStatus.done,
        "created_on": now,
        "heartbeat_on": now,
        **values,
    }
    with app.app_context():
        job = Job(created_by_fk=user_id(app, username), **values)
        db.session.add(job)
        db.session.commit()
        return job.id


# --- exports ----------------------------------------------------------------------------
def test_small_export_stays_inline(client_as, data):
    response = client_as("ministry").get("/centreview/export/csv?_flt_0_external_code=LV-00")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv_rows(response.data)
    assert [r[0] for r in rows[1:]] == ["LV-00"]


def test_a_big_export_starts_only_from_the_confirmation_form(app, client_as, data):
    """GET (a link, possibly from another site) explains and starts nothing;
    the form POSTs with the CSRF token."""
    client = client_as("ministry")
    with app.app_context():
        jobs_before = db.session.scalar(select(func.count(Job.id)))
        exports_before = db.session.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.action == AuditAction.export)
        )
    page = client.get("/centreview/export/csv?_flt_0_status=operating")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "у фоновому режимі" in page.text
    assert 'method="post" action="/centreview/export/csv?_flt_0_status=operating"' in page.text
    assert 'name="csrf_token"' in page.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == jobs_before
        assert (
            db.session.scalar(
                select(func.count(AuditLog.id)).where(AuditLog.action == AuditAction.export)
            )
            == exports_before
        )


def test_big_export_is_a_job_with_every_scoped_row(app, client_as, data, monkeypatch):
    # Small batches: the rows cross batch boundaries inside a run of equal names.
    monkeypatch.setattr(export, "BATCH", 4)
    client = client_as("ministry")
    with app.app_context():
        exports_before = db.session.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.action == AuditAction.export, AuditLog.username == "ministry"
            )
        )
    response = client.post("/centreview/export/xlsx?_oc_CentreView=name&_od_CentreView=asc")
    pk = job_id(response)
    with app.app_context():
        # the audit event is recorded in the request, as for a small export
        assert (
            db.session.scalar(
                select(func.count(AuditLog.id)).where(
                    AuditLog.action == AuditAction.export, AuditLog.username == "ministry"
                )
            )
            == exports_before + 1
        )
    job = get_job(app, pk)
    assert job.status == JobStatus.done and job.kind == "export"
    expected = scoped_centres(app, "ministry")
    assert len(expected) == LVIV_CENTRES + IF_CENTRES
    assert job.progress_done == job.progress_total == len(expected)
    assert job.result["rows"] == len(expected)

    page = client.get(f"/jobs/{pk}")
    assert page.status_code == 200
    assert f"/jobs/{pk}/download" in page.text and "js/jobs.js" in page.text
    assert "<script>" not in page.text  # CSP: no inline scripts
    download = client.get(f"/jobs/{pk}/download")
    assert download.status_code == 200
    assert download.mimetype == export.MIMETYPES["xlsx"]
    assert "no-store" in download.headers["Cache-Control"]
    assert re.search(
        r'filename="?centre-\d{8}-\d{4}\.xlsx', download.headers["Content-Disposition"]
    )
    rows = xlsx_rows(download.data)
    assert rows[0][:2] == ["Зовнішній код", "Назва центру"]
    codes = [r[0] for r in rows[1:]]
    assert len(codes) == len(set(codes)) == len(expected)  # no row twice, none missing
    assert set(codes) == {code for code, _name in expected}
    names = [r[1] for r in rows[1:]]
    assert names == sorted(names, key=ukrainian_sort_key)  # the list's (Ukrainian) order
    assert "'" + FORMULA in names  # formula escaping unchanged


def test_oblast_scoped_job_holds_only_own_oblast(app, client_as, data):
    client = client_as("lviv")
    pk = job_id(client.post("/centreview/export/csv"))
    rows = csv_rows(client.get(f"/jobs/{pk}/download").data)
    codes = {r[0] for r in rows[1:]}
    expected = scoped_centres(app, "lviv")
    assert codes == {code for code, _name in expected}
    assert len(rows) - 1 == len(expected) == LVIV_CENTRES
    assert all(code.startswith("LV-") for code in codes)
    assert "Прикарпатський центр 00" not in {r[1] for r in rows}
    # the scope was captured at submission and stored with the job
    job = get_job(app, pk)
    assert job.params["scope"]["oblast_id"] is not None
    assert job.params["scope"]["national"] is False


def test_job_applies_the_list_filters(app, client_as, data):
    client = client_as("lviv")
    pk = job_id(client.post("/centreview/export/csv?_flt_0_status=operating"))
    rows = csv_rows(client.get(f"/jobs/{pk}/download").data)
    expected = scoped_centres(app, "lviv", ResilienceCentre.status == CentreStatus.operating)
    assert INLINE_MAX < len(expected) < LVIV_CENTRES
    assert {r[0] for r in rows[1:]} == {code for code, _name in expected}
    assert len(rows) - 1 == len(expected)


# --- who may see a job ---------------------------------------------------------------------
def test_other_users_get_404_and_admin_no_file(app, client_as, data):
    pk = job_id(client_as("lviv").post("/centreview/export/csv"))
    for username in ("frankivsk", "auditor", "ministry"):
        client = client_as(username)
        assert client.get(f"/jobs/{pk}").status_code == 404, username
        status = client.get(f"/jobs/{pk}/status")
        assert status.status_code == 404 and status.is_json, username
        assert client.get(f"/jobs/{pk}/download").status_code == 404, username
        assert f'/jobs/{pk}"' not in client.get("/jobs/").text
    admin = client_as("admin")
    page = admin.get(f"/jobs/{pk}")
    assert page.status_code == 200 and f"/jobs/{pk}/download" not in page.text
    assert admin.get(f"/jobs/{pk}/status").status_code == 200
    assert admin.get(f"/jobs/{pk}/download").status_code == 404
    assert f'/jobs/{pk}"' in admin.get("/jobs/").text
    assert f'/jobs/{pk}"' in client_as("lviv").get("/jobs/").text
    assert client_as("lviv").get("/jobs/999999/status").status_code == 404


def test_anonymous_and_roles(app, client_as, data):
    anonymous = app.test_client()
    for url in ("/jobs/", "/jobs/1", "/jobs/1/download"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login/" in response.headers["Location"], url
    assert anonymous.get("/jobs/1/status").status_code == 401
    # every role has "My jobs" (empty for a case worker, who exports nothing here)
    for username in ("caseworker", "trainer", "auditor"):
        assert client_as(username).get("/jobs/").status_code == 200, username
    # an auditor may export centres, so their big export is a job of their own
    auditor = client_as("auditor")
    pk = job_id(auditor.post("/centreview/export/xlsx"))
    assert auditor.get(f"/jobs/{pk}/download").status_code == 200
    # no export permission: no job either
    assert client_as("caseworker").get("/centreview/export/csv").status_code == 403


def test_status_endpoint(app, client_as, data):
    client = client_as("lviv")
    pk = job_id(client.post("/centreview/export/csv"))
    with count_queries(app) as statements:
        response = client.get(f"/jobs/{pk}/status")
    assert response.status_code == 200 and response.is_json
    assert "no-store" in response.headers["Cache-Control"]
    body = response.json
    assert body["status"] == "done" and body["finished"] is True and body["percent"] == 100
    assert body["done"] == body["total"] == LVIV_CENTRES
    assert body["status_label"] == translated(app, "Done")
    assert len(statements) <= 8, statements  # polled every second or two: stays cheap


# --- centre import as a job -----------------------------------------------------------------
HEADERS = [c.header for c in COLUMNS]


def import_file(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for values in rows:
        ws.append([values.get(c.key, "") for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def import_rows(data, count=3, street="Імпортна", **extra):
    return [
        {
            "name": f"Імпорт {n}",
            "hromada": data["h_lviv"],
            "address": f"вул. {street}, {n}",
            "provider_edrpou": EDRPOU_LVIV,
            "status": "працює",
            **extra,
        }
        for n in range(count)
    ]


def upload(client, body, name="centres.xlsx"):
    return client.post(
        "/centres/import/",
        data={"file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def direct_import(app, username, body, name="centres.xlsx"):
    """The importer run directly in a request of the user (the old synchronous path)."""
    with app.test_request_context("/centres/import/"):
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
        g.user = user
        with force_locale("uk"):
            result = run_import(name, body, scope_of(user), user=user)
        db.session.rollback()
        return result


def test_import_job_gives_the_same_report(app, client_as, data):
    client = client_as("lviv")
    rows = import_rows(data, 4)
    rows[1]["hromada"] = "UA99999999999999999"
    rows[2]["provider_edrpou"] = "12345679"
    rows[3]["acc_toilet"] = "можливо"
    body = import_file(rows)
    pk = job_id(upload(client, body))
    job = get_job(app, pk)
    assert job.status == JobStatus.failed and job.kind == "centre_import"
    expected = direct_import(app, "lviv", body)
    assert expected.errors
    assert job.result == {
        "rows": expected.rows,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "error_count": len(expected.errors),
        "errors": expected.errors,
    }
    assert job.progress_total == 4 and job.progress_done == 4
    text = visible_text(client.get(f"/jobs/{pk}").text)
    assert "Нічого не імпортовано" in text
    for error in expected.errors:
        assert error in text.replace("&#39;", "'").replace("&#34;", '"')
    # the upload is not kept once the job is over
    assert not [f for f in os.listdir(app.config["JOBS_FOLDER"]) if ".upload." in f]


def test_import_job_creates_centres_and_logs_the_user(app, client_as, data):
    client = client_as("lviv")
    body = import_file(import_rows(data, 3))
    pk = job_id(upload(client, body))
    job = get_job(app, pk)
    assert job.status == JobStatus.done, job.message
    assert job.result["created"] == 3 and job.result["errors"] == []
    assert "Імпорт завершено" in visible_text(client.get(f"/jobs/{pk}").text)
    # the same file again, directly: nothing new, which is what the job reported before
    again = direct_import(app, "lviv", body)
    assert (again.created, again.unchanged, again.errors) == (0, 3, [])
    with app.app_context():
        event = db.session.scalars(
            select(AuditLog)
            .where(AuditLog.action == AuditAction.import_)
            .order_by(AuditLog.id.desc())
        ).first()
        assert event.username == "lviv" and event.details["created"] == 3
        assert event.details["job"] == pk
        created = db.session.scalars(
            select(AuditLog)
            .where(AuditLog.action == AuditAction.create, AuditLog.entity == "ResilienceCentre")
            .order_by(AuditLog.id.desc())
            .limit(3)
        ).all()
        assert {e.username for e in created} == {"lviv"}  # who, even in a worker
        # progress updates never reach the audit log
        assert (
            db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.entity == "Job")) == 0
        )


def test_import_upload_checked_in_the_request(app, client_as, data):
    client = client_as("lviv")
    with app.app_context():
        before = db.session.scalar(select(func.count(Job.id)))
    response = upload(client, b"hello", name="centres.txt")
    assert response.status_code == 200
    assert "Завантажте файл у форматі .xlsx або .csv" in visible_text(response.text)
    response = upload(client, b"not a zip", name="centres.xlsx")
    assert "не є коректною книгою XLSX" in visible_text(response.text)
    with app.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == before


# --- lost jobs, old files, limits, failures -------------------------------------------------
def test_interrupted_job(app, client_as, data):
    old = dt.datetime.utcnow() - dt.timedelta(minutes=app.config["JOBS_STALE_MINUTES"] + 5)
    pk = make_job(
        app,
        "lviv",
        status=JobStatus.running,
        started_on=old,
        heartbeat_on=old,
        progress_done=10,
        progress_total=100,
    )
    fresh = make_job(
        app, "lviv", status=JobStatus.running, heartbeat_on=dt.datetime.utcnow(), progress_total=100
    )
    client = client_as("lviv")
    body = client.get(f"/jobs/{pk}/status").json
    assert body["status"] == "interrupted" and body["finished"] is True
    assert body["status_label"] == translated(app, "Interrupted") == "Перервано"
    message = translated(
        app,
        "The job was interrupted: the server process running it stopped (for example, "
        "it was restarted). Nothing more will happen with this job; start it again.",
    )
    assert body["message"] == message
    assert message in visible_text(client.get(f"/jobs/{pk}").text)
    assert client.get(f"/jobs/{fresh}/status").json["status"] == "running"
    # the next submission marks the lost job failed for good
    job_id(client.post("/centreview/export/csv"))
    job = get_job(app, pk)
    assert job.status == JobStatus.failed and job.interrupted and job.finished_on
    assert get_job(app, fresh).status == JobStatus.running
    with app.app_context():
        db.session.delete(db.session.get(Job, fresh))
        db.session.commit()


def test_result_files_expire(app, client_as, data):
    client = client_as("lviv")
    pk = job_id(client.post("/centreview/export/csv"))
    with app.app_context():
        job = db.session.get(Job, pk)
        path = os.path.join(app.config["JOBS_FOLDER"], job.result_path)
        assert os.path.isfile(path)
        job.finished_on = dt.datetime.utcnow() - dt.timedelta(
            hours=app.config["JOBS_RESULT_TTL_HOURS"] + 1
        )
        db.session.commit()
    job_id(client.post("/centreview/export/csv"))  # a new job runs the clean-up
    assert not os.path.exists(path)
    assert get_job(app, pk).result_path is None
    assert client.get(f"/jobs/{pk}/download").status_code == 404
    assert f"/jobs/{pk}/download" not in client.get(f"/jobs/{pk}").text


def test_too_many_active_jobs_are_refused(app, client_as, data):
    limit = app.config.get("JOBS_MAX_ACTIVE_PER_USER", 3)
    ids = [make_job(app, "frankivsk", status=JobStatus.queued) for _n in range(limit)]
    try:
        client = client_as("frankivsk")
        with app.app_context():
            before = db.session.scalar(select(func.count(Job.id)))
        # Frankivsk sees 7 centres: above the inline maximum
        response = client.post("/centreview/export/csv")
        assert response.status_code == 302 and response.headers["Location"].endswith("/jobs/")
        with app.app_context():
            assert db.session.scalar(select(func.count(Job.id))) == before
        # small exports are not jobs and are not limited
        assert client.get("/centreview/export/csv?_flt_0_external_code=IF-00").status_code == 200
    finally:
        with app.app_context():
            for pk in ids:
                db.session.delete(db.session.get(Job, pk))
            db.session.commit()


def test_a_failing_task_fails_cleanly(app, data):
    @jobs.task("test_boom")
    def boom(ctx):
        path = ctx.new_file("csv")
        with open(path, "w") as out:
            out.write("partial")
        ctx.progress(1, 10, force=True)
        raise RuntimeError("secret detail")

    folder = app.config["JOBS_FOLDER"]
    files_before = set(os.listdir(folder))
    try:
        with app.test_request_context("/"):
            g.user = db.session.scalar(select(PortalUser).where(PortalUser.username == "lviv"))
            job = jobs.submit("test_boom", "Тест")
            pk = job.id
    finally:
        jobs.TASKS.pop("test_boom", None)
    job = get_job(app, pk)
    assert job.status == JobStatus.failed and not job.result_path
    assert "secret detail" not in (job.message or "")
    assert job.message == translated(
        app,
        "The job stopped because of an internal error. The error has been logged; try again later.",
    )
    assert job.progress_done == 1 and job.progress_total == 10
    assert set(os.listdir(folder)) == files_before  # the partial file is gone


# --- a real worker thread ----------------------------------------------------------------------
def poll(client, pk, timeout=60.0) -> dict:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        response = client.get(f"/jobs/{pk}/status")
        assert response.status_code == 200
        body = response.json
        seen.append(body["status"])
        if body["finished"]:
            return {**body, "seen": seen}
        time.sleep(0.1)
    raise AssertionError(f"job {pk} did not finish: {seen[-5:]}")


def test_jobs_run_in_a_worker_thread(app, client_as, data, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_EAGER", False)
    client = client_as("lviv")
    started = time.monotonic()
    pk = job_id(client.post("/centreview/export/xlsx"))
    assert time.monotonic() - started < 10
    job = get_job(app, pk)
    assert job.status in (JobStatus.queued, JobStatus.running, JobStatus.done)
    # the page polls the status endpoint from a static script
    page = client.get(f"/jobs/{pk}")
    assert page.status_code == 200 and "js/jobs.js" in page.text
    body = poll(client, pk)
    assert body["status"] == "done", body
    rows = xlsx_rows(client.get(f"/jobs/{pk}/download").data)
    assert {r[0] for r in rows[1:]} == {code for code, _n in scoped_centres(app, "lviv")}
    runner = app.extensions["portal_jobs"]
    assert runner.pid == os.getpid()

    # an import as well: the report arrives on the job's page
    pk = job_id(upload(client, import_file(import_rows(data, 2, street="Потокова"))))
    body = poll(client, pk)
    assert body["status"] == "done", body
    assert body["done"] == body["total"] == 2
    text = visible_text(client.get(f"/jobs/{pk}").text)
    assert "Імпорт завершено" in text and "створено: 2" in text, text[-800:]


# --- the job page in a real browser (CSP on, script from a file) -----------------------------
@pytest.fixture()
def live_url(app):
    from .e2e.conftest import serve

    with serve(app) as url:
        yield url


def test_job_page_updates_itself_in_a_browser(app, data, monkeypatch, live_url):
    from .e2e.conftest import CHROMIUM

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed")
    playwright_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setitem(app.config, "JOBS_EAGER", False)
    go, release = threading.Event(), threading.Event()

    @jobs.task("test_slow")
    def slow(ctx):
        assert go.wait(30)
        ctx.progress(5, 10, message="Половину зроблено", force=True)
        assert release.wait(30)
        ctx.message = "Готово для тесту"

    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"],
            )
            page = browser.new_page()
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{live_url}/login/")
            page.fill("input[name=username]", "lviv")
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_load_state("networkidle")
            with app.test_request_context("/"):
                g.user = db.session.scalar(select(PortalUser).where(PortalUser.username == "lviv"))
                pk = jobs.submit("test_slow", "Повільне завдання").id
            page.goto(f"{live_url}/jobs/{pk}")
            assert page.get_attribute(".progress-bar", "aria-valuenow") == "0"
            go.set()
            # the script polls /jobs/<id>/status and moves the bar
            # (selectors, not wait_for_function: the CSP refuses Playwright's eval)
            page.wait_for_selector('.progress-bar[aria-valuenow="50"]', timeout=15000)
            assert "Половину зроблено" in page.inner_text(".portal-job-message")
            assert "5 з 10" in page.inner_text(".portal-job-progress")
            release.set()
            # finished: the page reloads itself and shows the outcome
            page.wait_for_selector(".progress-bar-success", timeout=15000)
            assert "Готово для тесту" in page.inner_text(".portal-job-message")
            assert errors == []  # no script error, no CSP violation
            browser.close()
    finally:
        go.set()
        release.set()
        jobs.TASKS.pop("test_slow", None)
