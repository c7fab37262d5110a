"""Who may do what in the case register (DESIGN.md §3).

* Provider case workers: full work on the cases of their own provider
  (the scope keeps them there), including personal data and transfers.
* Ministry staff and auditors: the de-identified register only
  (``CaseDeidentified``: no names, RNOKPP, phones, addresses, notes).
* Regional administrators and trainers: nothing.
* The administrator has every permission (FAB_ROLES ``.*``).
"""

from ..security.roles import AUDITOR, CASE_WORKER, EXPORT, MINISTRY, READ, WRITE

CASE = "Case"
DEIDENTIFIED = "CaseDeidentified"
TRANSFER = "CaseTransfer"
#: Resources holding personal data or notes: case workers only.
PERSONAL = ("Beneficiary", "HouseholdMember", "NeedsAssessment", "PlanItem", "Contact",
            "Referral", "Review")

GRANTS = {
    CASE_WORKER: {
        CASE: {READ, WRITE, EXPORT},
        TRANSFER: {READ, WRITE},
        **{resource: {READ, WRITE} for resource in PERSONAL},
    },
    MINISTRY: {DEIDENTIFIED: {READ, EXPORT}},
    AUDITOR: {DEIDENTIFIED: {READ, EXPORT}},
}
MENU_CATEGORIES = {CASE: "Cases", DEIDENTIFIED: "Cases", TRANSFER: "Cases"}
