"""The training domain's home-page dashboard: its cards and charts, registered
with the home page by this package's ``register()`` (``app.home.register_dashboard``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import clock


def _readable() -> bool:
    from ..home import can_read

    return can_read("Workshop")


def _month_figures(scope) -> dict:
    """This month's figures (two statements per request, shared by cards and charts)."""
    from ..home import per_request
    from .services import month_figures

    return per_request(("training", scope, clock.kyiv_today()), lambda: month_figures(scope))


def home_cards(scope) -> list[dict]:
    """Workshops this month and this month's attendance rate (for readers of workshops)."""
    if not _readable():
        return []
    import datetime as dt

    from flask_appbuilder.models.sqla.filters import FilterGreater, FilterNotEqual, FilterSmaller

    from ..home import list_url
    from .services import month_bounds

    figures = _month_figures(scope)
    first, last = month_bounds()
    this_month = list_url(  # the conditions of month_figures' "workshops"
        "WorkshopView",
        ("start_date", FilterSmaller, last + dt.timedelta(days=1)),
        ("end_date", FilterGreater, first - dt.timedelta(days=1)),
        ("status", FilterNotEqual, "cancelled"),
    )
    return [
        {
            "label": str(_l("Workshops this month")),
            "value": figures["workshops"],
            "url": this_month,
        },
        {
            "label": str(_l("Attendance this month, %")),
            "value": figures["attendance_rate"],
            "url": None,
        },
    ]


def home_charts(scope) -> list:
    """This month's workshops by status, and hours attended against hours scheduled.

    No links per bar: the workshop list cannot filter by "runs this month".
    """
    from flask_babel import gettext as _

    from ..home import COLOURS, Bar, Chart, Series, enum_chart
    from .models import WorkshopStatus as S

    if not _readable():
        return []
    figures = _month_figures(scope)
    colours = {
        S.planned: COLOURS["cyan"],
        S.running: COLOURS["blue"],
        S.finished: COLOURS["green"],
        S.cancelled: COLOURS["grey"],
    }
    hours = [
        ("planned", _("Hours scheduled"), figures["planned_hours"], COLOURS["pale"]),
        ("attended", _("Hours attended"), figures["attended_hours"], COLOURS["green"]),
    ]
    return [
        enum_chart(
            "workshops",
            _("Workshops this month by status"),
            S,
            figures["by_status"],
            series_label=_("Workshops"),
            category=_("Status"),
            colours=colours,
            order=40,
        ),
        Chart(
            "attendance",
            _("Attendance this month"),
            [Series("hours", _("Hours"))],
            [
                Bar(key=key, label=label, values={"hours": value}, colour=colour)
                for key, label, value, colour in hours
            ],
            category=_("Participants' hours"),
            order=41,
            note=_("Attendance rate: %(rate)d%%", rate=figures["attendance_rate"]),
        ),
    ]
