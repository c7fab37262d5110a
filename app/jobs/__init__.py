"""Background jobs: large exports and imports run outside the request, with progress.

See :mod:`app.jobs.services` for how jobs are run and why this way.
"""

from flask_babel import lazy_gettext as _l

from . import permissions


def register(appbuilder) -> None:
    from .views import JobView

    appbuilder.add_view(JobView, permissions.RESOURCE, label=_l("My jobs"), icon="fa-tasks")
