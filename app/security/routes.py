"""FAB routes the portal does not serve.

Every FAB ``ModelView`` exposes ``/<view>/download/<filename>``, which sends
any file of ``UPLOAD_FOLDER`` by name to anyone with read access to the view
(FAB's ``FileColumn``; the portal has none: it answered 500 with an
IndexError). Documents are served only through the record they belong to,
with its scope checked (``ApplicationView.document``). The route is taken off
``ModelView`` before any view is built, so no URL rule is ever made for it.
"""

from __future__ import annotations

from flask_appbuilder.views import ModelView


def remove_generic_download() -> None:
    """Idempotent; runs when ``app.security`` is first imported, which the
    app factory does (with the models) before AppBuilder builds a view."""
    if "download" in ModelView.__dict__:
        delattr(ModelView, "download")
