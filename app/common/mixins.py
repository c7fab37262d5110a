"""Column mixins shared by domain models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g, has_request_context
from sqlalchemy import DateTime, ForeignKey, Integer, func
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .. import clock


def _current_user_id() -> int | None:
    if has_request_context():
        user = getattr(g, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return int(user.id)
    return None


class AuditColumnsMixin:
    """Who created and last changed the row, and when (UTC)."""

    created_on: Mapped[dt.datetime] = mapped_column(
        DateTime, default=clock.utcnow, server_default=func.now(), nullable=False
    )
    changed_on: Mapped[dt.datetime] = mapped_column(
        DateTime,
        default=clock.utcnow,
        onupdate=clock.utcnow,
        server_default=func.now(),
        nullable=False,
    )

    @declared_attr
    def created_by_fk(cls) -> Mapped[int | None]:
        return mapped_column(
            Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), default=_current_user_id
        )

    @declared_attr
    def changed_by_fk(cls) -> Mapped[int | None]:
        return mapped_column(
            Integer,
            ForeignKey("ab_user.id", ondelete="SET NULL"),
            default=_current_user_id,
            onupdate=_current_user_id,
        )


class VersionedMixin:
    """Optimistic locking: SQLAlchemy adds ``WHERE version = :seen`` to every
    UPDATE and raises StaleDataError when another transaction got there first;
    edit forms carry the version the user saw (see ``PortalModelView``)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}
