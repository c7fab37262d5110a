"""The home-page dashboard: charts per role, numbers equal to direct counts, cheap, offline.

Every chart prints its numbers in a table (``data-chart`` / ``data-bar`` /
``data-series`` / ``data-value``); the tests read those and compare them with
counts made here independently: rows loaded and counted in Python, no GROUP BY.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import select

from app.cases import services as case_services
from app.cases.models import Case, CaseStatus, Programme
from app.centers.models import CentreStatus, ResilienceCentre
from app.demo import LVIV, oblast_id, seed_demo
from app.extensions import db
from app.geography.models import Hromada
from app.providers.models import Provider, ProviderStatus
from app.security.models import PortalUser
from app.selection.models import RoundStatus, SelectionRound
from app.training.models import Attendance, TrainingSession, Workshop, WorkshopStatus

from .conftest import PASSWORD, count_queries, external_urls

ALL_CHARTS = ["centres", "providers", "selection", "workshops", "attendance", "cases", "overdue"]
EXPECTED_CHARTS = {
    "admin": ALL_CHARTS,
    "ministry": ALL_CHARTS,  # cases as aggregates (de-identified register)
    "auditor": ALL_CHARTS,
    "lviv": ["centres", "providers", "selection"],
    "frankivsk": ["centres", "providers", "selection"],
    "trainer": ["providers", "workshops", "attendance"],
    "caseworker": ["centres", "cases", "overdue"],
}
#: Statements for the whole home page (user, roles, groups + one per chart's figures,
#: + the user's own overdue contacts).
MAX_HOME_STATEMENTS = 11
#: Days overdue -> bucket, written out independently of the code's buckets.
BUCKETS = [(1, 7, "1-7"), (8, 14, "8-14"), (15, 30, "15-30"), (31, 10**6, "31+")]


# --------------------------------------------------------------------------- data
def _user(username) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


@pytest.fixture(scope="module", autouse=True)
def data(app):
    """Demo data of every domain, plus active cases of the case worker due on each
    boundary of the overdue buckets (and some of a colleague's and other providers')."""
    with app.app_context():
        list(seed_demo(cases=60, password=PASSWORD, echo=lambda s: None))
        worker = _user("caseworker")
        today = case_services.kyiv_today()
        other_provider = db.session.scalar(
            select(Provider.id).where(
                Provider.status == ProviderStatus.approved, Provider.id != worker.provider_id
            )
        )
        days = [-8, -7, 0, 1, 7, 8, 14, 15, 30, 31, 45]  # days overdue (negative: due ahead)
        for i, late in enumerate(days):
            for j, (provider, assignee) in enumerate(
                [
                    (worker.provider_id, worker.id),
                    (worker.provider_id, None),
                    (other_provider, None),
                ]
            ):
                db.session.add(
                    Case(
                        number=f"ТЕСТ-{i:02d}-{j}",
                        programme=list(Programme)[i % 3],
                        provider_id=provider,
                        assigned_worker_id=assignee,
                        status=CaseStatus.active,
                        opened_on=today - dt.timedelta(days=90),
                        next_contact_due=today - dt.timedelta(days=late),
                    )
                )
        db.session.commit()


def charts(client) -> dict[str, dict[tuple[str, str], Decimal]]:
    """{chart key: {(bar, series): value}} from the tables of the home page."""
    html = client.get("/").text
    found = {}
    for key, body in re.findall(r'<table[^>]*data-chart="(\w+)"[^>]*>(.*?)</table>', html, re.S):
        found[key] = {
            (bar, series): Decimal(value)
            for bar, series, value in re.findall(
                r'data-bar="([^"]*)" data-series="([^"]*)" data-value="([^"]*)"', body
            )
        }
    return found


def cells(chart: dict) -> dict:
    """The chart's cells without its total row and column."""
    return {k: v for k, v in chart.items() if "total" not in k}


