"""Cache of template fragments that depend only on the user's roles and language.

The navigation menu is the same for every user with the same built-in roles
(FAB asks ``has_access("menu_access", ...)`` for each of ~40 entries, and
translates and builds a URL for each): rendering it took about a quarter of
a list page. Roles are built in (``FAB_ROLES``, fixed at start-up), so the
rendered menu is kept per (fragment, language, roles) for the life of the
process. A user with a role edited in the database (not built in) is never
served from the cache.

:class:`ExpiringStore` holds the other shared answers, those that go stale:
the dashboard's figures per scope and the list's "more than 10 000" per user.
"""

from __future__ import annotations

import threading

from flask import current_app, g
from flask_babel import get_locale
from markupsafe import Markup

#: Bound on stored fragments: roles x languages x fragments is small; this only
#: guards against unexpected keys.
MAX_ENTRIES = 512


def roles_key():
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return ("anonymous",)
    builtin = current_app.appbuilder.sm.builtin_roles
    names = sorted(
        {role.name for role in user.roles}
        | {role.name for group in getattr(user, "groups", []) for role in group.roles}
    )
    if any(name not in builtin for name in names):
        return None  # permissions live in the database and may change: don't cache
    return tuple(names)


class FragmentStore:
    """A bounded dict of rendered pieces; disabled with PORTAL_FRAGMENT_CACHE=False."""

    def __init__(self, entries: dict, enabled: bool):
        self.entries, self.enabled = entries, enabled

    def get(self, key):
        return self.entries.get(key) if self.enabled else None

    def put(self, key, value) -> None:
        if self.enabled and len(self.entries) < MAX_ENTRIES:
            self.entries[key] = value


def fragment_store() -> FragmentStore:
    return FragmentStore(
        current_app.extensions.setdefault("portal_fragments", {}),
        current_app.config.get("PORTAL_FRAGMENT_CACHE", True),
    )


def cached_fragment(name: str, caller) -> Markup:
    """Jinja ``{% call cached_fragment("menu") %}...{% endcall %}``."""
    roles = roles_key()
    store = fragment_store()
    key = (name, str(get_locale()), roles)
    html = store.get(key) if roles is not None else None
    if html is None:
        html = Markup(caller())
        if roles is not None:
            store.put(key, html)
    return html


#: Stands for the request's CSP nonce inside a cached fragment.
NONCE_MARK = "__portal_csp_nonce__"


def static_fragment(name: str, nonce: str, caller) -> Markup:
    """Jinja ``{% call static_fragment("tail_js", baselib.get_nonce()) %}``: markup
    that is the same on every page (the style sheets and scripts of the layout,
    ~20 ``url_for`` calls), rendered once with ``NONCE_MARK`` where each script's
    nonce goes; every page gets the cached text with its own nonce."""
    store = fragment_store()
    key = ("static", name)
    html = store.get(key)
    if html is None:
        html = str(caller())
        store.put(key, html)
    return Markup(html.replace(NONCE_MARK, str(nonce)))


#: What ``ExpiringStore.fresh`` answers for a missing or expired key.
MISSING = object()


class ExpiringStore(dict):
    """``key -> (expires, value)`` for answers shared for a few seconds (the
    dashboard's figures per scope, "more than 10 000" per user and search).
    Bounded: when full, expired entries go first, then everything."""

    def __init__(self, max_entries: int):
        super().__init__()
        self.max_entries = max_entries
        self.lock = threading.Lock()

    def fresh(self, key, now: float):
        hit = self.get(key)
        return hit[1] if hit is not None and hit[0] > now else MISSING

    def put(self, key, value, ttl: float, now: float) -> None:
        with self.lock:
            if len(self) >= self.max_entries:
                for old in [k for k, (expires, _v) in self.items() if expires <= now]:
                    del self[old]
                if len(self) >= self.max_entries:
                    self.clear()
            self[key] = (now + ttl, value)


def expiring_store(name: str, max_entries: int) -> ExpiringStore:
    """The app's store ``name`` (in ``app.extensions``), created on first use."""
    store = current_app.extensions.get(name)
    if store is None:
        store = current_app.extensions.setdefault(name, ExpiringStore(max_entries))
    return store


def init_fragments(app) -> None:
    app.jinja_env.globals["cached_fragment"] = cached_fragment
    app.jinja_env.globals["static_fragment"] = static_fragment
    app.jinja_env.globals["NONCE_MARK"] = NONCE_MARK
