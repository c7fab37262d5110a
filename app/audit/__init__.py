"""Audit trail: every change of a record, logins, exports, imports and views
of personal data, in one append-only table."""

from flask_babel import lazy_gettext as _l

from . import permissions  # noqa: F401  (grants are collected from here)


def register(appbuilder) -> None:
    from ..extensions import get_app
    from .events import connect_security_signals, install
    from .views import AuditLogView

    install()
    connect_security_signals(get_app())
    appbuilder.add_view(
        AuditLogView,
        "AuditLog",
        label=_l("Audit log"),
        icon="fa-history",
        category="Audit",
        category_label=_l("Audit"),
        category_icon="fa-shield",
    )
