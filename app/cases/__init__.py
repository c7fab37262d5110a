"""cases domain (being built)."""

from . import permissions  # noqa: F401


def register(appbuilder) -> None:
    """Views are added as the domain lands."""
