"""Row-level scope: one mechanism for every path to a record.

A user's *scope* comes from their roles and account (:class:`UserScope`):
national roles see everything their permissions allow; a regional
administrator is confined to an oblast; a provider case worker to a provider;
a hromada editor to a community (territorial hromada).

A scoped model states what its scope means as SQL, once::

    class Centre(Model):
        @classmethod
        def scope_clause(cls, scope):          # -> SQL boolean, or None = nothing
            return cls.oblast_id == scope.oblast_id if scope.oblast_id else None

``scope_clause`` is only asked for confined users (national roles are never
restricted by scope, only by permissions); returning None gives them nothing.

and everything else reuses it:

* :class:`ScopeFilter` is the ``base_filters`` entry of views and APIs
  (list, show, edit, delete, REST get/put/delete);
* :class:`ScopedModelView` re-applies it to FAB actions (FAB loads action
  rows *without* base_filters) and to forms (a record cannot be saved into
  somebody else's scope);
* :func:`scoped` restricts any ``select()`` (exports, dashboards, lookups).

Fail closed: a user with a confined scope sees nothing of a model that does
not define ``scope_clause``, and nothing at all if their account lacks the
oblast/provider the role needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from flask import g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.sql import ColumnElement, Select

from ..errors import InvalidData, OutOfScope
from ..extensions import get_appbuilder
from . import roles

#: The row type of a ``select()`` (what :func:`scoped` hands back unchanged).
_TP = TypeVar("_TP", bound=tuple[Any, ...])


@dataclass(frozen=True)
class UserScope:
    """What part of the country's data a user may reach."""

    user_id: int | None = None
    national: bool = False
    oblast_id: int | None = None
    provider_id: int | None = None
    #: A hromada editor's community (the service directory, app.directory).
    hromada_id: int | None = None

    @property
    def confined(self) -> bool:
        return not self.national


NO_SCOPE = UserScope()


def role_names(user: object) -> set[str]:
    """The names of a user's roles, their own and their groups' (anonymous: none)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    names = {r.name for r in (getattr(user, "roles", None) or [])}
    for group in getattr(user, "groups", None) or []:
        names |= {r.name for r in group.roles}
    return names


def scope_of(user: Any) -> UserScope:
    """Compute the scope of a user object (anonymous -> nothing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    names = role_names(user)
    if names & roles.NATIONAL_ROLES:
        return UserScope(user_id=user.id, national=True)
    return UserScope(
        user_id=user.id,
        oblast_id=user.oblast_id if roles.REGIONAL_ADMIN in names else None,
        provider_id=user.provider_id if names & {roles.CASE_WORKER, roles.PROVIDER_REP} else None,
        hromada_id=getattr(user, "hromada_id", None) if roles.HROMADA_EDITOR in names else None,
    )


def current_scope() -> UserScope:
    """The scope of the request's user, computed once per request."""
    if not has_request_context():
        return NO_SCOPE
    if "_portal_scope" not in g:
        g._portal_scope = scope_of(getattr(g, "user", None))
    scope: UserScope = g._portal_scope
    return scope


def scope_clause(model: Any, scope: UserScope | None = None) -> ColumnElement[bool] | None:
    """SQL condition restricting ``model`` to ``scope``; None = unrestricted."""
    scope = scope or current_scope()
    if scope.national:
        return None
    clause_fn = getattr(model, "scope_clause", None)
    if clause_fn is None:
        return false()
    clause = clause_fn(scope)
    return false() if clause is None else clause


def scoped(stmt: Select[_TP], model: Any, scope: UserScope | None = None) -> Select[_TP]:
    """Restrict a ``select()`` over ``model`` to the scope."""
    clause = scope_clause(model, scope)
    return stmt if clause is None else stmt.where(clause)


def in_scope(item: Any, scope: UserScope | None = None) -> bool:
    """Whether a persisted (or just flushed) row is inside the scope.

    Asks the database with the same clause the lists use, so there is no
    second, Python-side definition of scope to drift from the SQL one.
    """
    model = type(item)
    clause = scope_clause(model, scope)
    if clause is None:
        return True
    session = get_appbuilder().session
    if sa_inspect(item).transient:
        session.add(item)
    session.flush()
    pk = model.__mapper__.primary_key[0]
    stmt = select(pk).where(pk == getattr(item, pk.key)).where(clause)
    return session.execute(stmt).first() is not None


class ScopeFilter(BaseFilter):
    """FAB base filter applying :func:`scope_clause` to the view's model."""

    name = _l("Scope")
    arg_name = None

    def apply(self, query: Any, value: object) -> Any:  # FAB's Query in, Query out
        clause = scope_clause(self.model)
        return query if clause is None else query.filter(clause)


#: Put this in ``base_filters`` of every scoped ModelView and ModelRestApi.
SCOPE_FILTER = ["id", ScopeFilter, None]


def ensure_in_scope(item: Any) -> None:
    """Refuse to save ``item`` if it would fall outside the user's scope.

    The check flushes the row; a flush refused by the database (a reference
    to a missing row, a duplicate) is reported as invalid data, not a 500.
    """
    session = get_appbuilder().session
    try:
        allowed = in_scope(item)
    except (IntegrityError, DataError):
        session.rollback()
        raise InvalidData() from None
    if not allowed:
        session.rollback()
        raise OutOfScope()
