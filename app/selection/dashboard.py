"""The selection domain's home-page dashboard: its cards and charts, registered
with the home page by this package's ``register()`` (``app.home.register_dashboard``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def _status_counts(scope) -> dict:
    from ..home import grouped_counts
    from .models import SelectionRound

    return grouped_counts(scope, SelectionRound, SelectionRound.status)


def _in_progress():
    from .models import RoundStatus

    return (RoundStatus.announced, RoundStatus.accepting, RoundStatus.evaluating)


def home_cards(scope) -> list[dict]:
    from ..home import can_read

    if not can_read("SelectionRound"):
        return []
    from flask_appbuilder.models.sqla.filters import FilterEqual

    from ..home import list_url
    from .models import RoundStatus

    counts = _status_counts(scope)
    return [
        {
            "label": label,
            "value": counts.get(status, 0),
            "url": list_url("SelectionRoundView", ("status", FilterEqual, status.name)),
        }
        for label, status in (
            (_l("Rounds accepting applications"), RoundStatus.accepting),
            (_l("Rounds under evaluation"), RoundStatus.evaluating),
        )
    ]


def home_charts(scope) -> list:
    """Rounds by status; the statuses of rounds in progress are highlighted."""
    from flask import url_for
    from flask_babel import gettext as _

    from ..home import COLOURS, can_read, enum_chart
    from .models import RoundStatus

    if not can_read("SelectionRound"):
        return []
    counts = _status_counts(scope)
    running = _in_progress()
    url = url_for("SelectionRoundView.list")
    colours = {s: COLOURS["blue"] if s in running else COLOURS["pale"] for s in RoundStatus}
    return [
        enum_chart(
            "selection",
            _("Selection rounds by status"),
            RoundStatus,
            counts,
            series_label=_("Selection rounds"),
            category=_("Status"),
            colours=colours,
            highlight=running,
            order=30,
            note=_("In progress: %(n)d", n=sum(counts.get(s, 0) for s in running)),
            url=lambda m: f"{url}?_flt_0_status={m.name}",
        )
    ]
