"""Who may do what in competitive selection (DESIGN.md §3).

Ministry staff run rounds (announce, criteria, commission, transitions),
register applications and record results; commission members score
(``can_score``; the service also requires membership of the round's
commission). Regional administrators read rounds and results of their own
oblast; the auditor reads everything (selection data are not personal).
"""

from ..security.roles import AUDITOR, EXPORT, MINISTRY, READ, REGIONAL_ADMIN, WRITE

SCORE = "can_score"

GRANTS = {
    MINISTRY: {"SelectionRound": {READ, WRITE, EXPORT},
               "Application": {READ, WRITE, EXPORT, SCORE}},
    REGIONAL_ADMIN: {"SelectionRound": {READ, EXPORT}, "Application": {READ, EXPORT}},
    AUDITOR: {"SelectionRound": {READ, EXPORT}, "Application": {READ, EXPORT}},
}
MENU_CATEGORIES = {"SelectionRound": "Selection", "Application": "Selection"}
