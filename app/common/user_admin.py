"""User administration: FAB's security views with the scope fields (oblast,
provider), text instead of Python values, and the portal's safe action routes.

It is here, above ``security``, because it is made of the portal's view parts
(``common.lookup``, ``common.views``); ``security`` itself imports nothing
above it. :class:`SecurityManagerWithAdminViews` is the security manager the
app runs (``FAB_SECURITY_MANAGER_CLASS``): ``security``'s manager with these
views.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask_appbuilder.security.views import UserDBModelView
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from ..security.manager import PortalSecurityManager
from .lookup import AjaxSelectField

_SCOPE_LABELS = {
    "oblast": _l("Oblast (scope)"),
    "provider": _l("Provider (scope)"),
    "locked_until": _l("Locked until"),
}
_SCOPE_DESCRIPTIONS = {
    "oblast": _l("Required for regional administrators: they see only this oblast."),
    "provider": _l("Required for provider case workers: they see only this provider."),
}


EMPTY = "—"


def _yes_no(value: object) -> str:
    from .views import NO, YES

    return str(YES if value else NO)


def _role_names(roles: Iterable[Any] | None) -> str:
    """«Адміністратор, Аудитор», not «[Адміністратор]» (or «[]»); roles or groups."""
    return ", ".join(sorted(str(r.name) for r in roles or ())) or EMPTY


def _kyiv_time(value: dt.datetime | None) -> str:
    return format_datetime(value, "dd.MM.yyyy HH:mm") if value else EMPTY


def _dash(value: object) -> str:
    return EMPTY if value is None or value == "" else str(value)


#: The users list, record and profile show text, not Python values (True, None, [..]).
USER_FORMATTERS = {
    "active": _yes_no,
    "roles": _role_names,
    "groups": _role_names,
    "oblast": _dash,
    "provider": _dash,
    "email": _dash,
    "locked_until": _kyiv_time,
    "last_login": _kyiv_time,
    "created_on": _kyiv_time,
    "changed_on": _kyiv_time,
    "created_by": _dash,
    "changed_by": _dash,
    "login_count": _dash,
    "fail_login_count": _dash,
}


class PortalUserDBModelView(UserDBModelView):
    # Keep FAB's permission name: grants and FAB's own menus refer to it.
    class_permission_name = "UserDBModelView"
    label_columns = {**UserDBModelView.label_columns, **_SCOPE_LABELS}
    description_columns = {**UserDBModelView.description_columns, **_SCOPE_DESCRIPTIONS}
    list_columns = [*UserDBModelView.list_columns, "oblast", "provider"]
    add_columns = [
        *UserDBModelView.add_columns[:-2],
        "oblast",
        "provider",
        *UserDBModelView.add_columns[-2:],
    ]
    edit_columns = [*UserDBModelView.edit_columns, "oblast", "provider", "locked_until"]
    formatters_columns = USER_FORMATTERS
    show_fieldsets = [
        *UserDBModelView.show_fieldsets[:2],
        (_l("Scope"), {"fields": ["oblast", "provider", "locked_until"], "expanded": True}),
        *UserDBModelView.show_fieldsets[2:],
    ]

    # Thousands of providers: searched on the server, never a whole-table dropdown.
    add_form_extra_fields = {
        **UserDBModelView.add_form_extra_fields,
        "provider": AjaxSelectField(
            _SCOPE_LABELS["provider"],
            lookup="provider",
            description=_SCOPE_DESCRIPTIONS["provider"],
        ),
    }
    edit_form_extra_fields = {
        "provider": AjaxSelectField(
            _SCOPE_LABELS["provider"],
            lookup="provider",
            description=_SCOPE_DESCRIPTIONS["provider"],
        ),
    }


def _with_safe_actions(view_class: type) -> type:
    """Same class name (so permission names stay FAB's), fixed action routes."""
    from .views import SafeActionsMixin

    return type(view_class.__name__, (SafeActionsMixin, view_class), {})


class SecurityManagerWithAdminViews(PortalSecurityManager):
    """The portal's security manager with its administration views."""

    userdbmodelview = _with_safe_actions(PortalUserDBModelView)
    rolemodelview = _with_safe_actions(PortalSecurityManager.rolemodelview)
    groupmodelview = _with_safe_actions(PortalSecurityManager.groupmodelview)
    permissionmodelview = _with_safe_actions(PortalSecurityManager.permissionmodelview)
    viewmenumodelview = _with_safe_actions(PortalSecurityManager.viewmenumodelview)
    permissionviewmodelview = _with_safe_actions(PortalSecurityManager.permissionviewmodelview)
    registerusermodelview = _with_safe_actions(PortalSecurityManager.registerusermodelview)