# --------------------------------------------------------------------------- expected
def _centres(oblast=None, provider=None, by_raion=False) -> dict:
    rows = db.session.execute(
        select(
            ResilienceCentre.oblast_id,
            ResilienceCentre.provider_id,
            ResilienceCentre.status,
            Hromada.raion_id,
        ).join(Hromada, Hromada.id == ResilienceCentre.hromada_id)
    ).all()
    counts = Counter()
    areas = set()
    for oblast_id_, provider_id, status, raion_id in rows:
        if oblast and oblast_id_ != oblast or provider and provider_id != provider:
            continue
        area = str(raion_id if by_raion else oblast_id_)
        areas.add(area)
        counts[(area, status.name)] += 1
    return {(a, s.name): counts[(a, s.name)] for a in areas for s in CentreStatus}


def _by_status(model, enum, keep=lambda row: True) -> dict:
    counts = Counter(row.status for row in db.session.scalars(select(model)) if keep(row))
    return {(s.name, "count"): counts[s] for s in enum}


def _cases(provider=None) -> dict:
    counts = Counter(
        (c.programme.name, c.status.name)
        for c in db.session.scalars(select(Case))
        if provider is None or c.provider_id == provider
    )
    return {(p.name, s.name): counts[(p.name, s.name)] for p in Programme for s in CaseStatus}


def _overdue(provider=None, worker=None) -> dict:
    today = case_services.kyiv_today()
    counts = Counter()
    for case in db.session.scalars(select(Case)):
        if provider is not None and case.provider_id != provider:
            continue
        if worker is not None and case.assigned_worker_id != worker:
            continue
        # the meeting clock runs in every open stage (issue #20)
        if case.status == CaseStatus.closed or case.next_contact_due is None:
            continue
        late = (today - case.next_contact_due).days
        for low, high, key in BUCKETS:
            if low <= late <= high:
                counts[key] += 1
    return {(key, "count"): counts[key] for _l, _h, key in BUCKETS}


def _training() -> tuple[dict, dict]:
    today = dt.date.today()
    first = today.replace(day=1)
    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    workshops = _by_status(
        Workshop, WorkshopStatus, lambda w: w.start_date <= last and w.end_date >= first
    )
    attended = planned = Decimal(0)
    for hours, session_hours, day in db.session.execute(
        select(Attendance.hours, TrainingSession.hours, TrainingSession.day).join(
            TrainingSession, TrainingSession.id == Attendance.session_id
        )
    ):
        if first <= day <= last:
            attended += hours or 0
            planned += session_hours
    return workshops, {("planned", "hours"): planned, ("attended", "hours"): attended}


# --------------------------------------------------------------------------- tests
@pytest.mark.parametrize("username", sorted(EXPECTED_CHARTS))
def test_each_role_gets_the_charts_its_permissions_allow(client_as, username):
    assert sorted(charts(client_as(username))) == sorted(EXPECTED_CHARTS[username])


def test_national_numbers_equal_direct_counts(app, client_as):
    found = charts(client_as("admin"))
    with app.app_context():
        assert cells(found["centres"]) == _centres()
        assert found["providers"] == _by_status(Provider, ProviderStatus)
        assert found["selection"] == _by_status(SelectionRound, RoundStatus)
        workshops, attendance = _training()
        assert found["workshops"] == workshops
        assert found["attendance"] == attendance
        assert cells(found["cases"]) == _cases()
        assert found["overdue"] == _overdue()  # every overdue contact, not only the admin's
    assert charts(client_as("ministry")) == found
    assert sum(found["overdue"].values()) > 0 and sum(found["attendance"].values()) > 0


def test_regional_admin_numbers_equal_direct_counts(app, client_as):
    found = charts(client_as("lviv"))
    with app.app_context():
        lviv = oblast_id(db.session, LVIV)
        expected = _centres(oblast=lviv, by_raion=True)
        assert cells(found["centres"]) == expected and len({a for a, _s in expected}) > 1
        assert found["providers"] == _by_status(
            Provider, ProviderStatus, lambda p: p.oblast_id == lviv
        )
        assert found["selection"] == _by_status(
            SelectionRound, RoundStatus, lambda r: r.oblast_id in (lviv, None)
        )
        assert sum(found["providers"].values()) < db.session.query(Provider).count()


