"""Test fixtures: one app and one fresh database per test module.

SQLite (a file in a temp dir) always; PostgreSQL when ``TEST_DATABASE_URL``
is set (``.ci/run`` sets it when 127.0.0.1:5432 answers), in which case the
``public`` schema is recreated for every module. Do not hold an app context
across test-client requests: ``flask.g`` would leak between requests (see the
FAB field notes); open ``with app.app_context():`` only around DB work.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys

import pytest
import sqlalchemy as sa

from app import create_app
from app.cli import create_user, init_database
from app.common.catalogue import compile_catalogue
from app.demo import IVANO_FRANKIVSK, LVIV
from app.extensions import db
from app.security import roles

PASSWORD = "Test-Password-2025!"

#: username -> (role, oblast code); case workers get a provider in fixtures.
STANDARD_USERS = {
    "admin": (roles.ADMIN, None),
    "ministry": (roles.MINISTRY, None),
    "lviv": (roles.REGIONAL_ADMIN, LVIV),
    "frankivsk": (roles.REGIONAL_ADMIN, IVANO_FRANKIVSK),
    "trainer": (roles.TRAINER, None),
    "caseworker": (roles.CASE_WORKER, None),
    "auditor": (roles.AUDITOR, None),
}


def pytest_configure(config):
    # Tests must see the current catalogue, not a stale compiled one.
    compile_catalogue()
    # FAB 5.3 passes choices as tuples; WTForms 3.3 warns on every form render.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:wtforms.*")
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:flask_appbuilder.*")


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


TEST_CONFIG = dict(
    TESTING=True,
    SECRET_KEY=os.urandom(32).hex(),  # random per run: no key in the repository
    WTF_CSRF_ENABLED=False,
    AUTH_RATE_LIMITED=False,
    RATELIMIT_ENABLED=False,
    # Tests change data between requests and compare counts at once.
    DASHBOARD_CACHE_SECONDS=0,
    LIST_COUNT_CACHE_SECONDS=0,
    SERVER_NAME=None,
    # scrypt is deliberately slow; tests log in hundreds of times.
    FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
)


def make_app(tmp_path_factory, **overrides):
    url = _database_url(tmp_path_factory)
    # Job files (exports, report files: the API fuzz starts some) in the test's
    # temporary folder, never in the worktree's instance/.
    overrides = {"JOBS_FOLDER": str(tmp_path_factory.mktemp("jobs")), **overrides}
    app = create_app(SQLALCHEMY_DATABASE_URI=url, **{**TEST_CONFIG, **overrides})
    with app.app_context():
        init_database(use_migrations=False)
        for username, (role, oblast) in STANDARD_USERS.items():
            create_user(
                username,
                PASSWORD,
                role,
                first_name=username.capitalize(),
                last_name="Тест",
                oblast_code=oblast,
            )
    return app


@contextlib.contextmanager
def running_app(tmp_path_factory, **overrides):
    """``make_app`` for a module fixture, with the database released afterwards."""
    app = make_app(tmp_path_factory, **overrides)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(tmp_path_factory) as app:
        yield app


def login(client, username, password=PASSWORD):
    response = client.post("/login/", data={"username": username, "password": password})
    return response


@pytest.fixture()
def client_as(app):
    """``client_as("lviv")`` -> a test client signed in as that user."""

    def make(username):
        client = app.test_client()
        response = login(client, username)
        assert response.status_code == 302 and "/login" not in response.headers["Location"], (
            f"login as {username} failed"
        )
        return client

    return make


def jwt_headers(client, username, password=PASSWORD) -> dict:
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db"},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@contextlib.contextmanager
def count_queries(app):
    """Count SQL statements executed inside the block: ``with count_queries(app) as q``."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def external_urls(html: str) -> list[str]:
    """Addresses a page would load or link outside this site (``src``/``href``
    with a scheme or a protocol-relative ``//``). Asserting on the page's raw
    text instead fails at random: a CSRF token or a CSP nonce may spell "cdn"."""
    urls = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']*)["\']', html, flags=re.I)
    return [u for u in urls if "://" in u or u.startswith("//")]


def visible_text(html: str) -> str:
    """Page text without tags, scripts and extra whitespace."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- leaving quickly ------------------------------------------------------------------
# A full run builds some hundred apps; the interpreter's final garbage collection of
# them took about six minutes after the summary (seen in gdb: Py_FinalizeEx ->
# gc_collect_main), doubling as CI time. The run's result is known by then: leave
# with it, after flushing the output.
_SESSION = {}


def pytest_sessionfinish(session, exitstatus):
    _SESSION["exitstatus"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    if "exitstatus" in _SESSION:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_SESSION["exitstatus"])
