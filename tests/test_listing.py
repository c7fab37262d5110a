"""List pages on big registers: bounded count, bounded depth, light row markup,
and the cached navigation menu (app/common/listing.py, app/common/fragments.py)."""

import contextlib
import json
import re

import pytest
from sqlalchemy import func, select

from app import cache
from app.common.listing import BoundedCountInterface
from app.extensions import db
from app.geography.models import Hromada
from app.security import roles

from .conftest import count_queries, login, visible_text
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
        expected = db.session.scalar(
            select(func.count()).select_from(Hromada).where(Hromada.code.like("UA46%"))
        )
    assert 0 < expected <= 100
    assert re.search(rf"Кількість записів:\s*{expected}\b", text), text[:400]


def _raion_prefix_with(app, low, high):
    """A raion code prefix (``UA4606``) with between ``low`` and ``high`` hromadas."""
    from collections import Counter

    with app.app_context():
        counts = Counter(code[:6] for code in db.session.scalars(select(Hromada.code)))
    return next((prefix, n) for prefix, n in sorted(counts.items()) if low <= n <= high)


def test_a_page_that_is_not_full_is_counted_from_its_rows(app, client_as):
    client = client_as("admin")
    prefix, expected = _raion_prefix_with(app, 3, 24)
    url = f"/hromadaview/list/?_flt_0_code={prefix}"
    with capped(app, 10_000):
        with count_queries(app) as statements:
            text = visible_text(client.get(url).text)
        assert not _count_statements(statements), statements
        assert re.search(rf"Кількість записів:\s*{expected}\b", text), text[:400]
        # The same search two rows a page: pages are full, so it is counted, and
        # the last page (not full) counts from its rows again.
        with count_queries(app) as statements:
            text = visible_text(client.get(f"{url}&psize_HromadaView=2").text)
        assert len(_count_statements(statements)) == 1
        assert re.search(rf"Кількість записів:\s*{expected}\b", text)
        last = (expected - 1) // 2
        with count_queries(app) as statements:
            html = client.get(f"{url}&psize_HromadaView=2&page_HromadaView={last}").text
        assert len(_row_ids(html)) == expected - 2 * last
        assert bool(_count_statements(statements)) == (expected % 2 == 0)
        assert re.search(rf"Кількість записів:\s*{expected}\b", visible_text(html))
        # A page past the end has no rows to count from: the count is asked.
        with count_queries(app) as statements:
            html = client.get(f"{url}&psize_HromadaView=2&page_HromadaView={last + 5}").text
        assert len(_count_statements(statements)) == 1
        assert re.search(rf"Кількість записів:\s*{expected}\b", visible_text(html))


def test_pages_past_the_cap_show_the_last_page_within_it(app, client_as):
    client = client_as("admin")
    with capped(app, 100):
        last = client.get("/hromadaview/list/?psize_HromadaView=25&page_HromadaView=3").text
        deep = client.get("/hromadaview/list/?psize_HromadaView=25&page_HromadaView=40")
    assert deep.status_code == 200
    assert _row_ids(deep.text) == _row_ids(last) and len(_row_ids(last)) == 25
    assert "Гортати можна лише перші 100" in visible_text(deep.text)
    assert "Гортати можна" not in visible_text(last)


@contextlib.contextmanager
def count_memo(app, seconds):
    previous = app.config["LIST_COUNT_CACHE_SECONDS"]
    app.config["LIST_COUNT_CACHE_SECONDS"] = seconds
    try:
        yield
    finally:
        app.config["LIST_COUNT_CACHE_SECONDS"] = previous


def _count_statements(statements):
    return [s for s in statements if "count(" in s.lower()]


