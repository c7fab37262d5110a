"""Files in storage (app.storage): a local folder (the default) or S3-compatible storage.

* The local backend keeps today's layout (``JOBS_FOLDER/<name>``,
  ``UPLOAD_FOLDER/<folder>/<name>``) and refuses keys that could leave it.
* The S3 backend is tested against moto's *server* (real HTTP on a loopback
  port, started here): the same operations, then the portal itself on S3 --
  an export job's file and an import job's upload live in the bucket (nothing
  in the local folder), a proposal's document is stored there and streamed
  back through the portal within the reader's scope only.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import socket
import subprocess
import sys
import time
import uuid

import pytest
import sqlalchemy as sa

from app.demo import IVANO_FRANKIVSK, LVIV
from app.extensions import db
from app.storage import LocalStorage, S3Storage, check_key, get_storage

from .conftest import running_app

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


# --- moto's S3 server, shared with test_multihost ------------------------------------------
def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for_port(host: str, port: int, timeout: float = 20.0, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{host}:{port} did not answer in {timeout} s")


def start_moto(log_path: str):
    """moto's S3-compatible server on a free loopback port: (process, endpoint URL)."""
    pytest.importorskip("moto.server")
    pytest.importorskip("boto3")
    port = free_port()
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port("127.0.0.1", port, process=process)
    except Exception:
        process.kill()
        raise
    return process, f"http://127.0.0.1:{port}"


def stop(process) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def s3_settings(endpoint: str, bucket: str | None = None) -> dict:
    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": bucket or f"opora-{uuid.uuid4().hex[:12]}",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
        "S3_REGION": "us-east-1",
    }


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory):
    process, endpoint = start_moto(str(tmp_path_factory.mktemp("moto") / "moto.log"))
    yield endpoint
    stop(process)


# --- the backends, one by one ----------------------------------------------------------------
def test_keys_cannot_leave_the_area():
    for bad in ("", "../x", "a/../../x", "/etc/passwd", "a//b", "a\\b", ".hidden", "a/b/c/d/e"):
        with pytest.raises(ValueError):
            check_key(bad)
    assert check_key("selection/0123abcd.pdf") == "selection/0123abcd.pdf"


def _exercise(storage, tmp_path):
    key = f"selection/{uuid.uuid4().hex}.pdf"
    assert not storage.exists(key) and storage.size(key) is None
    storage.put(key, PDF)
    assert storage.exists(key) and storage.size(key) == len(PDF)
    assert storage.read(key) == PDF
    source = tmp_path / "big.csv"
    source.write_bytes(b"x;y\n" * 100_000)
    storage.put_file("big.csv", str(source))
    copy = storage.fetch_to("big.csv", str(tmp_path / "copy.csv"))
    assert open(copy, "rb").read() == source.read_bytes()
    assert set(storage.keys()) >= {key, "big.csv"}
    storage.delete(key)
    storage.delete(key)  # a missing file is not an error
    assert not storage.exists(key)
    with pytest.raises(FileNotFoundError):
        storage.open(key)


def test_local_backend(tmp_path):
    root = tmp_path / "area"
    storage = LocalStorage(str(root))
    _exercise(storage, tmp_path)
    storage.put("selection/abc.pdf", PDF)
    assert (root / "selection" / "abc.pdf").read_bytes() == PDF  # today's layout


def test_default_is_the_local_folders(tmp_path):
    from flask import Flask

    app = Flask(__name__)
    app.config.update(JOBS_FOLDER=str(tmp_path / "j"), UPLOAD_FOLDER=str(tmp_path / "u"))
    jobs, uploads = get_storage("jobs", app), get_storage("uploads", app)
    assert isinstance(jobs, LocalStorage) and jobs.root == str(tmp_path / "j")
    assert isinstance(uploads, LocalStorage) and uploads.root == str(tmp_path / "u")
    app.config["STORAGE_BACKEND"] = "ftp"
    with pytest.raises(RuntimeError):
        get_storage("jobs", app)


def test_s3_backend_over_http(moto_endpoint, tmp_path):
    from flask import Flask

    from app.storage import ensure_bucket

    app = Flask(__name__)
    app.config.update(s3_settings(moto_endpoint), S3_PREFIX="site/")
    ensure_bucket(app)
    storage = get_storage("uploads", app)
    assert isinstance(storage, S3Storage)
    _exercise(storage, tmp_path)
    storage.put("providers/one.pdf", PDF)
    raw = storage.client.list_objects_v2(Bucket=app.config["S3_BUCKET"])
    assert "site/uploads/providers/one.pdf" in [o["Key"] for o in raw["Contents"]]
    assert "providers/one.pdf" not in get_storage("jobs", app).keys()  # areas apart


# --- the portal on S3 ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app(tmp_path_factory, moto_endpoint):
    settings = s3_settings(moto_endpoint)
    local_jobs = str(tmp_path_factory.mktemp("jobs-unused"))
    local_uploads = str(tmp_path_factory.mktemp("uploads-unused"))
    with running_app(
        tmp_path_factory,
        JOBS_EAGER=True,
        EXPORT_INLINE_MAX_ROWS=2,
        JOBS_FOLDER=local_jobs,
        UPLOAD_FOLDER=local_uploads,
        STORAGE_SCRATCH_FOLDER=str(tmp_path_factory.mktemp("scratch")),
        **settings,
    ) as app:
        from app.storage import ensure_bucket

        ensure_bucket(app)
        yield app


