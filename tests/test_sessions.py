"""Server-side sessions: a cookie or token copied before logout, password
change, deactivation or role change is refused after it (web and API); the
8-hour and 30-minute limits apply to tokens; users end their own sessions,
administrators anyone's."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select, update

from app.extensions import db
from app.security import roles, services
from app.security.models import PortalUser, UserSession

from .conftest import PASSWORD, login, running_app

NEW_PASSWORD = "Another-Password-2026!"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(tmp_path_factory) as app:
        with app.app_context():
            sm = app.appbuilder.sm
            for name in ("olena", "petro", "iryna", "taras", "marta"):
                sm.add_user(
                    name,
                    name.capitalize(),
                    "Тест",
                    f"{name}@example.org",
                    sm.find_role(roles.TRAINER),
                    password=PASSWORD,
                )
        yield app


def _signed_in(client) -> bool:
    response = client.get("/oblastview/list/")
    return response.status_code == 200


def _api_ok(app, token) -> bool:
    client = app.test_client()
    return (
        client.get("/api/v1/oblast/", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )


def _tokens(app, username, password=PASSWORD):
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": True},
    )
    assert response.status_code == 200, response.text
    return response.json["access_token"], response.json["refresh_token"]


def _copy(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _user_id(app, username):
    with app.app_context():
        return db.session.scalar(select(PortalUser.id).where(PortalUser.username == username))


def test_each_login_gets_a_session_record(app):
    client = app.test_client()
    login(client, "olena")
    _tokens(app, "olena")
    with app.app_context():
        rows = db.session.scalars(
            select(UserSession).where(UserSession.user_id == _user_id(app, "olena"))
        ).all()
        kinds = sorted(r.kind for r in rows if r.ended_at is None)
        assert kinds == ["api", "web"]
        web = next(r for r in rows if r.kind == "web")
        assert web.ip == "127.0.0.1" and web.user_agent and web.created_at and web.last_seen
    with client.session_transaction() as cookie:
        assert len(cookie["_sid"]) >= 32
        assert services.session_hash(cookie["_sid"]) == web.id  # only the hash is stored


def test_cookie_and_token_copied_before_logout_are_refused_after_it(app):
    client = app.test_client()
    login(client, "olena")
    copied = _copy(app, client)
    access, refresh = _tokens(app, "olena")
    assert _signed_in(copied) and _api_ok(app, access)
    client.get("/logout/")
    assert not _signed_in(client)
    response = copied.get("/oblastview/list/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert not _api_ok(app, access)
    again = app.test_client().post(
        "/api/v1/security/refresh", headers={"Authorization": f"Bearer {refresh}"}
    )
    assert again.status_code == 401


def test_password_change_ends_other_sessions_web_and_api(app):
    me = app.test_client()
    login(me, "petro")
    elsewhere = app.test_client()
    login(elsewhere, "petro")
    access, _ = _tokens(app, "petro")
    response = me.post(
        "/resetmypassword/form", data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert _signed_in(me), "the browser that changed the password stays signed in"
    assert not _signed_in(elsewhere)
    assert not _api_ok(app, access)
    # An administrator's reset ends every session of the user.
    access2, _ = _tokens(app, "petro", NEW_PASSWORD)
    admin = app.test_client()
    login(admin, "admin")
    pk = _user_id(app, "petro")
    assert (
        admin.post(
            f"/resetpassword/form?pk={pk}",
            data={"password": PASSWORD + "x", "conf_password": PASSWORD + "x"},
        ).status_code
        == 302
    )
    assert not _signed_in(me) and not _api_ok(app, access2)


def _edit_user(admin, app, username, active=True, role=roles.TRAINER):
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
        role_id = app.appbuilder.sm.find_role(role).id
        data = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "username": user.username,
            "email": user.email,
            "roles": [str(role_id)],
        }
        pk = user.id
    if active:
        data["active"] = "y"
    return admin.post(f"/users/edit/{pk}", data=data)


@pytest.mark.parametrize(
    "username, change",
    [
        ("iryna", dict(active=False)),
        ("taras", dict(role=roles.AUDITOR)),
    ],
)
def test_deactivation_and_role_change_end_sessions_web_and_api(app, username, change):
    client = app.test_client()
    login(client, username)
    access, refresh = _tokens(app, username)
    assert _signed_in(client) and _api_ok(app, access)
    admin = app.test_client()
    login(admin, "admin")
    assert _edit_user(admin, app, username, **change).status_code == 302
    assert not _signed_in(client)
    assert not _api_ok(app, access)
    assert (
        app.test_client()
        .post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {refresh}"})
        .status_code
        == 401
    )
    with app.app_context():
        reasons = set(
            db.session.scalars(
                select(UserSession.end_reason).where(UserSession.user_id == _user_id(app, username))
            )
        )
    assert reasons == {"deactivated" if "active" in change else "roles"}


def test_an_unchanged_user_edit_keeps_sessions(app):
    client = app.test_client()
    login(client, "marta")
    admin = app.test_client()
    login(admin, "admin")
    assert _edit_user(admin, app, "marta").status_code == 302
    assert _signed_in(client)


def test_cookie_signed_with_the_real_key_but_no_session_record_is_refused(app):
    """Even with the signing key, a cookie names a user only through a live
    session record: one made up, or none, is refused."""
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    real = app.test_client()
    login(real, "admin")
    contents = serializer.loads(real.get_cookie("session").value)
    assert real.get("/users/list/").status_code == 200
    for sid in ("made-up", None):
        forged = dict(contents)
        forged.pop("_sid")
        if sid:
            forged["_sid"] = sid
        attacker = app.test_client()
        attacker.set_cookie("session", serializer.dumps(forged))
        response = attacker.get("/users/list/")
        assert response.status_code == 302 and "/login/" in response.headers["Location"]


def _age_sessions(app, username, **delta):
    with app.app_context():
        past = services.utcnow() - dt.timedelta(**delta)
        column = "created_at" if delta.pop("_created", False) else "last_seen"
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == _user_id(app, username))
            .values({column: past})
        )
        db.session.commit()


@pytest.mark.parametrize("column", ["last_seen", "created_at"])
def test_idle_and_absolute_limits_apply_to_tokens_and_cookies(app, column):
    client = app.test_client()
    login(client, "ministry")
    access, refresh = _tokens(app, "ministry")
    assert _signed_in(client) and _api_ok(app, access)
    limit = (
        app.config["SESSION_IDLE_TIMEOUT"]
        if column == "last_seen"
        else app.config["PERMANENT_SESSION_LIFETIME"]
    )
    with app.app_context():
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == _user_id(app, "ministry"))
            .values({column: services.utcnow() - limit - dt.timedelta(minutes=1)})
        )
        db.session.commit()
    assert not _api_ok(app, access)
    assert (
        app.test_client()
        .post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {refresh}"})
        .status_code
        == 401
    )
    assert not _signed_in(client)


def test_refresh_tokens_live_no_longer_than_a_session(app):
    assert app.config["JWT_REFRESH_TOKEN_EXPIRES"] <= app.config["PERMANENT_SESSION_LIFETIME"]
    assert app.config["JWT_ACCESS_TOKEN_EXPIRES"] <= app.config["SESSION_IDLE_TIMEOUT"]


def test_refreshed_token_belongs_to_the_same_session(app):
    access, refresh = _tokens(app, "trainer")
    response = app.test_client().post(
        "/api/v1/security/refresh", headers={"Authorization": f"Bearer {refresh}"}
    )
    assert response.status_code == 200
    fresh = response.json["access_token"]
    assert _api_ok(app, fresh)
    with app.app_context():
        rows = db.session.scalars(
            select(UserSession).where(
                UserSession.user_id == _user_id(app, "trainer"), UserSession.ended_at.is_(None)
            )
        ).all()
    assert len(rows) == 1
    # Ending that one session (from "My sessions") revokes the refreshed token too.
    client = app.test_client()
    login(client, "trainer")
    assert client.post(f"/sessions/end/{rows[0].id}").status_code == 302
    assert not _api_ok(app, fresh) and not _api_ok(app, access)
    assert _signed_in(client)


def test_my_sessions_lists_own_sessions_only_and_ends_them(app):
    laptop = app.test_client()
    login(laptop, "lviv")
    phone = app.test_client()
    login(phone, "lviv")
    other = app.test_client()
    login(other, "frankivsk")
    page = laptop.get("/sessions/")
    assert page.status_code == 200
    with app.app_context():
        mine = db.session.scalars(
            select(UserSession.id).where(
                UserSession.user_id == _user_id(app, "lviv"), UserSession.ended_at.is_(None)
            )
        ).all()
        theirs = db.session.scalar(
            select(UserSession.id).where(
                UserSession.user_id == _user_id(app, "frankivsk"), UserSession.ended_at.is_(None)
            )
        )
    assert len(mine) == 2 and all(sid in page.text for sid in mine)
    assert theirs not in page.text
    # Another user's session cannot be ended (and its id reveals nothing).
    assert laptop.post(f"/sessions/end/{theirs}").status_code == 404
    assert _signed_in(other)
    assert laptop.get("/sessions/all/").status_code in (302, 403)
    with phone.session_transaction() as cookie:
        phone_sid = services.session_hash(cookie["_sid"])
    assert laptop.post(f"/sessions/end/{phone_sid}").status_code == 302
    assert not _signed_in(phone) and _signed_in(laptop)


def test_administrator_sees_and_ends_anyones_session(app):
    user = app.test_client()
    login(user, "caseworker")
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get("/sessions/all/")
    assert page.status_code == 200 and "caseworker" in page.text
    with user.session_transaction() as cookie:
        sid = services.session_hash(cookie["_sid"])
    assert admin.post(f"/sessions/end/{sid}", data={"back": "all"}).status_code == 302
    assert not _signed_in(user)
    with app.app_context():
        assert db.session.get(UserSession, sid).end_reason == "ended_by_admin"


# --- the same over REST ------------------------------------------------------------------
def test_rest_lists_own_sessions_and_ends_them(app):
    access, refresh = _tokens(app, "trainer")
    other_access, _ = _tokens(app, "trainer")
    stranger, _ = _tokens(app, "frankivsk")
    api = app.test_client()
    auth = {"Authorization": f"Bearer {access}"}
    listing = api.get("/api/v1/session/", headers=auth)
    assert listing.status_code == 200
    rows = listing.json["result"]
    assert len(rows) >= 2 and all(r["user"] == "trainer" for r in rows)
    assert {"id", "kind", "created_at", "last_seen", "ip", "user_agent"} <= set(rows[0])
    assert api.get("/api/v1/session/all", headers=auth).status_code == 403
    with app.app_context():
        theirs = db.session.scalar(
            select(UserSession.id).where(
                UserSession.user_id == _user_id(app, "frankivsk"), UserSession.ended_at.is_(None)
            )
        )
        other = next(
            r["id"]
            for r in rows
            if r["id"]
            != services.session_hash(jwt.decode(access, options={"verify_signature": False})["sid"])
        )
    assert api.delete(f"/api/v1/session/{theirs}", headers=auth).status_code == 404
    assert _api_ok(app, stranger)
    assert api.delete(f"/api/v1/session/{other}", headers=auth).status_code == 200
    assert not _api_ok(app, other_access) and _api_ok(app, access)
    # The API's logout: this token's session ends, with its refresh token.
    assert api.delete("/api/v1/session/current", headers=auth).status_code == 200
    assert not _api_ok(app, access)
    assert (
        api.post(
            "/api/v1/security/refresh", headers={"Authorization": f"Bearer {refresh}"}
        ).status_code
        == 401
    )


def test_rest_administrator_lists_and_ends_anyones_session(app):
    victim, _ = _tokens(app, "lviv")
    admin, _ = _tokens(app, "admin")
    api = app.test_client()
    auth = {"Authorization": f"Bearer {admin}"}
    rows = api.get("/api/v1/session/all", headers=auth).json["result"]
    target = next(r["id"] for r in rows if r["user"] == "lviv" and r["kind"] == "api")
    assert api.delete(f"/api/v1/session/{target}", headers=auth).status_code == 200
    assert not _api_ok(app, victim)
