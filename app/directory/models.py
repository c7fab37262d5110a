"""Service directory: the services servicemen, veterans and their families can
get, per community (hromada), oblast-wide or nationally (issue #25).

* :class:`ServiceKind` and :class:`RecipientCategory` are classifiers kept by
  ministry staff (seeded by the migration and ``services.seed_classifiers``).
* :class:`DirectoryEntry` is one service as offered: what, by whom, for whom,
  how to apply, where and when, checked when and by whom. Its *place* is its
  level: a community's entry names its hromada (and so its oblast), an
  oblast-wide one its oblast, a national one neither.
* :class:`EntryHromada` is the directory's own read-only mapping of
  ``geo_hromada``: the same rows with the directory's scope (a hromada editor
  picks their own community, which the geography's scope would hide from them).

Nothing here is personal data: the directory is public information.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..common.enums import N_, LabeledEnum, enum_column
from ..common.mixins import AuditColumnsMixin, VersionedMixin
from ..geography.models import Hromada

#: An entry not verified for this many days is flagged (six months).
STALE_AFTER_DAYS = 183


class EntryLevel(LabeledEnum):
    hromada = N_("Territorial community")
    oblast = N_("Oblast-wide")
    national = N_("National")


class ProviderType(LabeledEnum):
    cnap = N_("Administrative services centre (TsNAP)")
    hromada_department = N_("Department of the community council")
    resilience_centre = N_("Resilience centre")
    approved_provider = N_("Approved provider of social services")
    state_body = N_("State body or its territorial office")
    ngo = N_("Civil society organisation")
    other = N_("Other")


class ServiceKind(AuditColumnsMixin, VersionedMixin, Model):
    """A kind of service (classifier kept by ministry staff)."""

    __tablename__ = "directory_service_kind"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(
        Integer, nullable=False, default=100, server_default="100"
    )
    #: A retired kind stays on old entries but is not chosen for new ones.
    active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )

    def __repr__(self) -> str:
        return self.name or ""

    @classmethod
    def scope_clause(cls, scope):
        # A classifier: every signed-in role that may read it reads all of it
        # (only ministry staff may write it: a permission, not a scope).
        return true()


class RecipientCategory(AuditColumnsMixin, VersionedMixin, Model):
    """Who may receive a service (classifier kept by ministry staff)."""

    __tablename__ = "directory_recipient_category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    sort_order: Mapped[int] = mapped_column(
        Integer, nullable=False, default=100, server_default="100"
    )

    def __repr__(self) -> str:
        return self.name or ""

    @classmethod
    def scope_clause(cls, scope):
        return true()


entry_recipient = Table(
    "directory_entry_recipient",
    Model.metadata,
    Column(
        "entry_id", Integer, ForeignKey("directory_entry.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("category_id", Integer, ForeignKey("directory_recipient_category.id"), primary_key=True),
    Index("ix_directory_entry_recipient_category", "category_id", "entry_id"),
)


class EntryHromada(Model):
    """``geo_hromada`` as the directory sees it (read-only, the directory's scope)."""

    __table__ = Hromada.__table__
    __mapper_args__ = {"include_properties": ["id", "code", "name", "title", "oblast_id"]}

    oblast = relationship("Oblast", lazy="joined", viewonly=True)

    def __repr__(self) -> str:
        return f"{self.title} ({self.oblast.title})" if self.oblast else (self.title or "")

    @classmethod
    def scope_clause(cls, scope):
        if scope.hromada_id:
            return cls.id == scope.hromada_id
        if scope.oblast_id:
            return cls.oblast_id == scope.oblast_id
        if scope.provider_id:
            return true()
        return None


class DirectoryEntry(AuditColumnsMixin, VersionedMixin, Model):
    """One service as offered in a community, an oblast or the whole country."""

    __tablename__ = "directory_entry"
    __table_args__ = (
        # The public search: a community's entries, then its oblast's, then national.
        Index("ix_directory_entry_hromada_active", "hromada_id", "active"),
        Index("ix_directory_entry_level_oblast", "level", "oblast_id", "active"),
        Index("ix_directory_entry_verified", "verified_on"),
        Index("ix_directory_entry_kind", "kind_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False, index=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("directory_service_kind.id"), nullable=False)
    level: Mapped[EntryLevel] = mapped_column(
        enum_column(EntryLevel),
        nullable=False,
        default=EntryLevel.hromada,
        server_default=EntryLevel.hromada.name,
    )
    oblast_id: Mapped[int | None] = mapped_column(ForeignKey("geo_oblast.id"), index=True)
    hromada_id: Mapped[int | None] = mapped_column(ForeignKey("geo_hromada.id"))
    provider_type: Mapped[ProviderType] = mapped_column(enum_column(ProviderType), nullable=False)
    provider_name: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    #: How to apply: the steps, in plain words.
    how_to_apply: Mapped[str | None] = mapped_column(Text)
    documents: Mapped[str | None] = mapped_column(Text)
    online_url: Mapped[str | None] = mapped_column(String(500))
    in_person: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )
    address: Mapped[str | None] = mapped_column(String(300))
    hours: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(13))
    email: Mapped[str | None] = mapped_column(String(254))
    languages: Mapped[str | None] = mapped_column(String(200))
    barrier_free: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    accessibility: Mapped[str | None] = mapped_column(String(300))
    #: Who keeps this entry up to date (position, department; a work contact).
    responsible: Mapped[str | None] = mapped_column(String(200))
    verified_on: Mapped[dt.date] = mapped_column(Date, nullable=False, default=clock.kyiv_today)
    verified_by_fk: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    #: A withdrawn service stays for the referrals that name it, but is not offered.
    active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )

    kind: Mapped[ServiceKind] = relationship(lazy="joined", innerjoin=True)
    oblast = relationship("Oblast", lazy="joined")
    hromada = relationship(EntryHromada, lazy="joined", viewonly=False)
    recipients = relationship(
        RecipientCategory,
        secondary=entry_recipient,
        lazy="select",
        order_by=RecipientCategory.sort_order,
    )
    verified_by = relationship("PortalUser", foreign_keys=[verified_by_fk], lazy="select")

    def __repr__(self) -> str:
        return self.title or ""

    @property
    def stale(self) -> bool:
        return self.verified_on is not None and self.verified_on < stale_before()

    @classmethod
    def scope_clause(cls, scope):
        if scope.hromada_id:
            # A community's editor: their community's own entries only.
            return and_(cls.level == EntryLevel.hromada, cls.hromada_id == scope.hromada_id)
        if scope.oblast_id:
            # A regional administrator: the oblast's communities and oblast-wide entries.
            return cls.oblast_id == scope.oblast_id
        if scope.provider_id:
            # A provider's case worker reads the whole directory to refer into it
            # (a read-only grant: the directory is public information).
            return true()
        return None


def stale_before(today: dt.date | None = None) -> dt.date:
    """Entries verified before this date are flagged (not verified for 6 months)."""
    return (today or clock.kyiv_today()) - dt.timedelta(days=STALE_AFTER_DAYS)
