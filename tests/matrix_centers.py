"""Permissions each built-in role must have on the centre resources (docs/roles.md),
written by hand for the lead's route-walk test."""

from app.security.roles import ADMIN, AUDITOR, CASE_WORKER, MINISTRY, REGIONAL_ADMIN, TRAINER

ALL_CENTRE = {
    "can_read",
    "can_write",
    "can_export",
    "can_import",
    "can_prepare",
    "can_open",
    "can_suspend",
    "can_resume",
    "can_close",
}

EXPECTED = {
    "Centre": {
        ADMIN: ALL_CENTRE,
        MINISTRY: {"can_read", "can_export", "can_suspend", "can_resume", "can_close"},
        REGIONAL_ADMIN: ALL_CENTRE,
        TRAINER: set(),
        CASE_WORKER: {"can_read"},
        AUDITOR: {"can_read", "can_export"},
    },
    "CentreDashboard": {
        ADMIN: {"can_read"},
        MINISTRY: {"can_read"},
        REGIONAL_ADMIN: {"can_read"},
        TRAINER: set(),
        CASE_WORKER: set(),
        AUDITOR: {"can_read"},
    },
}
