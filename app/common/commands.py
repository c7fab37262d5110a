"""Write commands of the registers: one place for the rules of each model.

Every path that writes a record (the web form, the REST API, the importer,
background jobs, CLI commands) calls the same three commands of the model:

* ``create(item)``: before a new row is inserted;
* ``update(item)``: before a changed row is flushed;
* ``delete(item)``: before a row is deleted.

A domain declares its rules by subclassing :class:`ModelCommands` in its
``services.py`` and registering the class with :func:`commands`. The portal's
base view and REST API (``app/common/views.py``) call :func:`commands_for`
in FAB's public ``pre_add`` / ``pre_update`` / ``pre_delete`` hooks, so a
register cannot offer a path that skips its rules: there is no per-view hook
to forget. Status transitions are commands of their own, in the same
``services.py``, called by both the web actions and the REST endpoints.

Deleting is the exception, not the rule: a registered record with history
is archived (closed, cancelled) with a reason. ``delete`` refuses unless the
model's :meth:`ModelCommands.check_delete` allows it (a draft) and no other
row refers to the record (:func:`dependants`), so nothing is ever orphaned.
The database enforces the same (``PRAGMA foreign_keys=ON`` on SQLite).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..errors import OutOfScope, UserError
from ..security.scope import ensure_in_scope, in_scope

HAS_DEPENDANTS = _l(
    "The record cannot be deleted: %(count)s other record(s) refer to it "
    "(%(what)s). Archive it instead (close, cancel or suspend it with a "
    "reason)."
)
OTHER_RECORDS = _l("other records")


class RecordInUse(UserError):
    status_code = 409


def db_session() -> Any:
    """The request's (or job's) database session, for commands that need one.

    Typed ``Any`` for now: as ``scoped_session[Session]`` its ``get()`` is
    Optional, which app.cases.services does not narrow yet (issue #23)."""
    from ..extensions import db

    return db.session


def acting_user() -> Any:
    """The signed-in user of the request (``g.user``), or None outside one."""
    if has_request_context():
        user = getattr(g, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
    return None


class ModelCommands:
    """Create, update and delete rules of one model (override the ``check_*``).

    The defaults hold for every register: the record stays inside the user's
    scope (oblast, provider), and a delete never orphans a row.
    """

    model: type | None = None
    #: Tables whose rows are parts of the record and go with it (its status
    #: history, a round's criteria); any other row that refers to the record
    #: keeps it from being deleted.
    parts: tuple[str, ...] = ()

    # -- override these ---------------------------------------------------------------
    def check(self, item: Any, creating: bool) -> None:
        """Rules shared by create and update (field values, related records)."""

    def check_create(self, item: Any) -> None:
        self.check(item, creating=True)

    def check_update(self, item: Any) -> None:
        self.check(item, creating=False)

    def check_delete(self, item: Any) -> None:
        """Refuse (raise :class:`UserError`) when this record may not be deleted."""

    def editable(self, item: Any) -> bool:
        """Whether the record may be edited in its present state (a closed case,
        an archived provider may not): the record page offers «Редагувати»
        only then. The rules themselves stay in ``check``."""
        return True

    def after_create(self, item: Any) -> None:
        """Work done once the new row is to be inserted (history rows, numbers)."""

    def after_write(self, item: Any) -> None:
        """Work done after a create, update or delete was committed (derived
        figures of a parent record, e.g. a case's next contact date)."""

    # -- the commands -----------------------------------------------------------------
    def create(self, item: Any) -> None:
        self.check_create(item)
        ensure_in_scope(item)
        self.after_create(item)

    def update(self, item: Any) -> None:
        self.check_update(item)
        ensure_in_scope(item)

    def delete(self, item: Any) -> None:
        if not in_scope(item):
            raise OutOfScope()
        self.check_delete(item)
        ensure_no_dependants(item)


_REGISTRY: dict[type, ModelCommands] = {}
_C = TypeVar("_C", bound=ModelCommands)
_DEFAULT = ModelCommands()


def commands(model: type) -> Callable[[type[_C]], type[_C]]:
    """Class decorator: register the commands of ``model``."""

    def register(cls: type[_C]) -> type[_C]:
        instance = cls()
        instance.model = model
        _REGISTRY[model] = instance
        return cls

    return register


def commands_for(model_or_item: Any) -> ModelCommands:
    model = model_or_item if isinstance(model_or_item, type) else type(model_or_item)
    for klass in model.__mro__:
        if klass in _REGISTRY:
            return _REGISTRY[klass]
    return _DEFAULT


def registered() -> dict[type, ModelCommands]:
    return dict(_REGISTRY)


def dependants(item: Any) -> dict[str, int]:
    """Rows of other tables that refer to ``item`` (table name -> count),
    except its declared parts and references that the database clears
    (``ON DELETE SET NULL``: who created or changed a row)."""
    from ..extensions import db

    table = type(item).__table__
    parts = set(commands_for(item).parts)
    found: dict[str, int] = {}
    session = db.session
    for other in db.metadata.sorted_tables:
        if other.name in parts:
            continue
        for fk in other.foreign_keys:
            if fk.column.table is not table:
                continue
            if fk.ondelete and fk.ondelete.upper() == "SET NULL":
                continue
            value = getattr(item, fk.column.key, None)
            if value is None:
                continue
            with session.no_autoflush:
                count = session.scalar(
                    select(func.count()).select_from(other).where(fk.parent == value)
                )
            if count:
                found[other.name] = found.get(other.name, 0) + count
    return found


#: table name -> what its rows are called, for the refusal message.
_TABLE_LABELS: dict[str, object] = {}


def label_tables(labels: Mapping[str, object]) -> None:
    """A domain names its tables' rows (``{"case_contact": _l("contacts")}``)."""
    _TABLE_LABELS.update(labels)


def ensure_no_dependants(item: Any) -> None:
    found = dependants(item)
    if found:
        raise RecordInUse(
            HAS_DEPENDANTS
            % {
                "count": sum(found.values()),
                "what": ", ".join(
                    sorted({str(_TABLE_LABELS.get(name, OTHER_RECORDS)) for name in found})
                ),
            }
        )


__all__ = [
    "ModelCommands",
    "commands",
    "commands_for",
    "acting_user",
    "db_session",
    "dependants",
    "ensure_no_dependants",
    "label_tables",
    "RecordInUse",
]
