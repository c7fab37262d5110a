"""Permissions of the centres-at-work resources (issue #21), by role."""

from app.security.roles import ADMIN, AUDITOR, CASE_WORKER, MINISTRY, REGIONAL_ADMIN, TRAINER

EXPECTED = {
    # merged with tests/matrix_centers.py: publishing in the public directory
    "Centre": {ADMIN: {"can_publish"}, REGIONAL_ADMIN: {"can_publish"}},
    "CentreStaff": {
        ADMIN: {"can_read", "can_write"},
        MINISTRY: {"can_read"},
        REGIONAL_ADMIN: {"can_read", "can_write"},
        TRAINER: set(),
        CASE_WORKER: {"can_read", "can_write"},
        AUDITOR: set(),
    },
    "CentreCommunityApplication": {
        ADMIN: {"can_read", "can_write", "can_decide"},
        MINISTRY: {"can_read"},
        REGIONAL_ADMIN: {"can_read", "can_write", "can_decide"},
        TRAINER: set(),
        CASE_WORKER: set(),
        AUDITOR: set(),
    },
    "CentreActivity": {
        ADMIN: {"can_read", "can_write"},
        MINISTRY: {"can_read"},
        REGIONAL_ADMIN: {"can_read"},
        TRAINER: set(),
        CASE_WORKER: {"can_read", "can_write"},
        AUDITOR: set(),
    },
    "CentreReport": {
        ADMIN: {"can_read", "can_write", "can_submit", "can_review"},
        MINISTRY: {"can_read"},
        REGIONAL_ADMIN: {"can_read", "can_review"},
        TRAINER: set(),
        CASE_WORKER: {"can_read", "can_write", "can_submit"},
        AUDITOR: set(),
    },
}
