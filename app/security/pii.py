"""Personal data, declared once in the models and read everywhere from there.

**The declaration.** A model whose rows are about a person lists its columns
holding personal data in a class attribute::

    class Beneficiary(Model):
        __personal_data__ = ("full_name", "birth_date", "rnokpp", "phone", "address", "notes")

Names, РНОКПП, phone numbers, e-mail, birth dates, addresses, and *every*
free-text column of such a model (a note, a reason, a "responsible" person
typed by hand) belong there: free text on a record about a person ends up
holding names. ``tests/test_pii_declaration.py`` walks every model and fails
on an unmarked free-text column of a person-bearing model (a model that
declares personal data or refers to the case register).

**Who sees it.** A user sees a model's personal data when they may read the
model's resource (``can_read`` on ``__personal_resource__``, by default the
class name): the case worker of the case, the administrator, the trainer and
ministry for training participants. Everyone else (the auditor, ministry
staff for the case register) sees ``***`` in its place wherever the value
could reach them outside the record's own pages:

* the audit log: values of personal fields are masked when written
  (``app.audit.events``) and again when shown or exported (rows written
  before a field was declared), and search values on personal columns in the
  export events' details are masked (``mask_query``);
* exports (``app.common.export``): a personal column is ``***`` for a user
  without access;
* the record's own views and REST API are refused to such roles (resource
  permissions), and the de-identified register has no personal column.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import parse_qsl, urlencode

from flask import g, has_request_context

from ..extensions import get_appbuilder

DECLARATION = "__personal_data__"
MASK = "***"


def personal_columns(model: object) -> frozenset[str]:
    """The personal columns a model declares (its own and inherited)."""
    return frozenset(getattr(model, DECLARATION, ()) or ())


@cache
def _models() -> dict[str, type]:
    from ..extensions import db

    return {mapper.class_.__name__: mapper.class_ for mapper in db.Model.registry.mappers}  # type: ignore[attr-defined]


def model_named(name: str | None) -> type | None:
    return _models().get(name or "")


def all_personal_column_names() -> frozenset[str]:
    names: set[str] = set()
    for model in _models().values():
        names |= personal_columns(model)
    return frozenset(names)


def resource_of(model: type) -> str:
    resource: str = getattr(model, "__personal_resource__", None) or model.__name__
    return resource


def _current_user() -> object | None:
    """The request's signed-in user (FAB's user object), or None."""
    if not has_request_context():
        return None
    user = g.get("user")
    if user is None:
        from flask_login import current_user

        user = current_user
    return user if getattr(user, "is_authenticated", False) else None


def may_see_personal(model: type | None, user: object | None = None) -> bool:
    """May ``user`` (default: the request's) see this model's personal data?"""
    if model is None or not personal_columns(model):
        return True
    user = user if user is not None else _current_user()
    if user is None:
        return False

    sm = get_appbuilder().sm
    return bool(sm.user_has_access(user, "can_read", resource_of(model)))


def hidden_columns(model: type | None, user: object | None = None) -> frozenset[str]:
    """The personal columns of ``model`` this user must see as ``***``."""
    columns = personal_columns(model)
    if not columns or may_see_personal(model, user):
        return frozenset()
    return columns


def mask(value: object) -> str | None:
    return None if value is None or value == "" else MASK


def mask_changes(entity: str | None, changes: object, user: object | None = None) -> object:
    """An audit row's ``{"field": [old, new]}`` with personal values masked."""
    if not isinstance(changes, dict):
        return changes
    hidden = hidden_columns(model_named(entity), user)
    if not hidden:
        return changes
    return {
        field: (
            [mask(v) for v in values]
            if field in hidden and isinstance(values, list)
            else (mask(values) if field in hidden else values)
        )
        for field, values in changes.items()
    }


def mask_query(query: str) -> str:
    """A list's query string (kept in export events) with the values searched
    on personal columns masked: a search is as personal as the value."""
    if not query or "_flt_" not in query:
        return query
    personal = all_personal_column_names()
    pairs = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        column = key.split("_", 3)[-1] if key.startswith("_flt_") else ""
        if column and column.split(".")[-1] in personal:
            value = MASK
        pairs.append((key, value))
    return urlencode(pairs)


def mask_details(entity: str | None, details: object, user: object | None = None) -> object:
    """An audit row's details (an export's list query) with the values
    searched on personal columns masked, unless the user may read the list
    that was searched (``entity`` is its resource)."""
    if not isinstance(details, dict) or not details.get("query"):
        return details
    user = user if user is not None else _current_user()
    if user is not None and entity:
        if get_appbuilder().sm.user_has_access(user, "can_read", entity):
            return details
    return {**details, "query": mask_query(str(details["query"]))}