@pytest.fixture(scope="module")
def world(app):
    from app.demo import oblast_id
    from app.providers.demo import demo_edrpou
    from app.providers.models import Provider, ProviderKind, ProviderStatus
    from app.selection.models import (
        Application,
        CommissionMember,
        Programme,
        RoundStatus,
        SelectionRound,
    )

    from .test_centers_fixtures import EDRPOU_LVIV, centre, first_hromada, provider

    with app.app_context():
        ministry = app.appbuilder.sm.find_user(username="ministry")
        p_lviv = provider(EDRPOU_LVIV, LVIV, name="ГО «Опора Львів»")
        for n in range(5):
            centre(
                f"Центр у сховищі {n}",
                LVIV,
                p_lviv,
                offset=n,
                external_code=f"S3-{n}",
                address=f"вул. Хмарна, {n + 1}",
            )
        owner = Provider(
            name="ГО «Хмарні документи»",
            kind=ProviderKind.ngo,
            edrpou=demo_edrpou(3300),
            oblast_id=oblast_id(db.session, LVIV),
            status=ProviderStatus.approved,
        )
        db.session.add(owner)
        selection = SelectionRound(
            title="Відбір у сховищі",
            programme=Programme.resilience_centres,
            oblast_id=oblast_id(db.session, LVIV),
            announced_on=dt.date(2026, 1, 10),
            deadline=dt.date(2026, 2, 10),
            status=RoundStatus.evaluating,
            winners_count=1,
            reserve_count=1,
        )
        db.session.add(selection)
        db.session.flush()
        db.session.add(CommissionMember(round_id=selection.id, user_id=ministry.id))
        application = Application(
            round_id=selection.id, provider_id=owner.id, submitted_on=dt.date(2026, 1, 20)
        )
        db.session.add(application)
        db.session.commit()
        assert IVANO_FRANKIVSK
        return {"application": application.id, "hromada": first_hromada(LVIV, 0).code}


def _job(app, pk):
    from app.jobs.models import Job

    with app.app_context():
        job = db.session.get(Job, pk)
        db.session.expunge(job)
        return job


def test_export_job_file_lives_in_the_bucket(app, client_as, world):
    client = client_as("ministry")
    response = client.post("/centreview/export/csv")
    assert response.status_code == 302, response.status_code
    pk = int(response.headers["Location"].rsplit("/", 1)[-1])
    job = _job(app, pk)
    assert job.status.name == "done", job.message
    with app.app_context():
        assert job.result_path in get_storage("jobs").keys()
    assert not os.listdir(app.config["JOBS_FOLDER"])  # nothing on the local disk
    assert not os.listdir(app.config["STORAGE_SCRATCH_FOLDER"])  # scratch cleaned
    download = client.get(f"/jobs/{pk}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"
    text = download.data.decode("utf-8-sig")
    assert text.count("S3-") == 5
    # another user: no file (404), as with the local backend
    assert client_as("lviv").get(f"/jobs/{pk}/download").status_code == 404


def test_import_job_reads_its_upload_from_the_bucket(app, client_as, world):
    from openpyxl import Workbook

    from app.centers.importer import COLUMNS
    from app.centers.models import ResilienceCentre

    from .test_centers_fixtures import EDRPOU_LVIV

    wb = Workbook()
    wb.active.append([c.header for c in COLUMNS])
    for n in range(3):
        values = {
            "name": f"Імпорт із хмари {n}",
            "hromada": world["hromada"],
            "address": f"вул. Хмарна імпортна, {n}",
            "provider_edrpou": EDRPOU_LVIV,
            "status": "працює",
        }
        wb.active.append([values.get(c.key, "") for c in COLUMNS])
    body = io.BytesIO()
    wb.save(body)
    client = client_as("lviv")
    response = client.post(
        "/centres/import/",
        data={"file": (io.BytesIO(body.getvalue()), "centres.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    pk = int(response.headers["Location"].rsplit("/", 1)[-1])
    job = _job(app, pk)
    assert job.status.name == "done", job.message
    assert job.result["created"] == 3 and job.applied_on is not None and job.attempts == 1
    with app.app_context():
        assert not [k for k in get_storage("jobs").keys() if ".upload." in k]  # removed
        assert (
            db.session.scalar(
                sa.select(sa.func.count(ResilienceCentre.id)).where(
                    ResilienceCentre.name.like("Імпорт із хмари%")
                )
            )
            == 3
        )
    assert not os.listdir(app.config["JOBS_FOLDER"])


def test_document_in_the_bucket_streams_within_scope(app, client_as, world):
    from app.selection.models import ApplicationDocument

    ministry = client_as("ministry")
    response = ministry.post(
        f"/applicationview/upload/{world['application']}",
        follow_redirects=True,
        data={"doc_type": "other", "file": (io.BytesIO(PDF), "статут.pdf")},
    )
    assert response.status_code == 200
    with app.app_context():
        doc = db.session.scalars(
            sa.select(ApplicationDocument).where(
                ApplicationDocument.application_id == world["application"]
            )
        ).one()
        assert get_storage("uploads").read(f"selection/{doc.stored_name}") == PDF
    assert not os.listdir(app.config["UPLOAD_FOLDER"])
    url = f"/applicationview/document/{world['application']}/{doc.id}"
    response = client_as("lviv").get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "UTF-8''" in response.headers["Content-Disposition"]  # the Ukrainian name
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client_as("frankivsk").get(url).status_code == 404
    # the object gone from the bucket: 404, not a 500
    with app.app_context():
        get_storage("uploads").delete(f"selection/{doc.stored_name}")
    assert client_as("lviv").get(url).status_code == 404
