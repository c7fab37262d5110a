"""Home page: a greeting for guests, scoped counters for signed-in users.

Each domain may contribute counters with ``home_cards(scope)`` in its package
(a list of ``{"label", "value", "url"}``); numbers must respect the scope.
"""

from __future__ import annotations

import importlib

from flask import g
from flask_appbuilder import IndexView, expose
from flask_babel import gettext as _

from .security.scope import current_scope


class HomeView(IndexView):
    index_template = "home.html"

    @expose("/")
    def index(self):
        cards, roles, scope_label = [], [], ""
        user = g.user
        if user is not None and user.is_authenticated:
            roles = [r.name for r in user.roles]
            scope = current_scope()
            if not scope.national:
                scope_label = (
                    _("Oblast: %(name)s", name=user.oblast.title) if scope.oblast_id and user.oblast
                    else _("Provider: %(name)s", name=user.provider) if scope.provider_id
                    and user.provider else _("No scope assigned: ask the administrator.")
                )
            from . import DOMAINS

            for name in DOMAINS:
                contribute = getattr(importlib.import_module(name), "home_cards", None)
                if contribute:
                    cards.extend(contribute(scope))
        return self.render_template(self.index_template, appbuilder=self.appbuilder,
                                    cards=cards, roles=roles, scope_label=scope_label)


def register(appbuilder) -> None:
    """Shared endpoints that are not a domain's: relation lookups."""
    from .common.lookup import LookupView

    appbuilder.add_view_no_menu(LookupView)
