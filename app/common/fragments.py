"""Template fragments that depend only on the user's roles and language.

The navigation menu is the same for every user with the same built-in roles
(FAB asks ``has_access("menu_access", ...)`` for each of ~40 entries, and
translates and builds a URL for each): rendering it took about a quarter of
a list page. Roles are built in (``FAB_ROLES``, fixed at start-up), so the
rendered menu is kept per (fragment, language, roles) for the life of the
process, in the cache's ``local`` region (:mod:`app.cache`). A user with a
role edited in the database (not built in) is never served from the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app, g
from flask_babel import get_locale
from markupsafe import Markup

from .. import cache
from ..extensions import get_appbuilder


def roles_key() -> tuple[str, ...] | None:
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return ("anonymous",)
    builtin = get_appbuilder().sm.builtin_roles
    names = sorted(
        {role.name for role in user.roles}
        | {role.name for group in getattr(user, "groups", []) for role in group.roles}
    )
    if any(name not in builtin for name in names):
        return None  # permissions live in the database and may change: don't cache
    return tuple(names)


class FragmentStore:
    """Rendered pieces in the ``local`` cache region, kept for the life of the
    process; disabled with PORTAL_FRAGMENT_CACHE=False."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def get(self, key: Hashable) -> Any:
        return (
            cache.fresh_value(cache.local, cache.cache_key("fragment", key))
            if self.enabled
            else None
        )

    def put(self, key: Hashable, value: Any) -> None:
        if self.enabled:
            cache.remember(cache.local, cache.cache_key("fragment", key), value, ttl=0)


def fragment_store() -> FragmentStore:
    return FragmentStore(current_app.config.get("PORTAL_FRAGMENT_CACHE", True))


def cached_fragment(name: str, caller: Callable[[], str]) -> Markup:
    """Jinja ``{% call cached_fragment("menu") %}...{% endcall %}``."""
    roles = roles_key()
    store = fragment_store()
    key = (name, str(get_locale()), roles)
    html: Markup | None = store.get(key) if roles is not None else None
    if html is None:
        html = Markup(caller())
        if roles is not None:
            store.put(key, html)
    return html


#: Stands for the request's CSP nonce inside a cached fragment.
NONCE_MARK = "__portal_csp_nonce__"


def static_fragment(name: str, nonce: str, caller: Callable[[], str]) -> Markup:
    """Jinja ``{% call static_fragment("tail_js", baselib.get_nonce()) %}``: markup
    that is the same on every page (the style sheets and scripts of the layout,
    ~20 ``url_for`` calls), rendered once with ``NONCE_MARK`` where each script's
    nonce goes; every page gets the cached text with its own nonce."""
    store = fragment_store()
    key = ("static", name)
    html: str | None = store.get(key)
    if html is None:
        html = str(caller())
        store.put(key, html)
    return Markup(html.replace(NONCE_MARK, str(nonce)))


def init_fragments(app: Flask) -> None:
    app.jinja_env.globals["cached_fragment"] = cached_fragment
    app.jinja_env.globals["static_fragment"] = static_fragment
    app.jinja_env.globals["NONCE_MARK"] = NONCE_MARK
