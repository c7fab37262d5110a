"""Providers of social services: registry, approval, specialists."""

from flask_babel import lazy_gettext as _l

from . import permissions  # noqa: F401  (grants are collected from here)


def register(appbuilder) -> None:
    from ..common.lookup import register_lookup
    from ..geography.models import Hromada
    from .models import Provider
    from .views import ProviderApi, ProviderView

    register_lookup("provider", Provider, resource="Provider",
                    search=[Provider.name, Provider.short_name, Provider.edrpou],
                    order_by=Provider.name)

    appbuilder.add_view(ProviderView, "Provider", label=_l("Providers"), icon="fa-building",
                        category="Registries", category_label=_l("Registries"),
                        category_icon="fa-folder-open")
    appbuilder.add_api(ProviderApi)
