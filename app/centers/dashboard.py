"""The centers domain's home-page dashboard: its cards and charts, registered
with the home page by this package's ``register()`` (``app.home.register_dashboard``)."""

from __future__ import annotations

from . import permissions


def _has_scope(scope) -> bool:
    return scope is not None and bool(scope.national or scope.oblast_id or scope.provider_id)


def _readable() -> bool:
    from ..home import can_read

    return can_read(permissions.RESOURCE)


def _area_counts(scope):
    """Centres per area and status (by raion for a regional administrator): one
    grouped statement per request, shared by the cards and the chart."""
    from ..home import per_request
    from .pages import area_status_counts

    by_raion = bool(scope.oblast_id)
    return per_request(
        ("centres", scope, by_raion), lambda: area_status_counts(scope, by_raion=by_raion)
    )


def home_cards(scope) -> list[dict]:
    from flask import url_for
    from flask_babel import gettext as _

    from .models import CentreStatus

    if not _has_scope(scope) or not _readable():
        return []
    areas = _area_counts(scope)

    def total(status):
        return sum(counts[status] for _id, _title, counts in areas)

    url = url_for("CentreView.list")
    return [
        {
            "label": _("Operating resilience centres"),
            "value": total(CentreStatus.operating),
            "url": f"{url}?_flt_0_status={CentreStatus.operating.name}",
        },
        {
            "label": _("Planned resilience centres"),
            "value": total(CentreStatus.planned),
            "url": f"{url}?_flt_0_status={CentreStatus.planned.name}",
        },
    ]


def home_charts(scope) -> list:
    """Centres by oblast (by raion for a regional administrator) stacked by status.

    The legend links to the list filtered by status (the list is already
    confined to the scope); the list has no oblast/raion filter to link bars to.
    """
    from flask import url_for
    from flask_babel import gettext as _

    from ..home import stacked_chart
    from .models import CentreStatus
    from .pages import STATUS_COLOURS

    if not _has_scope(scope) or not _readable():
        return []
    areas = _area_counts(scope)
    by_raion = bool(scope.oblast_id)
    url = url_for("CentreView.list")
    return [
        stacked_chart(
            "centres",
            _("Centres by raion and status") if by_raion else _("Centres by oblast and status"),
            [(area_id, title or _("Outside any raion")) for area_id, title, _c in areas],
            CentreStatus,
            {(area_id, s): n for area_id, _t, c in areas for s, n in c.items()},
            colours=STATUS_COLOURS,
            category=_("Raion") if by_raion else _("Oblast"),
            series_url=lambda m: f"{url}?_flt_0_status={m.name}",
            order=10,
            wide=len(areas) > 8,
        )
    ]
