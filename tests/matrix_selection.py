"""Permissions each built-in role must have on the selection resources (DESIGN.md §3),
written by hand (not imported from app.selection.permissions) for the route-walk test."""

from app.security.roles import (ADMIN, AUDITOR, CASE_WORKER, MINISTRY, REGIONAL_ADMIN,
                                TRAINER)

EXPECTED = {
    "SelectionRound": {
        ADMIN: {"can_read", "can_write", "can_export"},
        MINISTRY: {"can_read", "can_write", "can_export"},
        REGIONAL_ADMIN: {"can_read", "can_export"},
        TRAINER: set(),
        CASE_WORKER: set(),
        AUDITOR: {"can_read", "can_export"},
    },
    "Application": {
        ADMIN: {"can_read", "can_write", "can_export", "can_score"},
        MINISTRY: {"can_read", "can_write", "can_export", "can_score"},
        REGIONAL_ADMIN: {"can_read", "can_export"},
        TRAINER: set(),
        CASE_WORKER: set(),
        AUDITOR: {"can_read", "can_export"},
    },
}
