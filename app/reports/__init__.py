"""Reports: the map of centres (and, later, cross-domain reports)."""

from flask_babel import lazy_gettext as _l

from . import permissions  # noqa: F401  (grants are collected from here)


def register(appbuilder) -> None:
    from .views import CentreMapView

    appbuilder.add_view(
        CentreMapView,
        "CentreMap",
        label=_l("Map of centres"),
        icon="fa-map-marker",
        category="Reports",
        category_label=_l("Reports"),
        category_icon="fa-bar-chart",
    )
