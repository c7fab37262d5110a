"""The portal's list widget renders what FAB's own ListWidget renders.

The portal draws its registers' lists with :class:`app.common.listing.PortalListWidget`
(``portal/list_widget.html``, ``portal/list_macros.html``), computed per page in Python,
instead of FAB 5.3's ``flask_appbuilder.widgets.ListWidget``
(``appbuilder/general/widgets/list.html`` and ``lib.html``). This module renders both
for the same view, the same request (page, page size, order), the same signed-in user
and the same records, and compares them element by element.

FAB's side is FAB's own code throughout: ``BaseCRUDView._get_list_widget`` (FAB's
method, not the portal's override), the datamodel read with FAB's
``SQLAInterface.query`` and ``get_values`` (ORM objects, FAB's way; the portal's
scope filter, collation order and count stay, they choose the records and are not
rendering), and the stock templates loaded from FAB's package directory (the portal
owns copies of ``widgets/list.html`` and ``lib.html`` under the same names, which
``app.jinja_env`` would pick instead).

Both renderings are parsed (``html.parser``) into trees of tags, attributes and
whitespace-collapsed text, cut into sections (the header bar, the column titles,
each row, the hidden forms, the actions' script bindings) and compared after the
named normalisations in :data:`NORMALISATIONS`; nothing else may differ.
"""

from __future__ import annotations

import functools
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import flask_appbuilder
import pytest
from flask import g
from flask_appbuilder.baseviews import BaseCRUDView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.urltools import (
    get_filter_args,
    get_order_args,
    get_page_args,
    get_page_size_args,
)
from flask_appbuilder.widgets import ListWidget
from jinja2 import FileSystemLoader
from sqlalchemy import select

from app.extensions import db

from .test_listing import centres, world_cases  # noqa: F401  (module fixtures)

FAB_TEMPLATES = Path(flask_appbuilder.__file__).parent / "templates"

#: Where the portal's rendering deliberately differs from FAB's, each undone by
#: the function of the same name below before the comparison. Keep it short.
NORMALISATIONS = {
    "finder_outside_the_widget": "the portal prints its quick search and filter chips "
    "above the list (FAB has them in the search widget only): not FAB's list widget",
    "phone_cell_labels": "each portal <td> carries data-label=<column title>: on a "
    "phone the rows stack as cards (portal.css)",
    "accessibility_labels": "the portal names the select-all and row checkboxes for "
    "screen readers (aria-label)",
    "portal_table_class": "the portal's table has the extra class portal-list (its CSS)",
    "delegated_delete": "FAB writes an inline <script> and id=btn-delete-<url> per delete "
    "button; the portal puts the URL in data-portal-delete, served by one delegated "
    "handler",
    "action_scripts_as_bindings": "the menu's and the page's <script>s are compared as "
    "what they bind (action name, confirmation text); the portal writes the "
    "confirmation as a JSON string, FAB as an HTML-escaped one in quotes",
    "link_argument_order": "a header link (page, page size, sort) is the current URL with "
    "arguments replaced; the portal appends the replaced ones, FAB keeps their place: "
    "the same arguments and values, compared as a sorted list",
    "single_record_actions": "actions that need a reason (a view's single_record_actions) "
    "are left out of the list's multi-row menu (app/common/views.py _drop_actions)",
}

_VOID = {"input", "br", "img", "hr", "meta", "link", "col", "source", "wbr"}


