"""Permissions each built-in role must have on the provider resources (docs/roles.md),
written by hand (not imported from app.providers.permissions) for the route-walk test.

can_approve = approve / reject / suspend / reinstate (ministry);
can_submit = submit a draft for approval (regional admin of the oblast, the provider's staff).
"""

from app.security.roles import (
    ADMIN,
    AUDITOR,
    CASE_WORKER,
    MINISTRY,
    PROVIDER_REP,
    REGIONAL_ADMIN,
    TRAINER,
)

EXPECTED = {
    "Provider": {
        ADMIN: {"can_read", "can_write", "can_export", "can_approve", "can_submit"},
        MINISTRY: {"can_read", "can_write", "can_export", "can_approve"},
        REGIONAL_ADMIN: {"can_read", "can_write", "can_export", "can_submit"},
        TRAINER: {"can_read"},
        CASE_WORKER: {"can_read", "can_submit"},
        AUDITOR: {"can_read", "can_export"},
        PROVIDER_REP: {"can_read", "can_write", "can_submit"},
    },
    "Specialist": {
        ADMIN: {"can_read", "can_write", "can_export"},
        MINISTRY: {"can_read", "can_export"},
        REGIONAL_ADMIN: {"can_read", "can_write", "can_export"},
        TRAINER: {"can_read"},
        CASE_WORKER: {"can_read", "can_write"},
        AUDITOR: set(),  # names and contacts of people: personal data
        PROVIDER_REP: {"can_read", "can_write"},
    },
    # The ministry keeps the list of eligibility criteria (issue #22).
    "EligibilityCriterion": {
        ADMIN: {"can_read", "can_write"},
        MINISTRY: {"can_read", "can_write"},
        REGIONAL_ADMIN: {"can_read"},
        AUDITOR: {"can_read"},
        PROVIDER_REP: {"can_read"},
    },
    # The provider's representative signs in and keeps its own profile and password.
    "UserDBModelView": {PROVIDER_REP: {"can_userinfo", "resetmypassword", "userinfoedit"}},
    "ResetMyPasswordView": {PROVIDER_REP: {"can_this_form_get", "can_this_form_post"}},
    "UserInfoEditView": {PROVIDER_REP: {"can_this_form_get", "can_this_form_post"}},
    "Session": {PROVIDER_REP: {"can_read"}},
}
