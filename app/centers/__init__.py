"""Resilience centres (центри життєстійкості): registry, import, export, public
directory and dashboard."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from . import permissions  # noqa: F401  (grants are collected from here)


def register(appbuilder) -> None:
    from ..common.lookup import LOOKUPS, Lookup
    from ..providers.models import Provider, ProviderStatus
    from .pages import CentreDashboardView, CentreImportView
    from .public import PublicCentreView
    from .views import CentreApi, CentreView

    class ApprovedProviderLookup(Lookup):
        """Approved providers of any oblast: a centre may be run by a provider
        registered elsewhere (a national NGO); approval is public information."""

        def query(self):
            from sqlalchemy import select

            return select(Provider).where(Provider.status == ProviderStatus.approved)

    LOOKUPS["approved_provider"] = ApprovedProviderLookup(
        name="approved_provider", model=Provider, resource="Provider",
        search=[Provider.name, Provider.short_name, Provider.edrpou], order_by=Provider.name,
        label=lambda p: f"{p.name} ({p.edrpou})")

    appbuilder.add_view(CentreView, permissions.RESOURCE, label=_l("Resilience centres"),
                        icon="fa-heart", category="Registries",
                        category_label=_l("Registries"), category_icon="fa-folder-open")
    appbuilder.add_api(CentreApi)
    appbuilder.add_view_no_menu(CentreImportView)
    appbuilder.add_view(CentreDashboardView, permissions.DASHBOARD,
                        label=_l("Resilience centres: dashboard"), icon="fa-bar-chart",
                        category="Reports", category_label=_l("Reports"),
                        category_icon="fa-line-chart")
    appbuilder.add_view_no_menu(PublicCentreView)


def home_cards(scope) -> list[dict]:
    from flask import current_app, url_for
    from flask_babel import gettext as _
    from sqlalchemy import func, select

    from ..security.scope import scoped
    from .models import CentreStatus, ResilienceCentre

    if scope is None or (not scope.national and not scope.oblast_id and not scope.provider_id):
        return []
    sm = current_app.appbuilder.sm
    if not sm.has_access("can_read", permissions.RESOURCE):
        return []
    session = current_app.appbuilder.session
    stmt = scoped(select(ResilienceCentre.status, func.count(ResilienceCentre.id))
                  .group_by(ResilienceCentre.status), ResilienceCentre, scope)
    counts = dict(session.execute(stmt).all())
    url = url_for("CentreView.list")
    return [
        {"label": _("Operating resilience centres"),
         "value": counts.get(CentreStatus.operating, 0),
         "url": f"{url}?_flt_0_status={CentreStatus.operating.name}"},
        {"label": _("Planned resilience centres"),
         "value": counts.get(CentreStatus.planned, 0),
         "url": f"{url}?_flt_0_status={CentreStatus.planned.name}"},
    ]


def demo_seed(ctx) -> None:
    from .demo import seed

    seed(ctx)