class _Tree(HTMLParser):
    """``[tag, {attr: value}, [children]]`` nodes; text collapsed, empty text dropped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = ["#root", {}, []]
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = [tag, {k: (v or "") for k, v in attrs}, []]
        self.stack[-1][2].append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1][2].append([tag, {k: (v or "") for k, v in attrs}, []])

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return
        raise AssertionError(f"</{tag}> closes nothing")

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text:
            return
        children = self.stack[-1][2]
        if children and isinstance(children[-1], str):
            children[-1] = f"{children[-1]} {text}"
        else:
            children.append(text)


def parse(markup: str) -> list:
    parser = _Tree()
    parser.feed(str(markup))
    parser.close()
    assert len(parser.stack) == 1, f"unclosed: {[n[0] for n in parser.stack[1:]]}"
    return parser.root


def _walk(node):
    yield node
    for child in node[2]:
        if not isinstance(child, str):
            yield from _walk(child)


def _classes(node) -> list[str]:
    return node[1].get("class", "").split()


def _find(node, tag, css=None):
    return [n for n in _walk(node) if n[0] == tag and (css is None or css in _classes(n))]


def _text(node) -> str:
    parts = []
    for child in node[2]:
        parts.append(child if isinstance(child, str) else _text(child))
    return " ".join(p for p in parts if p)


def _freeze(node):
    if isinstance(node, str):
        return node
    tag, attrs, children = node
    return (tag, tuple(sorted(attrs.items())), tuple(_freeze(c) for c in children))


# --- the named normalisations -----------------------------------------------------------
def finder_outside_the_widget(root) -> None:
    """The finder is the widget's first element, div.portal-finder."""
    first = root[2][0] if root[2] else None
    if first is not None and not isinstance(first, str) and "portal-finder" in _classes(first):
        del root[2][0]


def phone_cell_labels(root) -> None:
    for td in _find(root, "td"):
        td[1].pop("data-label", None)


def accessibility_labels(root) -> None:
    for node in _find(root, "input"):
        node[1].pop("aria-label", None)


def portal_table_class(root) -> None:
    for table in _find(root, "table"):
        table[1]["class"] = " ".join(c for c in _classes(table) if c != "portal-list")


def delegated_delete(root) -> None:
    """Either way, a delete button becomes ``<a delete-url=...>`` without its script."""
    for node in _walk(root):
        node[2][:] = [
            c for c in node[2] if isinstance(c, str) or not (c[0] == "script" and _in_row(c))
        ]
        for child in node[2]:
            if isinstance(child, str) or child[0] != "a":
                continue
            attrs = child[1]
            if "data-portal-delete" in attrs:
                attrs["delete-url"] = attrs.pop("data-portal-delete")
            elif attrs.get("id", "").startswith("btn-delete-"):
                attrs["delete-url"] = attrs.pop("id")[len("btn-delete-") :]


def _in_row(script) -> bool:
    return "btn-delete-" in _text(script)


_BINDING = re.compile(
    r"\$\('\.(\w+)_menu_item'\)\.on\('click',\s*function\(\)\{\s*"
    r"return modelActions\.execute_multiple\('(\w+)',\s*('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|false)\s*\)"
)


def action_scripts_as_bindings(root) -> list:
    """The scripts replaced by nothing; returns ``(menu item, action, confirmation)``
    of each action's click binding, the confirmation decoded."""
    bindings = []
    for node in _walk(root):
        kept = []
        for child in node[2]:
            if not isinstance(child, str) and child[0] == "script":
                for item, name, confirmation in _BINDING.findall(_text(child)):
                    if confirmation == "false":
                        text = None
                    elif confirmation.startswith('"'):
                        text = json.loads(confirmation)
                    else:
                        text = html.unescape(confirmation[1:-1])
                    bindings.append((item, name, text))
                continue
            kept.append(child)
        node[2][:] = kept
    return bindings


def link_argument_order(root) -> None:
    for node in _walk(root):
        href = node[1].get("href", "")
        if "?" in href:
            path, _q, query = href.partition("?")
            node[1]["href"] = f"{path}?{urlencode(sorted(parse_qsl(query)))}"


def single_record_actions(root, names) -> None:
    """FAB's menu without the view's single-record actions."""
    for menu in _find(root, "ul", "dropdown-menu"):
        menu[2][:] = [
            li
            for li in menu[2]
            if isinstance(li, str)
            or not any(f"{name}_menu_item" in _classes(a) for a in _find(li, "a") for name in names)
        ]


