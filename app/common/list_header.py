"""The list page's header links (pagination, page size, sortable column titles),
computed in Python and printed by ``portal/list_macros.html``.

FAB builds each of these links with a template filter that copies the
request's arguments and calls ``url_for``: eleven pagination links, four page
sizes and one link per sortable column, some 20 ``url_for`` calls and as many
macro frames per list page — more time than the page's SQL. Every link is the
current URL with one or two arguments replaced, so here the arguments are read
once and each link is a string join. The template's markup is FAB 5.3's
(``lib.render_pagination``, ``lib.render_set_page_size``, the ``<th>`` of
``widgets/list.html``), so its CSS and JavaScript keep working.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any
from urllib.parse import urlencode

from flask import request
from markupsafe import Markup, escape

#: FAB's page-size menu (``range(25, 125, 25)``).
PAGE_SIZES = (25, 50, 75, 100)

#: The arrows of the pagination, as FAB writes them.
FIRST, PREVIOUS, NEXT, LAST = (Markup(s) for s in ("&laquo;", "&lt;", "&gt;", "&raquo;"))


class LinkMaker:
    """``href``s of the current page with some arguments replaced."""

    def __init__(self) -> None:
        self.path = request.path
        self.args = list(request.args.items(multi=True))

    def __call__(self, **changes: Any) -> Markup:
        kept = [(k, v) for k, v in self.args if k not in changes]
        kept.extend((k, v) for k, v in changes.items())
        return escape(f"{self.path}?{urlencode(kept)}")


def _page_count(count: int, page_size: int) -> int:
    return -(-count // page_size) if page_size else 0


def pagination(
    page: int | None,
    page_size: int,
    count: int,
    modelview_name: str,
    links: LinkMaker | None = None,
) -> list[tuple[str, str, str | int]]:
    """FAB's ``lib.render_pagination``: ``(css class, href, label)`` of the
    arrows and of seven page numbers around the current one; none for a
    single page."""
    page = page or 0
    pages = _page_count(count, page_size)
    if pages <= 1:
        return []
    links = links or LinkMaker()
    key = f"page_{modelview_name}"
    low, high = page - 3, page + 4
    if low < 0:
        high -= low
    if high >= pages:
        low = low - high + pages
    low, high = max(low, 0), min(high, pages)

    def item(label: str | int, target: int | None, css: str = "") -> tuple[str, str, str | int]:
        return (css, "#" if target is None else links(**{key: target}), label)

    items = [
        item(FIRST, 0) if low > 0 else item(FIRST, None, "disabled"),
        item(PREVIOUS, page - 1) if page > 0 else item(PREVIOUS, None, "disabled"),
    ]
    for number in range(low, high):
        items.append(
            item(number + 1, None, "active") if number == page else item(number + 1, number)
        )
    items.append(item(NEXT, page + 1) if page + 1 < pages else item(NEXT, None, "disabled"))
    items.append(item(LAST, pages - 1) if high < pages else item(LAST, None, "disabled"))
    return items


def page_sizes(
    page: int | None,
    page_size: int,
    count: int,
    modelview_name: str,
    links: LinkMaker | None = None,
) -> list[tuple[bool, str, int]] | None:
    """FAB's ``lib.render_set_page_size``: ``(active, href, size)`` of the
    dropdown's sizes; None for a single page (no dropdown)."""
    page = page or 0
    if _page_count(count, page_size) <= 1:
        return None
    links = links or LinkMaker()
    key = f"psize_{modelview_name}"
    return [
        (size == page_size, links(**{key: size}), size)
        for size in PAGE_SIZES
        if page * size <= count
    ]


def column_titles(
    include_columns: Iterable[str],
    order_columns: Collection[str],
    label_columns: dict[str, Any],
    modelview_name: str,
    links: LinkMaker | None = None,
) -> list[tuple[Any, str | None, str | None]]:
    """``(label, href, icon)`` of each ``<th>``: a sortable column links to
    itself in the other direction; ``href`` is None for the others."""
    links = links or LinkMaker()
    column_key, direction_key = f"_oc_{modelview_name}", f"_od_{modelview_name}"
    current = request.args.get(column_key)
    current_direction = request.args.get(direction_key)
    titles: list[tuple[Any, str | None, str | None]] = []
    for column in include_columns:
        label = label_columns.get(column)
        if column not in order_columns:
            titles.append((label, None, None))
            continue
        # FAB: a repeated click on the sorted column flips it; any other
        # column starts ascending.
        if current is None:
            direction = "asc"
        else:
            direction = "desc" if current_direction == "asc" else "asc"
        if column == current:
            icon = "fa-chevron-up" if current_direction == "asc" else "fa-chevron-down"
        else:
            icon = "fa-arrows-v"
        titles.append((label, links(**{column_key: column, direction_key: direction}), icon))
    return titles