def test_more_than_the_cap_is_remembered_per_user_and_search(app, client_as):
    admin, ministry = client_as("admin"), client_as("ministry")
    with capped(app, 100), count_memo(app, 60):
        admin.get("/hromadaview/list/?_flt_0_code=UA")  # counted: more than 100
        with count_queries(app) as statements:
            pages = [
                admin.get("/hromadaview/list/?_flt_0_code=UA"),
                admin.get("/hromadaview/list/?_flt_0_code=UA&page_HromadaView=2"),
                admin.get(
                    "/hromadaview/list/?_flt_0_code=UA&_oc_HromadaView=title&_od_HromadaView=asc"
                ),
            ]
        assert not _count_statements(statements), statements
        assert all("більше 100" in visible_text(p.text) for p in pages)
        # Another user, another search, an exact count: each counts for itself.
        for client, url in (
            (ministry, "/hromadaview/list/?_flt_0_code=UA"),
            (admin, "/hromadaview/list/?_flt_0_code=UA4"),
            (admin, "/hromadaview/list/?_flt_0_code=UA46"),
            (admin, "/hromadaview/list/?_flt_0_code=UA46"),
        ):
            with count_queries(app) as statements:
                text = visible_text(client.get(url).text)
            assert len(_count_statements(statements)) == 1, url
        assert "більше 100" not in text  # UA46: exact, and counted again each time


def test_remembered_count_expires(app, client_as):
    from app import clock

    client = client_as("admin")
    with capped(app, 100), count_memo(app, 30), clock.frozen() as held:
        client.get("/hromadaview/list/")
        held.advance(29)
        with count_queries(app) as statements:
            client.get("/hromadaview/list/")
        assert _count_statements(statements) == []  # still remembered
        held.advance(2)
        with count_queries(app) as statements:
            client.get("/hromadaview/list/")
    assert len(_count_statements(statements)) == 1


def test_page_links_keep_the_search_and_replace_one_argument(app, client_as):
    client = client_as("admin")
    html = client.get(
        "/hromadaview/list/?_flt_0_code=UA&page_HromadaView=2"
        "&_oc_HromadaView=title&_od_HromadaView=asc"
    ).text
    pager = html[html.index('<ul class="pagination') :]
    pager = pager[: pager.index("</ul>")]
    pages = re.findall(r'href="(/hromadaview/list/\?[^"]+)"', pager)
    assert len(pages) >= 6, pager
    for link in pages:
        args = link.split("?", 1)[1].split("&amp;")
        assert "_flt_0_code=UA" in args and "_oc_HromadaView=title" in args
        assert sum(a.startswith("page_HromadaView=") for a in args) == 1
    # The page numbers around page 3 (index 2), FAB's window of seven.
    assert re.search(r'<li class="active"><a href="#">3</a></li>', html)
    assert "page_HromadaView=0" in html and "page_HromadaView=3" in html
    sizes = re.findall(r"psize_HromadaView=(\d+)", html)
    assert sizes == ["25", "50", "75", "100"]
    # The sorted column flips to descending; the others link too.
    title = re.search(r'<th><a href="([^"]+)">[^<]*<i class="fa fa-chevron-up', html)
    assert title and "_od_HromadaView=desc" in title.group(1)


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


def test_cached_layout_scripts_carry_each_pages_own_nonce(app, client_as):
    client = client_as("admin")
    seen = set()
    for _ in range(2):
        response = client.get("/hromadaview/list/")
        policy = response.headers["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        scripts = re.findall(r'<script src="[^"]+" nonce="([^"]*)"', response.text)
        assert len(scripts) >= 8 and set(scripts) == {nonce}
        assert "__portal_csp_nonce__" not in response.text
        seen.add(nonce)
    assert len(seen) == 2


def test_menu_is_cached_per_role_not_per_user(app, client_as):
    admin_menu = client_as("admin").get("/").text
    auditor_menu = client_as("auditor").get("/").text
    # Users (the security menu) is the administrator's, never the auditor's,
    # whichever of them rendered the menu first.
    assert "/users/list/" in admin_menu
    assert "/users/list/" not in auditor_menu
    assert "/users/list/" in client_as("admin").get("/").text
    from app.common.fragments import fragment_store

    with app.app_context():
        assert fragment_store().get(("navbar-menu", "uk", ("Аудитор",))) is not None
        assert fragment_store().get(("navbar-menu", "uk", ("Нікому",))) is None


