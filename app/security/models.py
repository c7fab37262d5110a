"""The portal's user: FAB's user plus its scope and lockout state.

Single-table inheritance on FAB's ``ab_user`` (the way FAB documents user
extension): FAB keeps managing the table, we add three columns.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship


class PortalUser(User):
    """A portal account. ``oblast`` scopes regional administrators,
    ``provider`` scopes provider case workers (see ``app.security.scope``)."""

    __tablename__ = "ab_user"

    oblast_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("geo_oblast.id", ondelete="SET NULL", use_alter=True), index=True
    )
    provider_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("provider.id", ondelete="SET NULL", use_alter=True), index=True
    )
    #: Set when the account is locked after too many failed logins.
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)

    oblast = relationship("Oblast", foreign_keys=[oblast_id], lazy="joined")
    provider = relationship("Provider", foreign_keys=[provider_id], lazy="joined")

    @classmethod
    def list_label_sql(cls, entity):
        """``repr()`` (FAB's "first last") as SQL, for list pages read as plain
        rows (app.common.listing)."""
        return entity.first_name + " " + entity.last_name
