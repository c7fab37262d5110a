"""Resilience centres (центри життєстійкості): registry, import, export, public
directory and dashboard."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from . import permissions


def register(appbuilder) -> None:
    from ..home import register_dashboard
    from . import dashboard

    register_dashboard(dashboard)
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

            return select(Provider)

    # Offers approved providers; a posted other one is refused by the command
    # with the rule's message (CTR-01, SEL-04 in docs/rules.md).
    LOOKUPS["approved_provider"] = ApprovedProviderLookup(
        name="approved_provider",
        model=Provider,
        resource="Provider",
        search=[Provider.name, Provider.short_name, Provider.edrpou],
        order_by=Provider.name,
        label=lambda p: f"{p.name} ({p.edrpou})",
        offer=lambda: Provider.status == ProviderStatus.approved,
    )

    appbuilder.add_view(
        CentreView,
        permissions.RESOURCE,
        label=_l("Resilience centres"),
        icon="fa-heart",
        category="Registries",
        category_label=_l("Registries"),
        category_icon="fa-folder-open",
    )
    appbuilder.add_api(CentreApi)
    appbuilder.add_view_no_menu(CentreImportView)
    appbuilder.add_view(
        CentreDashboardView,
        permissions.DASHBOARD,
        label=_l("Resilience centres: dashboard"),
        icon="fa-bar-chart",
        category="Reports",
        category_label=_l("Reports"),
        category_icon="fa-line-chart",
    )
    appbuilder.add_view_no_menu(PublicCentreView)
    _register_work(appbuilder)


def _register_work(appbuilder) -> None:
    """A centre as a place of work (issue #21): lookups, registers, pages."""
    from sqlalchemy import select

    from ..common.lookup import LOOKUPS, Lookup, register_lookup
    from ..providers.models import Specialist
    from ..security.scope import scoped
    from . import work_views as wv
    from .models import CentreStatus, ResilienceCentre

    class SpecialistOfScopedCentres(Lookup):
        """Specialists of the providers that run centres in the user's scope (a centre
        may be run by a provider registered in another oblast)."""

        def query(self):
            # Accepts any specialist in the user's scope or of a provider that runs a
            # centre in it; the command refuses one of another provider with the
            # rule's own message (CTR-06, CTR-13).
            from sqlalchemy import or_, true

            from ..security.scope import scope_clause

            own = scope_clause(Specialist)
            return select(Specialist).where(
                or_(true() if own is None else own, Specialist.provider_id.in_(_providers()))
            )

    def _providers():
        return scoped(select(ResilienceCentre.provider_id), ResilienceCentre)

    label = lambda s: f"{s.full_name} ({s.provider})"  # noqa: E731
    for name, resource in (
        ("staff_specialist", permissions.STAFF),
        ("activity_facilitator", permissions.ACTIVITY),
    ):
        LOOKUPS[name] = SpecialistOfScopedCentres(
            name=name,
            model=Specialist,
            resource=resource,
            search=[Specialist.full_name],
            order_by=Specialist.full_name,
            label=label,
            offer=lambda: Specialist.active.is_(True) & Specialist.provider_id.in_(_providers()),
        )
    # The centre list's filters: providers and oblasts in the user's scope.
    from ..geography.models import Oblast
    from ..providers.models import Provider

    register_lookup(
        "centre_filter_provider",
        Provider,
        resource=permissions.RESOURCE,
        search=[Provider.name, Provider.edrpou],
        order_by=Provider.name,
    )
    register_lookup(
        "centre_filter_oblast",
        Oblast,
        resource=permissions.RESOURCE,
        search=[Oblast.title],
        order_by=Oblast.title,
    )
    centre_label = lambda c: f"{c.name} ({c.hromada.title})"  # noqa: E731
    register_lookup(
        "staff_centre",
        ResilienceCentre,
        resource=permissions.STAFF,
        search=[ResilienceCentre.name],
        order_by=ResilienceCentre.name,
        label=centre_label,
        offer=lambda: ResilienceCentre.status != CentreStatus.closed,
    )
    for name, resource in (
        ("activity_centre", permissions.ACTIVITY),
        ("report_centre", permissions.REPORT),
    ):
        register_lookup(
            name,
            ResilienceCentre,
            resource=resource,
            search=[ResilienceCentre.name],
            order_by=ResilienceCentre.name,
            label=centre_label,
            offer=lambda: ResilienceCentre.status.in_(
                [CentreStatus.operating, CentreStatus.suspended]
            ),
        )

    registries = dict(
        category="Registries", category_label=_l("Registries"), category_icon="fa-folder-open"
    )
    appbuilder.add_view(
        wv.CommunityApplicationView,
        permissions.APPLICATION,
        label=_l("Community applications"),
        icon="fa-home",
        **registries,
    )
    appbuilder.add_api(wv.CommunityApplicationApi)
    appbuilder.add_view(
        wv.CentreStaffView,
        permissions.STAFF,
        label=_l("Centre staff"),
        icon="fa-users",
        **registries,
    )
    appbuilder.add_api(wv.CentreStaffApi)
    appbuilder.add_view(
        wv.CentreActivityView,
        permissions.ACTIVITY,
        label=_l("Centre activities"),
        icon="fa-calendar",
        **registries,
    )
    appbuilder.add_api(wv.CentreActivityApi)
    appbuilder.add_view(
        wv.CentreVisitDayView,
        "CentreVisits",
        label=_l("Centre visits"),
        icon="fa-sign-in",
        **registries,
    )
    appbuilder.add_api(wv.CentreVisitDayApi)
    appbuilder.add_view(
        wv.CentreReportView,
        permissions.REPORT,
        label=_l("Centre monthly reports"),
        icon="fa-file-text-o",
        **registries,
    )
    appbuilder.add_api(wv.CentreReportApi)
    reports = dict(category="Reports", category_label=_l("Reports"), category_icon="fa-line-chart")
    appbuilder.add_view(
        wv.CentreReadinessView,
        "CentreReadiness",
        label=_l("Readiness of planned centres"),
        icon="fa-check-square-o",
        **reports,
    )
    appbuilder.add_view(
        wv.CentreLateReportsView,
        "CentreLateReports",
        label=_l("Late monthly reports"),
        icon="fa-clock-o",
        **reports,
    )
    appbuilder.add_view(
        wv.CentreActivityDashboardView,
        "CentreActivityDashboard",
        label=_l("Centres at work: visits and activities"),
        icon="fa-area-chart",
        **reports,
    )


def demo_seed(ctx) -> None:
    from .demo import seed

    seed(ctx)
