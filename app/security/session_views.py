"""“My sessions”: a user's active logins (browser and API), ended with one click.

``can_read`` on "Session" (every built-in role) shows and ends the user's own
sessions; ``can_end_any`` (the administrator) shows and ends everybody's. A
session another user may not end answers 404, so ids reveal nothing. The rule
lives in :func:`app.security.services.end_by_request`.
"""

from __future__ import annotations

import os

from flask import abort, flash, g, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import services

RESOURCE = "Session"


class SessionView(BaseView):
    route_base = "/sessions"
    default_view = "mine"
    class_permission_name = RESOURCE
    method_permission_name = {"mine": "read", "end": "read", "everyone": "end_any"}
    base_permissions = ["can_read", "can_end_any"]
    template_folder = os.path.join(os.path.dirname(__file__), "templates")

    def _render(self, records, show_owner: bool):
        current = services.session_hash(session.get("_sid") or "")
        return self.render_template(
            "security/sessions.html", records=records, show_owner=show_owner,
            current=current,
            title=_l("Active sessions of all users") if show_owner else _l("My sessions"),
            kinds={services.WEB: _("Browser"), services.API: _("API token")})

    @expose("/")
    @has_access
    def mine(self):
        return self._render(services.live_sessions(g.user.id), show_owner=False)

    @expose("/all/")
    @has_access
    def everyone(self):
        return self._render(services.live_sessions(), show_owner=True)

    @expose("/end/<string:sid>", methods=["POST"])
    @has_access
    def end(self, sid):
        may_end_any = self.appbuilder.sm.has_access("can_end_any", RESOURCE)
        if not services.end_by_request(sid[:64], g.user, may_end_any):
            abort(404)
        flash(_("The session has been ended."), "info")
        target = request.form.get("back")
        if target == "all" and may_end_any:
            return redirect(url_for("SessionView.everyone"))
        return redirect(url_for("SessionView.mine"))


def register_session_views(appbuilder) -> None:
    appbuilder.add_view(SessionView, RESOURCE, label=_l("My sessions"), icon="fa-key")
