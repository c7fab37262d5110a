"""Training of specialists: courses, workshops, attendance, certificates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
    from ..home import register_dashboard
    from . import dashboard

    register_dashboard(dashboard)
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


def demo_seed(ctx) -> None:
    from .demo import seed

    seed(ctx)