def test_menu_of_a_database_role_is_not_cached(app):
    from flask import g

    from app.common.fragments import roles_key

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
        assert roles_key() == (builtin,)
        g.user = User(builtin, "Роль із бази даних")
        assert roles_key() is None


def test_permission_of_a_database_role_is_asked_every_time(app, client_as):
    """Answers for built-in roles are remembered for the process; a role kept
    in the database is edited at run time and must take effect at once."""
    from app.cli import create_user

    sm = app.appbuilder.sm
    with app.app_context():
        role = sm.add_role("Роль для перевірки прав")
        create_user("dbrole", "Db-Role-Password-2025!", role.name, oblast_code=None)
    client = app.test_client()
    login(client, "dbrole", "Db-Role-Password-2025!")
    assert client.get("/hromadaview/list/").status_code != 200
    with app.app_context():
        role = sm.find_role("Роль для перевірки прав")
        grant = sm.add_permission_view_menu("can_read", "Hromada")
        sm.add_permission_role(role, grant)
    assert client.get("/hromadaview/list/").status_code == 200
    with app.app_context():
        role = sm.find_role("Роль для перевірки прав")
        sm.del_permission_role(role, sm.find_permission_view_menu("can_read", "Hromada"))
    assert client.get("/hromadaview/list/").status_code != 200
    # A built-in role's answers are remembered, never a database role's.
    client_as("admin").get("/hromadaview/list/")
    remembered = {names for names, _perm, _view in sm._builtin_access}
    assert (roles.ADMIN,) in remembered
    assert not any("Роль для перевірки прав" in names for names in remembered)


# --------------------------------------------------------------------------- provider filter
def _search_form_fields(html) -> dict:
    """The filter fields FAB's search widget hands to its script (as JSON)."""
    decoder = json.JSONDecoder()
    rest = html[html.index("new AdminFilters(") :]
    _labels, end = decoder.raw_decode(rest, rest.index("{"))
    fields, _end = decoder.raw_decode(rest, rest.index("{", end))
    return fields


@pytest.fixture(scope="module")
def world_cases(app):
    from .test_cases_world import make_world, new_case

    ids = make_world(app)
    return ids, [new_case(app, "caseworker") for _ in range(3)] + [new_case(app, "cw_b")]


def test_case_list_filters_by_provider_with_a_searched_picker(app, world_cases, client_as):
    ids, cases = world_cases
    client = client_as("admin")
    url = f"/caseview/list/?_flt_0_provider={ids['A']}&psize_CaseView=100"
    with count_queries(app) as statements:
        html = client.get(url).text
    listed = set(re.findall(r'href="/caseview/show/(\d+)"', html))
    assert listed == {str(c) for c in cases[:3]}
    # The key is compared directly (FAB would load the provider for the filter):
    # the only extra statement is the picker's label of the chosen provider.
    client.get("/caseview/list/?psize_CaseView=100")
    with count_queries(app) as unfiltered:
        client.get("/caseview/list/?psize_CaseView=100")
    assert len(statements) == len(unfiltered) + 1, statements
    # ...and the picker is a server-searched one holding just the chosen provider
    picker = _search_form_fields(html)["provider"]
    assert "portal-ajax-select" in picker and "/lookup/case_filter_provider" in picker
    assert "Надавач A" in picker and "Надавач B" not in picker
    filtered_b = client.get(f"/caseview/list/?_flt_0_provider={ids['B']}").text
    assert filtered_b.count('href="/caseview/show/') == 1
    # The rest of the form comes from the cache; the chosen provider never stays in it.
    assert "Надавач B" in _search_form_fields(filtered_b)["provider"]
    assert "Надавач A" not in _search_form_fields(filtered_b)["provider"]
    unfiltered_form = _search_form_fields(client.get("/caseview/list/").text)
    assert "Надавач" not in unfiltered_form["provider"]
    assert unfiltered_form["status"] == _search_form_fields(filtered_b)["status"]
    assert (
        'href="/caseview/show/'
        not in client.get("/caseview/list/?_flt_0_provider=not-a-number").text
    )


