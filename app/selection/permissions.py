"""Who may do what in competitive selection (docs/roles.md).

Ministry staff run rounds (announce, criteria, commission, transitions),
register applications and record results; commission members score
(``can_score``; the service also requires membership of the round's
commission). Regional administrators read rounds and results of their own
oblast; the auditor reads everything (selection data are not personal).
"""

from ..security.roles import AUDITOR, EXPORT, MINISTRY, PROVIDER_REP, READ, REGIONAL_ADMIN, WRITE

SCORE = "can_score"
#: Ministry staff review proposals: screening, appeals, acts (``can_review``).
REVIEW = "can_review"
#: A provider's representative files appeals and acts (``can_file``).
FILE = "can_file"
READ_ALL = {READ, EXPORT}

GRANTS = {
    MINISTRY: {
        "SelectionRound": {READ, WRITE, EXPORT},
        "Application": {READ, WRITE, EXPORT, SCORE, REVIEW},
        "Lot": {READ, WRITE},
        "ProposalLot": {READ},
        "TeamMember": {READ},
        "ServiceAgreement": {READ, WRITE, EXPORT},
        "ServiceAct": {READ, REVIEW},
    },
    REGIONAL_ADMIN: {
        "SelectionRound": READ_ALL,
        "Application": READ_ALL,
        "Lot": {READ},
        "ProposalLot": {READ},
        "ServiceAgreement": READ_ALL,
        "ServiceAct": {READ},
    },
    AUDITOR: {
        "SelectionRound": READ_ALL,
        "Application": READ_ALL,
        "Lot": {READ},
        "ProposalLot": {READ},
        "ServiceAgreement": READ_ALL,
        "ServiceAct": {READ},
    },
    # The provider's representative submits its own proposals (lots, team, documents),
    # appeals its results and submits monthly acts of its agreements.
    PROVIDER_REP: {
        "SelectionRound": {READ},
        "Application": {READ, WRITE, FILE},
        "Lot": {READ},
        "ProposalLot": {READ, WRITE},
        "TeamMember": {READ, WRITE},
        "ServiceAgreement": {READ},
        "ServiceAct": {READ, WRITE},
    },
}
MENU_CATEGORIES = {
    "SelectionRound": "Selection",
    "Application": "Selection",
    "Lot": "Selection",
    "ProposalLot": "Selection",
    "TeamMember": "Selection",
    "ServiceAgreement": "Selection",
    "ServiceAct": "Selection",
}
