"""One rate limiter on every authentication path, shared by workers through Redis.

Web login, API login, token refresh and password change all answer 429 after
``AUTH_RATE_LIMIT`` POSTs; with ``RATELIMIT_STORAGE_URI`` pointing at Redis two
gunicorn workers share one count (tested with the real Redis on
127.0.0.1:6379, skipped cleanly when it does not answer).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest

from .conftest import PASSWORD, login, running_app

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDIS_URI = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
LIMIT = 3


def _redis_or_skip():
    try:
        import redis
    except ImportError:
        pytest.skip("the redis client is not installed")
    try:
        redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1).ping()
    except Exception as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URI}: {error}")


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    with running_app(
        tmp_path_factory,
        AUTH_RATE_LIMITED=True,
        RATELIMIT_ENABLED=True,
        AUTH_RATE_LIMIT=f"{LIMIT} per minute",
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
    ) as app:
        yield app


@pytest.fixture(autouse=True)
def _fresh_counts(request):
    if "limited" in request.fixturenames:
        request.getfixturevalue("limited").appbuilder.sm.limiter.reset()


def _api_login(client, password="wrong-password-000"):
    return client.post(
        "/api/v1/security/login",
        json={"username": "trainer", "password": password, "provider": "db", "refresh": True},
    )


def _codes(post, times=LIMIT + 1):
    return [post().status_code for _ in range(times)]


def test_api_login_is_limited(limited):
    codes = _codes(lambda: _api_login(limited.test_client()))
    assert codes[:LIMIT] == [401] * LIMIT and codes[LIMIT] == 429


def test_token_refresh_is_limited(limited):
    client = limited.test_client()
    token = _api_login(client, PASSWORD).json["refresh_token"]
    codes = _codes(
        lambda: client.post(
            "/api/v1/security/refresh", headers={"Authorization": f"Bearer {token}"}
        )
    )
    assert codes[:LIMIT] == [200] * LIMIT and codes[LIMIT] == 429


def test_password_change_is_limited(limited):
    client = limited.test_client()
    assert login(client, "auditor").status_code == 302
    codes = _codes(
        lambda: client.post(
            "/resetmypassword/form", data={"password": "short", "conf_password": "short"}
        )
    )
    assert codes[:LIMIT] == [200] * LIMIT and codes[LIMIT] == 429


def test_web_login_is_limited_by_the_same_limiter(limited):
    codes = _codes(lambda: login(limited.test_client(), "admin", "wrong-password-1"))
    assert codes[:LIMIT] == [302] * LIMIT and codes[LIMIT] == 429
    limiter = limited.appbuilder.sm.limiter
    assert limiter.enabled and len(limited.extensions["limiter"]) == 1


def test_redis_storage_shares_the_count_between_apps(tmp_path_factory):
    """Two applications (as two workers would be) with one Redis: the second
    sees the first one's attempts."""
    _redis_or_skip()
    prefix = f"test-{uuid.uuid4().hex}"
    settings = dict(
        AUTH_RATE_LIMITED=True,
        RATELIMIT_ENABLED=True,
        AUTH_RATE_LIMIT=f"{LIMIT} per minute",
        RATELIMIT_STORAGE_URI=REDIS_URI,
        RATELIMIT_KEY_PREFIX=prefix,
    )
    with running_app(tmp_path_factory, **settings) as first:
        with running_app(tmp_path_factory, **settings) as second:
            codes = [
                _api_login(app.test_client()).status_code for app in (first, second, first, second)
            ]
    assert codes == [401, 401, 401, 429]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port: int, method: str, path: str, body: str | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            method,
            path,
            body=body,
            headers={"Content-Type": "application/json", "Connection": "close"},
        )
        return conn.getresponse().status
    finally:
        conn.close()


def _try_get(port: int, path: str):
    try:
        return _request(port, "GET", path)
    except OSError:
        return None


def _post_login(port: int) -> int:
    body = json.dumps({"username": "nobody", "password": "wrong-password-000", "provider": "db"})
    return _request(port, "POST", "/api/v1/security/login", body)


def _in_pairs(action, pairs: int) -> list:
    """Run ``action`` twice at once, ``pairs`` times: a busy worker leaves the
    next connection to the other one."""
    results: list = []
    lock = threading.Lock()

    def run():
        value = action()
        with lock:
            results.append(value)

    for _ in range(pairs):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return results


def _workers(log_path: str) -> list[str]:
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        return re.findall(r"worker=<?(\d+)>? status=(\d+) (\S+)", handle.read())


def test_two_gunicorn_workers_share_the_login_count_through_redis(limited, tmp_path):
    _redis_or_skip()
    port = _free_port()
    limit = 5
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env.update(
        DATABASE_URL=limited.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY=limited.config["SECRET_KEY"],
        AUTH_RATE_LIMIT=f"{limit} per minute",
        RATELIMIT_STORAGE_URI=REDIS_URI,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        AUTH_RATE_LIMITED="1",
        PYTHONUNBUFFERED="1",
        FAB_UPDATE_PERMS="0",
    )  # synced already; two workers would race on SQLite
    log_path = str(tmp_path / "gunicorn.log")
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                os.path.join(os.path.dirname(sys.executable), "gunicorn"),
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "-",
                "--access-logformat",
                "worker=%(p)s status=%(s)s %(U)s",
                "run:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # Ready when both workers have answered a page (GET is not limited).
        deadline = time.time() + 120
        while len({pid for pid, _, path in _workers(log_path) if path == "/login/"}) < 2:
            if time.time() > deadline or server.poll() is not None:
                with open(log_path, encoding="utf-8", errors="replace") as handle:
                    pytest.fail("gunicorn workers did not both answer: " + handle.read()[-3000:])
            if None in _in_pairs(lambda: _try_get(port, "/login/"), 1):
                time.sleep(0.5)  # not listening yet
        codes = _in_pairs(lambda: _post_login(port), 6)
    finally:
        server.terminate()
        server.wait(timeout=30)
    logins = [
        (pid, status)
        for pid, status, path in _workers(log_path)
        if path == "/api/v1/security/login"
    ]
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        output = handle.read()
    assert len({pid for pid, _ in logins}) == 2, f"both workers must count: {output[-3000:]}"
    assert sorted(codes) == [401] * limit + [429] * (12 - limit), (codes, output[-3000:])
