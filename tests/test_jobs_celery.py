"""Jobs on Celery: at-least-once delivery made safe, and a real worker through Redis.

* A run claims its job atomically: a queued job, or (a Celery redelivery) a
  running one whose heartbeat stopped; a live run's job is "held", a finished
  one is left alone.
* A retried import writes nothing twice: lost after its commit, the retry sees
  the job marked applied in that same commit; lost before it, nothing was
  written and the retry imports every row once.
* With Celery the periodic clean-up hands a lost job to the workers again,
  and gives it up (interrupted) after JOBS_MAX_ATTEMPTS runs.
* A Celery worker (in this process, reading Redis DB 6) runs an export
  submitted through the portal; skipped when Redis does not answer.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
import uuid

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, update

from app.centers.importer import COLUMNS
from app.centers.models import ResilienceCentre
from app.demo import LVIV
from app.extensions import db
from app.jobs import celery_app
from app.jobs import services as jobs
from app.jobs.models import Job, JobStatus

from .conftest import running_app
from .test_centers_fixtures import EDRPOU_LVIV, centre, first_hromada, provider

REDIS_BROKER = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/6")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(
        tmp_path_factory,
        JOBS_EAGER=True,
        EXPORT_INLINE_MAX_ROWS=2,
        JOBS_FOLDER=str(tmp_path_factory.mktemp("jobs")),
    ) as app:
        yield app


@pytest.fixture(scope="module")
def data(app):
    with app.app_context():
        p_lviv = provider(EDRPOU_LVIV, LVIV, name="ГО «Черга»")
        for n in range(6):
            centre(
                f"Центр черги {n}",
                LVIV,
                p_lviv,
                offset=n,
                external_code=f"Q-{n}",
                address=f"вул. Черги, {n + 1}",
            )
        db.session.commit()
        return {"hromada": first_hromada(LVIV, 0).code}


def _job(app, pk) -> Job:
    with app.app_context():
        job = db.session.get(Job, pk)
        db.session.expunge(job)
        return job


def _set(app, pk, **values):
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == pk).values(**values))
        db.session.commit()


def _new_job(app, username="lviv", **values) -> int:
    from app.security.models import PortalUser

    now = dt.datetime.utcnow()
    with app.app_context():
        uid = db.session.scalar(select(PortalUser.id).where(PortalUser.username == username))
        job = Job(
            kind="export",
            title="Черга",
            created_by_fk=uid,
            created_on=now,
            params={"scope": {"user_id": uid}},
            **{"status": JobStatus.queued, "heartbeat_on": now, **values},
        )
        db.session.add(job)
        db.session.commit()
        return job.id


def _long_ago(app) -> dt.datetime:
    return dt.datetime.utcnow() - jobs.stale_after(app) - dt.timedelta(minutes=1)


def _import_body(data, street: str, count: int = 3) -> bytes:
    wb = Workbook()
    wb.active.append([c.header for c in COLUMNS])
    for n in range(count):
        values = {
            "name": f"Повторний імпорт {street} {n}",
            "hromada": data["hromada"],
            "address": f"вул. {street}, {n}",
            "provider_edrpou": EDRPOU_LVIV,
            "status": "працює",
        }
        wb.active.append([values.get(c.key, "") for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _imported(app, street: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(ResilienceCentre.id)).where(
                ResilienceCentre.name.like(f"Повторний імпорт {street}%")
            )
        )


def _upload(client, body):
    response = client.post(
        "/centres/import/",
        data={"file": (io.BytesIO(body), "c.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rsplit("/", 1)[-1])


# --- claiming --------------------------------------------------------------------------------
def test_a_run_claims_queued_or_lost_jobs_only(app, data, monkeypatch):
    ran = []
    monkeypatch.setitem(jobs.TASKS, "export", lambda ctx: ran.append(ctx.job_id))
    queued = _new_job(app)
    assert jobs.run_job(app, queued) == jobs.RAN and ran == [queued]
    assert _job(app, queued).status == JobStatus.done and _job(app, queued).attempts == 1
    # finished: a second delivery does nothing
    assert jobs.run_job(app, queued, reclaim=True) == jobs.NOT_CLAIMED and ran == [queued]
    # running with a fresh heartbeat: held by a live run
    live = _new_job(app, status=JobStatus.running, heartbeat_on=dt.datetime.utcnow(), attempts=1)
    assert jobs.run_job(app, live, reclaim=True) == jobs.HELD
    # the embedded runner never takes a running job over
    _set(app, live, heartbeat_on=_long_ago(app))
    assert jobs.run_job(app, live) == jobs.HELD
    # a redelivery takes over a running job whose heartbeat stopped
    assert jobs.run_job(app, live, reclaim=True) == jobs.RAN and ran[-1] == live
    job = _job(app, live)
    assert job.status == JobStatus.done and job.attempts == 2 and not job.interrupted
    assert jobs.run_job(app, 10**9, reclaim=True) == jobs.NOT_CLAIMED


# --- a retried import -------------------------------------------------------------------------
def test_import_retried_after_its_commit_writes_nothing_twice(app, client_as, data):
    client = client_as("lviv")
    body = _import_body(data, "Після")
    pk = _upload(client, body)
    job = _job(app, pk)
    assert job.status == JobStatus.done and job.result["created"] == 3
    assert job.applied_on is not None and _imported(app, "Після") == 3
    # the worker was lost after the commit, before it could say "done": redelivered
    with app.app_context():
        upload = jobs.save_upload(body, "xlsx")
        params = {**job.params, "upload": upload}
    _set(
        app,
        pk,
        status=JobStatus.running,
        finished_on=None,
        heartbeat_on=_long_ago(app),
        params=params,
    )
    assert jobs.run_job(app, pk, reclaim=True) == jobs.RAN
    again = _job(app, pk)
    assert again.status == JobStatus.done and again.attempts == 2
    assert again.result["already_applied"] is True
    assert "уже збережено" in again.message
    assert _imported(app, "Після") == 3
    assert not [f for f in os.listdir(app.config["JOBS_FOLDER"]) if ".upload." in f]


class WorkerLost(BaseException):
    """What a SIGKILL looks like from inside: nothing after this line runs."""


def test_import_lost_before_its_commit_is_imported_once(app, client_as, data, monkeypatch):
    from app.centers import importer

    original = importer._apply

    def apply_then_die(*args, **kwargs):
        original(*args, **kwargs)  # rows added to the session, not committed
        raise WorkerLost()

    monkeypatch.setattr(importer, "_apply", apply_then_die)
    client = client_as("lviv")
    with pytest.raises(WorkerLost):
        _upload(client, _import_body(data, "Перед", 4))
    with app.app_context():
        db.session.rollback()
        pk = db.session.scalar(select(func.max(Job.id)))
    monkeypatch.setattr(importer, "_apply", original)
    job = _job(app, pk)
    assert job.status == JobStatus.running and job.applied_on is None
    assert _imported(app, "Перед") == 0
    _set(app, pk, heartbeat_on=_long_ago(app))
    assert jobs.run_job(app, pk, reclaim=True) == jobs.RAN
    job = _job(app, pk)
    assert job.status == JobStatus.done and job.result["created"] == 4 and job.attempts == 2
    assert _imported(app, "Перед") == 4


# --- lost jobs with Celery ------------------------------------------------------------------
def test_cleanup_redelivers_lost_jobs_then_gives_up(app, data, monkeypatch):
    sent = []
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.config, "JOBS_EAGER", False)
    monkeypatch.setattr(celery_app, "enqueue", lambda _app, job_id: sent.append(job_id))
    old = _long_ago(app)
    retry = _new_job(app, status=JobStatus.running, heartbeat_on=old, started_on=old, attempts=1)
    give_up = _new_job(
        app,
        status=JobStatus.running,
        heartbeat_on=old,
        started_on=old,
        attempts=app.config.get("JOBS_MAX_ATTEMPTS", 3),
    )
    with app.test_request_context("/"):
        assert not jobs.is_interrupted(db.session.get(Job, retry))  # waiting for a retry
        jobs.cleanup()
    assert sent == [retry]
    job = _job(app, retry)
    assert job.status == JobStatus.queued and not job.interrupted  # claimed at once
    assert job.heartbeat_on > old
    lost = _job(app, give_up)
    assert lost.status == JobStatus.failed and lost.interrupted
    for pk in (retry, give_up):
        _set(app, pk, status=JobStatus.failed)


# --- a real worker through Redis ----------------------------------------------------------------
def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_BROKER, socket_connect_timeout=1).ping()
    except Exception as error:
        pytest.skip(f"Redis is not reachable at {REDIS_BROKER}: {error}")


def test_a_celery_worker_runs_the_portals_jobs(app, client_as, data, monkeypatch):
    _redis_or_skip()
    from celery.contrib.testing.worker import start_worker

    queue = f"opora-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", REDIS_BROKER)
    monkeypatch.setitem(app.config, "CELERY_QUEUE", queue)
    monkeypatch.setitem(app.config, "JOBS_EAGER", False)
    monkeypatch.setitem(app.config, "JOBS_HEARTBEAT_SECONDS", 1)
    app.extensions.pop("portal_celery", None)
    worker = celery_app.worker_celery(app)
    client = client_as("ministry")
    try:
        with start_worker(
            worker,
            pool="threads",
            concurrency=2,
            perform_ping_check=False,
            queues=[queue],
            shutdown_timeout=20,
        ):
            response = client.post("/centreview/export/csv")
            assert response.status_code == 302
            pk = int(response.headers["Location"].rsplit("/", 1)[-1])
            lviv = client_as("lviv")
            imported = _upload(lviv, _import_body(data, "Черга", 2))
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                states = [
                    client.get(f"/jobs/{pk}/status").json["status"],
                    lviv.get(f"/jobs/{imported}/status").json["status"],
                ]
                if all(s in ("done", "failed") for s in states):
                    break
                time.sleep(0.2)
            assert states == ["done", "done"], states
    finally:
        app.extensions.pop("portal_celery", None)
    download = client.get(f"/jobs/{pk}/download")
    assert download.status_code == 200 and download.data.decode("utf-8-sig").count("Q-") == 6
    assert _imported(app, "Черга") == 2
    assert _job(app, pk).attempts == 1


def test_broker_down_fails_the_job_not_the_request(app, client_as, data, monkeypatch):
    def down(_app, _job_id):
        raise ConnectionError("Redis is down")

    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.config, "JOBS_EAGER", False)
    monkeypatch.setattr(celery_app, "enqueue", down)
    client = client_as("ministry")
    response = client.post("/centreview/export/csv")
    assert response.status_code == 302
    pk = int(response.headers["Location"].rsplit("/", 1)[-1])
    job = _job(app, pk)
    assert job.status == JobStatus.failed and job.message and job.finished_on
    assert client.get(f"/jobs/{pk}/status").json["status"] == "failed"
