"""Training of specialists: courses, workshops, attendance, certificates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import clock
from . import permissions  # noqa: F401  (grants are collected from here)


def _trainer_lookup_where():
    from ..security import roles
    from ..security.models import PortalUser

    return PortalUser.active.is_(True) & PortalUser.roles.any(name=roles.TRAINER)


def _workshop_lookup_where():
    """Open workshops; a trainer picks only among the workshops they run."""
    from flask import g

    from .models import Workshop
    from .services import OPEN_STATUSES, is_admin

    clause = Workshop.status.in_(OPEN_STATUSES)
    user = getattr(g, "user", None)
    if user is not None and not is_admin(user):
        clause = clause & Workshop.trainers.any(id=user.id)
    return clause


def register(appbuilder) -> None:
    from ..common.lookup import register_lookup
    from ..providers.models import Specialist
    from ..security.models import PortalUser
    from .models import Workshop
    from .views import (
        CertificateView,
        CourseApi,
        CourseView,
        ParticipantView,
        TrainingReportView,
        TrainingSessionView,
        WorkshopApi,
        WorkshopView,
    )

    register_lookup(
        "training_trainer",
        PortalUser,
        resource="Workshop",
        search=[PortalUser.first_name, PortalUser.last_name, PortalUser.username],
        order_by=PortalUser.last_name,
        where=_trainer_lookup_where,
        label=lambda u: f"{u.first_name} {u.last_name} ({u.username})",
    )
    register_lookup(
        "training_workshop",
        Workshop,
        resource="Workshop",
        search=[Workshop.course_title, Workshop.place],
        order_by=Workshop.start_date.desc(),
        where=_workshop_lookup_where,
    )
    register_lookup(
        "training_specialist",
        Specialist,
        resource="Participant",
        search=[Specialist.full_name],
        order_by=Specialist.full_name,
        where=lambda: Specialist.active.is_(True),
        label=lambda s: f"{s.full_name} — {s.provider}",
    )

    category = dict(
        category="Training", category_label=_l("Training"), category_icon="fa-graduation-cap"
    )
    appbuilder.add_view(CourseView, "Course", label=_l("Courses"), icon="fa-book", **category)
    appbuilder.add_view(
        WorkshopView, "Workshop", label=_l("Workshops"), icon="fa-users", **category
    )
    appbuilder.add_view(
        ParticipantView, "Participant", label=_l("Participants"), icon="fa-user", **category
    )
    appbuilder.add_view(
        CertificateView, "Certificate", label=_l("Certificates"), icon="fa-certificate", **category
    )
    appbuilder.add_view(
        TrainingReportView,
        "TrainingReport",
        label=_l("Training by provider"),
        icon="fa-bar-chart",
        **category,
    )
    appbuilder.add_view_no_menu(TrainingSessionView)
    appbuilder.add_api(CourseApi)
    appbuilder.add_api(WorkshopApi)


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


def demo_seed(ctx) -> None:
    from .demo import seed

    seed(ctx)
