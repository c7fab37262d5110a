"""Case register (реєстр випадків): cases, beneficiaries, plans, contacts, transfers.

See ``models`` for the data-protection layout, ``services`` for the rules
and ``views`` / ``api`` for the paths (all scoped, all audited).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _
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

    register_lookup("case", Case, resource="Case", search=[Case.number],
                    order_by=Case.number.desc())
    register_lookup("case_provider", Provider, resource="Case",
                    search=[Provider.name, Provider.short_name, Provider.edrpou],
                    order_by=Provider.name,
                    where=lambda: Provider.status == ProviderStatus.approved)
    register_lookup("case_centre", ResilienceCentre, resource="Case",
                    search=[ResilienceCentre.name], order_by=ResilienceCentre.name)
    LOOKUPS["case_worker"] = UnscopedLookup(
        name="case_worker", model=PortalUser, resource="Case",
        search=[PortalUser.first_name, PortalUser.last_name, PortalUser.username],
        order_by=PortalUser.last_name, where=workers_of_scope)
    LOOKUPS["case_transfer_provider"] = UnscopedLookup(
        name="case_transfer_provider", model=Provider, resource="CaseTransfer",
        search=[Provider.name, Provider.short_name, Provider.edrpou], order_by=Provider.name,
        where=lambda: Provider.status == ProviderStatus.approved)


def register(appbuilder) -> None:
    from .api import CaseApi, CaseDeidentifiedApi, CaseTransferApi
    from .views import (BeneficiaryView, CaseDeidentifiedView, CaseTransferView, CaseView,
                        ContactView, DueSoonCaseView, HouseholdMemberView, MyOverdueCaseView,
                        NeedsAssessmentView, PlanItemView, ReferralView, ReviewView)

    _register_lookups()
    category = dict(category="Cases", category_label=_l("Cases"), category_icon="fa-folder")
    appbuilder.add_view(CaseView, "Case", label=_l("Case register"), icon="fa-folder-open",
                        **category)
    for view in (MyOverdueCaseView, DueSoonCaseView):
        appbuilder.add_view_no_menu(view)
    appbuilder.add_link("Case", href="/cases/overdue/list/", label=_l("My overdue contacts"),
                        icon="fa-exclamation-triangle", category="Cases")
    appbuilder.add_link("Case", href="/cases/due-soon/list/",
                        label=_l("Contacts due within 7 days"), icon="fa-clock-o",
                        category="Cases")
    appbuilder.add_view(CaseTransferView, "CaseTransfer", label=_l("Case transfers"),
                        icon="fa-exchange", **category)
    appbuilder.add_view(CaseDeidentifiedView, "CaseDeidentified",
                        label=_l("Case register (de-identified)"), icon="fa-user-secret",
                        **category)
    for view in (BeneficiaryView, HouseholdMemberView, NeedsAssessmentView, PlanItemView,
                 ContactView, ReferralView, ReviewView):
        appbuilder.add_view_no_menu(view)
    for api in (CaseApi, CaseTransferApi, CaseDeidentifiedApi):
        appbuilder.add_api(api)


def home_cards(scope, today=None) -> list[dict]:
    """Open cases, my overdue contacts, contacts due within 7 days (scoped)."""
    from sqlalchemy import func, select

    from ..extensions import db
    from ..security.scope import scoped
    from . import services
    from .models import Case, CaseStatus

    sm = current_app.appbuilder.sm
    full = sm.has_access("can_read", "Case")
    if not full and not sm.has_access("can_read", "CaseDeidentified"):
        return []
    today = today or services.kyiv_today()

    def count(*where):
        stmt = scoped(select(func.count(Case.id)).where(*where), Case, scope)
        return db.session.scalar(stmt) or 0

    open_count = count(Case.status != CaseStatus.closed)
    if not full:
        return [{"label": _("Open cases"), "value": open_count,
                 "url": url_for("CaseDeidentifiedView.list")}]
    mine = Case.assigned_worker_id == scope.user_id
    return [
        {"label": _("Open cases"), "value": open_count, "url": url_for("CaseView.list")},
        {"label": _("My overdue contacts"),
         "value": count(mine, services.overdue_clause(today)),
         "url": url_for("MyOverdueCaseView.list")},
        {"label": _("My contacts due within 7 days"),
         "value": count(mine, services.due_soon_clause(today)),
         "url": url_for("DueSoonCaseView.list")},
    ]


def demo_seed(ctx) -> None:
    from .demo import seed

    seed(ctx)