def structure(markup: str, *, portal: bool, single_record=frozenset()) -> dict:
    """The normalised sections of one rendering."""
    root = parse(markup)
    if portal:
        finder_outside_the_widget(root)
        phone_cell_labels(root)
        accessibility_labels(root)
        portal_table_class(root)
    else:
        single_record_actions(root, single_record)
    delegated_delete(root)
    link_argument_order(root)
    bindings = action_scripts_as_bindings(root)
    if not portal:
        bindings = [b for b in bindings if b[1] not in single_record]
    well = _find(root, "div", "well")
    tables = _find(root, "table")
    rows = [tr for tr in _find(root, "tr") if not any(tr is h for h in _head_rows(root))]
    rest = [n for n in root[2] if isinstance(n, str) or n[0] not in ("div", "form")]
    return {
        "header": [_freeze(n) for n in well],
        "columns": [_freeze(n) for n in _head_rows(root)],
        "rows": [_freeze(tr) for tr in rows],
        "tables": [_freeze([t[0], t[1], []]) for t in tables],
        "forms": [_freeze(f) for f in _find(root, "form")],
        "actions": bindings,
        "other": [_freeze(n) for n in rest],
    }


def _head_rows(root) -> list:
    return [tr for thead in _find(root, "thead") for tr in _find(thead, "tr")]


# --- the two renderings -----------------------------------------------------------------
def _view(app, name):
    return next(v for v in app.appbuilder.baseviews if v.__class__.__name__ == name)


def _signed_in(username):
    from app.security.models import PortalUser

    user = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
    g.user = g._login_user = user


def _request_args(view):
    """What FAB's ``ModelView._list`` reads from the request."""
    name = view.__class__.__name__
    order_column, order_direction = get_order_args().get(name) or ("", "")
    filters = view._filters
    get_filter_args(filters)
    return dict(
        filters=filters,
        order_column=order_column,
        order_direction=order_direction,
        page=get_page_args().get(name),
        page_size=get_page_size_args().get(name),
    )


def render_portal(view) -> str:
    widgets = view._get_list_widget(**_request_args(view))
    return str(widgets["list"]())


def render_fab(app, view, monkeypatch) -> str:
    """FAB 5.3's own list widget for the view: FAB's ``_get_list_widget`` with FAB's
    ``ListWidget``, the rows read as ORM objects by FAB's ``SQLAInterface`` code,
    rendered from FAB's own template files."""
    datamodel = view.datamodel
    with monkeypatch.context() as patch:
        patch.setattr(view, "list_widget", ListWidget)
        patch.setattr(datamodel, "query", functools.partial(SQLAInterface.query, datamodel))
        patch.setattr(
            datamodel, "get_values", functools.partial(SQLAInterface.get_values, datamodel)
        )
        widget = BaseCRUDView._get_list_widget(view, **_request_args(view))["list"]
        assert type(widget) is ListWidget
        env = app.jinja_env.overlay(loader=FileSystemLoader(str(FAB_TEMPLATES)))
        return env.get_template(widget.template).render(widget.template_args)


def both(app, view_name, username, query, monkeypatch):
    view = _view(app, view_name)
    url = f"{view.route_base}/list/" + (f"?{query}" if query else "")
    # CSRF on, as in production (the tests' config turns it off): both hidden
    # forms then carry the request's token, the same one.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    with app.test_request_context(url):
        _signed_in(username)
        portal = render_portal(view)
        fab = render_fab(app, view, monkeypatch)
    single = getattr(view, "single_record_actions", frozenset())
    return (
        structure(portal, portal=True),
        structure(fab, portal=False, single_record=single),
        portal,
        fab,
    )


SECOND_PAGE = "second page of one row, sorted descending"


def _query(app, view_name, kind):
    if kind == "first page":
        return ""
    view = _view(app, view_name)
    column = next(c for c in view.list_columns if c in view.order_columns)
    name = view_name
    return f"psize_{name}=1&page_{name}=1&_oc_{name}={column}&_od_{name}=desc"


#: (view, user): registers with case data, directory, centres, the audit log and the
#: de-identified extract, each for a user with and one without the record actions.
CASES = [
    ("CaseView", "admin"),
    ("CaseView", "caseworker"),
    ("ProviderView", "admin"),
    ("ProviderView", "auditor"),
    ("CentreView", "admin"),
    ("CentreView", "auditor"),
    ("AuditLogView", "admin"),
    ("AuditLogView", "auditor"),
    ("CaseDeidentifiedView", "ministry"),
    ("CaseDeidentifiedView", "auditor"),
]