def test_case_worker_numbers_equal_direct_counts(app, client_as):
    found = charts(client_as("caseworker"))
    with app.app_context():
        worker = _user("caseworker")
        assert cells(found["centres"]) == _centres(provider=worker.provider_id)
        assert cells(found["cases"]) == _cases(provider=worker.provider_id)
        # overdue contacts of the worker's own cases only: one per bucket boundary
        assert found["overdue"] == _overdue(provider=worker.provider_id, worker=worker.id)
        assert found["overdue"] != _overdue(provider=worker.provider_id)
    own_cases = {("1-7", "count"), ("8-14", "count"), ("15-30", "count"), ("31+", "count")}
    assert set(found["overdue"]) == own_cases
    assert all(found["overdue"][k] >= 2 for k in own_cases)


def test_cards_agree_with_charts(client_as):
    html = client_as("caseworker").get("/").text
    found = charts(client_as("caseworker"))
    cards = {
        label.strip(): int(value)
        for value, label in re.findall(
            r'portal-card-number">(\d+)</div>\s*<div class="portal-card-label"><a[^>]*>(.*?)</a>',
            html,
            flags=re.S,
        )
    }
    assert cards["Мої прострочені контакти"] == sum(found["overdue"].values())
    assert cards["Відкриті випадки"] == sum(
        v for (p, s), v in cells(found["cases"]).items() if s != CaseStatus.closed.name
    )
    assert cards["Діючі центри життєстійкості"] == found["centres"][("total", "operating")]


@pytest.mark.parametrize("username", ["admin", "ministry", "lviv", "caseworker", "trainer"])
def test_every_chart_link_opens_a_permitted_list(client_as, username):
    client = client_as(username)
    html = client.get("/").text
    links = set()
    for figure in re.findall(r'<figure class="portal-chart.*?</figure>', html, re.S):
        links |= {unescape(u) for u in re.findall(r'href="([^"]+)"', figure)}
    assert links or username == "trainer"
    for url in sorted(links):
        assert url.startswith("/"), url
        assert client.get(url).status_code == 200, url


def _record_count(client, url) -> int:
    text = re.sub(r"<[^>]+>", " ", client.get(url).text)
    return int(re.search(r"Кількість записів:\s*(\d+)", text).group(1))


def test_links_show_the_counted_records(client_as):
    client = client_as("caseworker")
    html = unescape(client.get("/").text)
    found = charts(client)
    programme, status = "servicemen", "active"
    url = f"/caseview/list/?_flt_0_programme={programme}&_flt_0_status={status}"
    assert url in html
    assert _record_count(client, url) == found["cases"][(programme, status)] > 0
    overdue = re.search(r'href="(/cases/overdue/list/\?[^"]+)"[^>]*>8–14', html).group(1)
    assert _record_count(client, overdue) == found["overdue"][("8-14", "count")] > 0
    lviv = client_as("lviv")
    assert (
        _record_count(lviv, "/providerview/list/?_flt_0_status=approved")
        == charts(lviv)["providers"][("approved", "count")]
    )


def test_de_identified_readers_get_no_link_to_personal_lists(client_as):
    for username in ("ministry", "auditor"):
        html = client_as(username).get("/").text
        assert "/caseview/" not in html and "/cases/overdue/" not in html
        assert "/casedeidentifiedview/list/?_flt_0_programme=family" in html


@pytest.mark.parametrize(
    "username,bound",
    [("admin", MAX_HOME_STATEMENTS), ("lviv", 6), ("caseworker", 8), ("trainer", 6)],
)
def test_home_page_statements_are_bounded(app, client_as, username, bound):
    client = client_as(username)
    client.get("/")
    with count_queries(app) as statements:
        assert client.get("/").status_code == 200
    assert len(statements) <= bound, "\n".join(statements)


