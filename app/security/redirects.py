"""FAB's redirect check after sign-in, without a false alarm on every login.

FAB's ``get_safe_redirect`` logs "Invalid redirect detected" whenever the
login form carries no ``next`` target, that is on every ordinary sign-in, so
the warning that should point at an open-redirect probe (an off-site
``next``) was noise in every log. Here an empty target goes to the index
quietly; a refused one is logged with what was asked for.
"""

from __future__ import annotations

import logging

from flask_appbuilder.utils.base import is_safe_redirect_url

from .. import fab_seam
from ..extensions import get_appbuilder

log = logging.getLogger(__name__)


def safe_redirect(url: str | None) -> str:
    """``url`` if it stays on this site, else the index (logged if one was given)."""
    if url and is_safe_redirect_url(url):
        return url
    if url:
        log.warning("Refused a redirect to %r after sign-in; going to the index", url[:200])
    return str(get_appbuilder().get_url_for_index)


def init_safe_redirects() -> None:
    """FAB's security views call ``get_safe_redirect`` by the name they imported."""
    fab_seam.install_safe_redirect(safe_redirect)
