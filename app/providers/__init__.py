"""Providers of social services: registry, approval, specialists."""

from flask_babel import lazy_gettext as _l

from . import permissions  # noqa: F401  (grants are collected from here)
from .demo import demo_seed  # noqa: F401  (called by app.demo)


def register(appbuilder) -> None:
    from ..home import register_dashboard
    from . import dashboard

    register_dashboard(dashboard)
    from ..common.lookup import register_lookup
    from .models import Provider, Specialist
    from .views import (
        EligibilityCriterionApi,
        EligibilityCriterionView,
        ProviderApi,
        ProviderView,
        SpecialistApi,
        SpecialistView,
    )

    register_lookup(
        "provider",
        Provider,
        resource="Provider",
        search=[Provider.name, Provider.short_name, Provider.edrpou],
        order_by=Provider.name,
    )
    register_lookup(
        "specialist",
        Specialist,
        resource="Specialist",
        search=[Specialist.full_name],
        order_by=Specialist.full_name,
        label=lambda s: f"{s.full_name} ({s.provider})",
    )

    # APIs first: FAB drops a resource's permissions that the *last* registered
    # view/API of that resource lacks, and the views have more (export, actions).
    appbuilder.add_api(ProviderApi)
    appbuilder.add_api(SpecialistApi)
    appbuilder.add_api(EligibilityCriterionApi)
    category = dict(
        category="Registries", category_label=_l("Registries"), category_icon="fa-folder-open"
    )
    appbuilder.add_view(
        ProviderView, "Provider", label=_l("Providers"), icon="fa-building", **category
    )
    appbuilder.add_view(
        SpecialistView, "Specialist", label=_l("Specialists"), icon="fa-user-md", **category
    )
    appbuilder.add_view(
        EligibilityCriterionView,
        "EligibilityCriterion",
        label=_l("Eligibility criteria"),
        icon="fa-check-square-o",
        **category,
    )
