"""Security basics of the foundation: lockout, passwords, sessions, headers, secrets."""

import datetime as dt
import time

import pytest
from flask_appbuilder.exceptions import PasswordComplexityValidationError

from app import create_app
from app.extensions import db
from app.security.models import PortalUser

from .conftest import PASSWORD, TEST_CONFIG, login, make_app, visible_text


def _user(app, username):
    with app.app_context():
        return db.session.query(PortalUser).filter_by(username=username).one()


def _logged_in(client) -> bool:
    return client.get("/oblastview/list/").status_code == 200


def test_lockout_after_repeated_failures_even_with_right_password(app):
    client = app.test_client()
    for _ in range(app.config["AUTH_LOCKOUT_THRESHOLD"]):
        login(client, "trainer", "wrong-password-000")
    assert _user(app, "trainer").locked_until is not None
    login(client, "trainer", PASSWORD)
    assert not _logged_in(client), "a locked account must refuse the right password"
    # The refusal looks exactly like a wrong password: no account enumeration.
    response = client.post(
        "/login/", data={"username": "trainer", "password": PASSWORD}, follow_redirects=True
    )
    assert "Невірний вхід" in visible_text(response.text) or "Неправильн" in visible_text(
        response.text
    )


def test_lock_expires_and_counter_restarts(app):
    with app.app_context():
        user = db.session.query(PortalUser).filter_by(username="auditor").one()
        user.locked_until = dt.datetime.now() - dt.timedelta(minutes=1)
        user.fail_login_count = 99
        db.session.commit()
    client = app.test_client()
    login(client, "auditor", PASSWORD)
    assert _logged_in(client)
    user = _user(app, "auditor")
    assert user.locked_until is None and user.fail_login_count == 0


@pytest.mark.parametrize("password", ["short", "qwertyuiop123", "aaaaaaaaaaaaaaaa"])
def test_weak_passwords_refused_on_every_creation_path(app, password):
    with app.app_context():
        sm = app.appbuilder.sm
        with pytest.raises(PasswordComplexityValidationError):
            sm.add_user(
                "weakling", "W", "L", "w@example.org", sm.find_role("Аудитор"), password=password
            )
        assert sm.find_user(username="weakling") is None


def test_password_containing_username_refused(app):
    with app.app_context():
        sm = app.appbuilder.sm
        with pytest.raises(PasswordComplexityValidationError):
            sm.add_user(
                "olena",
                "O",
                "K",
                "o@example.org",
                sm.find_role("Аудитор"),
                password="olena-is-my-password",
            )


def test_user_form_shows_ukrainian_password_error_and_keeps_input(client_as, app):
    client = client_as("admin")
    with app.app_context():
        role_id = app.appbuilder.sm.find_role("Аудитор").id
    response = client.post(
        "/users/add",
        data={
            "first_name": "Ірина",
            "last_name": "Коваль",
            "username": "iryna",
            "email": "iryna@example.org",
            "roles": [str(role_id)],
            "active": "y",
            "password": "short",
            "conf_password": "short",
        },
    )
    assert response.status_code == 200
    text = visible_text(response.text)
    assert "Пароль має містити щонайменше 12 символів" in text
    assert 'value="Ірина"' in response.text


