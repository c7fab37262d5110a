"""Expected permissions on background jobs, per built-in role (written by hand).

Every signed-in role follows its own jobs ("My jobs"); which jobs a user may
start is decided by the export/import permissions of the lists themselves.
"""

from app.security.roles import AUDITOR, CASE_WORKER, MINISTRY, REGIONAL_ADMIN, TRAINER

EXPECTED = {
    "Job": {
        role: {"can_read"} for role in (MINISTRY, REGIONAL_ADMIN, TRAINER, CASE_WORKER, AUDITOR)
    },
}
