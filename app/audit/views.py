"""Read-only audit log for auditors and the administrator."""

from ..common.listing import BoundedCountInterface
from flask_babel import lazy_gettext as _l

from ..common.export import ExportMixin
from ..common.views import PortalModelView
from .models import AuditLog


class AuditLogView(ExportMixin, PortalModelView):
    datamodel = BoundedCountInterface(AuditLog)
    class_permission_name = "AuditLog"
    base_permissions = ["can_read", "can_export"]
    list_title = _l("Audit log")
    show_title = _l("Audit record")
    label_columns = {
        "ts": _l("Time"), "username": _l("User"), "ip": _l("IP address"),
        "action": _l("Action"), "entity": _l("Object"), "entity_id": _l("Record ID"),
        "changes": _l("Changes (old → new)"), "details": _l("Details"),
        "visible_changes": _l("Changes (old → new)"), "visible_details": _l("Details"),
    }
    list_columns = ["ts", "username", "action", "entity", "entity_id"]
    # Personal values masked for the reader (app.security.pii), in the page and the export.
    show_columns = ["ts", "username", "ip", "action", "entity", "entity_id", "visible_changes",
                    "visible_details"]
    export_columns = show_columns
    search_columns = ["username", "action", "entity", "entity_id", "ts"]
    order_columns = ["ts", "username", "action", "entity"]
    base_order = ("ts", "desc")
    page_size = 50
