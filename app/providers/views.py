"""Provider registry views and API."""

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ..common.export import ExportMixin
from ..common.lookup import AjaxSelectField
from ..common.validators import Edrpou, UkrainianPhone
from ..common.views import PortalModelView, PortalRestApi
from .models import Provider

LABELS = {
    "name": _l("Full name"),
    "short_name": _l("Short name"),
    "kind": _l("Kind of organisation"),
    "edrpou": _l("EDRPOU code"),
    "address": _l("Address"),
    "oblast": _l("Oblast"),
    "oblast.title": _l("Oblast"),
    "hromada": _l("Territorial community"),
    "hromada.title": _l("Territorial community"),
    "head_name": _l("Head"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "status": _l("Status"),
    "status_changed_on": _l("Status changed on"),
    "status_reason": _l("Reason"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}


class ProviderView(ExportMixin, PortalModelView):
    datamodel = SQLAInterface(Provider)
    class_permission_name = "Provider"
    list_title = _l("Providers of social services")
    show_title = _l("Provider")
    add_title = _l("Add provider")
    edit_title = _l("Edit provider")
    label_columns = LABELS
    list_columns = ["name", "edrpou", "kind", "oblast.title", "status"]
    add_columns = ["name", "short_name", "kind", "edrpou", "oblast", "hromada", "address",
                   "head_name", "phone", "email"]
    edit_columns = add_columns
    show_fieldsets = [
        (_l("Organisation"), {"fields": ["name", "short_name", "kind", "edrpou", "status",
                                         "status_changed_on", "status_reason"]}),
        (_l("Location and contacts"), {"fields": ["oblast", "hromada", "address",
                                                  "head_name", "phone", "email"]}),
        (_l("Record"), {"fields": ["created_on", "changed_on"], "expanded": False}),
    ]
    search_columns = ["name", "edrpou", "status", "kind"]
    validators_columns = {"edrpou": [Edrpou()], "phone": [UkrainianPhone()]}
    add_form_extra_fields = edit_form_extra_fields = {
        "hromada": AjaxSelectField(_l("Territorial community"), lookup="hromada"),
    }
    export_columns = ["name", "short_name", "edrpou", "kind", "oblast.title", "hromada.title",
                      "address", "head_name", "phone", "email", "status"]
    order_columns = ["name", "edrpou", "status"]
    base_order = ("name", "asc")


class ProviderApi(PortalRestApi):
    resource_name = "provider"
    class_permission_name = "Provider"
    datamodel = SQLAInterface(Provider)
    label_columns = LABELS
    list_columns = ["id", "name", "short_name", "edrpou", "kind", "status", "oblast.id",
                    "oblast.title"]
    show_columns = list_columns + ["address", "hromada.id", "hromada.title", "head_name",
                                   "phone", "email", "status_reason", "version"]
    add_columns = ["name", "short_name", "kind", "edrpou", "oblast", "hromada", "address",
                   "head_name", "phone", "email"]
    edit_columns = add_columns
    search_columns = ["name", "edrpou", "status", "oblast"]
