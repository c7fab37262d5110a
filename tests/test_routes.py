"""Every route is protected, and every role has exactly its permissions.

* Route walk: each URL rule, requested anonymously, redirects to the login
  page (HTML) or answers 401 (API), unless it is on the short public list.
* Role matrix: for every (permission, resource) pair the app registers, each
  built-in role's access equals the hand-written tables in tests/matrix_*.py;
  a resource missing from the tables fails the test.
"""

from __future__ import annotations

import glob
import importlib
import os
import re

import pytest

from app.extensions import db
from app.security import roles

#: Endpoints deliberately open to anonymous users.
PUBLIC_ENDPOINTS = {
    "static",
    "appbuilder.static",
    "IndexView.index",
    "HomeView.index",
    "AuthDBView.login",
    "AuthDBView.logout",
    "LocaleView.index",
    "UtilView.back",
    "SecurityApi.login",
    "SecurityApi.refresh",
    "MenuApi.get_menu_data",
}
#: Public endpoints contributed by domains (module.PUBLIC_ENDPOINTS).
PUBLIC_MODULES = ("app.centers.public", "app.directory.public")


def _public_endpoints() -> set[str]:
    names = set(PUBLIC_ENDPOINTS)
    for module_name in PUBLIC_MODULES:
        try:
            names |= set(importlib.import_module(module_name).PUBLIC_ENDPOINTS)
        except ModuleNotFoundError:
            pass
    return names


def _fill(rule) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", "1", url)
    return url


def _expected_tables() -> dict[str, dict[str, set[str]]]:
    merged: dict[str, dict[str, set[str]]] = {}
    here = os.path.dirname(__file__)
    for path in sorted(glob.glob(os.path.join(here, "matrix_*.py"))):
        module = importlib.import_module(f"tests.{os.path.basename(path)[:-3]}")
        for resource, by_role in module.EXPECTED.items():
            target = merged.setdefault(resource, {})
            for role, perms in by_role.items():
                target.setdefault(role, set()).update(perms)
    return merged


def test_every_route_refuses_anonymous_users(app):
    client = app.test_client()
    public = _public_endpoints()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public:
            continue
        methods = rule.methods & {"GET", "POST", "PUT", "DELETE"}
        for method in sorted(methods):
            url = _fill(rule)
            response = client.open(url, method=method)
            checked += 1
            if url.startswith("/api/"):
                assert response.status_code in (401, 403, 405), (method, url, response.status_code)
            else:
                assert response.status_code in (302, 401, 403, 400), (
                    method,
                    url,
                    response.status_code,
                )
                if response.status_code == 302 and not rule.endpoint.endswith(
                    (".action", ".action_post")
                ):
                    # FAB's own action routes refuse GET (CSRF) or deny with a
                    # redirect back; everything else must send to the login page.
                    assert "/login/" in response.headers["Location"], (method, url)
    assert checked > 50


def test_every_view_method_has_a_permission(app):
    """Superset-style: an exposed method without a permission is an open door."""
    from flask_appbuilder.api import BaseApi

    public = _public_endpoints()
    allowed_unprotected = {
        "LookupView",
        "HomeView",
        "IndexView",
        "AuthDBView",
        "LocaleView",
        "UtilView",
        "SecurityApi",
        "MenuApi",
    }
    exposed = 0
    for view in app.appbuilder.baseviews:
        name = view.__class__.__name__
        if name in allowed_unprotected or any(e.startswith(name + ".") for e in public):
            continue
        for attr in dir(view):
            method = getattr(view, attr, None)
            if not callable(method) or not hasattr(method, "_urls"):
                continue
            if isinstance(view, BaseApi) and attr in ("info", "related"):
                continue
            assert hasattr(method, "_permission_name") or attr in ("action", "action_post"), (
                f"{name}.{attr} is exposed without a permission"
            )
            exposed += 1
    # FAB marks exposed methods with ``_urls`` (its @expose); if that changed,
    # the walk above would check nothing and pass.
    assert exposed > 300, f"only {exposed} exposed methods found: did FAB's @expose change?"


def _registered_pairs(app) -> set[tuple[str, str]]:
    with app.app_context():
        sm = app.appbuilder.sm
        pairs = set()
        for pv in (
            sm.get_session.query(sm.permissionview_model).all()
            if hasattr(sm, "get_session")
            else app.appbuilder.session.query(sm.permissionview_model).all()
        ):
            if pv.permission and pv.view_menu:
                pairs.add((pv.permission.name, pv.view_menu.name))
        return pairs


def test_role_matrix_matches_design(app):
    expected = _expected_tables()
    pairs = _registered_pairs(app)
    resources = {view for perm, view in pairs if perm != "menu_access"}
    # FAB stores the builtin-role regexes as junk view names ("^(?:...)$"): ignore those.
    resources = {r for r in resources if not r.startswith("^") and r != ".*"}
    missing = sorted(r for r in resources if r not in expected)
    assert not missing, f"resources without an entry in tests/matrix_*.py: {missing}"

    with app.app_context():
        sm = app.appbuilder.sm
        mismatches = []
        for role_name in roles.ALL_ROLES:
            role = sm.find_role(role_name)
            for perm, view in sorted(pairs):
                if perm == "menu_access" or view not in expected:
                    continue
                has = sm._has_access_builtin_roles(role, perm, view)
                should = role_name == roles.ADMIN or perm in expected[view].get(role_name, set())
                if has != should:
                    mismatches.append(f"{role_name}: {perm} on {view}: has={has} expected={should}")
        assert not mismatches, "\n".join(mismatches)


def test_expected_permissions_exist(app):
    """A permission in the tables that the app never registers is a typo (Superset caveat)."""
    pairs = _registered_pairs(app)
    unknown = []
    for resource, by_role in _expected_tables().items():
        for role, perms in by_role.items():
            for perm in perms:
                if (perm, resource) not in pairs:
                    unknown.append(f"{role}: {perm} on {resource}")
    assert not unknown, "\n".join(unknown)


@pytest.mark.parametrize("role_name", roles.PORTAL_ROLES)
def test_menu_shows_only_permitted_categories(app, client_as, role_name):
    username = {
        roles.MINISTRY: "ministry",
        roles.REGIONAL_ADMIN: "lviv",
        roles.TRAINER: "trainer",
        roles.CASE_WORKER: "caseworker",
        roles.AUDITOR: "auditor",
    }[role_name]
    html = client_as(username).get("/").text
    assert "Безпека" not in html, "only the administrator administers users"
    assert ("Журнал аудиту" in html) == (role_name == roles.AUDITOR)


def test_menu_permissions_survive_a_restart_unchanged(app, tmp_path_factory):
    """FAB's menu sync adds ``menu_access`` on a menu item's name, which is the
    resource's name here; FAB's view sync used to delete it again at every start
    (so a role kept in the database could not be given a register's menu item,
    and four gunicorn workers starting at once logged duplicate-key errors).
    A second app on the same database changes none of the permission rows."""
    from app import create_app

    from .conftest import TEST_CONFIG

    def snapshot(an_app):
        with an_app.app_context():
            sm = an_app.appbuilder.sm
            return {
                (pv.permission.name, pv.view_menu.name): pv.id
                for pv in an_app.appbuilder.session.query(sm.permissionview_model)
            }

    before = snapshot(app)
    for resource in ("Oblast", "Provider", "Centre", "Case"):
        assert ("menu_access", resource) in before, resource
    again = create_app(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **TEST_CONFIG)
    after = snapshot(again)
    with again.app_context():
        db.session.remove()
        db.engine.dispose()
    assert after == before