def _links(rows) -> list:
    """The rows' buttons: ``(href or delete-url, icon)``."""
    found = []

    def visit(node):
        if isinstance(node, str):
            return
        tag, attrs, children = node
        attrs = dict(attrs)
        if tag == "a":
            found.append(attrs.get("href") if "delete-url" not in attrs else attrs["delete-url"])
        for child in children:
            visit(child)

    for row in rows:
        visit(row)
    return found


@pytest.mark.parametrize("kind", ["first page", SECOND_PAGE])
@pytest.mark.parametrize("view_name, username", CASES)
def test_portal_list_renders_what_fabs_list_widget_renders(
    app, world_cases, centres, monkeypatch, view_name, username, kind
):
    portal, fab, _portal_html, fab_html = both(
        app, view_name, username, _query(app, view_name, kind), monkeypatch
    )
    # The premises: FAB's list shows records, with their buttons, and the page's header.
    assert fab["rows"] and fab["columns"] and fab["header"]
    assert _links(fab["rows"]), "FAB's rows have show/edit/delete buttons"
    if kind == SECOND_PAGE:
        assert len(fab["rows"]) == 1 and "pagination" in fab_html
    assert portal == fab


def test_the_roles_compared_see_different_buttons_and_actions(
    app, world_cases, centres, monkeypatch
):
    """The premise of comparing admin and auditor: FAB shows them different lists
    (the auditor has no delete button and no status actions on the centres)."""
    admin = both(app, "CentreView", "admin", "", monkeypatch)[1]
    auditor = both(app, "CentreView", "auditor", "", monkeypatch)[1]
    deletes = [
        link for link in _links(admin["rows"]) if link and link.startswith("/centreview/delete/")
    ]
    assert deletes and admin["actions"]
    assert not any("/delete/" in (link or "") for link in _links(auditor["rows"]))
    assert not auditor["actions"]
    # ...and the named normalisations are exercised, not vacuous.
    assert any(
        "delete-url" in dict(row_attrs) for row in admin["rows"] for row_attrs in _all_attrs(row)
    )


def _all_attrs(node):
    if isinstance(node, str):
        return
    yield node[1]
    for child in node[2]:
        yield from _all_attrs(child)


# --- the comparison can fail ------------------------------------------------------------
def _sabotaged_cell(original):
    def rows(value_columns, pks, include_columns, formatters):
        result = original(value_columns, pks, include_columns, formatters)
        pk, label, values = result[0]
        result[0] = (pk, label, [f"{values[0]}!", *values[1:]])
        return result

    return rows


def _dropped_column(original):
    def data(**kwargs):
        return original(**{**kwargs, "include_columns": kwargs["include_columns"][:-1]})

    return data


def _no_edit_button(original):
    def data(**kwargs):
        return {**original(**kwargs), "edit_prefix": None}

    return data


def _lost_page_link(original):
    def pagination(*args, **kwargs):
        return original(*args, **kwargs)[:-1]

    return pagination


@pytest.mark.parametrize(
    "target, sabotage, section",
    [
        ("app.common.listing._rows", _sabotaged_cell, "rows"),
        ("app.common.listing.list_page_data", _dropped_column, "columns"),
        ("app.common.listing.list_page_data", _no_edit_button, "rows"),
        ("app.common.list_header.pagination", _lost_page_link, "header"),
    ],
)
def test_a_changed_portal_rendering_is_seen(
    app, world_cases, centres, monkeypatch, target, sabotage, section
):
    """The comparison is not vacuous: the portal's rendering changed in one place
    (a cell's formatting, a column, a row's button, a page link) no longer
    equals FAB's."""
    import importlib

    module_name, _dot, attribute = target.rpartition(".")
    module = importlib.import_module(module_name)
    query = _query(app, "ProviderView", SECOND_PAGE)
    portal, fab, _p, _f = both(app, "ProviderView", "admin", query, monkeypatch)
    assert portal == fab
    with monkeypatch.context() as patch:
        patch.setattr(module, attribute, sabotage(getattr(module, attribute)))
        changed, fab_again, _p, _f = both(app, "ProviderView", "admin", query, monkeypatch)
    # (each request has its own CSRF token: the forms differ between the two)
    assert fab_again[section] == fab[section] == portal[section]
    assert changed[section] != fab_again[section]
