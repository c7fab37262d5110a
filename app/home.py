"""Home page: a greeting for guests; counters and charts of their scope for users.

Each domain may contribute a dashboard, ``app/<domain>/dashboard.py``,
registered by the domain's ``register()`` with :func:`register_dashboard`
(the home page imports no domain):

* ``home_cards(scope) -> list[dict]``: counters ``{"label", "value", "url"}``;
* ``home_charts(scope) -> list[Chart]``: bar charts (:class:`Chart`, built
  with :func:`enum_chart` or :func:`stacked_chart`).

Rules for both: check the permission the domain's list views check (a role
that cannot read a resource gets neither its cards nor its charts); restrict
every statement with :func:`~app.security.scope.scoped`; keep the page cheap:
one grouped statement (GROUP BY) per chart, never one per row. A domain's
cards and charts share their statements through :func:`per_request`
(:func:`grouped_counts` does both for the common case; :func:`can_read` is
the permission check).

Counts over the big registers read up to a million index entries (~50-100 ms
each on SQLite): :func:`shared_figure` keeps such figures for
``DASHBOARD_CACHE_SECONDS`` (default 60; 0 turns it off), per scope, shared
by every user of that scope (in the cache's ``shared`` region, :mod:`app.cache`:
this process's memory, or Redis for every host), and keeps the slow ones warm
off the request (beat's task on a worker, or a thread here). Per-user figures
("my overdue contacts") are never shared.

Charts are rendered on the server as HTML/CSS bars
(``templates/portal/charts.html``): no JavaScript library, no external origin
(the CSP forbids both and the servers may be offline), every chart's numbers
also as a table.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from flask import current_app, g, has_request_context
from flask_appbuilder import IndexView, expose
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select

from . import cache, clock
from .extensions import get_app, get_appbuilder
from .security.scope import UserScope, current_scope, scoped

#: Colour-blind-safe colours (Paul Tol's "muted" scheme, a grey and the state blue).
COLOURS = {
    "indigo": "#332288",
    "cyan": "#88ccee",
    "teal": "#44aa99",
    "green": "#117733",
    "olive": "#999933",
    "sand": "#ddcc77",
    "rose": "#cc6677",
    "wine": "#882255",
    "purple": "#aa4499",
    "grey": "#767676",
    "dark": "#444444",
    "blue": "#0057b8",
    "pale": "#c9d3df",
}


@dataclass
class Series:
    """One colour of a chart (a status of a stacked bar, or the only one)."""

    key: str
    label: str
    colour: str = COLOURS["blue"]
    url: str | None = None  # the list filtered to this series


@dataclass
class Bar:
    """One bar: its count per series key; links to the filtered list where one exists."""

    key: str
    label: str
    values: dict[str, int]
    url: str | None = None  # the list filtered to this bar
    urls: dict[str, str] = field(default_factory=dict)  # series key -> filtered list
    colour: str | None = None  # single-series charts: a colour of its own
    highlight: bool = False

    @property
    def total(self) -> int:
        return sum(self.values.values())

    def link(self, series_key: str) -> str | None:
        return self.urls.get(series_key) or (self.url if len(self.values) == 1 else None)


@dataclass
class Chart:
    """A horizontal bar chart; stacked when it has more than one series."""

    key: str  # unique on the page: HTML ids and tests use it
    title: str
    series: list[Series]
    bars: list[Bar]
    category: str = ""  # heading of the bar labels' column in the table
    note: str | None = None
    order: int = 50  # position on the page (charts are sorted by it)
    wide: bool = False

    @property
    def stacked(self) -> bool:
        return len(self.series) > 1

    @property
    def peak(self) -> int:
        return max([b.total for b in self.bars] or [0]) or 1

    @property
    def total(self) -> int:
        return sum(b.total for b in self.bars)

    def series_total(self, key: str) -> int:
        return sum(b.values.get(key, 0) for b in self.bars)

    @staticmethod
    def fmt(value) -> str:
        """A count or a number of hours as the user's locale writes it (1 234,5).

        Babel's ``format_decimal`` costs ~60 µs a call and a dashboard makes
        hundreds; the locale's two symbols are looked up once instead."""
        group, decimal = _number_symbols()
        text = f"{value:,.1f}".removesuffix(".0") if isinstance(value, float) else f"{value:,}"
        return text.replace(",", "\0").replace(".", decimal).replace("\0", group)

    def width(self, value: int) -> str:
        """Length of a segment in % of the track (the longest bar fills it)."""
        return f"{100 * value / self.peak:.2f}"


