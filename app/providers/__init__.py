"""Providers of social services: registry, approval, specialists."""

from flask_babel import lazy_gettext as _l

from . import permissions  # noqa: F401  (grants are collected from here)
from .demo import demo_seed  # noqa: F401  (called by app.demo)


def register(appbuilder) -> None:
    from ..common.lookup import register_lookup
    from .models import Provider, Specialist
    from .views import ProviderApi, ProviderView, SpecialistApi, SpecialistView

    register_lookup("provider", Provider, resource="Provider",
                    search=[Provider.name, Provider.short_name, Provider.edrpou],
                    order_by=Provider.name)
    register_lookup("specialist", Specialist, resource="Specialist",
                    search=[Specialist.full_name], order_by=Specialist.full_name,
                    label=lambda s: f"{s.full_name} ({s.provider})")

    # APIs first: FAB drops a resource's permissions that the *last* registered
    # view/API of that resource lacks, and the views have more (export, actions).
    appbuilder.add_api(ProviderApi)
    appbuilder.add_api(SpecialistApi)
    category = dict(category="Registries", category_label=_l("Registries"),
                    category_icon="fa-folder-open")
    appbuilder.add_view(ProviderView, "Provider", label=_l("Providers"), icon="fa-building",
                        **category)
    appbuilder.add_view(SpecialistView, "Specialist", label=_l("Specialists"),
                        icon="fa-user-md", **category)


def home_cards(scope) -> list[dict]:
    """Counters for the home page, within the user's scope."""
    from flask import current_app, url_for
    from sqlalchemy import func, select

    from ..security.scope import scoped
    from .models import Provider, ProviderStatus

    sm = current_app.appbuilder.sm
    if not sm.has_access("can_read", "Provider"):
        return []
    session = current_app.appbuilder.session

    def count(status):
        stmt = scoped(select(func.count()).select_from(Provider), Provider, scope)
        return session.scalar(stmt.where(Provider.status == status)) or 0

    url = url_for("ProviderView.list")
    return [
        {"label": _l("Providers awaiting approval"), "value": count(ProviderStatus.submitted),
         "url": f"{url}?_flt_0_status=submitted"},
        {"label": _l("Approved providers"), "value": count(ProviderStatus.approved),
         "url": f"{url}?_flt_0_status=approved"},
    ]
