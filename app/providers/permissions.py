"""Who may do what with providers (DESIGN.md §3)."""

from ..security.roles import (AUDITOR, CASE_WORKER, EXPORT, MINISTRY, READ, REGIONAL_ADMIN,
                              TRAINER, WRITE)

GRANTS = {
    MINISTRY: {"Provider": {READ, WRITE, EXPORT}},
    REGIONAL_ADMIN: {"Provider": {READ, WRITE, EXPORT}},
    TRAINER: {"Provider": {READ}},
    CASE_WORKER: {"Provider": {READ}},
    AUDITOR: {"Provider": {READ, EXPORT}},
}
MENU_CATEGORIES = {"Provider": "Registries"}
