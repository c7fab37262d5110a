"""Geography: oblasts, raions and territorial communities (KATOTTG)."""

from flask_babel import lazy_gettext as _l

from . import permissions  # noqa: F401  (grants are collected from here)


def register(appbuilder) -> None:
    from ..common.lookup import register_lookup
    from .models import Hromada
    from .views import HromadaApi, HromadaView, OblastApi, OblastView, RaionView

    category = dict(
        category="Directories", category_label=_l("Directories"), category_icon="fa-map"
    )
    appbuilder.add_view(OblastView, "Oblast", label=_l("Oblasts"), icon="fa-map", **category)
    appbuilder.add_view(RaionView, "Raion", label=_l("Raions"), icon="fa-map-o", **category)
    appbuilder.add_view(
        HromadaView, "Hromada", label=_l("Territorial communities"), icon="fa-home", **category
    )
    register_lookup(
        "hromada",
        Hromada,
        resource="Hromada",
        search=[Hromada.title, Hromada.code],
        order_by=Hromada.title,
    )
    appbuilder.add_api(OblastApi)
    appbuilder.add_api(HromadaApi)
