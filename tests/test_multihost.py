"""Two web hosts and one Celery worker, proven together (deploy/README.md's topology).

On this machine: PostgreSQL (``TEST_DATABASE_URL``), Redis (127.0.0.1:6379,
DB 7 the job queue, DB 8 the login counts), moto's S3 server (started here),
two gunicorn instances from ``deploy/gunicorn.conf.py`` on 127.0.0.1 and
127.0.0.2, one ``celery -A app.jobs.worker worker`` process and one beat.
Each process has its own empty local job and upload folders: whatever one
host writes, another reads only through PostgreSQL, Redis and the bucket.

* A user signs in on host A, starts an export of 20,000 cases and an import of
  centres there; the worker runs both; the user polls and downloads through
  host B (the session cookie is all B gets, as behind a load balancer).
* The worker is killed (SIGKILL) in the middle of an export and of an import;
  a new worker picks both up again: the export is finished with every row,
  the import's centres exist once each.
* The login limit counts the attempts on both hosts together.

Runs only when TEST_DATABASE_URL is PostgreSQL and Redis answers; skipped
otherwise (the embedded default needs none of this).
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest
import sqlalchemy as sa

from .test_storage import free_port, start_moto, stop

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS = "redis://127.0.0.1:6379"
PASSWORD = "Multi-Host-Pass-2026!"
ADMIN = "mh-admin"
CASES = 20_000
IMPORT_ROWS = int(os.environ.get("MULTIHOST_IMPORT_ROWS", "1500"))
LOGIN_LIMIT = 8
#: The dashboard figures' lifetime on the cluster (beat refreshes every quarter).
FIGURE_SECONDS = 8
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')

pytestmark = pytest.mark.skipif(
    not PG_URL.startswith("postgresql"),
    reason="the multi-host test needs TEST_DATABASE_URL on PostgreSQL",
)


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(f"{REDIS}/7", socket_connect_timeout=1).ping()
    except Exception as error:
        pytest.skip(f"Redis is not reachable on 127.0.0.1:6379: {error}")


# --- the database: migrations, an administrator, 20,000 cases ------------------------------
def _prepare_database():
    """Schema by the migrations (what `flask portal init-db` does) and the administrator;
    returns the app that seeds the rest (:func:`_seed`) while the processes start."""
    from app import create_app
    from app.cli import create_user, init_database
    from app.security.roles import ADMIN as ADMIN_ROLE

    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app(
        SQLALCHEMY_DATABASE_URI=PG_URL,
        SECRET_KEY=os.urandom(32).hex(),
        FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
    )
    with app.app_context():
        init_database(use_migrations=True)
        create_user(ADMIN, PASSWORD, ADMIN_ROLE, first_name="Адмін", last_name="Кластер")
    return app


def _seed(app) -> dict:
    """Demo data, then 20,000 cases (bulk SQL copies); the facts the import file needs."""
    from app.demo import seed_demo
    from app.extensions import db

    with app.app_context():
        list(seed_demo(cases=300, password=PASSWORD, echo=lambda _line: None))
        _top_up_cases(db.session, CASES)
        facts = _import_facts(db.session)
        db.session.remove()
        db.engine.dispose()
    return facts


def _top_up_cases(session, total: int) -> None:
    """Copies of the seeded cases (new numbers) until there are ``total`` (bulk SQL)."""
    have = session.scalar(sa.text("SELECT count(*) FROM case_file"))
    missing = total - have
    if missing <= 0:
        return
    columns = [
        c["name"]
        for c in sa.inspect(session.connection()).get_columns("case_file")
        if c["name"] not in ("id", "number")
    ]
    names = ", ".join(f'"{c}"' for c in columns)
    copies = -(-missing // have)
    session.execute(
        sa.text(
            f"INSERT INTO case_file (number, {names}) "
            f"SELECT c.number || '-' || g, {', '.join(f'c.{n}' for n in names.split(', '))} "
            f"FROM case_file c CROSS JOIN generate_series(1, :copies) g "
            f"ORDER BY g, c.id LIMIT :missing"
        ),
        {"copies": copies, "missing": missing},
    )
    session.commit()
    assert session.scalar(sa.text("SELECT count(*) FROM case_file")) == total


def _import_facts(session) -> dict:
    """An approved provider and hromadas of its oblast, for the import file."""
    row = session.execute(
        sa.text(
            "SELECT p.edrpou, p.oblast_id FROM provider p WHERE p.status = 'approved' "
            "AND p.oblast_id IS NOT NULL ORDER BY p.id LIMIT 1"
        )
    ).one()
    hromadas = session.scalars(
        sa.text("SELECT code FROM geo_hromada WHERE oblast_id = :o ORDER BY id LIMIT 20"),
        {"o": row.oblast_id},
    ).all()
    return {"edrpou": row.edrpou, "hromadas": hromadas}


# --- the processes ------------------------------------------------------------------------------
class Cluster:
    def __init__(self, tmp, facts, moto_endpoint):
        self.tmp = tmp
        self.facts = facts
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, str] = {}
        self.ports = {"A": free_port("127.0.0.1"), "B": free_port("127.0.0.2")}
        self.urls = {
            "A": f"http://127.0.0.1:{self.ports['A']}",
            "B": f"http://127.0.0.2:{self.ports['B']}",
        }
        self.queue = f"opora-mh-{uuid.uuid4().hex[:8]}"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"},
            "PORTAL_ENV": "development",
            "DATABASE_URL": PG_URL,
            "SECRET_KEY": os.urandom(32).hex(),
            "JWT_SECRET_KEY": os.urandom(32).hex(),
            "FAB_UPDATE_PERMS": "0",
            "CELERY_BROKER_URL": f"{REDIS}/7",
            "CELERY_RESULT_BACKEND": f"{REDIS}/7",
            "CELERY_QUEUE": self.queue,
            "CELERY_VISIBILITY_TIMEOUT": "20",
            "JOBS_HEARTBEAT_SECONDS": "1",
            "JOBS_STALE_MINUTES": "0.1",  # 6 s without a heartbeat: lost
            "JOBS_HOUSEKEEPING_SECONDS": "2",
            "AUTH_RATE_LIMITED": "1",
            "AUTH_RATE_LIMIT": f"{LOGIN_LIMIT} per hour",
            "RATELIMIT_STORAGE_URI": f"{REDIS}/8",
            "RATELIMIT_KEY_PREFIX": f"mh-{uuid.uuid4().hex[:8]}",
            # The shared cache: dashboard figures kept warm by beat, read by both hosts.
            "CACHE_REDIS_URL": f"{REDIS}/6",
            "CACHE_KEY_PREFIX": f"mh-{uuid.uuid4().hex[:8]}:",
            "DASHBOARD_CACHE_SECONDS": str(FIGURE_SECONDS),
            "DASHBOARD_KEEP_WARM_MIN_MS": "0",  # every figure is kept warm here
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT_URL": moto_endpoint,
            "S3_BUCKET": f"opora-mh-{uuid.uuid4().hex[:8]}",
            "S3_ACCESS_KEY_ID": "testing",
            "S3_SECRET_ACCESS_KEY": "testing",
            "PYTHONUNBUFFERED": "1",
        }
        self.workers_started = 0

    def _own_folders(self, name: str) -> dict:
        folders = {}
        for key in ("JOBS_FOLDER", "UPLOAD_FOLDER", "STORAGE_SCRATCH_FOLDER"):
            path = os.path.join(self.tmp, name, key.lower())
            os.makedirs(path, exist_ok=True)
            folders[key] = path
        return folders

    def start(self, name: str, args: list[str], **env) -> subprocess.Popen:
        log_path = os.path.join(self.tmp, f"{name}.log")
        self.logs[name] = log_path
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            stdout=open(log_path, "ab"),
            stderr=subprocess.STDOUT,
            env={**self.env, **self._own_folders(name), **env},
        )
        self.processes[name] = process
        return process

    def start_web(self, host: str) -> None:
        address = "127.0.0.1" if host == "A" else "127.0.0.2"
        self.start(
            f"web-{host}",
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "run:app"],
            GUNICORN_BIND=f"{address}:{self.ports[host]}",
            WEB_CONCURRENCY="1",
            GUNICORN_ACCESS_LOG="/dev/null",
        )

    def start_worker(self) -> subprocess.Popen:
        self.workers_started += 1
        return self.start(
            f"worker-{self.workers_started}",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "app.jobs.worker",
                "worker",
                "--pool",
                "threads",
                "--concurrency",
                "2",
                "--queues",
                self.queue,
                "--hostname",
                f"mh{self.workers_started}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
        )

    def start_beat(self) -> None:
        self.start(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "app.jobs.beat",
                "beat",
                "--schedule",
                os.path.join(self.tmp, "beat-schedule"),
                "--loglevel",
                "INFO",
            ],
        )

    def wait_ready(self) -> None:
        import requests

        deadline = time.monotonic() + 60
        for host, url in self.urls.items():
            while True:
                process = self.processes[f"web-{host}"]
                if process.poll() is not None:
                    raise RuntimeError(f"web {host} exited:\n{self.log_tail(f'web-{host}')}")
                try:
                    if requests.get(url + "/login/", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"web {host}:\n{self.log_tail(f'web-{host}')}")
                time.sleep(0.2)

    def log_tail(self, name: str, lines: int = 40) -> str:
        try:
            with open(self.logs[name], encoding="utf-8", errors="replace") as fh:
                return "".join(fh.readlines()[-lines:])
        except (KeyError, OSError):
            return ""

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    _redis_or_skip()
    started = time.monotonic()
    tmp = str(tmp_path_factory.mktemp("multihost"))
    moto, endpoint = start_moto(os.path.join(tmp, "moto.log"))
    try:
        seeder = _prepare_database()
        cluster = Cluster(tmp, None, endpoint)
        from flask import Flask

        from app.storage import ensure_bucket

        bucket_app = Flask(__name__)
        bucket_app.config.update(
            {
                k: cluster.env[k]
                for k in (
                    "STORAGE_BACKEND",
                    "S3_ENDPOINT_URL",
                    "S3_BUCKET",
                    "S3_ACCESS_KEY_ID",
                    "S3_SECRET_ACCESS_KEY",
                )
            }
        )
        ensure_bucket(bucket_app)
        cluster.bucket_app = bucket_app
        try:
            cluster.start_web("A")
            cluster.start_web("B")
            cluster.start_worker()
            cluster.start_beat()
            cluster.facts = _seed(seeder)  # while the processes start
            cluster.wait_ready()
            cluster.setup_seconds = time.monotonic() - started
            yield cluster
        finally:
            cluster.stop_all()
    finally:
        stop(moto)


# --- a browser's worth of HTTP -------------------------------------------------------------------
class User:
    """One browser: one cookie, sent to whichever host the balancer picks."""

    def __init__(self, cluster):
        import requests

        self.cluster = cluster
        self.http = requests.Session()
        self.cookies: dict[str, str] = {}

    def request(self, host, method, path, **kwargs):
        response = self.http.request(
            method,
            self.cluster.urls[host] + path,
            cookies=self.cookies,
            allow_redirects=False,
            timeout=60,
            **kwargs,
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def token(self, host, path) -> str:
        response = self.request(host, "GET", path)
        assert response.status_code == 200, (path, response.status_code)
        return CSRF.search(response.text).group(1)

    def login(self, host, password=PASSWORD):
        LOGIN_POSTS.append(host)
        return self.request(
            host,
            "POST",
            "/login/",
            data={
                "username": ADMIN,
                "password": password,
                "csrf_token": self.token(host, "/login/"),
            },
        )

    def start_export(self, host, fmt="csv") -> int:
        path = f"/caseview/export/{fmt}"
        page = self.request(host, "GET", path)
        assert page.status_code == 200 and "csrf_token" in page.text, page.status_code
        response = self.request(
            host, "POST", path, data={"csrf_token": CSRF.search(page.text).group(1)}
        )
        assert response.status_code == 302, response.status_code
        return int(re.search(r"/jobs/(\d+)$", response.headers["Location"]).group(1))

    def start_import(self, host, body: bytes) -> int:
        token = self.token(host, "/centres/import/")
        response = self.request(
            host,
            "POST",
            "/centres/import/",
            data={"csrf_token": token},
            files={"file": ("centres.csv", body, "text/csv")},
        )
        assert response.status_code == 302, (response.status_code, response.text[:500])
        return int(re.search(r"/jobs/(\d+)$", response.headers["Location"]).group(1))

    def status(self, host, pk) -> dict:
        response = self.request(host, "GET", f"/jobs/{pk}/status")
        assert response.status_code == 200, response.status_code
        return response.json()

    def wait(self, host, pks, timeout=90.0, until=None) -> dict:
        until = until or (lambda states: all(s["finished"] for s in states.values()))
        deadline = time.monotonic() + timeout
        while True:
            states = {pk: self.status(host, pk) for pk in pks}
            if until(states):
                return states
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"jobs did not get there: {states}\n"
                    + self.cluster.log_tail(f"worker-{self.cluster.workers_started}")
                )
            time.sleep(0.2)


def _import_csv(facts, street: str, rows: int) -> bytes:
    from app.centers.importer import COLUMNS

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([c.header for c in COLUMNS])
    hromadas = facts["hromadas"]
    for n in range(rows):
        values = {
            "name": f"Центр кластера {street} {n}",
            "hromada": hromadas[n % len(hromadas)],
            "address": f"вул. {street}, {n + 1}",
            "provider_edrpou": facts["edrpou"],
            "status": "працює",
        }
        writer.writerow([values.get(c.key, "") for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def _count(sql: str, **params) -> int:
    engine = sa.create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()
    finally:
        engine.dispose()


def _job_row(pk: int):
    engine = sa.create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.text(
                    "SELECT status, attempts, applied_on, result, result_path FROM job "
                    "WHERE id = :pk"
                ),
                {"pk": pk},
            ).one()
    finally:
        engine.dispose()


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _no_local_files(cluster) -> None:
    for name in cluster.processes:
        for folder in ("jobs_folder", "upload_folder"):
            path = os.path.join(cluster.tmp, name, folder)
            assert not os.path.isdir(path) or not os.listdir(path), (name, os.listdir(path))


TIMINGS: dict[str, float] = {}
#: Every login POST sent so far (each counts against the limit).
LOGIN_POSTS: list[str] = []


# --- the tests -------------------------------------------------------------------------------------
def test_sign_in_on_a_work_on_the_worker_download_through_b(cluster):
    user = User(cluster)
    t0 = time.monotonic()
    response = user.login("A")
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    export = user.start_export("A")
    imported = user.start_import("A", _import_csv(cluster.facts, "Перша", 50))
    states = user.wait("B", [export, imported])  # polled through the other host
    TIMINGS["export and import on the worker, s"] = time.monotonic() - t0
    assert states[export]["status"] == "done", states[export]
    assert states[imported]["status"] == "done", states[imported]
    assert states[export]["total"] == CASES
    download = user.request("B", "GET", f"/jobs/{export}/download")
    assert download.status_code == 200, download.status_code
    assert download.headers["Content-Disposition"].startswith("attachment")
    rows = _csv_rows(download.content)
    assert len(rows) == CASES + 1  # the header and every case
    assert len({r[0] for r in rows[1:]}) == CASES
    # the file is in the bucket, not on any host's disk
    from app.storage import get_storage

    job = _job_row(export)
    assert job.result_path in get_storage("jobs", cluster.bucket_app).keys()
    _no_local_files(cluster)
    assert _count("SELECT count(*) FROM centre WHERE name LIKE 'Центр кластера Перша %'") == 50
    # host B shows the page of the job host A started
    page = user.request("B", "GET", f"/jobs/{export}")
    assert page.status_code == 200 and f"/jobs/{export}/download" in page.text


def test_a_worker_killed_mid_job_leaves_it_retried_and_finished(cluster):
    user = User(cluster)
    assert user.login("B").status_code == 302
    body = _import_csv(cluster.facts, "Друга", IMPORT_ROWS)
    imported = user.start_import("A", body)
    export = user.start_export("B")
    # both on the worker's two threads; kill as soon as the export has written rows
    user.wait(
        "A",
        [export, imported],
        timeout=60,
        until=lambda s: (
            s[export]["status"] == "running"
            and 0 < (s[export]["done"] or 0) < CASES
            and s[imported]["status"] != "queued"
        ),
    )
    worker = cluster.processes[f"worker-{cluster.workers_started}"]
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    assert _job_row(export).status == "running"  # killed mid-export
    killed_at = time.monotonic()
    import_state_at_kill = _job_row(imported).status
    cluster.start_worker()
    states = user.wait("B", [export, imported], timeout=90)
    TIMINGS["killed export retried and finished in, s"] = time.monotonic() - killed_at
    assert states[export]["status"] == "done", states[export]
    assert states[imported]["status"] == "done", states[imported]
    job = _job_row(export)
    assert job.attempts == 2, job
    imp = _job_row(imported)
    if import_state_at_kill == "running":
        assert imp.attempts == 2, imp  # the import was lost with the worker and retried
    # every centre of the file exactly once, whichever side of its commit the kill fell
    assert (
        _count("SELECT count(*) FROM centre WHERE name LIKE 'Центр кластера Друга %'")
        == IMPORT_ROWS
    )
    assert (
        _count("SELECT count(DISTINCT name) FROM centre WHERE name LIKE 'Центр кластера Друга %'")
        == IMPORT_ROWS
    )
    download = user.request("A", "GET", f"/jobs/{export}/download")
    assert download.status_code == 200
    rows = _csv_rows(download.content)
    assert len(rows) == CASES + 1 and len({r[0] for r in rows[1:]}) == CASES
    _no_local_files(cluster)


def _cached(cluster, key: str):
    """A value of the cluster's shared cache (Flask-Caching's Redis format)."""
    import pickle

    import redis

    raw = redis.Redis.from_url(f"{REDIS}/6").get(cluster.env["CACHE_KEY_PREFIX"] + key)
    assert raw is not None and raw.startswith(b"!"), (key, raw)
    return pickle.loads(raw[1:])


def test_dashboard_figures_are_shared_and_kept_warm_by_beat(cluster):
    """Host A computes the dashboard's figures into Redis; beat has the worker
    recompute them before they expire, with no request to any host (web
    processes run no refresh thread when Celery and the shared cache are
    configured); host B shows the same figures."""
    from app.home import WARM_INDEX

    user = User(cluster)
    assert user.login("A").status_code == 302
    page_a = user.request("A", "GET", "/")
    assert page_a.status_code == 200
    warm = _cached(cluster, WARM_INDEX)[1]
    assert warm, "no figure in the warm index"
    key = next(iter(warm))
    first = _cached(cluster, key)[0]
    deadline = time.monotonic() + 4 * FIGURE_SECONDS
    later = first
    while later <= first and time.monotonic() < deadline:
        time.sleep(0.5)
        later = _cached(cluster, key)[0]
    assert later > first, "the figure was not refreshed off the request"
    page_b = user.request("B", "GET", "/")
    cards = re.compile(r'portal-card-number">([^<]*)<')
    assert cards.findall(page_b.text) == cards.findall(page_a.text) != []


def test_the_login_limit_counts_both_hosts_together(cluster):
    # Every login POST so far (one per test above) counted already; spend the rest.
    user = User(cluster)
    before = len(LOGIN_POSTS)
    codes = []
    for attempt in range(LOGIN_LIMIT + 2):
        host = "AB"[attempt % 2]
        token = user.token(host, "/login/")
        response = user.request(
            host,
            "POST",
            "/login/",
            data={"username": ADMIN, "password": "wrong-password-000", "csrf_token": token},
        )
        codes.append((host, response.status_code))
    allowed = [c for c in codes if c[1] != 429]
    refused = [c for c in codes if c[1] == 429]
    # LOGIN_LIMIT attempts in all, whichever host took them
    assert len(allowed) == LOGIN_LIMIT - before, codes
    assert {h for h, _c in allowed} == {"A", "B"} and {h for h, _c in refused} == {"A", "B"}
    assert codes[: len(allowed)] == allowed  # refused from then on, on both hosts


def test_report_timings(cluster):
    TIMINGS["set-up (schema, 20,000 cases, processes), s"] = cluster.setup_seconds
    for name, value in TIMINGS.items():
        print(f"multihost: {name}: {value:.1f}")
