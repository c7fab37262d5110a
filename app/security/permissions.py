"""Self-service permissions every signed-in role has: own profile and password."""

from ..security.roles import PORTAL_ROLES

SELF_SERVICE = {
    "UserDBModelView": {"can_userinfo", "resetmypassword", "userinfoedit"},
    "ResetMyPasswordView": {"can_this_form_get", "can_this_form_post"},
    "UserInfoEditView": {"can_this_form_get", "can_this_form_post"},
}

GRANTS = {role: SELF_SERVICE for role in PORTAL_ROLES}
MENU_CATEGORIES: dict[str, str] = {}
