"""Expected permissions on the foundation's resources, per built-in role.

Written by hand from docs/roles.md (not derived from the code it checks).
The administrator is expected to have everything and is not listed.
"""

from app.security.roles import AUDITOR, CASE_WORKER, MINISTRY, REGIONAL_ADMIN, TRAINER

EVERYONE = (MINISTRY, REGIONAL_ADMIN, TRAINER, CASE_WORKER, AUDITOR)
SELF_SERVICE = {
    "UserDBModelView": {"can_userinfo", "resetmypassword", "userinfoedit"},
    "ResetMyPasswordView": {"can_this_form_get", "can_this_form_post"},
    "UserInfoEditView": {"can_this_form_get", "can_this_form_post"},
}

EXPECTED = {
    "Oblast": {role: {"can_read", "can_export"} for role in EVERYONE},
    "Raion": {role: {"can_read", "can_export"} for role in EVERYONE},
    "Hromada": {role: {"can_read", "can_export"} for role in EVERYONE},
    "AuditLog": {AUDITOR: {"can_read", "can_export"}},
    **{resource: {role: perms for role in EVERYONE} for resource, perms in SELF_SERVICE.items()},
    # FAB's own administration views: administrator only.
    **{
        resource: {}
        for resource in (
            "RoleModelView",
            "UserGroupModelView",
            "ResetPasswordView",
            "UserStatsChartView",
            "PermissionModelView",
            "ViewMenuModelView",
            "PermissionViewModelView",
            "SwaggerView",
            "MenuApi",
            "OpenApi",
            "SecurityApi",
            "AuthDBView",
            "LocaleView",
            "UtilView",
        )
    },
}
