"""Expected permissions on "Session" ("My sessions"), per built-in role.

Every role sees and ends its own sessions; only the administrator (not
listed: everything) sees and ends everybody's (``can_end_any``).
"""

from app.security.roles import AUDITOR, CASE_WORKER, MINISTRY, REGIONAL_ADMIN, TRAINER

EVERYONE = (MINISTRY, REGIONAL_ADMIN, TRAINER, CASE_WORKER, AUDITOR)

EXPECTED = {
    "Session": {role: {"can_read"} for role in EVERYONE},
}
