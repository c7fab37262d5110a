"""Expected permissions on the training resources, per built-in role.

Written by hand from docs/roles.md: trainers run courses, workshops and
attendance (and enrol participants); ministry staff read all trainings and
their reports and may export them; auditors read what is not personal
(courses, workshops, aggregate reports). Regional administrators and case
workers have no access. ``can_reopen`` (reopening a finished workshop) is the
administrator's alone. The administrator has everything and is not listed.
"""

from app.security.roles import AUDITOR, MINISTRY, TRAINER

R, W, E = "can_read", "can_write", "can_export"

EXPECTED = {
    "Course": {TRAINER: {R, W, E}, MINISTRY: {R, E}, AUDITOR: {R}},
    "Workshop": {TRAINER: {R, W, E}, MINISTRY: {R, E}, AUDITOR: {R}},
    "Participant": {TRAINER: {R, W, E}, MINISTRY: {R, E}},
    "Certificate": {TRAINER: {R, E}, MINISTRY: {R, E}},
    "TrainingReport": {TRAINER: {R, E}, MINISTRY: {R, E}, AUDITOR: {R}},
}
