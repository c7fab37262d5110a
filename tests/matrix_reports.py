"""Expected permissions on reports (docs/roles.md: planning staff and auditors)."""

from app.security.roles import AUDITOR, MINISTRY, REGIONAL_ADMIN

EXPECTED = {
    "CentreMap": {MINISTRY: {"can_read"}, REGIONAL_ADMIN: {"can_read"}, AUDITOR: {"can_read"}}
}
