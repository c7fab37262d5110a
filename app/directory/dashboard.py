"""The directory domain's home-page dashboard: its cards and charts, registered
with the home page by this package's ``register()`` (``app.home.register_dashboard``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from . import permissions


def home_cards(scope) -> list[dict]:
    """The entries to check, for those who keep the directory."""
    from flask import url_for
    from sqlalchemy import func, select

    from ..extensions import db
    from ..home import can_read
    from ..security.scope import scoped
    from .models import DirectoryEntry
    from .services import stale_clause

    if not can_read(permissions.ENTRY) or not (
        scope.hromada_id or scope.oblast_id or scope.national
    ):
        return []
    stale = db.session.scalar(
        scoped(
            select(func.count()).select_from(DirectoryEntry).where(stale_clause()),
            DirectoryEntry,
            scope,
        )
    )
    return [
        {
            "label": _l("Services not verified for 6 months"),
            "value": stale or 0,
            "url": url_for("StaleEntryView.list"),
        }
    ]
