"""Expected permissions on the service directory (issue #25), per built-in role,
written by hand for the route-walk test. The administrator has everything.

The hromada editor («Редактор громади») keeps their community's entries; it
is not a role of docs/roles.md, so its self-service permissions (profile,
password, sessions, "My jobs") are listed here rather than in the
foundation's, sessions' and jobs' tables.
"""

from app.security.roles import AUDITOR, CASE_WORKER, HROMADA_EDITOR, MINISTRY, REGIONAL_ADMIN

READ, WRITE, EXPORT = "can_read", "can_write", "can_export"

EXPECTED = {
    "DirectoryEntry": {
        HROMADA_EDITOR: {READ, WRITE, EXPORT},
        REGIONAL_ADMIN: {READ, WRITE, EXPORT},
        MINISTRY: {READ, WRITE, EXPORT},
        CASE_WORKER: {READ},
        AUDITOR: {READ, EXPORT},
    },
    "ServiceKind": {
        HROMADA_EDITOR: {READ},
        REGIONAL_ADMIN: {READ},
        MINISTRY: {READ, WRITE},
        CASE_WORKER: {READ},
        AUDITOR: {READ},
    },
    "RecipientCategory": {
        HROMADA_EDITOR: {READ},
        REGIONAL_ADMIN: {READ},
        MINISTRY: {READ, WRITE},
        CASE_WORKER: {READ},
        AUDITOR: {READ},
    },
    "DirectoryReport": {REGIONAL_ADMIN: {READ}, MINISTRY: {READ}, AUDITOR: {READ}},
    # the hromada editor's self-service
    "UserDBModelView": {HROMADA_EDITOR: {"can_userinfo", "resetmypassword", "userinfoedit"}},
    "ResetMyPasswordView": {HROMADA_EDITOR: {"can_this_form_get", "can_this_form_post"}},
    "UserInfoEditView": {HROMADA_EDITOR: {"can_this_form_get", "can_this_form_post"}},
    "Session": {HROMADA_EDITOR: {READ}},
    "Job": {HROMADA_EDITOR: {READ}},
}
