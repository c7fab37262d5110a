"""Permissions each built-in role must have on the case-register resources
(docs/roles.md and the case-register issue), written by hand for the lead's
route-walk test — deliberately not imported from app/cases/permissions.py.

* Case workers: full work on cases of their own provider (scope), incl.
  personal data, transfers and exports of their own register.
* Ministry staff and auditors: the de-identified register only.
* Regional administrators and trainers: nothing in the case register.
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

NONE: set = set()
RW = {"can_read", "can_write"}


def _personal():
    return {
        ADMIN: RW,
        MINISTRY: NONE,
        REGIONAL_ADMIN: NONE,
        TRAINER: NONE,
        CASE_WORKER: RW,
        AUDITOR: NONE,
    }


EXPECTED = {
    "Case": {
        ADMIN: {"can_read", "can_write", "can_export"},
        MINISTRY: NONE,
        REGIONAL_ADMIN: NONE,
        TRAINER: NONE,
        CASE_WORKER: {"can_read", "can_write", "can_export"},
        AUDITOR: NONE,
    },
    "CaseDeidentified": {
        ADMIN: {"can_read", "can_export"},
        MINISTRY: {"can_read", "can_export"},
        REGIONAL_ADMIN: NONE,
        TRAINER: NONE,
        CASE_WORKER: NONE,
        AUDITOR: {"can_read", "can_export"},
    },
    "CaseTransfer": {
        ADMIN: RW,
        MINISTRY: NONE,
        REGIONAL_ADMIN: NONE,
        TRAINER: NONE,
        CASE_WORKER: RW,
        AUDITOR: NONE,
    },
    "Beneficiary": _personal(),
    "HouseholdMember": _personal(),
    "NeedsAssessment": _personal(),
    "PlanItem": _personal(),
    "Contact": _personal(),
    "Referral": _personal(),
    "Review": _personal(),
    "AssessmentAct": _personal(),
    "CaseExtension": {
        ADMIN: {"can_read"},
        MINISTRY: NONE,
        REGIONAL_ADMIN: NONE,
        TRAINER: NONE,
        CASE_WORKER: {"can_read"},
        AUDITOR: NONE,
    },
    # the servicemen pilot's units: ministry staff keep them (issue #20)
    "MilitaryUnit": {
        ADMIN: RW,
        MINISTRY: RW,
        REGIONAL_ADMIN: NONE,
        TRAINER: NONE,
        CASE_WORKER: {"can_read"},
        AUDITOR: {"can_read"},
    },
    # follow-ups after closure: read; recorded by the case's command (Case write)
    "CaseFollowUp": {
        ADMIN: {"can_read"},
        MINISTRY: NONE,
        REGIONAL_ADMIN: NONE,
        TRAINER: NONE,
        CASE_WORKER: {"can_read"},
        AUDITOR: NONE,
    },
    # a provider's case settings: ministry staff (and the provider's representative) write
    "CaseProviderSetting": {
        ADMIN: RW,
        MINISTRY: RW,
        REGIONAL_ADMIN: NONE,
        TRAINER: NONE,
        CASE_WORKER: {"can_read"},
        AUDITOR: {"can_read"},
        PROVIDER_REP: RW,
    },
    # de-identified monthly figures: counts only, each role in its scope
    "CaseReport": {
        ADMIN: {"can_read"},
        MINISTRY: {"can_read"},
        REGIONAL_ADMIN: {"can_read"},
        TRAINER: NONE,
        CASE_WORKER: {"can_read"},
        AUDITOR: {"can_read"},
    },
}
