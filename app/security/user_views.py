"""User administration with the scope fields (oblast, provider)."""

from flask_appbuilder.security.views import UserDBModelView
from flask_babel import lazy_gettext as _l

from ..common.lookup import AjaxSelectField

_SCOPE_LABELS = {
    "oblast": _l("Oblast (scope)"),
    "provider": _l("Provider (scope)"),
    "locked_until": _l("Locked until"),
}
_SCOPE_DESCRIPTIONS = {
    "oblast": _l("Required for regional administrators: they see only this oblast."),
    "provider": _l("Required for provider case workers: they see only this provider."),
}


class PortalUserDBModelView(UserDBModelView):
    # Keep FAB's permission name: grants and FAB's own menus refer to it.
    class_permission_name = "UserDBModelView"
    label_columns = {**UserDBModelView.label_columns, **_SCOPE_LABELS}
    description_columns = {**UserDBModelView.description_columns, **_SCOPE_DESCRIPTIONS}
    list_columns = [*UserDBModelView.list_columns, "oblast", "provider"]
    add_columns = [*UserDBModelView.add_columns[:-2], "oblast", "provider",
                   *UserDBModelView.add_columns[-2:]]
    edit_columns = [*UserDBModelView.edit_columns, "oblast", "provider", "locked_until"]
    show_fieldsets = [
        *UserDBModelView.show_fieldsets[:2],
        (_l("Scope"), {"fields": ["oblast", "provider", "locked_until"], "expanded": True}),
        *UserDBModelView.show_fieldsets[2:],
    ]

    # Thousands of providers: searched on the server, never a whole-table dropdown.
    add_form_extra_fields = {
        **UserDBModelView.add_form_extra_fields,
        "provider": AjaxSelectField(_SCOPE_LABELS["provider"], lookup="provider",
                                    description=_SCOPE_DESCRIPTIONS["provider"]),
    }
    edit_form_extra_fields = {
        "provider": AjaxSelectField(_SCOPE_LABELS["provider"], lookup="provider",
                                    description=_SCOPE_DESCRIPTIONS["provider"]),
    }