def test_charts_are_offline_and_accessible(client_as):
    response = client_as("admin").get("/")
    html = response.text
    csp = response.headers["Content-Security-Policy"]
    assert "http" not in csp and "default-src 'self'" in csp
    assert external_urls(html) == [], "no external origin"
    assert "google" not in html.lower() and "chart.js" not in html.lower()
    figures = re.findall(r'<figure class="portal-chart.*?</figure>', html, re.S)
    assert len(figures) == len(ALL_CHARTS)
    for figure in figures:
        assert "<figcaption" in figure and "<details" in figure
        assert re.search(r"<caption[^>]*>[^<]+</caption>", figure)
        assert "<script" not in figure
    # Ukrainian labels of the statuses and programmes
    for label in ("Працює", "Затверджено", "Оцінювання", "Супровід військовослужбовців"):
        assert label in html


def test_user_without_scope_gets_no_charts(app, client_as):
    from app.cli import create_user
    from app.security import roles

    with app.app_context():
        create_user("lost", PASSWORD, roles.REGIONAL_ADMIN, first_name="Lost", last_name="Тест")
    assert charts(client_as("lost")) == {}


#: What the probe figures below computed: (value, thread name).
PROBE_CALLS: list = []
PROBE_NEXT: dict = {}
#: name -> threading.Event a refresh thread waits for before computing.
PROBE_HOLD: dict = {}


def probe_figure(scope, name):
    """A shared figure's recipe for the tests (module-level: the warm index
    keeps it by name). Returns ``PROBE_NEXT[name]`` and notes the call; a
    figure named "slow" reports that it took 25 ms (over the keep-warm bar)."""
    import threading
    import time

    if name == "slow":
        time.sleep(0.025)
    if name in PROBE_HOLD and threading.current_thread() is not threading.main_thread():
        assert PROBE_HOLD[name].wait(5)
    PROBE_CALLS.append((PROBE_NEXT[name], threading.current_thread().name))
    return PROBE_NEXT[name]


@pytest.fixture
def figures(app):
    """Shared figures on (60 s), an empty cache and a held clock."""
    from app import cache, clock

    PROBE_CALLS.clear()
    PROBE_NEXT.clear()
    PROBE_HOLD.clear()
    cache.clear_all()
    app.config.update(DASHBOARD_CACHE_SECONDS=60, DASHBOARD_KEEP_WARM_SECONDS=1800)
    try:
        with clock.frozen() as held:
            yield held
    finally:
        app.config.update(DASHBOARD_CACHE_SECONDS=0, DASHBOARD_KEEP_WARM_SECONDS=1800)
        cache.clear_all()


def _figure(app, scope, name, value):
    from app.home import shared_figure

    PROBE_NEXT[name] = value
    with app.test_request_context("/"):
        return shared_figure(scope, probe_figure, name)


def test_shared_figures_are_kept_per_scope_for_the_configured_time(app, client_as, figures):
    """With DASHBOARD_CACHE_SECONDS on, the scope's counts are computed once and
    shared; another scope gets its own; per-user figures are not shared."""
    from app import cache
    from app.security.scope import UserScope

    national = UserScope(user_id=1, national=True)
    other_user = UserScope(user_id=2, national=True)
    lviv = UserScope(user_id=3, oblast_id=13)
    assert _figure(app, national, "probe", "a") == "a"
    # the same reach, another user, another request: served from the cache
    assert _figure(app, other_user, "probe", "b") == "a"
    assert _figure(app, lviv, "probe", "c") == "c"
    # a community editor's scope is its own reach, not the "no scope" one
    community = UserScope(user_id=4, hromada_id=7)
    assert _figure(app, UserScope(user_id=5), "probe", "none") == "none"
    assert _figure(app, community, "probe", "community") == "community"
    figures.advance(59)
    assert _figure(app, national, "probe", "d") == "a"  # still fresh
    assert [value for value, _thread in PROBE_CALLS] == ["a", "c", "none", "community"]
    cache.clear_all()
    assert _figure(app, national, "probe", "e") == "e"
    # A cached dashboard still shows the user's own overdue contacts, fresh.
    client = client_as("caseworker")
    client.get("/")
    with count_queries(app) as statements:
        assert client.get("/").status_code == 200
    assert any("assigned_worker_id" in s for s in statements)


