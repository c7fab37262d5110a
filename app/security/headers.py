"""HTTP security headers with Flask-Talisman (FAB's own optional extra).

A strict Content-Security-Policy: scripts only from this origin or inline
with the per-request nonce (FAB's templates already print
``nonce="{{ baselib.get_nonce() }}"``), no external origins at all (the
portal must work on an offline network), no framing.
"""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    # FAB's widgets use style attributes; styles cannot run code.
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

talisman = Talisman()


def init_security_headers(app: Flask) -> None:
    production = app.config.get("PORTAL_ENV") == "production"
    talisman.init_app(
        app,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        force_https=production and not app.config.get("TESTING"),
        strict_transport_security=production,
        strict_transport_security_max_age=31536000,
        frame_options="DENY",
        referrer_policy="same-origin",
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
