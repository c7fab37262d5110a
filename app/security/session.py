"""Session lifetime: absolute limit and idle timeout (OWASP ASVS 7.3).

The cookie's clocks below are the first check; the server-side session
record (``app.security.services``) is the truth: a cookie whose record has
ended, expired or gone idle is refused even when its own clocks say otherwise.

FAB logs users in with a non-permanent session, so Flask's
``PERMANENT_SESSION_LIFETIME`` would never apply; we mark sessions permanent
and enforce both limits on every request. Pages with personal data are sent
with ``Cache-Control: no-store``.

The session cookie is written only when it changes: ``_last_seen`` moves at
most once per ``SESSION_TOUCH_SECONDS`` (so the idle limit may end a session
that much later) and ``SESSION_REFRESH_EACH_REQUEST`` is off. Re-signing and
re-sending an unchanged cookie was ~3 % of every list page.
"""

from __future__ import annotations

import time

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from ..extensions import get_appbuilder


def init_session_policy(app: Flask) -> None:
    from .keys import check_keys

    check_keys(app.config)  # no start without proper signing keys
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    idle = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    touch = app.config.get("SESSION_TOUCH_SECONDS", 60)

    @app.before_request
    def _enforce_session_limits() -> Response | None:
        if request.endpoint == "static" or request.path.startswith("/static/"):
            return None
        if not current_user.is_authenticated and g.get("_portal_session_refused"):
            # The cookie names a session the server has ended (logout elsewhere,
            # password change, deactivation, role change, timeout) or none.
            session.clear()
            if request.path.startswith("/api/"):
                return None  # the API answers 401 itself
            flash(_("Your session has ended. Please sign in again."), "warning")
            return redirect(url_for(get_appbuilder().sm.auth_view.__class__.__name__ + ".login"))
        if not current_user.is_authenticated or request.path.startswith("/api/"):
            return None  # anonymous pages (public directory) stay cookie-free
        if not session.permanent:
            session.permanent = True
        now = time.time()
        started = session.setdefault("_started", now)
        last_seen = session.get("_last_seen", now)
        if now - started > lifetime or now - last_seen > idle:
            logout_user()
            session.clear()
            flash(_("Your session has expired. Please sign in again."), "warning")
            return redirect(url_for(get_appbuilder().sm.auth_view.__class__.__name__ + ".login"))
        if now - last_seen >= touch or "_last_seen" not in session:
            session["_last_seen"] = now
        return None

    @app.after_request
    def _no_store_for_signed_in_pages(response: Response) -> Response:
        # Pages and data seen by a signed-in user may hold personal data:
        # never let a browser or proxy cache them (ASVS 14.3.2).
        # Only a user already loaded for this request: never query the
        # database here (it may be the very thing that failed).
        user = g.get("_login_user")
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response
