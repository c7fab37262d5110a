"""Permissions each built-in role must have on the selection resources (docs/roles.md),
written by hand (not imported from app.selection.permissions) for the route-walk test."""

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
    "SelectionRound": {
        ADMIN: {"can_read", "can_write", "can_export"},
        MINISTRY: {"can_read", "can_write", "can_export"},
        REGIONAL_ADMIN: {"can_read", "can_export"},
        TRAINER: set(),
        CASE_WORKER: set(),
        AUDITOR: {"can_read", "can_export"},
        PROVIDER_REP: {"can_read"},
    },
    "Application": {
        ADMIN: {"can_read", "can_write", "can_export", "can_score", "can_review", "can_file"},
        MINISTRY: {"can_read", "can_write", "can_export", "can_score", "can_review"},
        REGIONAL_ADMIN: {"can_read", "can_export"},
        TRAINER: set(),
        CASE_WORKER: set(),
        AUDITOR: {"can_read", "can_export"},
        # The provider's representative submits and appeals; ministry staff review.
        PROVIDER_REP: {"can_read", "can_write", "can_file"},
    },
    "Lot": {
        ADMIN: {"can_read", "can_write"},
        MINISTRY: {"can_read", "can_write"},
        REGIONAL_ADMIN: {"can_read"},
        AUDITOR: {"can_read"},
        PROVIDER_REP: {"can_read"},
    },
    "ProposalLot": {
        ADMIN: {"can_read", "can_write"},
        MINISTRY: {"can_read"},
        REGIONAL_ADMIN: {"can_read"},
        AUDITOR: {"can_read"},
        PROVIDER_REP: {"can_read", "can_write"},
    },
    "TeamMember": {
        ADMIN: {"can_read", "can_write"},
        MINISTRY: {"can_read"},
        PROVIDER_REP: {"can_read", "can_write"},
    },
    "ServiceAgreement": {
        ADMIN: {"can_read", "can_write", "can_export"},
        MINISTRY: {"can_read", "can_write", "can_export"},
        REGIONAL_ADMIN: {"can_read", "can_export"},
        AUDITOR: {"can_read", "can_export"},
        PROVIDER_REP: {"can_read"},
    },
    "ServiceAct": {
        ADMIN: {"can_read", "can_write", "can_review"},
        MINISTRY: {"can_read", "can_review"},
        REGIONAL_ADMIN: {"can_read"},
        AUDITOR: {"can_read"},
        PROVIDER_REP: {"can_read", "can_write"},
    },
}
