"""Signing keys: none in the repository, one random pair per installation, no start without."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from app import create_app
from app.security.keys import PUBLIC_KEYS, MissingKeyError, ensure_instance_keys

from .conftest import TEST_CONFIG, login

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _config_without_keys():
    return {k: v for k, v in TEST_CONFIG.items() if k not in ("SECRET_KEY", "JWT_SECRET_KEY")}


@pytest.mark.parametrize("key", [None, "", "short", *PUBLIC_KEYS])
def test_app_refuses_to_start_without_a_proper_key(tmp_path, key):
    with pytest.raises(MissingKeyError, match="SECRET_KEY"):
        create_app(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/k.db",
            SECRET_KEY=key,
            **_config_without_keys(),
        )


def test_app_refuses_a_published_jwt_key(tmp_path):
    with pytest.raises(MissingKeyError, match="JWT_SECRET_KEY"):
        create_app(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/k.db",
            JWT_SECRET_KEY=PUBLIC_KEYS[0],
            **TEST_CONFIG,
        )


def test_config_has_no_default_key(monkeypatch):
    import importlib

    import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("JWT_SECRET_KEY", raising=False)
    try:
        fresh = importlib.reload(config)
        assert fresh.SECRET_KEY is None and fresh.JWT_SECRET_KEY is None
    finally:
        importlib.reload(config)


def test_instance_keys_are_random_private_and_kept(tmp_path):
    env: dict[str, str] = {}
    keys = ensure_instance_keys(str(tmp_path / "instance"), env)
    path = tmp_path / "instance" / "keys.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(keys) == {"SECRET_KEY", "JWT_SECRET_KEY"}
    assert keys["SECRET_KEY"] != keys["JWT_SECRET_KEY"]
    assert all(len(v) >= 32 and v not in PUBLIC_KEYS for v in keys.values())
    assert env == keys
    # The same installation keeps its keys; another installation gets others.
    assert ensure_instance_keys(str(tmp_path / "instance"), {}) == keys
    assert ensure_instance_keys(str(tmp_path / "other"), {})["SECRET_KEY"] != keys["SECRET_KEY"]
    # A key set in the environment wins over the file.
    env = {"SECRET_KEY": "e" * 40}
    ensure_instance_keys(str(tmp_path / "instance"), env)
    assert env["SECRET_KEY"] == "e" * 40 and env["JWT_SECRET_KEY"] == keys["JWT_SECRET_KEY"]


def _start(tmp_path, code: str, **extra_env):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "JWT_SECRET_KEY", "TEST_DATABASE_URL")
    }
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/start.db", **extra_env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_gunicorn_style_start_without_key_refuses_with_a_clear_message(tmp_path):
    """``gunicorn 'run:app'`` and ``flask run`` (FLASK_APP=run.py) import run.app."""
    result = _start(tmp_path, "import run")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "instance/keys.env" in result.stderr
    ok = _start(tmp_path, "import run; print('started', bool(run.app))", SECRET_KEY="s" * 48)
    assert ok.returncode == 0, ok.stderr
    assert "started True" in ok.stdout


def test_cookie_signed_with_a_repository_key_is_refused(app, tmp_path):
    """A session cookie forged with a key from the repository (the former
    development default) is not accepted by an app with its own key."""
    client = app.test_client()
    login(client, "admin")
    with app.app_context():
        admin_id = app.appbuilder.sm.find_user(username="admin").id
    for key in PUBLIC_KEYS:
        forger = Flask(__name__)
        forger.secret_key = key
        serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
        cookie = serializer.dumps({"_user_id": str(admin_id), "_fresh": True, "_id": "x"})
        attacker = app.test_client()
        attacker.set_cookie("session", cookie)
        response = attacker.get("/users/list/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
