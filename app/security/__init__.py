"""Security: roles as code, user scope, lockout, password policy, sessions."""

from . import permissions  # noqa: F401  (grants are collected from here)


def register(appbuilder) -> None:
    """FAB registers its own security views; nothing extra yet."""
