"""The audit log in the users' words: what an entry changed, as «поле: було → стало».

An entry stores the model's class name and ``{"field": [old, new]}`` with raw values
(enum names, booleans, ``None``). The register's own view knows the record's title and
the fields' Ukrainian labels, so the reading borrows them: the object as the register
calls it («Центр життєстійкості»), the record by its name with a link to its page
(where this reader may open it), each field by its label, values as Так/Ні, «—» and
the enum's label.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app, url_for
from flask_appbuilder import ModelView
from flask_babel import gettext as _
from sqlalchemy import Enum as SAEnum
from werkzeug.routing import BuildError

from ..security.pii import may_see_personal, model_named, personal_columns

EMPTY = "—"


def _views() -> dict:
    """Model class name → its register's view (the first one with a record page)."""
    found = current_app.extensions.get("portal_audit_views")
    if found is None:
        found = {}
        for view in current_app.appbuilder.baseviews:
            model = getattr(getattr(view, "datamodel", None), "obj", None)
            if isinstance(view, ModelView) and model is not None:
                found.setdefault(model.__name__, view)
        current_app.extensions["portal_audit_views"] = found
    return found


def object_label(entity: str | None) -> str:
    view = _views().get(entity or "")
    return str(view.show_title) if view is not None and view.show_title else (entity or EMPTY)


def value_text(model, field: str, value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    column = model.__table__.columns.get(field) if model is not None else None
    if column is not None and isinstance(column.type, SAEnum) and column.type.enum_class:
        enum = column.type.enum_class
        if isinstance(value, str) and value in enum.__members__:
            return str(enum[value])
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value[:10]).strftime("%d.%m.%Y") + value[10:16].replace(
                "T", " ")
        except ValueError:
            pass
    return str(value)


@dataclass
class Change:
    field: str
    before: str
    after: str


def changes(entity: str | None, visible: dict | None) -> list[Change]:
    """The entry's changes with the fields' labels, in the order they were written."""
    if not isinstance(visible, dict):
        return []
    model = model_named(entity)
    view = _views().get(entity or "")
    labels = view.label_columns if view is not None else {}
    rows = []
    for field, values in visible.items():
        old, new = (values if isinstance(values, list) and len(values) == 2 else (None, values))
        rows.append(Change(str(labels.get(field) or labels.get(field.removesuffix("_id"))
                               or field.replace("_", " ")),
                           value_text(model, field, old), value_text(model, field, new)))
    return rows


def record(entity: str | None, entity_id: str | None, may_open) -> tuple[str, str | None]:
    """(the record's name, its page) — the page only where the reader may open it."""
    view = _views().get(entity or "")
    model = model_named(entity)
    if view is None or model is None or not (entity_id or "").isdigit():
        return entity_id or EMPTY, None
    if personal_columns(model) and not may_see_personal(model):
        return entity_id or EMPTY, None  # a person's name is personal data
    item = view.datamodel.session.get(model, int(entity_id))
    if item is None:
        return _("%(id)s (deleted)", id=entity_id), None
    name = str(item)
    if not may_open(view):
        return name, None
    try:
        return name, url_for(f"{view.endpoint}.show", pk=entity_id)
    except BuildError:
        return name, None