def test_idle_session_is_ended(app):
    client = app.test_client()
    login(client, "ministry")
    assert _logged_in(client)
    idle = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    with client.session_transaction() as session:
        session["_last_seen"] = time.time() - idle - 5
    response = client.get("/oblastview/list/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert not _logged_in(client)


def test_session_cookie_is_resent_only_when_the_idle_clock_moves(app):
    """An active user's cookie is re-signed at most once per SESSION_TOUCH_SECONDS."""
    client = app.test_client()
    login(client, "ministry")
    client.get("/oblastview/list/")
    fresh = client.get("/oblastview/list/")
    assert fresh.status_code == 200 and "Set-Cookie" not in fresh.headers
    touch = app.config["SESSION_TOUCH_SECONDS"]
    with client.session_transaction() as session:
        session["_last_seen"] = time.time() - touch - 1
    moved = client.get("/oblastview/list/")
    assert moved.status_code == 200 and "session=" in moved.headers.get("Set-Cookie", "")
    with client.session_transaction() as session:
        assert time.time() - session["_last_seen"] < 5


def test_absolute_session_lifetime(app):
    client = app.test_client()
    login(client, "ministry")
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    with client.session_transaction() as session:
        session["_started"] = time.time() - lifetime - 5
    assert client.get("/oblastview/list/").status_code == 302


def test_session_cookie_is_permanent_httponly_and_lax(app):
    client = app.test_client()
    response = login(client, "ministry")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_security_headers_and_no_store_for_signed_in_pages(client_as):
    response = client_as("ministry").get("/providerview/list/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "http" not in csp, "no external origins"
    nonce = csp.split("'nonce-")[1].split("'")[0]
    scripts = response.text.count("<script")
    assert scripts and response.text.count(f'nonce="{nonce}"') == scripts, (
        "every script tag carries the request's nonce"
    )


def test_production_refuses_default_secret_key(tmp_path):
    import config

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            PORTAL_ENV="production",
            SECRET_KEY=config.DEV_SECRET_KEY,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.db",
        )
    with pytest.raises(RuntimeError):
        create_app(
            PORTAL_ENV="production",
            SECRET_KEY="short",
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.db",
        )
    app = create_app(
        PORTAL_ENV="production",
        SECRET_KEY="x" * 48,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.db",
    )
    assert app.config["SECRET_KEY"] == "x" * 48


def test_production_config_sets_secure_cookies(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("PORTAL_ENV", "production")
    try:
        prod = importlib.reload(config)
        assert prod.SESSION_COOKIE_SECURE is True
    finally:
        monkeypatch.delenv("PORTAL_ENV")
        importlib.reload(config)


def test_public_role_has_no_permissions(app):
    with app.app_context():
        sm = app.appbuilder.sm
        public = sm.find_role(app.config["AUTH_ROLE_PUBLIC"])
        assert public is not None
        assert list(public.permissions) == []
        assert sm.get_role_permissions(public) == set()


def test_no_default_accounts_without_explicit_admin(tmp_path_factory):
    # init-db creates no user unless asked; the standard fixture users are test-only.
    from app.cli import init_database

    url = "sqlite:///" + str(tmp_path_factory.mktemp("noadmin") / "n.db")
    fresh = create_app(SQLALCHEMY_DATABASE_URI=url, **TEST_CONFIG)
    with fresh.app_context():
        init_database(use_migrations=False)
        assert fresh.appbuilder.sm.count_users() == 0


def test_login_rate_limit(tmp_path_factory):
    limited = make_app(
        tmp_path_factory,
        AUTH_RATE_LIMITED=True,
        RATELIMIT_ENABLED=True,
        AUTH_RATE_LIMIT="3 per minute",
    )
    client = limited.test_client()
    codes = [login(client, "admin", "wrong-password-1").status_code for _ in range(4)]
    assert codes[:3] == [302, 302, 302]
    assert codes[3] == 429


def test_production_sends_hsts(tmp_path):
    app = create_app(
        PORTAL_ENV="production",
        SECRET_KEY="y" * 48,
        TESTING=True,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/hsts.db",
    )
    response = app.test_client().get("/static/css/portal.css", base_url="https://portal.example")
    assert "max-age=31536000" in response.headers.get("Strict-Transport-Security", "")


def test_state_changes_require_csrf_token(tmp_path_factory):
    import re

    app = make_app(tmp_path_factory, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login/").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert (
        client.post("/login/", data={"username": "admin", "password": PASSWORD}).status_code == 400
    ), "login without a token is refused"
    assert (
        client.post(
            "/login/", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    # Signed in: a delete or an action without a token is refused, nothing changes.
    assert client.post("/providerview/add", data={"name": "X"}).status_code == 400
    assert client.post("/users/delete/1").status_code == 400
    assert client.get("/users/action/resetpasswords/1").status_code in (302, 400)
    with app.app_context():
        from app.security.models import PortalUser

        assert db.session.get(PortalUser, 1) is not None


def test_sign_in_logs_a_refused_redirect_and_not_an_ordinary_login(app, caplog):
    """FAB warned "Invalid redirect detected" on every login without ``next``;
    only an off-site target is logged now, and it is not followed."""
    import logging

    caplog.set_level(logging.WARNING)
    client = app.test_client()
    response = login(client, "ministry")
    assert response.status_code == 302
    assert not [r for r in caplog.records if "redirect" in r.getMessage().lower()]
    client.get("/logout/")
    caplog.clear()
    response = client.post(
        "/login/?next=https://evil.example/steal",
        data={"username": "ministry", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    refused = [r.getMessage() for r in caplog.records if "redirect" in r.getMessage().lower()]
    assert len(refused) == 1 and "https://evil.example/steal" in refused[0]
