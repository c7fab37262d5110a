"""Who may do what with trainings (docs/roles.md).

Trainers run courses, workshops, participants and attendance; a trainer
changes only the workshops they are a trainer of (a write rule enforced in
``services``, not a scope: every trainer reads every workshop). Ministry
staff read all trainings and their reports; auditors read what is not
personal (courses, workshops, aggregate reports), not participants'
names or certificates. Reopening a finished workshop is the administrator's
(``can_reopen``, granted to nobody else).
"""

from ..security.roles import AUDITOR, EXPORT, MINISTRY, READ, TRAINER, WRITE

GRANTS = {
    MINISTRY: {
        "Course": {READ, EXPORT},
        "Workshop": {READ, EXPORT},
        "Participant": {READ, EXPORT},
        "Certificate": {READ, EXPORT},
        "TrainingReport": {READ, EXPORT},
    },
    TRAINER: {
        "Course": {READ, WRITE, EXPORT},
        "Workshop": {READ, WRITE, EXPORT},
        "Participant": {READ, WRITE, EXPORT},
        "Certificate": {READ, EXPORT},
        "TrainingReport": {READ, EXPORT},
    },
    AUDITOR: {
        "Course": {READ},
        "Workshop": {READ},
        "TrainingReport": {READ},
    },
}
MENU_CATEGORIES = {
    "Course": "Training",
    "Workshop": "Training",
    "Participant": "Training",
    "Certificate": "Training",
    "TrainingReport": "Training",
}