def test_a_just_expired_figure_is_served_while_the_next_is_computed_in_the_background(app, figures):
    """The first user after expiry is not kept waiting: the expired figure is
    served and the next one computed once, on the refresh thread; a figure
    older than another DASHBOARD_CACHE_SECONDS is computed in the request."""
    import threading

    from app.home import wait_for_refreshes
    from app.security.scope import UserScope

    scope = UserScope(user_id=1, national=True)
    assert _figure(app, scope, "swr", "first") == "first"
    figures.advance(61)  # expired, but less than another lifetime ago
    PROBE_HOLD["swr"] = threading.Event()  # the refresh waits until released
    assert _figure(app, scope, "swr", "second") == "first"
    assert _figure(app, scope, "swr", "third") == "first"  # one refresh queued
    PROBE_HOLD["swr"].set()
    wait_for_refreshes(app)
    # one refresh for both requests (it computed what the probe held by then)
    assert [value for value, _thread in PROBE_CALLS] == ["first", "third"]
    assert PROBE_CALLS[1][1].startswith("portal-figures")
    assert _figure(app, scope, "swr", "fourth") == "third"
    figures.advance(121)  # older than twice the lifetime: computed in the request
    assert _figure(app, scope, "swr", "fifth") == "fifth"
    assert PROBE_CALLS[-1][1] == threading.current_thread().name


def test_a_slow_figure_that_is_read_is_kept_warm_and_a_cheap_one_is_not(app, figures):
    """A slow figure read recently is recomputed before it expires
    (:func:`refresh_due_figures`, the tick of beat's task or of the embedded
    thread): a scope idle for longer than twice the lifetime is still served
    at once, not computed in the request. A cheap figure is not kept warm,
    and a slow one not read within the keep-warm time is let go."""
    import threading

    from app import cache
    from app.home import WARM_INDEX, refresh_due_figures
    from app.security.scope import UserScope

    scope = UserScope(user_id=1, national=True)
    me = threading.current_thread().name
    assert _figure(app, scope, "slow", 1) == 1
    assert _figure(app, scope, "cheap", "c1") == "c1"
    with app.app_context():
        warm = cache.fresh_value(cache.shared, WARM_INDEX)
        assert [recipe.args for recipe in warm.values()] == [("slow",)]
        assert refresh_due_figures(app) == 0  # fresh for another 60 s: nothing due
        for _tick in range(8):  # 8 quarter-lifetimes pass with nobody reading
            figures.advance(15)
            PROBE_NEXT["slow"] += 1
            refresh_due_figures(app)
    refreshed = [value for value, thread in PROBE_CALLS if thread == me and value != "c1"]
    assert len(refreshed) > 1  # recomputed off the request, at the ticks
    PROBE_CALLS.clear()
    # served at once: the last figure a tick computed, 120 s after the first read
    assert _figure(app, scope, "slow", "never") == refreshed[-1]
    assert _figure(app, scope, "cheap", "c2") == "c2"  # expired: computed in the request
    assert [value for value, _thread in PROBE_CALLS] == ["c2"]
    # Nobody reads it for longer than the keep-warm time: it is let go.
    app.config["DASHBOARD_KEEP_WARM_SECONDS"] = 100
    figures.advance(16)  # a read is marked at most every quarter lifetime
    _figure(app, scope, "slow", "x")  # the read mark now lives 100 s
    figures.advance(101)
    PROBE_CALLS.clear()
    with app.app_context():
        assert refresh_due_figures(app) == 0
        assert cache.fresh_value(cache.shared, WARM_INDEX) == {}
    assert PROBE_CALLS == []


