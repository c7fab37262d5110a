"""“My sessions”: a user's active logins (browser and API), ended with one click,
in the web (``/sessions/``) and over REST (``/api/v1/session/``).

``can_read`` on "Session" (every built-in role) shows and ends the user's own
sessions; ``can_end_any`` (the administrator) shows and ends everybody's. A
session another user may not end answers 404, so ids reveal nothing. The rule
lives in :func:`app.security.services.end_by_request`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from flask import abort, flash, g, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.decorators import has_access, protect
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

    def _render(self, records: Iterable[Any], show_owner: bool) -> Any:
        current = services.session_hash(session.get("_sid") or "")
        return self.render_template(
            "security/sessions.html",
            records=records,
            show_owner=show_owner,
            current=current,
            title=_l("Active sessions of all users") if show_owner else _l("My sessions"),
            kinds={services.WEB: _("Browser"), services.API: _("API token")},
        )

    @expose("/")
    @has_access
    def mine(self) -> Any:
        return self._render(services.live_sessions(g.user.id), show_owner=False)

    @expose("/all/")
    @has_access
    def everyone(self) -> Any:
        return self._render(services.live_sessions(), show_owner=True)

    @expose("/end/<string:sid>", methods=["POST"])
    @has_access
    def end(self, sid: str) -> Any:
        may_end_any = self.appbuilder.sm.has_access("can_end_any", RESOURCE)
        if not services.end_by_request(sid[:64], g.user, may_end_any):
            abort(404)
        flash(_("The session has been ended."), "info")
        target = request.form.get("back")
        if target == "all" and may_end_any:
            return redirect(url_for("SessionView.everyone"))
        return redirect(url_for("SessionView.mine"))


class SessionApi(BaseApi):
    """The same over REST: ``GET /api/v1/session/`` lists the caller's live
    sessions (``GET /api/v1/session/all``: everybody's, for the administrator),
    ``DELETE /api/v1/session/<id>`` ends one (own, or anyone's with
    ``can_end_any``), ``DELETE /api/v1/session/current`` ends the session the
    token belongs to (the API's logout: its access and refresh tokens stop
    working at once)."""

    resource_name = "session"
    class_permission_name = RESOURCE
    method_permission_name = {
        "mine": "read",
        "everyone": "end_any",
        "end": "read",
        "end_current": "read",
    }
    base_permissions = ["can_read", "can_end_any"]
    allow_browser_login = False  # tokens only: the browser has /sessions/ (with CSRF)
    openapi_spec_tag = "Session"

    @staticmethod
    def _row(record: Any) -> dict[str, Any]:
        return {
            "id": record.id,
            "user": record.user.username if record.user else None,
            "kind": record.kind,
            "created_at": record.created_at.isoformat() + "Z",
            "last_seen": record.last_seen.isoformat() + "Z",
            "ip": record.ip,
            "user_agent": record.user_agent,
        }

    @expose("/", methods=["GET"])
    @protect()
    def mine(self) -> Any:
        """The caller's live sessions
        ---
        get:
          description: Live sessions (browser and API logins) of the signed-in user
          responses:
            200:
              description: The sessions, newest activity first
            401:
              $ref: '#/components/responses/401'
        """
        return self.response(200, result=[self._row(r) for r in services.live_sessions(g.user.id)])

    @expose("/all", methods=["GET"])
    @protect()
    def everyone(self) -> Any:
        """Live sessions of all users (administrator)
        ---
        get:
          description: Live sessions of every user
          responses:
            200:
              description: The sessions, newest activity first
            401:
              $ref: '#/components/responses/401'
        """
        return self.response(200, result=[self._row(r) for r in services.live_sessions()])

    @expose("/current", methods=["DELETE"])
    @protect()
    def end_current(self) -> Any:
        """End the session of this token (logout)
        ---
        delete:
          description: Ends the session the token belongs to; its tokens are revoked
          responses:
            200:
              description: Ended
            401:
              $ref: '#/components/responses/401'
        """
        from flask_jwt_extended import get_jwt

        sid = get_jwt().get("sid")
        if not sid:
            return self.response_404()
        services.end_session(sid, "logout")
        return self.response(200, message=_("The session has been ended."))

    @expose("/<string:sid>", methods=["DELETE"])
    @protect()
    def end(self, sid: str) -> Any:
        """End one session
        ---
        delete:
          description: Ends one of the caller's sessions, or anyone's for an administrator
          parameters:
          - in: path
            name: sid
            required: true
            schema:
              type: string
          responses:
            200:
              description: Ended
            404:
              $ref: '#/components/responses/404'
        """
        may_end_any = self.appbuilder.sm.has_access("can_end_any", RESOURCE)
        if not services.end_by_request(sid[:64], g.user, may_end_any):
            return self.response_404()
        return self.response(200, message=_("The session has been ended."))


def register_session_views(appbuilder: Any) -> None:
    appbuilder.add_view(SessionView, RESOURCE, label=_l("My sessions"), icon="fa-key")
    appbuilder.add_api(SessionApi)
