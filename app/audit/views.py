"""Read-only audit log for auditors and the administrator."""

from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from .. import fab_seam
from ..common.export import ExportMixin
from ..common.listing import BoundedCountInterface
from ..common.views import PortalModelView
from . import reading
from .models import AuditLog


class AuditLogView(ExportMixin, PortalModelView):
    datamodel = BoundedCountInterface(AuditLog)
    class_permission_name = "AuditLog"
    base_permissions = ["can_read", "can_export"]
    list_title = _l("Audit log")
    show_title = _l("Audit record")
    label_columns = {
        "ts": _l("Time"),
        "username": _l("User"),
        "ip": _l("IP address"),
        "action": _l("Action"),
        "entity": _l("Object"),
        "entity_id": _l("Record ID"),
        "changes": _l("Changes (old → new)"),
        "details": _l("Details"),
        "visible_changes": _l("Changes (old → new)"),
        "visible_details": _l("Details"),
    }
    list_columns = ["ts", "username", "action", "entity", "entity_id"]
    # Personal values masked for the reader (app.security.pii), in the page and the export.
    show_columns = ["ts", "username", "ip", "action", "entity", "entity_id", "visible_details"]
    export_columns = [*show_columns[:-1], "visible_changes", "visible_details"]
    search_columns = ["username", "action", "entity", "entity_id", "ts"]
    order_columns = ["ts", "username", "action", "entity"]
    base_order = ("ts", "desc")
    page_size = 50
    show_template = "audit/show.html"
    formatters_columns = {
        "entity": reading.object_label,
        "visible_details": reading.details_text,
        "username": reading.dash,
        "ip": reading.dash,
        "entity_id": reading.dash,
    }

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The entry with its record named and its changes as «поле: було → стало»."""
        item = self.scoped_get(pk)
        sm = self.appbuilder.sm
        name, url = reading.record(
            item.entity,
            item.entity_id,
            lambda view: (
                sm.has_access("can_show", view.class_permission_name)
                or sm.has_access("can_read", view.class_permission_name)
            ),
        )
        return self.render_template(
            self.show_template,
            pk=item.id,
            title=self.show_title,
            widgets=fab_seam.record_page_widgets(self, item),
            related_views=fab_seam.related_views(self),
            entry=item,
            object_label=reading.object_label(item.entity),
            record_name=name,
            record_url=url,
            changes=reading.changes(item.entity, item.visible_changes),
        )
