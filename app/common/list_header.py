"""The list page's header (pagination, page size, sortable column titles) in Python.

FAB builds each of these links with a template filter that copies the
request's arguments and calls ``url_for``: eleven pagination links, four page
sizes and one link per sortable column, some 20 ``url_for`` calls and as many
macro frames per list page — more time than the page's SQL. Every link is the
current URL with one or two arguments replaced, so here the arguments are read
once and each link is a string join. The markup is FAB 5.3's
(``lib.render_pagination``, ``lib.render_set_page_size``, the ``<th>`` of
``widgets/list.html``), so its CSS and JavaScript keep working.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from markupsafe import Markup, escape

from .i18n import translate

#: FAB's page-size menu (``range(25, 125, 25)``).
PAGE_SIZES = (25, 50, 75, 100)


class LinkMaker:
    """``href``s of the current page with some arguments replaced."""

    def __init__(self):
        self.path = request.path
        self.args = list(request.args.items(multi=True))

    def __call__(self, **changes) -> str:
        kept = [(k, v) for k, v in self.args if k not in changes]
        kept.extend((k, v) for k, v in changes.items())
        return str(escape(f"{self.path}?{urlencode(kept)}"))


def _page_count(count: int, page_size: int) -> int:
    return -(-count // page_size) if page_size else 0


def render_pagination(
    page, page_size: int, count: int, modelview_name: str, links: LinkMaker | None = None
) -> Markup:
    """FAB's ``lib.render_pagination``: seven page numbers around the current one."""
    page = page or 0
    pages = _page_count(count, page_size)
    if pages <= 1:
        return Markup("")
    links = links or LinkMaker()
    key = f"page_{modelview_name}"
    low, high = page - 3, page + 4
    if low < 0:
        high -= low
    if high >= pages:
        low = low - high + pages
    low, high = max(low, 0), min(high, pages)

    def item(label: str, target: int | None, css: str = "") -> str:
        href = "#" if target is None else links(**{key: target})
        cls = f' class="{css}"' if css else ""
        return f'<li{cls}><a href="{href}">{label}</a></li>'

    parts = [
        '<ul class="pagination pagination-sm" style="display:inherit;">',
        item("&laquo;", 0) if low > 0 else item("&laquo;", None, "disabled"),
        item("&lt;", page - 1) if page > 0 else item("&lt;", None, "disabled"),
    ]
    for number in range(low, high):
        parts.append(
            item(str(number + 1), None, "active")
            if number == page
            else item(str(number + 1), number)
        )
    parts.append(item("&gt;", page + 1) if page + 1 < pages else item("&gt;", None, "disabled"))
    parts.append(item("&raquo;", pages - 1) if high < pages else item("&raquo;", None, "disabled"))
    parts.append("</ul>")
    return Markup("".join(parts))


def render_page_size(
    page, page_size: int, count: int, modelview_name: str, links: LinkMaker | None = None
) -> Markup:
    """FAB's ``lib.render_set_page_size`` dropdown."""
    page = page or 0
    if _page_count(count, page_size) <= 1:
        return Markup("")
    links = links or LinkMaker()
    key = f"psize_{modelview_name}"
    items = []
    for size in PAGE_SIZES:
        if page * size <= count:
            active = ' class="active"' if size == page_size else ""
            items.append(f'<li{active}><a href="{links(**{key: size})}">{size}</a></li>')
    return Markup(
        '<div class="btn-group"><button type="button" class="btn btn-default btn-sm '
        f'dropdown-toggle" data-toggle="dropdown">{escape(translate("Page size"))}'
        '<span class="caret"></span></button><ul class="dropdown-menu" role="menu">'
        + "".join(items)
        + "</ul></div>"
    )


def render_column_titles(
    include_columns,
    order_columns,
    label_columns: dict,
    modelview_name: str,
    links: LinkMaker | None = None,
) -> Markup:
    """The ``<th>`` cells: a sortable column links to itself in the other direction."""
    links = links or LinkMaker()
    column_key, direction_key = f"_oc_{modelview_name}", f"_od_{modelview_name}"
    current = request.args.get(column_key)
    current_direction = request.args.get(direction_key)
    parts = []
    for column in include_columns:
        label = escape(label_columns.get(column))
        if column not in order_columns:
            parts.append(f"<th>{label}</th>")
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
        href = links(**{column_key: column, direction_key: direction})
        parts.append(f'<th><a href="{href}">{label}<i class="fa {icon} pull-right"></i></a></th>')
    return Markup("".join(parts))
