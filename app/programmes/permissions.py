"""Who may do what with the programme reference (issue #20).

* Ministry staff keep the programmes' rules and measure catalogues (every
  change is in the audit log).
* Every other portal role reads them: the rules decide what a case worker's
  case must do, and the regional administrators, trainers and auditors read
  what the programmes require.
* The administrator has every permission (FAB_ROLES ``.*``).
"""

from ..security.roles import AUDITOR, CASE_WORKER, MINISTRY, READ, REGIONAL_ADMIN, TRAINER, WRITE

PROGRAMME = "Programme"
MEASURE = "ProgrammeMeasure"

GRANTS = {
    MINISTRY: {PROGRAMME: {READ, WRITE}, MEASURE: {READ, WRITE}},
    **{
        role: {PROGRAMME: {READ}, MEASURE: {READ}}
        for role in (REGIONAL_ADMIN, TRAINER, CASE_WORKER, AUDITOR)
    },
}
MENU_CATEGORIES = {PROGRAMME: "Directories", MEASURE: "Directories"}