def enum_chart(
    key: str,
    title: str,
    members: Iterable,
    counts: dict,
    *,
    series_label: str,
    colours: dict,
    category: str = "",
    url: Callable | None = None,
    highlight: Iterable = (),
    **options,
) -> Chart:
    """One bar per enum member (zeros included), each in the member's colour."""
    highlight = set(highlight)
    bars = [
        Bar(
            key=m.name,
            label=m.label,
            values={"count": counts.get(m, 0)},
            url=url(m) if url else None,
            colour=colours.get(m),
            highlight=m in highlight,
        )
        for m in members
    ]
    return Chart(
        key=key,
        title=title,
        series=[Series("count", series_label)],
        bars=bars,
        category=category,
        **options,
    )


def stacked_chart(
    key: str,
    title: str,
    rows: Iterable[tuple[Hashable, str]],
    members: Iterable,
    counts: dict,
    *,
    colours: dict,
    category: str = "",
    series_url: Callable | None = None,
    bar_url: Callable | None = None,
    segment_url: Callable | None = None,
    **options,
) -> Chart:
    """Bars ``rows`` = [(key, label)] stacked by enum ``members``; ``counts[(row key, member)]``.

    The ``*_url`` callables return the filtered list of a member, a row, or
    both; leave out those the lists cannot filter by.
    """
    members = list(members)
    series = [
        Series(m.name, m.label, colours[m], series_url(m) if series_url else None) for m in members
    ]
    bars = []
    for row_key, label in rows:
        values = {m.name: counts.get((row_key, m), 0) for m in members}
        urls = (
            {m.name: segment_url(row_key, m) for m in members if values[m.name]}
            if segment_url
            else {}
        )
        bars.append(
            Bar(
                key=getattr(row_key, "name", str(row_key)),
                label=label,
                values=values,
                urls=urls,
                url=bar_url(row_key) if bar_url else None,
            )
        )
    return Chart(key=key, title=title, series=series, bars=bars, category=category, **options)


def _number_symbols() -> tuple[str, str]:
    from babel.numbers import get_decimal_symbol, get_group_symbol

    locale = get_locale() or "uk"
    symbols = _SYMBOLS.get(str(locale))
    if symbols is None:
        symbols = _SYMBOLS[str(locale)] = (get_group_symbol(locale), get_decimal_symbol(locale))
    return symbols


_SYMBOLS: dict[str, tuple[str, str]] = {}


