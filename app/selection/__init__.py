"""Competitive selection of providers: rounds, applications, scoring, results."""

from flask_babel import lazy_gettext as _l

from . import permissions  # noqa: F401  (grants are collected from here)
from .demo import demo_seed  # noqa: F401  (called by app.demo)


def register(appbuilder) -> None:
    from ..home import register_dashboard
    from . import dashboard

    register_dashboard(dashboard)
    from flask import g
    from sqlalchemy import false

    from ..centers.models import CentreStatus, ResilienceCentre
    from ..common.lookup import register_lookup
    from ..providers.models import Provider, ProviderStatus
    from ..security.models import PortalUser
    from . import services
    from .models import Application, Lot, RoundStatus, SelectionRound, ServiceAgreement
    from .views import (
        ApplicationApi,
        ApplicationView,
        LotApi,
        LotView,
        ProposalLotApi,
        ProposalLotView,
        SelectionRoundApi,
        SelectionRoundView,
        ServiceActApi,
        ServiceActView,
        ServiceAgreementApi,
        ServiceAgreementView,
        TeamMemberApi,
        TeamMemberView,
    )

    register_lookup(
        "application_filter_round",
        SelectionRound,
        resource="Application",
        search=[SelectionRound.title],
        order_by=SelectionRound.title,
    )
    register_lookup(
        "application_filter_provider",
        Provider,
        resource="Application",
        search=[Provider.name, Provider.short_name, Provider.edrpou],
        order_by=Provider.name,
    )
    register_lookup(
        "open_round",
        SelectionRound,
        resource="SelectionRound",
        search=[SelectionRound.title],
        order_by=SelectionRound.title,
        offer=lambda: SelectionRound.status == RoundStatus.accepting,
    )
    register_lookup(
        "approved_provider",
        Provider,
        resource="Provider",
        search=[Provider.name, Provider.short_name, Provider.edrpou],
        order_by=Provider.name,
        label=lambda p: f"{p} ({p.code})",
        offer=lambda: Provider.status == ProviderStatus.approved,
    )
    register_lookup(
        "setup_round",
        SelectionRound,
        resource="Lot",
        search=[SelectionRound.title],
        order_by=SelectionRound.title,
        offer=lambda: SelectionRound.status.in_((RoundStatus.announced, RoundStatus.accepting)),
    )
    register_lookup(
        "lot_centre",
        ResilienceCentre,
        resource="Lot",
        search=[ResilienceCentre.name],
        order_by=ResilienceCentre.name,
        offer=lambda: ResilienceCentre.status.in_((CentreStatus.planned, CentreStatus.preparing)),
    )
    register_lookup(
        "open_lot",
        Lot,
        resource="Lot",
        search=[Lot.unit_name],
        order_by=Lot.number,
        label=lambda lot: f"{lot.round}: {lot}",
        offer=lambda: Lot.round.has(SelectionRound.status == RoundStatus.accepting),
    )
    register_lookup(
        "own_proposal",
        Application,
        resource="Application",
        search=[],
        order_by=Application.id,
        offer=lambda: Application.round.has(SelectionRound.status == RoundStatus.accepting),
    )
    register_lookup(
        "agreement",
        ServiceAgreement,
        resource="ServiceAgreement",
        search=[ServiceAgreement.number],
        order_by=ServiceAgreement.number,
    )

    def organisers_only():
        organiser = services.role_names(getattr(g, "user", None)) & services.ORGANISERS
        return PortalUser.active.is_(True) if organiser else false()

    register_lookup(
        "commission_user",
        PortalUser,
        resource="SelectionRound",
        search=[PortalUser.first_name, PortalUser.last_name, PortalUser.username],
        order_by=PortalUser.last_name,
        label=lambda u: u.get_full_name(),
        where=organisers_only,
    )

    # APIs first: FAB drops a resource's permissions that the *last* registered
    # view/API of that resource lacks, and the views have more (export, actions).
    appbuilder.add_api(SelectionRoundApi)
    appbuilder.add_api(ApplicationApi)
    for api in (LotApi, ProposalLotApi, TeamMemberApi, ServiceAgreementApi, ServiceActApi):
        appbuilder.add_api(api)
    category = dict(
        category="Selection", category_label=_l("Competitive selection"), category_icon="fa-trophy"
    )
    appbuilder.add_view(
        SelectionRoundView,
        "SelectionRound",
        label=_l("Selection rounds"),
        icon="fa-flag-checkered",
        **category,
    )
    appbuilder.add_view(
        ApplicationView, "Application", label=_l("Applications"), icon="fa-file-text-o", **category
    )
    appbuilder.add_view(LotView, "Lot", label=_l("Lots"), icon="fa-map-marker", **category)
    appbuilder.add_view(
        ProposalLotView, "ProposalLot", label=_l("Proposals for lots"), icon="fa-list", **category
    )
    appbuilder.add_view(
        TeamMemberView, "TeamMember", label=_l("Proposed teams"), icon="fa-users", **category
    )
    appbuilder.add_view(
        ServiceAgreementView,
        "ServiceAgreement",
        label=_l("Service agreements"),
        icon="fa-handshake-o",
        **category,
    )
    appbuilder.add_view(
        ServiceActView,
        "ServiceAct",
        label=_l("Acts of services delivered"),
        icon="fa-file-o",
        **category,
    )
