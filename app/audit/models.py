"""The audit log table (append-only)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..common.enums import N_, LabeledEnum, enum_column


class AuditAction(LabeledEnum):
    create = N_("Created")
    update = N_("Changed")
    delete = N_("Deleted")
    login = N_("Signed in")
    login_failed = N_("Failed sign-in")
    logout = N_("Signed out")
    export = N_("Export")
    import_ = N_("Import")
    view = N_("Viewed personal data")
    transition = N_("Status change")


class AuditLog(Model):
    """One event: who, when, from where, what, and the field-level diff.

    ``changes`` is ``{"field": [old, new]}``; personal fields are masked when
    written, and shown through :attr:`visible_changes` (masked again for the reader).
    Rows are only ever inserted (no view or API can edit or delete them).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[dt.datetime] = mapped_column(
        DateTime, nullable=False, index=True, default=dt.datetime.utcnow
    )
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(100), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[AuditAction] = mapped_column(
        enum_column(AuditAction), nullable=False, index=True
    )
    entity: Mapped[str | None] = mapped_column(String(64), index=True)
    entity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    changes: Mapped[dict | None] = mapped_column(JSON)
    details: Mapped[dict | None] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"{self.action} {self.entity or ''} {self.entity_id or ''}".strip()

    # What the audit views and exports show: personal values (the models'
    # ``__personal_data__``) masked for a reader without access to them, also
    # in rows written before a field was declared personal.
    @property
    def visible_changes(self):
        from ..security.pii import mask_changes

        return mask_changes(self.entity, self.changes)

    @property
    def visible_details(self):
        from ..security.pii import mask_details

        return mask_details(self.entity, self.details)
