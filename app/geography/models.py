"""Oblast -> Raion -> Hromada from the official KATOTTG codifier.

The KATOTTG code (``UA`` + 17 digits) is the natural key and is what imports
match on. ``title`` is the full Ukrainian name people read ("Львівська
область", "Жовківська територіальна громада").
"""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Oblast(Model):
    """A top-level unit: 24 oblasts, AR Crimea, Kyiv and Sevastopol (27)."""

    __tablename__ = "geo_oblast"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(19), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    title: Mapped[str] = mapped_column(String(150), nullable=False, index=True)
    #: Codifier category: "O" (oblast, AR Crimea) or "K" (city with special status).
    category: Mapped[str] = mapped_column(String(1), nullable=False)

    def __repr__(self) -> str:
        return self.title

    @classmethod
    def scope_clause(cls, scope):
        # Regional administrators see their own oblast in pickers and lists.
        return cls.id == scope.oblast_id if scope.oblast_id else None


class Raion(Model):
    __tablename__ = "geo_raion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(19), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    title: Mapped[str] = mapped_column(String(150), nullable=False, index=True)
    oblast_id: Mapped[int] = mapped_column(ForeignKey("geo_oblast.id"), nullable=False, index=True)

    # No innerjoin: reached through optional relations (provider.hromada),
    # an inner join would drop the parent rows that have none.
    oblast: Mapped[Oblast] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return self.title

    @classmethod
    def scope_clause(cls, scope):
        return cls.oblast_id == scope.oblast_id if scope.oblast_id else None


class Hromada(Model):
    """A territorial community (територіальна громада); Kyiv and Sevastopol
    appear here too, as their own single community, so every place in the
    portal has a hromada."""

    __tablename__ = "geo_hromada"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(19), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(150), nullable=False, index=True)
    oblast_id: Mapped[int] = mapped_column(ForeignKey("geo_oblast.id"), nullable=False, index=True)
    raion_id: Mapped[int | None] = mapped_column(ForeignKey("geo_raion.id"), index=True)

    oblast: Mapped[Oblast] = relationship(lazy="joined")
    raion: Mapped[Raion | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"{self.title} ({self.oblast.title})" if self.oblast else self.title

    @classmethod
    def scope_clause(cls, scope):
        return cls.oblast_id == scope.oblast_id if scope.oblast_id else None