def test_provider_filter_cannot_reach_outside_the_scope(app, world_cases, client_as):
    ids, cases = world_cases
    html = client_as("caseworker").get(f"/caseview/list/?_flt_0_provider={ids['B']}").text
    assert 'href="/caseview/show/' not in html
    # nor does the picker name another provider's organisation
    assert "Надавач B" not in _search_form_fields(html)["provider"]


@contextlib.contextmanager
def objects_only(app):
    """Every list read the FAB way (ORM objects + get_values), not as plain rows."""
    saved = []
    for view in app.appbuilder.baseviews:
        plans = getattr(
            getattr(view, "datamodel", None), "_row_plan", None
        ) and view.datamodel.__dict__.setdefault("_portal_row_plans", {})
        if plans is not None and getattr(view, "list_columns", None):
            key = tuple(view.list_columns)
            saved.append((plans, key, plans.get(key)))
            plans[key] = None
    try:
        yield
    finally:
        for plans, key, plan in saved:
            plans.pop(key, None)
            if plan is not None:
                plans[key] = plan


def _tables(html):
    return re.findall(
        r"<table class=\"table table-bordered table-hover[^\"]*\">.*?</table>", html, re.S
    )


@pytest.mark.parametrize(
    "view_name", ["CaseView", "ProviderView", "CentreView", "AuditLogView", "CaseDeidentifiedView"]
)
def test_plain_rows_render_as_the_portals_orm_object_path_does(
    app, world_cases, centres, client_as, view_name
):
    """Within the portal: a list page read as plain rows (``list_page``) prints the
    same table as the same page read as ORM objects (``objects_only``), both drawn
    by the portal's own widget. It says nothing about FAB's rendering; that is
    tests/test_renders_like_fab.py (the portal's widget against FAB's ListWidget)."""
    view = _view(app, view_name)
    client = client_as("admin" if view_name != "CaseDeidentifiedView" else "ministry")
    url = f"{view.route_base}/list/?psize_{view_name}=100"
    plain = client.get(url).text
    assert view.datamodel._row_plan(tuple(view.list_columns)) is not None
    with objects_only(app):
        fab = client.get(url).text
    assert _tables(plain) and _tables(plain) == _tables(fab)
    assert _tables(plain)[0].count("<tr>") > 2


def test_case_page_tabs_from_plain_rows_render_as_from_orm_objects(app, world_cases, client_as):
    """Within the portal, as above, for the related lists on a case's page."""
    import datetime as dt

    from app.cases.models import CaseStatus

    from .test_cases_world import new_case

    today = dt.date.today()
    case_id = new_case(
        app,
        "caseworker",
        status=CaseStatus.active,
        contacts=[today - dt.timedelta(days=d) for d in (1, 8, 15)],
    )
    client = client_as("caseworker")
    plain = client.get(f"/caseview/show/{case_id}").text
    with objects_only(app):
        fab = client.get(f"/caseview/show/{case_id}").text
    # beneficiary, needs, plan, contacts
    assert len(_tables(plain)) >= 4 and _tables(plain) == _tables(fab)


def test_a_filter_through_a_to_many_relation_takes_fabs_path(app):
    """The deferred join applies the inner filters only; a filter that FAB
    applies in its outer query (a dotted path through a to-many relation)
    must not be dropped, so such a search leaves the bounded path."""
    from flask_appbuilder.models.sqla.filters import FilterEqual

    from app.centers.models import ResilienceCentre

    datamodel = BoundedCountInterface(ResilienceCentre)
    with app.app_context():
        inner = datamodel.get_filters(["status"])
        inner.add_filter("status", FilterEqual, "operating")
        assert datamodel._inner_only(inner)
        outer = datamodel.get_filters(["status"])
        outer.add_filter("history.to_status", FilterEqual, "operating")
        assert not datamodel._inner_only(outer)
        assert datamodel.list_page(outer, "", "", 0, 25, ["name", "status"]) is None


