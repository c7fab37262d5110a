"""Every signed-in role may follow its own background jobs.

Starting a job is not a permission of its own: an export job needs
``can_export`` on the list it exports, an import job ``can_import`` on the
centres. ``can_read`` on "Job" is the "My jobs" page, a job's page, its
progress and its result file, always limited to the user's own jobs (the
administrator sees everybody's, but downloads only their own files).
"""

from ..security.roles import PORTAL_ROLES, READ

RESOURCE = "Job"

GRANTS = {role: {RESOURCE: {READ}} for role in PORTAL_ROLES}
#: A top-level menu item, in no category.
MENU_CATEGORIES: dict[str, str] = {}
