"""Cache of template fragments that depend only on the user's roles and language.

The navigation menu is the same for every user with the same built-in roles
(FAB asks ``has_access("menu_access", ...)`` for each of ~40 entries, and
translates and builds a URL for each): rendering it took about a quarter of
a list page. Roles are built in (``FAB_ROLES``, fixed at start-up), so the
rendered menu is kept per (fragment, language, roles) for the life of the
process. A user with a role edited in the database (not built in) is never
served from the cache.
"""

from __future__ import annotations

from flask import current_app, g
from flask_babel import get_locale
from markupsafe import Markup

#: Bound on stored fragments: roles x languages x fragments is small; this only
#: guards against unexpected keys.
MAX_ENTRIES = 512


def _roles_key():
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return ("anonymous",)
    builtin = current_app.appbuilder.sm.builtin_roles
    names = sorted({role.name for role in user.roles}
                   | {role.name for group in getattr(user, "groups", []) for role in group.roles})
    if any(name not in builtin for name in names):
        return None  # permissions live in the database and may change: don't cache
    return tuple(names)


def cached_fragment(name: str, caller) -> Markup:
    """Jinja ``{% call cached_fragment("menu") %}...{% endcall %}``."""
    roles = _roles_key()
    if roles is None or not current_app.config.get("PORTAL_FRAGMENT_CACHE", True):
        return Markup(caller())
    store = current_app.extensions.setdefault("portal_fragments", {})
    key = (name, str(get_locale()), roles)
    html = store.get(key)
    if html is None:
        html = Markup(caller())
        if len(store) < MAX_ENTRIES:
            store[key] = html
    return html


def init_fragments(app) -> None:
    app.jinja_env.globals["cached_fragment"] = cached_fragment