def test_search_form_is_built_only_to_fill_the_cache_or_show_a_chosen_row(
    app, world_cases, client_as
):
    """FAB builds the search form on every list page; here it is built when
    the widget's cached fields are missing or a relation filter is chosen."""
    ids, _cases = world_cases
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "CaseView")
    form_class = view.search_form.form_class
    builds = []
    original = form_class.refresh.__func__

    def counting(cls, obj=None):
        builds.append(cls)
        return original(cls, obj)

    client = client_as("admin")
    client.get("/caseview/list/")  # fills the cache (if no earlier test did)
    form_class.refresh = classmethod(counting)
    try:
        assert client.get("/caseview/list/?_flt_0_status=active").status_code == 200
        assert builds == []
        html = client.get(f"/caseview/list/?_flt_0_provider={ids['A']}").text
        assert len(builds) == 1 and "Надавач A" in _search_form_fields(html)["provider"]
        cache.local.clear()
        assert client.get("/caseview/list/").status_code == 200
        assert len(builds) == 2  # the cache was empty: the form filled it
    finally:
        del form_class.refresh


def _search_widget_html(html: str) -> str:
    start = html.index('<form id="filter_form"')
    end = html.index("</script>", start) + len("</script>")
    return html[start:end]


def test_cached_search_widget_is_the_fresh_rendering_with_this_pages_filters_and_nonce(
    app, world_cases, client_as
):
    """The search widget is cached whole, with marks for the CSP nonce and the
    active filters: each page still gets its own nonce and filters, and the
    markup is what an uncached rendering writes."""
    client = client_as("admin")
    urls = [
        "/caseview/list/?_flt_0_status=active",
        "/caseview/list/?_flt_0_status=closed&_flt_2_number=000",
        "/caseview/list/",
    ]
    cached = []
    for url in urls * 2:
        response = client.get(url)
        nonce = re.search(r'<script nonce="([^"]+)"', response.text).group(1)
        widget = _search_widget_html(response.text)
        assert f'nonce="{nonce}"' in widget and "__portal_" not in widget
        cached.append(widget.replace(nonce, "NONCE"))
    # the last argument of AdminFilters(...): [[column, filter name, [values]]]
    assert cached[0].rstrip().endswith('["active"]]]\n        );\n    })(jQuery);\n\n</script>')
    # (in either order: FAB keeps the filters of its shared view object)
    tail = cached[1][cached[1].rindex("[[") :]
    assert '["number", ' in tail and '["000"]]' in tail and '["closed"]]' in tail
    assert "[]\n        );" in cached[2]
    app.config["PORTAL_FRAGMENT_CACHE"] = False
    try:
        for url, widget in zip(urls, cached):
            response = client.get(url)
            nonce = re.search(r'<script nonce="([^"]+)"', response.text).group(1)
            assert _search_widget_html(response.text).replace(nonce, "NONCE") == widget
    finally:
        app.config["PORTAL_FRAGMENT_CACHE"] = True
    assert cached[:3] == cached[3:]


def test_list_label_sql_is_what_repr_shows(app, world_cases):
    """A model's ``list_label_sql`` stands for its ``__repr__`` on plain-row
    list pages: the same text for every row, short name set, empty or absent."""
    from sqlalchemy import select

    from app.extensions import db
    from app.providers.models import Provider
    from app.security.models import PortalUser

    with app.app_context():
        providers = db.session.scalars(select(Provider).order_by(Provider.id)).all()
        saved = [(p.id, p.short_name) for p in providers[:3]]
        try:
            for provider, short in zip(providers[:3], ["Коротка назва", "", None]):
                provider.short_name = short
            db.session.flush()
            for model in (Provider, PortalUser):
                rows = db.session.execute(
                    select(model, model.list_label_sql(model)).order_by(model.id)
                ).all()
                assert len(rows) >= 3
                assert [repr(obj) for obj, _label in rows] == [label for _obj, label in rows]
            assert {repr(p) for p in providers[:3]} >= {"Коротка назва"}
        finally:
            db.session.rollback()
            assert [
                (p.id, p.short_name)
                for p in db.session.scalars(
                    select(Provider)
                    .where(Provider.id.in_([i for i, _s in saved]))
                    .order_by(Provider.id)
                )
            ] == saved