def test_shared_figures_live_in_redis_for_every_host(app, figures):
    """With CACHE_REDIS_URL set, a figure computed by one process (a worker's
    refresh, another web host) is served by another: two apps, one Redis."""
    import redis

    from app import cache
    from app.security.scope import UserScope

    url = "redis://127.0.0.1:6379/9"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    from flask_caching import Cache

    host_a, host_b = Cache(), Cache()
    settings = {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": url,
        "CACHE_KEY_PREFIX": "opora-test:",
    }
    scope = UserScope(user_id=1, national=True)
    host_a.init_app(app, config=settings)
    host_b.init_app(app, config=settings)
    previous = cache.shared
    try:
        host_a.clear()
        cache.shared = host_a
        assert _figure(app, scope, "probe", "from A") == "from A"
        cache.shared = host_b
        assert _figure(app, scope, "probe", "from B") == "from A"
        assert len(PROBE_CALLS) == 1
    finally:
        cache.shared = previous
        host_a.clear()


def test_chart_html_is_rendered_once_per_content_and_language(app):
    """A chart's HTML is remembered by its whole content and the language:
    the same figures give the same rendering; a changed number or another
    language renders anew (nothing stale is shown)."""
    from flask import session
    from flask_babel import refresh

    from app.home import Bar, Chart, Series, chart_html

    def chart(count):
        return Chart(
            key="t",
            title="Тест",
            series=[Series("n", "Кількість")],
            bars=[Bar("a", "Львівська", {"n": count}, url="/x?a=1")],
        )

    renders = []
    with app.test_request_context("/"):
        environment = app.jinja_env
        get_template = environment.get_template
        environment.get_template = lambda name, *a, **k: (
            renders.append(name) or get_template(name, *a, **k)
        )
        try:
            first = chart_html(chart(7))
            assert chart_html(chart(7)) == first  # the remembered rendering...
            assert renders == ["portal/charts.html"]  # ...not rendered again
            assert 'data-value="7"' in first
            changed = chart_html(chart(8))
            assert len(renders) == 2 and 'data-value="8"' in changed
        finally:
            del environment.get_template
        session["locale"] = "en"
        refresh()
        english = chart_html(chart(7))
        assert english != first and "Numbers as a table" in english
        assert "Дані у вигляді таблиці" in first and "Дані у вигляді таблиці" not in english


# --------------------------------------------------------------------------- cards
CARD = re.compile(
    r'<div class="portal-card-number">([^<]*)</div>\s*'
    r'<div class="portal-card-label"><a href="([^"]+)">([^<]+)</a>'
)
LIST_COUNT = re.compile(r"Кількість записів:</strong>\s*([\d\u00a0 ]+)")


@pytest.mark.parametrize(
    "username", ["admin", "ministry", "lviv", "trainer", "caseworker", "auditor"]
)
def test_every_card_counts_what_its_list_shows(app, client_as, username):
    """A card's number is the number of rows of the list it opens (the outside
    test saw 1 round against 2 listed, 5 workshops against 10, 229 open cases
    against 300)."""
    import html as html_lib

    client = client_as(username)
    page = client.get("/")
    cards = [
        (html_lib.unescape(n).replace("\u00a0", "").strip(), html_lib.unescape(u), label)
        for n, u, label in CARD.findall(page.text)
    ]
    assert cards, f"{username} sees no card with a list"
    for number, url, label in cards:
        listed = client.get(url)
        assert listed.status_code == 200, (username, label, url)
        found = LIST_COUNT.search(listed.text)
        shown = int(re.sub(r"\D", "", found.group(1))) if found else 0
        if not found:
            assert "Записів не знайдено" in listed.text, (username, label, url)
        assert shown == int(number), (username, label, url, number, shown)


def test_each_role_sees_the_cards_of_its_own_work_first(client_as):
    def labels(username):
        page = client_as(username).get("/").text
        return [
            html_label.strip()
            for html_label in re.findall(
                r'<div class="portal-card-label">(?:<a [^>]*>)?([^<]+)', page
            )
        ]

    assert "Надавачі, що очікують затвердження" not in labels("trainer")
    worker = labels("caseworker")
    assert "Надавачі, що очікують затвердження" not in worker
    assert worker[:2] == ["Мої прострочені контакти", "Мої контакти на найближчі 7 днів"], worker
    assert "Надавачі, що очікують затвердження" in labels("ministry")
    assert "Надавачі, що очікують затвердження" in labels("lviv")
