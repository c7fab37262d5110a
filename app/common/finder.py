"""Finding things on a register: one quick-search box, active filters as chips,
names sorted in Ukrainian alphabetical order.

* **Quick search** (``?q=``): "contains" over the register's names, numbers and
  codes, any of them (OR), case-insensitively in Cyrillic too (SQLite's
  ``lower`` is replaced by Python's, :mod:`app.extensions`). A view lists its
  columns in ``quick_search_columns`` or gets the text columns of its
  ``search_columns`` that are not personal data; ``quick_search_clauses``
  adds conditions over related tables (``EXISTS``, so no row is lost to a join).
* **Chips**: each active filter of the request, and the quick search, as a
  removable chip above the list, so an empty result always shows why.
* **Ukrainian order**: databases sort code points (і, ї, є, ґ after я);
  ordering by a text column uses the ICU collation ``uk-x-icu`` on PostgreSQL
  and a ``uk`` collation registered on every SQLite connection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import request
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from ..collation import COLLATIONS
from .i18n import translate

_pg_has_icu: dict[str, bool] = {}


def collated(column: Any, session: Session) -> Any:
    """``column COLLATE <Ukrainian>`` where the database has the collation."""
    bind = session.get_bind()
    name = COLLATIONS.get(bind.dialect.name)
    if name is None:
        return column
    if bind.dialect.name == "postgresql":
        key = str(bind.engine.url)  # the bind is an Engine (or a Connection to one)
        if key not in _pg_has_icu:
            _pg_has_icu[key] = bool(
                session.execute(
                    sa.text("SELECT 1 FROM pg_collation WHERE collname = :name"), {"name": name}
                ).first()
            )
        if not _pg_has_icu[key]:
            return column
    return column.collate(name)


def is_text_column(column: Any) -> bool:
    """A free-text column (String, not an Enum, which is a String subtype)."""
    return isinstance(column.type, sa.String) and not isinstance(column.type, sa.Enum)


# --- quick search ---------------------------------------------------------------------
def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Any, text: str) -> Any:
    return column.ilike(f"%{escape_like(text)}%", escape="\\")


class QuickSearchFilter(BaseFilter):
    """Any of a view's quick-search conditions holds (see the module docstring).

    A per-view subclass carries ``clauses`` (text → conditions)."""

    name = _l("Search")
    arg_name = "quick"
    clauses: Callable[[str], list[Any]] | None = None

    def apply(self, query: Any, value: str) -> Any:  # FAB's Query in, Query out
        clauses = type(self).clauses
        if clauses is None:
            raise TypeError(f"{type(self).__name__} has no quick-search clauses")
        conditions = clauses(value)
        return query.filter(sa.or_(*conditions) if conditions else sa.false())


def quick_search_text() -> str:
    return (request.args.get("q") or "").strip()[:100]


# --- chips --------------------------------------------------------------------------------
def _url_without(*drop: tuple[str, str]) -> str:
    """The current list URL without the given (name, value) arguments, page reset."""
    args = [
        (k, v)
        for k, v in request.args.items(multi=True)
        if (k, v) not in drop and not k.startswith("page_")
    ]
    return request.path + ("?" + urlencode(args) if args else "")


def _filter_value_label(flt: Any, value: str) -> str:
    """A filter's value as the user knows it: the related record's name, an
    enum's label, else the text typed."""
    try:
        if flt.datamodel.is_relation(flt.column_name):
            model = flt.datamodel.get_related_model(flt.column_name)
            item = flt.datamodel.session.get(model, int(value))
            return str(item) if item is not None else str(value)
        if flt.datamodel.is_enum(flt.column_name):
            enum = flt.datamodel.list_columns[flt.column_name].type.enum_class
            return str(enum[value]) if value in enum.__members__ else str(value)
    except (TypeError, ValueError, KeyError, AttributeError):
        pass
    return str(value)


def _as_texts(value: object) -> list[str]:
    """A filter's value(s) as text (FAB keeps a list when an argument repeats)."""
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def render_finder(filters: Any, label_columns: dict[str, Any], quick: bool) -> Markup:
    """The quick-search box (where the view has one) and the active filters as chips."""
    parts = []
    text = quick_search_text()
    # (msgids outside f-strings: Babel's extractor does not read inside them)
    find, remove, active, clear_all = (
        translate("Find"),
        translate("Remove this filter"),
        translate("Active filters"),
        translate("Clear all filters"),
    )
    if quick:
        hidden = "".join(
            f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
            for k, v in request.args.items(multi=True)
            if k != "q" and not k.startswith("page_")
        )
        label = translate("Search the register")
        parts.append(
            f'<form class="form-inline portal-quick-search" method="get" role="search" '
            f'action="{escape(request.path)}">{hidden}'
            f'<label class="sr-only" for="portal-q">{escape(label)}</label>'
            f'<input type="search" class="form-control input-sm" id="portal-q" name="q" '
            f'value="{escape(text)}" placeholder="{escape(label)}" maxlength="100">'
            f' <button type="submit" class="btn btn-sm btn-default"><i class="fa fa-search" '
            f'aria-hidden="true"></i> {escape(find)}</button></form>'
        )
    chips = []
    if text and quick:
        chips.append(
            (
                translate("Search"),
                translate("contains"),
                text,
                _url_without(("q", request.args.get("q", ""))),
            )
        )
    for key, raw in request.args.items(multi=True):
        if not key.startswith("_flt_"):
            continue
        pieces = key.split("_", 3)  # "", "flt", index, column
        if len(pieces) < 4:
            continue
        column = pieces[3]
        match = next(
            (
                flt
                for flt, value in filters.get_filters_values()
                if flt.column_name == column
                and raw in _as_texts(value)
                and not isinstance(flt, QuickSearchFilter)
            ),
            None,
        )
        if match is None:
            continue
        chips.append(
            (
                str(label_columns.get(column, column)),
                str(match.name).lower(),
                _filter_value_label(match, raw),
                _url_without((key, raw)),
            )
        )
    if chips:
        items = "".join(
            f'<li class="portal-chip"><span>{escape(label)} {escape(op)} '
            f'«{escape(value)}»</span> <a href="{escape(href)}" class="portal-chip-remove" '
            f'title="{escape(remove)}"><span aria-hidden="true">×'
            f'</span><span class="sr-only">{escape(remove)}: '
            f"{escape(label)}</span></a></li>"
            for label, op, value, href in chips
        )
        clear = (
            (
                f'<li><a href="{escape(request.path)}" class="portal-chip-clear">'
                f"{escape(clear_all)}</a></li>"
            )
            if len(chips) > 1
            else ""
        )
        parts.append(
            f'<ul class="list-inline portal-chips" aria-label="'
            f'{escape(active)}">{items}{clear}</ul>'
        )
    if not parts:
        return Markup("")
    return Markup('<div class="portal-finder">' + "".join(parts) + "</div>")
