"""Who may do what with providers and their specialists (DESIGN.md §3).

``can_approve`` covers approve, reject, suspend and reinstate (ministry);
``can_submit`` covers submitting a draft for approval (regional
administrators of the provider's oblast, the provider's own staff). The
workflow services check role and scope again (defence in depth).
"""

from ..security.roles import (AUDITOR, CASE_WORKER, EXPORT, MINISTRY, READ, REGIONAL_ADMIN,
                              TRAINER, WRITE)

APPROVE = "can_approve"
SUBMIT = "can_submit"

GRANTS = {
    MINISTRY: {"Provider": {READ, WRITE, EXPORT, APPROVE},
               "Specialist": {READ, EXPORT}},
    REGIONAL_ADMIN: {"Provider": {READ, WRITE, EXPORT, SUBMIT},
                     "Specialist": {READ, WRITE, EXPORT}},
    TRAINER: {"Provider": {READ}, "Specialist": {READ}},
    CASE_WORKER: {"Provider": {READ, SUBMIT}, "Specialist": {READ, WRITE}},
    # Specialists are personal data (names, contacts): not for the auditor.
    AUDITOR: {"Provider": {READ, EXPORT}},
}
MENU_CATEGORIES = {"Provider": "Registries", "Specialist": "Registries"}
