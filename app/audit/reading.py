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
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum as SAEnum
from werkzeug.routing import BuildError

from ..extensions import get_appbuilder
from ..security.pii import may_see_personal, model_named, personal_columns

EMPTY = "—"


def _audited_views() -> dict:
    """Model class name → its register's view (the first one with a record page)."""
    found = current_app.extensions.get("portal_audit_views")
    if found is None:
        found = {}
        for view in get_appbuilder().baseviews:
            model = getattr(getattr(view, "datamodel", None), "obj", None)
            if isinstance(view, ModelView) and model is not None:
                found.setdefault(model.__name__, view)
        current_app.extensions["portal_audit_views"] = found
    return found


#: Objects without a register of their own (or with FAB's «Перегляд …» page titles).
OBJECT_LABELS = {
    "ApiKey": _l("API key"),
    "ApplicationDocument": _l("Application document"),
    "Attendance": _l("Attendance mark"),
    "CaseNumberCounter": _l("Case number counter"),
    "CentreMonthFigures": _l("Centre monthly figures"),
    "CentreStatusChange": _l("Centre status change"),
    "CertificateCounter": _l("Certificate number counter"),
    "CommissionMember": _l("Selection committee member"),
    "Criterion": _l("Evaluation criterion"),
    "EntryHromada": _l("Community served by a service"),
    "Group": _l("User group"),
    "Job": _l("Background job"),
    "OpeningHours": _l("Opening hours"),
    "Permission": _l("Permission"),
    "PermissionView": _l("Permission on a view"),
    "PortalUser": _l("User"),
    "User": _l("User"),
    "RegisterUser": _l("Registration request"),
    "ProviderStatusChange": _l("Provider status change"),
    "Role": _l("Role"),
    "Score": _l("Evaluation score"),
    "UserSession": _l("Session"),
    "ViewMenu": _l("View or menu"),
    "Appeal": _l("Appeal"),
    "ConflictDeclaration": _l("Conflict of interest declaration"),
    "ProviderCheck": _l("Eligibility assessment of a provider"),
    "ProviderDocument": _l("Provider document"),
    "SoleProprietor": _l("Sole proprietor's RNOKPP"),
}


#: Labels of record-keeping fields that registers do not show under their own names.
FIELD_LABELS = {
    "status_changed_by": _l("Status changed by"),
    "status_changed_on": _l("Status changed on"),
    "created_by": _l("Created by"),
    "changed_by": _l("Changed by"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
    "version": _l("Version"),
}


def object_label(entity: str | None) -> str:
    """The object as the users know it: «Центр життєстійкості», not ResilienceCentre."""
    if entity in OBJECT_LABELS:
        return str(OBJECT_LABELS[entity])
    view = _audited_views().get(entity or "")
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
    if column is not None and column.foreign_keys and isinstance(value, int):
        return _related_name(column, value)
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            if len(value) > 10:  # a stored UTC time, shown in Kyiv time as everywhere
                return format_datetime(dt.datetime.fromisoformat(value[:19]), "dd.MM.yyyy HH:mm")
            return dt.date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            pass
    return str(value)


def _related_name(column, key: int) -> str:
    """The row a foreign key points to, by its name (its key if it is a person's
    record this reader may not see)."""
    from ..extensions import db

    table = next(iter(column.foreign_keys)).column.table
    model = next(
        (
            m.class_
            for m in db.Model.registry.mappers  # type: ignore[attr-defined]
            if m.local_table is table
        ),
        None,
    )
    if model is None:
        return str(key)
    if personal_columns(model) and not may_see_personal(model):
        return str(key)
    item = db.session.get(model, key)
    return str(item) if item is not None else str(key)


@dataclass
class Change:
    field: str
    before: str
    after: str


def field_label(labels: dict, field: str) -> str:
    """The field as its register labels it (FAB's own «Changed By Fk» guesses skipped)."""
    bare = field.removesuffix("_fk").removesuffix("_id")
    for name in (field, bare):
        label = labels.get(name)
        if label is not None and str(label) != name.replace("_", " ").title():
            return str(label)
    return str(FIELD_LABELS.get(bare) or bare.replace("_", " "))


def changes(entity: str | None, visible: dict | None) -> list[Change]:
    """The entry's changes with the fields' labels, in the order they were written."""
    if not isinstance(visible, dict):
        return []
    model = model_named(entity)
    view = _audited_views().get(entity or "")
    labels = view.label_columns if view is not None else {}
    rows = []
    for field, values in visible.items():
        old, new = values if isinstance(values, list) and len(values) == 2 else (None, values)
        rows.append(
            Change(
                field_label(labels, field),
                value_text(model, field, old),
                value_text(model, field, new),
            )
        )
    return rows


def record(entity: str | None, entity_id: str | None, may_open) -> tuple[str, str | None]:
    """(the record's name, its page) — the page only where the reader may open it."""
    view = _audited_views().get(entity or "")
    model = model_named(entity)
    if view is None or model is None or not (entity_id or "").isdigit():
        return entity_id or EMPTY, None
    if personal_columns(model) and not may_see_personal(model):
        return entity_id or EMPTY, None  # a person's name is personal data
    item = view.datamodel.session.get(model, int(entity_id or 0))
    if item is None:
        return _("%(id)s (deleted)", id=entity_id), None
    name = str(item)
    if not may_open(view):
        return name, None
    try:
        return name, url_for(f"{view.endpoint}.show", pk=entity_id)
    except BuildError:
        return name, None


def details_text(details) -> str:
    """An entry's details (an export's filters, a sign-in's reason) as text lines."""
    if details in (None, "", {}, []):
        return EMPTY
    if isinstance(details, dict):
        return "; ".join(f"{key}: {value_text(None, key, value)}" for key, value in details.items())
    return str(details)


def dash(value) -> str:
    return EMPTY if value in (None, "") else str(value)
