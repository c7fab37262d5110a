"""Creating a user account: the one command the CLI, the demo data and the
tests use (the administrator's web form is FAB's own user view).

It lives in ``security`` because accounts, roles and scope are this layer's;
it knows scope only as ids (``oblast_id``, ``provider_id``), so it needs no
domain model: the CLI resolves an oblast's KATOTTG code or a provider's
ЄДРПОУ to an id before calling it (``app.cli.create_user``).
"""

from __future__ import annotations

from ..extensions import db, get_appbuilder
from .models import PortalUser


class UserNotCreated(ValueError):
    """No such role, or the username or e-mail is taken."""


def create_user(
    username: str,
    password: str,
    role_name: str,
    *,
    first_name: str = "",
    last_name: str = "",
    email: str | None = None,
    oblast_id: int | None = None,
    provider_id: int | None = None,
) -> PortalUser:
    """Add an active user with one built-in role and their scope; commit."""
    sm = get_appbuilder().sm
    role = sm.find_role(role_name)
    if role is None:
        raise UserNotCreated(f"No such role: {role_name}")
    user = sm.add_user(
        username,
        first_name or username,
        last_name or "-",
        email or f"{username}@example.org",
        role,
        password=password,
    )
    if not isinstance(user, PortalUser):  # FAB answers False on a duplicate
        raise UserNotCreated(f"User {username} was not created (duplicate?)")
    user.oblast_id = oblast_id
    user.provider_id = provider_id
    db.session.commit()
    return user
