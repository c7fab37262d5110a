"""Read-only views of the codifier, with search."""

from flask_babel import lazy_gettext as _l

from ..common.export import ExportMixin
from ..common.listing import PortalInterface
from ..common.views import PortalModelView, PortalRestApi
from .models import Hromada, Oblast, Raion

_LABELS = {
    "code": _l("KATOTTG code"),
    "name": _l("Name"),
    "title": _l("Full name"),
    "category": _l("Category"),
    "oblast": _l("Oblast"),
    "oblast.title": _l("Oblast"),
    "raion": _l("Raion"),
    "raion.title": _l("Raion"),
}


class _ReadOnlyGeoView(ExportMixin, PortalModelView):
    base_permissions = ["can_read", "can_export"]
    label_columns = _LABELS
    page_size = 50


class OblastView(_ReadOnlyGeoView):
    datamodel = PortalInterface(Oblast)
    class_permission_name = "Oblast"
    list_title = _l("Oblasts")
    show_title = _l("Oblast")
    list_columns = ["title", "code"]
    show_columns = ["title", "name", "code", "category"]
    search_columns = ["title", "code"]
    order_columns = ["title", "code"]
    base_order = ("code", "asc")


class RaionView(_ReadOnlyGeoView):
    datamodel = PortalInterface(Raion)
    class_permission_name = "Raion"
    list_title = _l("Raions")
    show_title = _l("Raion")
    list_columns = ["title", "oblast.title", "code"]
    show_columns = ["title", "name", "code", "oblast"]
    search_columns = ["title", "code"]
    order_columns = ["title", "code"]
    base_order = ("code", "asc")


class HromadaView(_ReadOnlyGeoView):
    datamodel = PortalInterface(Hromada)
    class_permission_name = "Hromada"
    list_title = _l("Territorial communities")
    show_title = _l("Territorial community")
    list_columns = ["title", "raion.title", "oblast.title", "code"]
    show_columns = ["title", "name", "code", "raion", "oblast"]
    search_columns = ["title", "code"]
    order_columns = ["title", "code"]
    base_order = ("code", "asc")


class _ReadOnlyGeoApi(PortalRestApi):
    base_permissions = ["can_read"]
    label_columns = _LABELS


class OblastApi(_ReadOnlyGeoApi):
    resource_name = "oblast"
    class_permission_name = "Oblast"
    datamodel = PortalInterface(Oblast)
    list_columns = show_columns = ["id", "code", "name", "title", "category"]


class HromadaApi(_ReadOnlyGeoApi):
    resource_name = "hromada"
    class_permission_name = "Hromada"
    datamodel = PortalInterface(Hromada)
    list_columns = show_columns = [
        "id",
        "code",
        "title",
        "oblast.id",
        "oblast.title",
        "raion.title",
    ]
    search_columns = ["title", "code", "oblast"]
