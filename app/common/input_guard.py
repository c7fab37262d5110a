"""One guard for a request's raw input: malformed input is refused before any
view runs (400/422 with a Ukrainian message), never a 500.

What reached the database driver or FAB's parsers as it came, and crashed:

* ``page_<View>`` / ``psize_<View>`` list arguments that are not whole numbers
  (FAB's ``int()``), ``_oc_<View>`` naming a column the list does not sort by
  (an SQL compile error), ``_od_`` other than asc/desc;
* the REST API's Rison ``q`` argument: ``(((`` (a RecursionError in prison),
  ``3.1e+202`` (a ValueError), a value that is not an object;
* integers beyond 64 bits (SQLite's driver raises OverflowError), NaN and
  infinities (``Decimal('NaN')`` fails every comparison), lone surrogates
  (``"\\ud800"`` in JSON cannot be encoded for the database) and NUL
  characters (PostgreSQL refuses them) anywhere in a JSON body, a Rison
  argument, a query argument or a form;
* a number in a web form's numeric field that its column cannot hold.

API paths (``/api/``) get ``{"message": ...}`` JSON; web pages get the 400
page with the message. Field-level checks (an invalid choice in a select)
stay in the fields (:mod:`app.common.fields`, :mod:`app.common.lookup`),
where the form is kept with the error next to the field.
"""

from __future__ import annotations

import json
import math
import re
import urllib.parse
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Float, Integer, Numeric, SmallInteger
from werkzeug.datastructures import MultiDict
from wtforms import fields as wtf
from wtforms.fields.core import UnboundField

from ..extensions import get_appbuilder

#: The widest integer any column or driver here takes (BIGINT / SQLite INTEGER).
MAX_INT = 2**63 - 1
#: Page numbers and sizes FAB's list arguments accept.
MAX_PAGE = 10**7
#: A JSON body or Rison argument nested deeper than this is not one of ours.
MAX_DEPTH = 64

PAGE_MESSAGE = _l("Page number and page size must be whole numbers below 10,000,000.")
ORDER_MESSAGE = _l("This list cannot be sorted by that column.")
RISON_MESSAGE = _l("The q argument is not valid: give an object in Rison or JSON notation.")
JSON_MESSAGE = _l("The request body is not valid JSON.")
INT_MESSAGE = _l("A number in the request is too large (integers up to 9223372036854775807).")
NAN_MESSAGE = _l("Numbers must be finite: NaN and Infinity are not accepted.")
SURROGATE_MESSAGE = _l("The request contains text that is not valid Unicode (a lone surrogate).")
NUL_MESSAGE = _l("The request contains a NUL character, which text fields cannot hold.")
DEPTH_MESSAGE = _l("The request is nested too deeply.")
NUMBER_MESSAGE = _l("%(field)s: enter a finite number from %(low)s to %(high)s.")

_PAGE_ARG = re.compile(r"^(page|psize)_\w+$")
_NUMERIC_FIELDS = (wtf.IntegerField, wtf.DecimalField, wtf.FloatField)


class Refusal(Exception):
    def __init__(self, message: str | LazyString, status: int = 400) -> None:
        super().__init__(str(message))
        self.message, self.status = message, status


def init_input_guard(app: Flask) -> None:
    """Refuse malformed input before any view (and FAB's parsers) sees it, and
    document the refusals in the OpenAPI document (:mod:`app.common.apidoc`)."""
    from .apidoc import init_openapi_conformance

    app.before_request(refuse_malformed_input)
    init_openapi_conformance(app)


def refuse_malformed_input() -> ResponseReturnValue | None:
    try:
        _check_arguments()
        if request.method in ("POST", "PUT", "PATCH"):
            _check_body()
    except Refusal as refusal:
        return refusal_response(refusal.message, refusal.status)
    return None


def refusal_response(message: str | LazyString, status: int = 400) -> ResponseReturnValue:
    """The refusal as the API's JSON or the web's error page."""
    text = str(message)
    if request.path.startswith("/api/"):
        return jsonify(message=text), status
    try:
        return render_template(
            "error.html",
            code=status,
            title=_("Bad request"),
            text=text,
            appbuilder=get_appbuilder(),
            base_template=get_appbuilder().base_template,
        ), status
    except Exception:  # the layout needs the database; the message does not
        return (
            f"<!DOCTYPE html><html lang='uk'><meta charset='utf-8'><p>{text}</p></html>",
            status,
            {"Content-Type": "text/html; charset=utf-8"},
        )


# --- query arguments -----------------------------------------------------------------
def _check_arguments() -> None:
    for key, value in request.args.items(multi=True):
        _check_text(key)
        _check_text(value)
        if _PAGE_ARG.match(key):
            if not (value.isascii() and value.isdigit() and int(value) < MAX_PAGE):
                raise Refusal(PAGE_MESSAGE)
        elif key.startswith("_oc_"):
            view = _view_by_name(key[4:])
            if view is not None and value not in (getattr(view, "order_columns", None) or ()):
                raise Refusal(ORDER_MESSAGE)
        elif key.startswith("_od_") and value not in ("asc", "desc"):
            raise Refusal(ORDER_MESSAGE)
    if request.path.startswith("/api/") and "q" in request.args:
        _check_rison(request.args.get("q", ""))


