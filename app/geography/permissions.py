"""Who may do what with geography (read-only reference data)."""

from ..security.roles import AUDITOR, CASE_WORKER, EXPORT, MINISTRY, READ, REGIONAL_ADMIN, TRAINER

GEOGRAPHY = ("Oblast", "Raion", "Hromada")

GRANTS = {
    role: {resource: {READ, EXPORT} for resource in GEOGRAPHY}
    for role in (MINISTRY, REGIONAL_ADMIN, TRAINER, CASE_WORKER, AUDITOR)
}
MENU_CATEGORIES = {resource: "Directories" for resource in GEOGRAPHY}
