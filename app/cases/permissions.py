"""Who may do what in the case register (docs/roles.md).

* Provider case workers: full work on the cases of their own provider
  (the scope keeps them there), including personal data and transfers.
* Ministry staff and auditors: the de-identified register only
  (``CaseDeidentified``: no names, RNOKPP, phones, addresses, notes).
* Regional administrators and trainers: nothing.
* The administrator has every permission (FAB_ROLES ``.*``).
"""

from ..security.roles import (
    AUDITOR,
    CASE_WORKER,
    EXPORT,
    MINISTRY,
    PROVIDER_REP,
    READ,
    REGIONAL_ADMIN,
    WRITE,
)

CASE = "Case"
DEIDENTIFIED = "CaseDeidentified"
TRANSFER = "CaseTransfer"
#: Resources holding personal data or notes: case workers only.
PERSONAL = (
    "Beneficiary",
    "HouseholdMember",
    "NeedsAssessment",
    "PlanItem",
    "Contact",
    "Referral",
    "Review",
    "AssessmentAct",
)
#: Extensions of the term: read only (made by the «extend» command of the case).
EXTENSION = "CaseExtension"
#: The pilot's military units: ministry staff keep them; case workers read their own
#: provider's (scope), auditors all.
UNIT = "MilitaryUnit"
#: De-identified monthly figures (issue #20): ministry national, regional
#: administrators their oblast (counts only), a provider's staff their own.
REPORT = "CaseReport"
#: Follow-ups after closure: read here, recorded by the case's «follow-up» command.
FOLLOW_UP = "CaseFollowUp"
#: A provider's case settings (supervisor approval of plans): the provider's
#: representative sets its own, ministry staff any; case workers read theirs.
SETTING = "CaseProviderSetting"

GRANTS = {
    CASE_WORKER: {
        CASE: {READ, WRITE, EXPORT},
        TRANSFER: {READ, WRITE},
        **{resource: {READ, WRITE} for resource in PERSONAL},
        EXTENSION: {READ},
        UNIT: {READ},
        REPORT: {READ},
        FOLLOW_UP: {READ},
        SETTING: {READ},
    },
    MINISTRY: {
        DEIDENTIFIED: {READ, EXPORT},
        UNIT: {READ, WRITE},
        REPORT: {READ},
        SETTING: {READ, WRITE},
    },
    AUDITOR: {DEIDENTIFIED: {READ, EXPORT}, UNIT: {READ}, REPORT: {READ}, SETTING: {READ}},
    REGIONAL_ADMIN: {REPORT: {READ}},
    PROVIDER_REP: {SETTING: {READ, WRITE}},
}
MENU_CATEGORIES = {
    CASE: "Cases",
    DEIDENTIFIED: "Cases",
    TRANSFER: "Cases",
    UNIT: "Cases",
    REPORT: "Cases",
    SETTING: "Cases",
}
