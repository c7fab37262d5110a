"""List pages on big registers: bounded count, bounded depth, light row markup,
and the cached navigation menu (app/common/listing.py, app/common/fragments.py)."""

import contextlib
import re

import pytest
from sqlalchemy import func, select

from app.common.listing import BoundedCountInterface
from app.extensions import db
from app.geography.models import Hromada

from .conftest import count_queries, visible_text
from .test_centers_fixtures import base_data


def _view(app, name):
    return next(v for v in app.appbuilder.baseviews if v.__class__.__name__ == name)


@contextlib.contextmanager
def capped(app, cap):
    """HromadaView (1,772 rows) counted with a small cap for the test."""
    view = _view(app, "HromadaView")
    original = view.datamodel
    view.datamodel = BoundedCountInterface(Hromada, count_cap=cap)
    try:
        yield view
    finally:
        view.datamodel = original


def _row_ids(html):
    return re.findall(r'<a href="/hromadaview/show/(\d+)', html)


def test_count_stops_at_the_cap_and_says_more_than(app, client_as):
    client = client_as("admin")
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Hromada))
    assert total > 1000
    with capped(app, 100):
        with count_queries(app) as statements:
            html = client.get("/hromadaview/list/").text
    text = visible_text(html)
    assert "більше 100" in text
    assert str(total) not in text
    count_sql = [s for s in statements if "count(" in s.lower()]
    assert count_sql and all("LIMIT" in s.upper() for s in count_sql), count_sql
    # Without the cap the exact number is shown.
    assert str(total) in visible_text(client.get("/hromadaview/list/").text)


def test_exact_count_below_the_cap(app, client_as):
    client = client_as("admin")
    with capped(app, 100):
        text = visible_text(client.get("/hromadaview/list/?_flt_0_code=UA46").text)
    with app.app_context():
        expected = db.session.scalar(select(func.count()).select_from(Hromada).where(
            Hromada.code.like("UA46%")))
    assert 0 < expected <= 100
    assert re.search(rf"Кількість записів:\s*{expected}\b", text), text[:400]


def test_pages_past_the_cap_show_the_last_page_within_it(app, client_as):
    client = client_as("admin")
    with capped(app, 100):
        last = client.get("/hromadaview/list/?psize_HromadaView=25&page_HromadaView=3").text
        deep = client.get("/hromadaview/list/?psize_HromadaView=25&page_HromadaView=40")
    assert deep.status_code == 200
    assert _row_ids(deep.text) == _row_ids(last) and len(_row_ids(last)) == 25
    assert "Гортати можна лише перші 100" in visible_text(deep.text)
    assert "Гортати можна" not in visible_text(last)


def test_page_size_is_bounded(app, client_as):
    client = client_as("admin")
    html = client.get("/hromadaview/list/?psize_HromadaView=100000").text
    assert len(_row_ids(html)) == 100


@pytest.fixture(scope="module")
def centres(app):
    return base_data(app)


@pytest.mark.parametrize("username, can_delete", [("admin", True), ("auditor", False)])
def test_row_links_lead_to_the_records(app, centres, client_as, username, can_delete):
    ids = centres
    client = client_as(username)
    html = client.get("/centreview/list/").text
    show_links = re.findall(r'href="/centreview/show/(\d+)"', html)
    assert {str(ids["c_lviv"]), str(ids["c_if"])} <= set(show_links)
    for pk in show_links:
        assert client.get(f"/centreview/show/{pk}").status_code == 200
    deletes = re.findall(r'data-portal-delete="/centreview/delete/(\d+)"', html)
    assert (sorted(deletes) == sorted(show_links)) if can_delete else not deletes
    assert "<script" not in html.split("<tbody", 1)[-1].split("</table>", 1)[0]


def test_menu_is_cached_per_role_not_per_user(app, client_as):
    admin_menu = client_as("admin").get("/").text
    auditor_menu = client_as("auditor").get("/").text
    # Users (the security menu) is the administrator's, never the auditor's,
    # whichever of them rendered the menu first.
    assert "/users/list/" in admin_menu
    assert "/users/list/" not in auditor_menu
    assert "/users/list/" in client_as("admin").get("/").text
    assert ("Аудитор",) in {key[2] for key in app.extensions["portal_fragments"]}


def test_menu_of_a_database_role_is_not_cached(app):
    from flask import g

    from app.common.fragments import _roles_key

    class Role:
        def __init__(self, name):
            self.name = name

    class User:
        is_authenticated = True
        groups = []

        def __init__(self, *names):
            self.roles = [Role(n) for n in names]

    with app.test_request_context("/"):
        builtin = next(iter(app.appbuilder.sm.builtin_roles))
        g.user = User(builtin)
        assert _roles_key() == (builtin,)
        g.user = User(builtin, "Роль із бази даних")
        assert _roles_key() is None
