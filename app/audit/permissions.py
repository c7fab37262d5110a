"""Only auditors (and the administrator) read the audit log; nobody writes it."""

from ..security.roles import AUDITOR, EXPORT, READ

GRANTS = {AUDITOR: {"AuditLog": {READ, EXPORT}}}
MENU_CATEGORIES = {"AuditLog": "Audit"}
