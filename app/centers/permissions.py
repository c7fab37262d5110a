"""Who may do what with resilience centres (DESIGN.md §3).

* Regional administrators register and edit centres of their own oblast, import them
  from spreadsheets and move them through every status.
* Ministry staff read all centres and may suspend, resume and close them.
* Auditors read; provider case workers read their own provider's centres.
"""

from ..security.roles import (AUDITOR, CASE_WORKER, EXPORT, MINISTRY, READ, REGIONAL_ADMIN,
                              WRITE)

RESOURCE = "Centre"
DASHBOARD = "CentreDashboard"

PREPARE = "can_prepare"
OPEN = "can_open"
SUSPEND = "can_suspend"
RESUME = "can_resume"
CLOSE = "can_close"
IMPORT = "can_import"

GRANTS = {
    MINISTRY: {RESOURCE: {READ, EXPORT, SUSPEND, RESUME, CLOSE}, DASHBOARD: {READ}},
    REGIONAL_ADMIN: {RESOURCE: {READ, WRITE, EXPORT, IMPORT, PREPARE, OPEN, SUSPEND, RESUME,
                                CLOSE},
                     DASHBOARD: {READ}},
    CASE_WORKER: {RESOURCE: {READ}},
    AUDITOR: {RESOURCE: {READ, EXPORT}, DASHBOARD: {READ}},
}
MENU_CATEGORIES = {RESOURCE: "Registries", DASHBOARD: "Reports"}