def _check_rison(raw: str) -> None:
    """Parse ``q`` the way FAB does (Rison, then JSON); refuse what it cannot
    parse, what is not an object, and values no column can hold."""
    if not raw:
        return
    import prison

    try:
        value = prison.loads(raw)
    except Exception:  # prison raises ValueError, RecursionError, ... not only its own
        try:
            value = json.loads(urllib.parse.parse_qs(f"q={raw}").get("q", [""])[0])
        except Exception:
            raise Refusal(RISON_MESSAGE) from None
    if not isinstance(value, dict):
        raise Refusal(RISON_MESSAGE)
    _check_values(value, 400)


# --- bodies --------------------------------------------------------------------------
def _check_body() -> None:
    if request.is_json:
        data = request.get_data(cache=True)
        if data.strip():
            try:
                value = json.loads(data)
            except Exception:  # invalid UTF-8 or JSON, or nested past the recursion limit
                raise Refusal(JSON_MESSAGE, 400) from None
            _check_values(value, 422)
        return
    form = request.form
    for key, value in form.items(multi=True):
        _check_text(key)
        _check_text(value)
    if form:
        _check_form_numbers(form)


def _check_text(text: str | None, status: int = 400) -> None:
    if not text:  # a multipart part whose name the parser could not read is None
        return
    if "\x00" in text:
        raise Refusal(NUL_MESSAGE, status)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Refusal(SURROGATE_MESSAGE, status) from None


def _check_values(value: object, status: int) -> None:
    """Walk a parsed JSON/Rison value without recursion (its depth is the client's)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Refusal(DEPTH_MESSAGE, status)
        if isinstance(item, str):
            _check_text(item, status)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) > MAX_INT:
                raise Refusal(INT_MESSAGE, status)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise Refusal(NAN_MESSAGE, status)
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(str(key), status)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


# --- web forms -----------------------------------------------------------------------
def _check_form_numbers(form: MultiDict[str, str]) -> None:
    """A number typed into a form's numeric field must be finite and fit its column."""
    view, form_class = _posted_form()
    if form_class is None:
        return
    columns = view.datamodel.obj.__table__.columns
    for name, unbound in _numeric_fields(form_class):
        raw = (form.get(name) or "").strip()
        if not raw:
            continue
        try:
            number = Decimal(raw.replace(",", "."))
        except (InvalidOperation, ValueError):
            continue  # not a number at all: the field says so, with the form kept
        low, high = _bounds(columns.get(name), unbound.field_class)
        if not number.is_finite() or not low <= number <= high:
            label = unbound.args[0] if unbound.args else unbound.kwargs.get("label", name)
            raise Refusal(NUMBER_MESSAGE % {"field": label or name, "low": low, "high": high})


def _posted_form() -> tuple[Any, type[Any] | None]:
    """The FAB view and form class of a posted add/edit form, else (None, None)."""
    endpoint = request.endpoint or ""
    name, _dot, method = endpoint.rpartition(".")
    if method not in ("add", "edit"):
        return None, None
    view = _view_by_name(name)
    form_class = getattr(view, f"{method}_form", None) if view is not None else None
    if form_class is None or not hasattr(view, "datamodel"):
        return None, None
    return view, form_class


def _numeric_fields(form_class: type[Any]) -> tuple[tuple[str, UnboundField], ...]:
    cache = current_app.extensions.setdefault("portal_numeric_fields", {})
    found: tuple[tuple[str, UnboundField], ...] | None = cache.get(form_class)
    if found is None:
        found = cache[form_class] = tuple(
            (name, attr)
            for name in dir(form_class)
            if isinstance(attr := getattr(form_class, name, None), UnboundField)
            and issubclass(attr.field_class, _NUMERIC_FIELDS)
        )
    return found


def _bounds(column: Any, field_class: type[Any]) -> tuple[Decimal, Decimal]:
    """The closed range a column (or, without one, the field's kind) can hold."""
    kind = column.type if column is not None else None
    if isinstance(kind, SmallInteger):
        high = Decimal(2**15 - 1)
    elif isinstance(kind, BigInteger):
        high = Decimal(MAX_INT)
    elif isinstance(kind, Integer) or (kind is None and issubclass(field_class, wtf.IntegerField)):
        high = Decimal(2**31 - 1)
    elif isinstance(kind, Numeric) and not isinstance(kind, Float) and kind.precision:
        scale = kind.scale or 0
        high = Decimal(10) ** (kind.precision - scale) - Decimal(10) ** -scale
    else:
        high = Decimal(10) ** 15
    return -high, high


def _view_by_name(name: str) -> Any:  # a FAB view, or None
    views = current_app.extensions.get("portal_views_by_name")
    if views is None:
        views = {}
        for view in get_appbuilder().baseviews:
            views.setdefault(view.__class__.__name__, view)
        current_app.extensions["portal_views_by_name"] = views
    return views.get(name)