def per_request(key: Hashable, compute: Callable):
    """``compute()`` once per request for ``key`` (cards and charts share figures)."""
    if not has_request_context():
        return compute()
    cache = g.setdefault("_portal_home_figures", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


@dataclass(frozen=True)
class Recipe:
    """How to compute a shared figure again without the request that first
    asked for it: ``compute(scope, *args)`` for the scope's reach. ``compute``
    is a module-level function (it is kept, pickled by name, in the warm index
    that the refresher reads: a thread here, or beat's task on a worker)."""

    compute: Callable
    args: tuple
    #: Every field of the scope but the user: (national, oblast, provider, hromada).
    reach: tuple[bool, int | None, int | None, int | None]

    @property
    def key(self) -> str:
        fn = self.compute
        return cache.cache_key("figure", (fn.__module__, fn.__qualname__, self.args, self.reach))

    def scope(self) -> UserScope:
        national, oblast_id, provider_id, hromada_id = self.reach
        return UserScope(
            national=national, oblast_id=oblast_id, provider_id=provider_id, hromada_id=hromada_id
        )

    def run(self) -> tuple:
        """``(value, milliseconds it took)``."""
        started = time.perf_counter()
        value = self.compute(self.scope(), *self.args)
        return value, (time.perf_counter() - started) * 1000


#: The warm index: ``{figure key: Recipe}`` of the slow figures read lately.
WARM_INDEX = "figures:warm"


def shared_figure(scope, compute: Callable, *args):
    """``compute(scope, *args)``, shared by the users of ``scope`` for
    DASHBOARD_CACHE_SECONDS (in the cache's ``shared`` region: every host's,
    with Redis).

    ``compute`` must be a module-level function, and the figure the same for
    everyone in the scope's reach (national / oblast / provider / community): it is called
    with a scope that has the reach and no user. Per-user figures ("my
    overdue contacts") never come here.

    The national counts read a million index entries (~100-200 ms), so the
    request should not wait for them:

    * a slow figure (its last computation took ``DASHBOARD_KEEP_WARM_MIN_MS``
      or more) read in the last ``DASHBOARD_KEEP_WARM_SECONDS`` is kept warm:
      :func:`refresh_due_figures` recomputes it shortly before it expires, so a
      scope left idle for a few minutes is still served at once. It runs on
      Celery beat (``opora.refresh_figures``) when ``CELERY_BROKER_URL`` and
      ``CACHE_REDIS_URL`` are set, else on a thread of the web process;
    * without Celery, a figure that expired less than another lifetime ago is
      served while a thread computes the next one.

    Only a scope's first visit (or one after the keep-warm time) is computed
    in the request.
    """
    # the whole scope but the user: the recipe recomputes with exactly this
    reach = (bool(scope.national), scope.oblast_id, scope.provider_id, scope.hromada_id)
    recipe = Recipe(compute, tuple(args), reach)
    ttl = current_app.config.get("DASHBOARD_CACHE_SECONDS", 60)
    if not ttl:
        return per_request(recipe.key, lambda: recipe.run()[0])
    app = get_app()
    key = recipe.key
    now = clock.seconds()
    entry = cache.recall(cache.shared, key)
    if entry is not None:
        value, cost = entry.value
        _note_read(app, recipe, cost, now)
        if entry.fresh(now):
            return value
        if now - entry.fresh_until < ttl and not _on_celery(app):
            _refresh_in_background(app, recipe)
            return value
    value, cost = per_request(key, recipe.run)
    cache.remember(cache.shared, key, (value, cost), ttl, now)
    _note_read(app, recipe, cost, now)
    return value


def _on_celery(app) -> bool:
    """Beat refreshes the figures, into the cache every host reads (Redis): the
    web process runs no refresh thread. With Celery but no shared cache the
    worker's figures would be its own, so the web process refreshes its own."""
    return bool(app.config.get("CELERY_BROKER_URL") and app.config.get("CACHE_REDIS_URL"))


def _refresh_state(app) -> dict:
    """This process's refresh thread (an executor of one), what it has queued,
    its ticker, and when it last marked each figure read."""
    from concurrent.futures import ThreadPoolExecutor

    state = app.extensions.get("portal_figure_refresh")
    if state is None:
        state = app.extensions.setdefault(
            "portal_figure_refresh",
            {
                "executor": ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-figures"),
                "lock": threading.Lock(),
                "pending": set(),
                "ticker": None,
                "marked": {},
            },
        )
    return state


def _read_mark(key: str) -> str:
    return f"figures:read:{key}"


def _note_read(app, recipe: Recipe, cost: float, now: float) -> None:
    """A slow figure was read: keep it warm. Writes to the cache at most every
    quarter lifetime per process (with Redis, one SET, not one per page)."""
    if cost < app.config.get("DASHBOARD_KEEP_WARM_MIN_MS", 20):
        return
    ttl = app.config.get("DASHBOARD_CACHE_SECONDS", 60)
    state = _refresh_state(app)
    key = recipe.key
    if now - state["marked"].get(key, -ttl) < ttl / 4:
        return
    if len(state["marked"]) >= SHARED_FIGURES_MAX:
        state["marked"].clear()
    state["marked"][key] = now
    keep = app.config.get("DASHBOARD_KEEP_WARM_SECONDS", 1800)
    cache.remember(cache.shared, _read_mark(key), now, keep)
    warm = cache.fresh_value(cache.shared, WARM_INDEX) or {}
    if key not in warm:
        # A read-modify-write: two hosts adding at once may lose one entry, and
        # that figure is then computed in a request once more, nothing worse.
        warm = {**warm, key: recipe}
        cache.remember(cache.shared, WARM_INDEX, warm, 0)
    if not _on_celery(app):
        _start_ticker(app)


#: Bound on the figures one process remembers marking.
SHARED_FIGURES_MAX = 4096


def refresh_due_figures(app) -> int:
    """Recompute each kept-warm figure that expires within half a lifetime;
    forget those not read within DASHBOARD_KEEP_WARM_SECONDS. Returns how
    many were recomputed. Beat's ``opora.refresh_figures`` task and the
    embedded ticker thread both call this (in an app context)."""
    from .extensions import db

    ttl = app.config.get("DASHBOARD_CACHE_SECONDS", 60)
    warm = cache.fresh_value(cache.shared, WARM_INDEX) or {}
    if not ttl or not warm:
        return 0
    now = clock.seconds()
    keep, done = {}, 0
    for key, recipe in warm.items():
        if cache.fresh_value(cache.shared, _read_mark(key)) is None:
            continue  # not read lately: let it expire
        keep[key] = recipe
        entry = cache.recall(cache.shared, key)
        if entry is not None and entry.fresh_until - now >= ttl / 2:
            continue
        try:
            cache.remember(cache.shared, key, recipe.run(), ttl, clock.seconds())
            done += 1
        except Exception:  # the stale figure stays; the next run retries
            app.logger.exception("Refreshing a dashboard figure failed")
        finally:
            db.session.remove()
    if len(keep) != len(warm):
        cache.remember(cache.shared, WARM_INDEX, keep, 0)
    return done


def _refresh_in_background(app, recipe: Recipe) -> None:
    """Compute ``recipe``'s next figure on the process's refresh thread, once
    however many requests ask for it."""
    state = _refresh_state(app)
    key = recipe.key
    with state["lock"]:
        if key in state["pending"]:
            return
        state["pending"].add(key)
    ttl = app.config.get("DASHBOARD_CACHE_SECONDS", 60)

    def refresh():
        from .extensions import db

        with app.app_context():
            try:
                cache.remember(cache.shared, key, recipe.run(), ttl, clock.seconds())
            except Exception:  # the stale figure stays; the next request retries
                app.logger.exception("Refreshing a dashboard figure failed")
            finally:
                db.session.remove()
                with state["lock"]:
                    state["pending"].discard(key)

    state["executor"].submit(refresh)


def wait_for_refreshes(app) -> None:
    """Block until the refresh thread has done what was queued (tests)."""
    _refresh_state(app)["executor"].submit(lambda: None).result(timeout=30)


def _start_ticker(app) -> None:
    """Without Celery: the thread that runs :func:`refresh_due_figures` every
    quarter lifetime while any figure is kept warm (it stops when none is)."""
    state = _refresh_state(app)
    with state["lock"]:
        if state["ticker"] is not None:
            return
        ticker = threading.Thread(
            target=_tick, args=(app, state), name="portal-figures-ticker", daemon=True
        )
        state["ticker"] = ticker
    ticker.start()


def _tick(app, state) -> None:
    while True:
        ttl = app.config.get("DASHBOARD_CACHE_SECONDS", 60)
        time.sleep((ttl or 4) / 4)  # the figure that started it was just computed
        with app.app_context():
            try:
                refresh_due_figures(app)
            except Exception:
                app.logger.exception("Refreshing the dashboard figures failed")
            idle = not ttl or not cache.fresh_value(cache.shared, WARM_INDEX)
        if idle:
            with state["lock"]:
                state["ticker"] = None
            return


def can_read(resource: str) -> bool:
    """The permission a resource's list needs: no read, no card and no chart of it."""
    return get_appbuilder().sm.has_access("can_read", resource)


def list_url(view_name: str, *conditions) -> str:
    """The list page of the view class ``view_name`` filtered by FAB's URL
    filters, one per ``(column, FilterClass, value)``: a card counts with the
    same conditions, so its number is the number of rows the list shows
    (``tests/test_home_dashboard.py`` compares them for every role)."""
    from urllib.parse import urlencode

    from flask import url_for
    from flask_appbuilder.models.filters import Filters

    view = next(v for v in get_appbuilder().baseviews if type(v).__name__ == view_name)
    args = []
    for column, filter_class, value in conditions:
        catalogue = Filters(
            view.datamodel.filter_converter_class, view.datamodel, [column]
        ).get_search_filters()[column]
        index = next(i for i, f in enumerate(catalogue) if type(f) is filter_class)
        args.append((f"_flt_{index}_{column}", str(value)))
    url = url_for(f"{view.endpoint}.list")
    return f"{url}?{urlencode(args)}" if args else url


def grouped_counts(scope, model, *columns) -> dict:
    """``{value: count}`` (``{(values...): count}`` for several ``columns``) of the
    rows of ``model`` in ``scope``: one GROUP BY statement, shared by the scope."""
    return shared_figure(scope, _grouped_counts, model, tuple(c.key for c in columns))


def _grouped_counts(scope, model, column_keys: tuple[str, ...]) -> dict:
    columns = [getattr(model, key) for key in column_keys]
    stmt = scoped(
        select(*columns, func.count()).select_from(model).group_by(*columns), model, scope
    )
    return {
        (row[0] if len(columns) == 1 else tuple(row[:-1])): row[-1]
        for row in get_appbuilder().session.execute(stmt)
    }


def register_dashboard(dashboard) -> None:
    """Show a domain's dashboard on the home page: a module (or object) with
    ``home_cards(scope)`` and/or ``home_charts(scope)``. Each domain's
    ``register()`` calls this with its ``dashboard`` module, so the home page
    imports no domain; cards come in the order the domains register."""
    get_app().extensions.setdefault("portal_dashboards", []).append(dashboard)


def collect(scope) -> tuple[list[dict], list[Chart]]:
    """Cards and charts of every registered dashboard for ``scope`` (each
    checks its own permissions)."""
    cards: list[dict] = []
    charts: list[Chart] = []
    # A confined user without an oblast/provider sees nothing: no chart of zeros.
    has_scope = scope.national or scope.oblast_id or scope.provider_id
    for dashboard in get_app().extensions.get("portal_dashboards", ()):
        if hasattr(dashboard, "home_cards"):
            cards.extend(dashboard.home_cards(scope))
        if has_scope and hasattr(dashboard, "home_charts"):
            charts.extend(dashboard.home_charts(scope))
    charts.sort(key=lambda c: c.order)
    # The cards of the user's own work first (a case worker: their overdue and
    # due contacts), then the others in the domains' order.
    cards.sort(key=lambda card: not card.get("mine"))
    return cards, charts


def chart_html(chart: Chart) -> Markup:
    """``portal/charts.html``'s ``bar_chart(chart)``, rendered once per content
    and language and remembered as long as a shared figure.

    The chart macro was half of the home page's time (a few thousand Jinja
    calls per page), and its input repeats: the figures are shared per scope
    for a minute. The key is the chart's whole content (every label, number
    and link) and the language, so a changed figure is a new key: nothing
    stale is ever served.
    """
    key = cache.cache_key("chart_html", (str(get_locale()), repr(chart)))

    def render() -> Markup:
        template = current_app.jinja_env.get_template("portal/charts.html")
        macro = template.module.bar_chart  # type: ignore[attr-defined]  # a macro: a dynamic attribute of Jinja's TemplateModule
        return Markup(macro(chart))

    ttl = current_app.config.get("DASHBOARD_CACHE_SECONDS", 60) or 60
    return cache.memoised(cache.local, key, ttl, render)


class HomeView(IndexView):
    index_template = "home.html"

    @expose("/")
    def index(self):
        cards, charts, roles, scope_label = [], [], [], ""
        user = g.user
        if user is not None and user.is_authenticated:
            roles = [r.name for r in user.roles]
            scope = current_scope()
            if not scope.national:
                scope_label = (
                    _("Oblast: %(name)s", name=user.oblast.title)
                    if scope.oblast_id and user.oblast
                    else _("Provider: %(name)s", name=user.provider)
                    if scope.provider_id and user.provider
                    else _("No scope assigned: ask the administrator.")
                )
            cards, charts = collect(scope)
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            cards=cards,
            charts=charts,
            roles=roles,
            scope_label=scope_label,
            title=_("Home"),
        )


def register(appbuilder) -> None:
    """Shared endpoints that are not a domain's: relation lookups; the chart
    helper of the home page's template."""
    from .common.lookup import LookupView

    appbuilder.add_view_no_menu(LookupView)
    current_app.jinja_env.globals["chart_html"] = chart_html
