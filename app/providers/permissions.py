"""Who may do what with providers and their specialists (docs/roles.md).

``can_approve`` covers approve, reject, suspend and reinstate (ministry);
``can_submit`` covers submitting a draft for approval (regional
administrators of the provider's oblast, the provider's own staff). The
workflow services check role and scope again (defence in depth).
"""

from ..security.permissions import SELF_SERVICE
from ..security.roles import (
    AUDITOR,
    CASE_WORKER,
    EXPORT,
    MINISTRY,
    PROVIDER_REP,
    READ,
    REGIONAL_ADMIN,
    TRAINER,
    WRITE,
)

APPROVE = "can_approve"
SUBMIT = "can_submit"

CRITERION = "EligibilityCriterion"

GRANTS = {
    MINISTRY: {
        "Provider": {READ, WRITE, EXPORT, APPROVE},
        "Specialist": {READ, EXPORT},
        CRITERION: {READ, WRITE},
    },
    REGIONAL_ADMIN: {
        "Provider": {READ, WRITE, EXPORT, SUBMIT},
        "Specialist": {READ, WRITE, EXPORT},
        CRITERION: {READ},
    },
    TRAINER: {"Provider": {READ}, "Specialist": {READ}},
    CASE_WORKER: {"Provider": {READ, SUBMIT}, "Specialist": {READ, WRITE}},
    # Specialists are personal data (names, contacts): not for the auditor.
    AUDITOR: {"Provider": {READ, EXPORT}, CRITERION: {READ}},
    # The provider's representative keeps its own card, documents and team (issue #22).
    PROVIDER_REP: {
        "Provider": {READ, WRITE, SUBMIT},
        "Specialist": {READ, WRITE},
        CRITERION: {READ},
        **SELF_SERVICE,
    },
}
MENU_CATEGORIES = {"Provider": "Registries", "Specialist": "Registries", CRITERION: "Registries"}
