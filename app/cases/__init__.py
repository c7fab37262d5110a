"""Case register (реєстр випадків): cases, beneficiaries, plans, contacts, transfers.

See ``models`` for the data-protection layout, ``services`` for the rules
and ``views`` / ``api`` for the paths (all scoped, all audited).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from . import permissions  # noqa: F401  (grants are collected from here)


def _register_lookups() -> None:
    from sqlalchemy import select

    from ..centers.models import ResilienceCentre
    from ..common.lookup import LOOKUPS, Lookup, register_lookup
    from ..providers.models import Provider, ProviderStatus
    from ..security import roles
    from ..security.models import PortalUser
    from ..security.scope import current_scope
    from .models import Case

    @dataclass
    class UnscopedLookup(Lookup):
        """A lookup whose rows are not the user's scope but a fixed public set
        (``where``); the permission check of the lookup still applies."""

        def query(self):
            stmt = select(self.model)
            return stmt.where(self.where()) if self.where is not None else stmt

    def workers_of_scope():
        from flask_appbuilder.security.sqla.models import Role

        scope = current_scope()
        is_worker = PortalUser.roles.any(Role.name == roles.CASE_WORKER)
        if scope.provider_id:
            return is_worker & (PortalUser.provider_id == scope.provider_id)
        if scope.national:
            return is_worker & PortalUser.provider_id.isnot(None)
        return PortalUser.id.is_(None)

    register_lookup(
        "case", Case, resource="Case", search=[Case.number], order_by=Case.number.desc()
    )
    register_lookup(
        "case_provider",
        Provider,
        resource="Case",
        search=[Provider.name, Provider.short_name, Provider.edrpou],
        order_by=Provider.name,
        offer=lambda: Provider.status == ProviderStatus.approved,
    )
    # The list's provider filter: every provider in scope, suspended ones included.
    register_lookup(
        "case_filter_provider",
        Provider,
        resource="Case",
        search=[Provider.name, Provider.short_name, Provider.edrpou],
        order_by=Provider.name,
    )
    register_lookup(
        "case_centre",
        ResilienceCentre,
        resource="Case",
        search=[ResilienceCentre.name],
        order_by=ResilienceCentre.name,
    )
    LOOKUPS["case_worker"] = UnscopedLookup(
        name="case_worker",
        model=PortalUser,
        resource="Case",
        search=[PortalUser.first_name, PortalUser.last_name, PortalUser.username],
        order_by=PortalUser.last_name,
        where=workers_of_scope,
    )
    from ..geography.models import Hromada
    from .models import MilitaryUnit, NeedsAssessment

    # A beneficiary lives in any community of the country (public reference data).
    LOOKUPS["case_hromada"] = UnscopedLookup(
        name="case_hromada",
        model=Hromada,
        resource="Case",
        search=[Hromada.title, Hromada.code],
        order_by=Hromada.title,
    )

    register_lookup(
        "case_military_unit",
        MilitaryUnit,
        resource="Case",
        search=[MilitaryUnit.number, MilitaryUnit.name],
        order_by=MilitaryUnit.number,
        offer=lambda: MilitaryUnit.active.is_(True),
    )
    register_lookup(
        "case_need",
        NeedsAssessment,
        resource="NeedsAssessment",
        search=[NeedsAssessment.description],
        order_by=NeedsAssessment.id.desc(),
    )
    # A provider's case settings: ministry staff pick any provider, the
    # provider's representative their own (the scope).
    register_lookup(
        "case_setting_provider",
        Provider,
        resource="CaseProviderSetting",
        search=[Provider.name, Provider.short_name, Provider.edrpou],
        order_by=Provider.name,
    )
    LOOKUPS["case_transfer_provider"] = UnscopedLookup(
        name="case_transfer_provider",
        model=Provider,
        resource="CaseTransfer",
        search=[Provider.name, Provider.short_name, Provider.edrpou],
        order_by=Provider.name,
        offer=lambda: Provider.status == ProviderStatus.approved,
    )


def register(appbuilder) -> None:
    from ..home import register_dashboard
    from . import dashboard

    register_dashboard(dashboard)
    from .api import (
        RECORD_APIS,
        CaseApi,
        CaseDeidentifiedApi,
        CaseProviderSettingApi,
        CaseReportApi,
        CaseTransferApi,
        MilitaryUnitApi,
    )
    from .views import (
        AssessmentActView,
        AssessmentOverdueCaseView,
        AssessmentOverdueDeidentifiedView,
        BeneficiaryView,
        CaseDeidentifiedView,
        CaseExtensionView,
        CaseFollowUpView,
        CaseProviderSettingView,
        CaseReportView,
        CaseTransferView,
        CaseView,
        ContactView,
        DueSoonCaseView,
        FollowUpDueCaseView,
        FollowUpDueDeidentifiedView,
        HouseholdMemberView,
        MilitaryUnitView,
        MyOverdueCaseView,
        NeedsAssessmentView,
        PlanItemView,
        ReferralView,
        ReviewView,
        TermEndingCaseView,
        TermEndingDeidentifiedView,
    )

    _register_lookups()
    category = dict(category="Cases", category_label=_l("Cases"), category_icon="fa-folder")
    appbuilder.add_view(
        CaseView, "Case", label=_l("Case register"), icon="fa-folder-open", **category
    )
    for view in (
        MyOverdueCaseView,
        DueSoonCaseView,
        AssessmentOverdueCaseView,
        TermEndingCaseView,
        FollowUpDueCaseView,
        AssessmentOverdueDeidentifiedView,
        TermEndingDeidentifiedView,
        FollowUpDueDeidentifiedView,
    ):
        appbuilder.add_view_no_menu(view)
    appbuilder.add_link(
        "Case",
        href="/cases/overdue/list/",
        label=_l("My overdue contacts"),
        icon="fa-exclamation-triangle",
        category="Cases",
    )
    appbuilder.add_link(
        "Case",
        href="/cases/due-soon/list/",
        label=_l("Contacts due within 7 days"),
        icon="fa-clock-o",
        category="Cases",
    )
    appbuilder.add_link(
        "Case",
        href="/cases/assessment-overdue/list/",
        label=_l("Needs assessment overdue"),
        icon="fa-hourglass-end",
        category="Cases",
    )
    appbuilder.add_link(
        "Case",
        href="/cases/term-ending/list/",
        label=_l("Service term ending"),
        icon="fa-calendar-times-o",
        category="Cases",
    )
    appbuilder.add_link(
        "Case",
        href="/cases/follow-up-due/list/",
        label=_l("Follow-up after closure"),
        icon="fa-phone",
        category="Cases",
    )
    appbuilder.add_view(
        CaseTransferView, "CaseTransfer", label=_l("Case transfers"), icon="fa-exchange", **category
    )
    appbuilder.add_view(
        CaseDeidentifiedView,
        "CaseDeidentified",
        label=_l("Case register (de-identified)"),
        icon="fa-user-secret",
        **category,
    )
    appbuilder.add_view(
        MilitaryUnitView,
        "MilitaryUnit",
        label=_l("Military units of the pilot"),
        icon="fa-shield",
        **category,
    )
    appbuilder.add_view(
        CaseProviderSettingView,
        "CaseProviderSetting",
        label=_l("Supervisor approval of plans"),
        icon="fa-check-square-o",
        **category,
    )
    for view in (
        BeneficiaryView,
        HouseholdMemberView,
        NeedsAssessmentView,
        PlanItemView,
        ContactView,
        ReferralView,
        ReviewView,
        AssessmentActView,
        CaseExtensionView,
        CaseFollowUpView,
    ):
        appbuilder.add_view_no_menu(view)
    appbuilder.add_view(
        CaseReportView,
        "CaseReport",
        label=_l("Cases: monthly figures"),
        icon="fa-bar-chart",
        **category,
    )
    for api in (
        CaseApi,
        CaseTransferApi,
        CaseDeidentifiedApi,
        MilitaryUnitApi,
        CaseReportApi,
        CaseProviderSettingApi,
        *RECORD_APIS,
    ):
        appbuilder.add_api(api)


def demo_seed(ctx) -> None:
    from .demo import seed

    seed(ctx)
