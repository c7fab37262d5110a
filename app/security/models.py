"""The portal's user: FAB's user plus its scope and lockout state.

Single-table inheritance on FAB's ``ab_user`` (the way FAB documents user
extension): FAB keeps managing the table, we add three columns. Each login's
server-side record is a :class:`UserSession`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement


class PortalUser(User):
    """A portal account. ``oblast`` scopes regional administrators,
    ``provider`` scopes provider case workers, ``hromada_id`` scopes hromada
    editors of the service directory (see ``app.security.scope``)."""

    __tablename__ = "ab_user"

    oblast_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("geo_oblast.id", ondelete="SET NULL", use_alter=True), index=True
    )
    provider_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("provider.id", ondelete="SET NULL", use_alter=True), index=True
    )
    #: The community a hromada editor keeps the service directory of (app.directory).
    hromada_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("geo_hromada.id", ondelete="SET NULL", use_alter=True), index=True
    )
    #: Set when the account is locked after too many failed logins.
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)

    oblast = relationship("Oblast", foreign_keys=[oblast_id], lazy="joined")
    provider = relationship("Provider", foreign_keys=[provider_id], lazy="joined")

    @classmethod
    def list_label_sql(cls, entity: Any) -> ColumnElement[str]:
        """``repr()`` (FAB's "first last") as SQL, for list pages read as plain
        rows (app.common.listing); ``entity`` is the model or its alias."""
        label: ColumnElement[str] = entity.first_name + " " + entity.last_name
        return label


class UserSession(Model):
    """One login: a browser session or an API login (its access and refresh
    tokens carry the record's id). Every web request and every API call is
    checked against it (``app.security.services``); ending it (logout,
    password change, deactivation, role change, "end session") logs the
    browser out and revokes the tokens at once. Ended records stay until
    their tokens could no longer be valid anyway, as the revocation list."""

    __tablename__ = "portal_session"

    #: sha256 of the random id kept in the signed cookie / the token's ``sid`` claim.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # "web" | "api"
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    end_reason: Mapped[str | None] = mapped_column(String(20))

    user = relationship(PortalUser, foreign_keys=[user_id], lazy="select")
