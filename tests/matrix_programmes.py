"""Expected permissions on the programme reference (issue #20), per built-in
role, written by hand for the route-walk test. The administrator has everything.

Ministry staff keep the programmes' rules and catalogues; every other portal
role reads them.
"""

from app.security.roles import AUDITOR, CASE_WORKER, MINISTRY, REGIONAL_ADMIN, TRAINER

READ, WRITE = "can_read", "can_write"

_READERS = {REGIONAL_ADMIN: {READ}, TRAINER: {READ}, CASE_WORKER: {READ}, AUDITOR: {READ}}

EXPECTED = {
    "Programme": {MINISTRY: {READ, WRITE}, **_READERS},
    "ProgrammeMeasure": {MINISTRY: {READ, WRITE}, **_READERS},
}
