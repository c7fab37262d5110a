"""Security: roles as code, user scope, lockout, password policy, sessions."""

from flask_appbuilder import AppBuilder

from . import permissions  # noqa: F401  (grants are collected from here)
from .routes import remove_generic_download

remove_generic_download()  # before any view exists: FAB's /<view>/download/<file>


def register(appbuilder: AppBuilder) -> None:
    """Server-side sessions: end them when a user changes, list and end them;
    REST ``_info`` without the catalogue header."""
    from . import api_info, services
    from .session_views import register_session_views

    services.install()
    api_info.install()
    register_session_views(appbuilder)
