"""Self-service permissions every signed-in role has: own profile, password, sessions."""

from ..security.roles import PORTAL_ROLES, READ

SELF_SERVICE = {
    "UserDBModelView": {"can_userinfo", "resetmypassword", "userinfoedit"},
    "ResetMyPasswordView": {"can_this_form_get", "can_this_form_post"},
    "UserInfoEditView": {"can_this_form_get", "can_this_form_post"},
    # "My sessions": one's own sessions only (can_end_any: administrator).
    "Session": {READ},
}

GRANTS = {role: SELF_SERVICE for role in PORTAL_ROLES}
MENU_CATEGORIES: dict[str, str] = {}
