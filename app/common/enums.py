"""Enums whose members read in the user's language.

FAB renders an ``Enum`` column's choices as ``str(member.value)`` and list
cells as ``str(member)``; both go through :class:`Label`, a ``str`` whose
``str()`` is its translation. Labels are written ``N_("Draft")`` so that
``pybabel extract -k N_`` puts them in the catalogue.

Columns store the member *name* (``draft``): stable, English, readable in SQL.
"""

from __future__ import annotations

import enum
from typing import Any

import sqlalchemy as sa


class Label(str):
    """An English msgid that stringifies to its translation."""

    __slots__ = ()

    def __str__(self) -> str:
        from .i18n import translate

        return translate(str.__str__(self))

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


def N_(msgid: str) -> Label:
    """Mark an enum label for extraction; translated whenever it is shown."""
    return Label(msgid)


class LabeledEnum(enum.Enum):
    """Base for status and category enums: ``str(member)`` is the label."""

    def __str__(self) -> str:
        return str(self.value)

    def __html__(self) -> str:
        return self.value.__html__() if isinstance(self.value, Label) else str(self)

    @property
    def label(self) -> str:
        return str(self.value)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.name, m.label) for m in cls]


def enum_column(enum_cls: type[LabeledEnum], **kwargs: Any) -> sa.Enum:
    """Portable column type: VARCHAR + CHECK on both SQLite and PostgreSQL."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.name) for m in enum_cls) + 8,
        name=kwargs.pop("name", enum_cls.__name__.lower()),
        **kwargs,
    )
