"""The one seam between the portal and Flask-AppBuilder's (and Flask-Babel's) internals.

Why a seam: the portal is fast and safe partly because it replaces or reads
private parts of FAB 5.3 and Flask-Babel 4.0. Spread over the code base, those
places gave a maintainer no list to re-check when either library is bumped.
Here every private name the portal touches is used in this module only
(``tests/test_fab_seam.py`` greps ``app/`` for any other use), each item says
what it replaces and why, and ``SEAM`` names the upstream code each item
depends on so the contract test can fingerprint it: bumping FAB or
Flask-Babel fails that test with the list of items to re-check.

Everything else in ``app/`` calls the public names below
(``get_in_scope``, ``base_filters``, ``record_page_widgets`` ...) or overrides the
public hooks that the mixins forward to (``adjust_show_widgets``,
``list_page_widgets``, ``search_page_widgets``, ``save_add_form``,
``save_edit_form``, ``after_model_schemas``, ``cached_view_access``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import g, request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.security import views as fab_security_views
from flask_appbuilder.urltools import get_order_args, get_page_args, get_page_size_args
from flask_babel import _get_current_context

if TYPE_CHECKING:  # the mixins below are only ever mixed into these classes
    from flask_appbuilder import ModelView as _ModelViewBase
    from flask_appbuilder.api import ModelRestApi as _RestApiBase
    from flask_appbuilder.security.sqla.manager import SecurityManager as _SecurityManagerBase
else:
    _ModelViewBase = _RestApiBase = _SecurityManagerBase = object


@dataclass(frozen=True)
class SeamItem:
    """One dependency on an upstream private: what we use, and why."""

    upstream: str  # dotted path of the FAB / Flask-Babel object (or "template:<path>")
    why: str


#: Every upstream private the portal depends on. The contract test fingerprints
#: each ``upstream`` (source of a function or class, or a template file).
SEAM: tuple[SeamItem, ...] = (
    SeamItem(
        "flask_appbuilder.views.ModelView._add",
        "Replaced on POST: a refused save keeps the form and the typed values with a "
        "Ukrainian message (FAB redirects and loses the input).",
    ),
    SeamItem(
        "flask_appbuilder.views.ModelView._edit",
        "Replaced on POST: the row is loaded through the scope; optimistic locking; "
        "a refused save keeps the form.",
    ),
    SeamItem(
        "flask_appbuilder.baseviews.BaseCRUDView._get_add_widget",
        "Re-renders the add form with its errors after a refused save.",
    ),
    SeamItem(
        "flask_appbuilder.baseviews.BaseCRUDView._get_edit_widget",
        "Re-renders the edit form with its errors after a refused save.",
    ),
    SeamItem(
        "flask_appbuilder.baseviews.BaseCRUDView._get_related_views_widgets",
        "The edit page's related lists, rendered again after a refused save.",
    ),
    SeamItem(
        "flask_appbuilder.baseviews.BaseCRUDView._get_list_widget",
        "Wrapped: bounded page size and depth, quick search, plain-row pages "
        "(no ORM object per row), the filter chips.",
    ),
    SeamItem(
        "flask_appbuilder.baseviews.BaseCRUDView._get_search_widget",
        "Wrapped: a server-searched relation filter shows the chosen row.",
    ),
    SeamItem(
        "flask_appbuilder.baseviews.BaseCRUDView._get_show_widget",
        "Wrapped: actions the record page renders itself are dropped from FAB's links.",
    ),
    SeamItem(
        "flask_appbuilder.baseviews.BaseCRUDView._show",
        "The show widgets of a record page that adds its own panels; wrapped so a "
        "register of personal data logs who viewed the record (after_show_widgets).",
    ),
    SeamItem(
        "flask_appbuilder.baseviews.BaseCRUDView._list",
        "Wrapped: a register of personal data logs which rows a user was shown "
        "(after_list_widgets).",
    ),
    SeamItem(
        "flask_appbuilder.baseviews.BaseCRUDView._deserialize_pk_if_composite",
        "Turns a URL key into the datamodel's key when loading a row in scope.",
    ),
    SeamItem(
        "flask_appbuilder.baseviews.BaseCRUDView._init_properties",
        "Where FAB sets ``_base_filters``, ``_filters`` and ``_related_views`` (read by "
        "base_filters(), search_filters() and related_views()).",
    ),
    SeamItem(
        "flask_appbuilder.validators.Unique.__call__",
        "Reads ``form._id`` (the edited row), which the portal's own edit sets.",
    ),
    SeamItem(
        "flask_appbuilder.api.ModelRestApi._init_model_schemas",
        "Extended: the API's bodies are parsed with the same field kinds as the forms.",
    ),
    SeamItem(
        "flask_appbuilder.api.ModelRestApi._get_field_info",
        "Wrapped once per process: ``_info`` gives translated labels and descriptions.",
    ),
    SeamItem(
        "flask_appbuilder.models.sqla.interface.SQLAInterface._apply_inner_all",
        "The scoped, filtered, ordered inner query that the page and count queries of "
        "the bounded lists are built around.",
    ),
    SeamItem(
        "flask_appbuilder.models.filters.Filters.__init__",
        "LeanFilters builds FAB's per-column filter catalogue (``_all_filters``) on "
        "first use instead of in every Filters() (~150 objects, three per list page); "
        "it sets ``_search_filters`` as FAB's __init__ would.",
    ),
    SeamItem(
        "flask_appbuilder.models.filters.Filters._get_filters",
        "Called by LeanFilters to build the search and the full filter catalogues.",
    ),
    SeamItem(
        "flask_appbuilder.security.sqla.manager.SecurityManager._create_db",
        "Replaced: FAB would create tables itself; Alembic owns the schema.",
    ),
    SeamItem(
        "flask_appbuilder.security.manager.BaseSecurityManager._has_view_access",
        "Wrapped: answers for users with built-in roles only are remembered per "
        "process (the roles are fixed by configuration).",
    ),
    SeamItem(
        "flask_appbuilder.security.sqla.manager.SecurityManager.validate_api_key",
        "Sets ``g._api_key_user`` for API-key requests: such a user's access is "
        "never taken from the role cache.",
    ),
    SeamItem(
        "flask_appbuilder.utils.base.get_safe_redirect",
        "flask_appbuilder.security.views imports it by name; that module global is replaced: an empty ``next`` after sign-in "
        "goes to the index without a false 'Invalid redirect' warning.",
    ),
    SeamItem(
        "flask_appbuilder.filters.TemplateFilters.find_views_by_name",
        "Replaced on the live instance by a dict lookup (a loop over ~90 views, four to "
        "eight times per page).",
    ),
    SeamItem(
        "flask_babel._get_current_context",
        "The request's Babel context, where the request's catalogue is kept once.",
    ),
    SeamItem(
        "flask_babel.Babel.domain_instance",
        "Replaced by the request-cached domain (cached_property on the Babel object).",
    ),
)


# --------------------------------------------------------------------------- views
def base_filters(view: Any) -> Any:
    """The view's scope and base filters as FAB joined them at registration."""
    return view._base_filters


def search_filters(view: Any) -> Any:
    """The view's shared search filters (FAB fills them from the request's
    arguments); a request must copy before it keeps them."""
    return view._filters


def get_in_scope(view: Any, pk: Any) -> Any:
    """One row by its URL key through the view's base filters (scope); None if
    missing or out of scope. FAB's own action routes load rows without them."""
    deserialize = getattr(view, "_deserialize_pk_if_composite", None)  # views, not APIs
    return view.datamodel.get(deserialize(pk) if deserialize else pk, view._base_filters)


def related_views(view: Any) -> list[Any]:
    """The view's related views that the user may list: FAB 5.3 passes them all
    to the template; an upstream change filters them by permission, and this
    does the same now."""
    sm = view.appbuilder.sm
    return [
        rv
        for rv in view._related_views
        if sm.has_access("can_list", rv.class_permission_name)
        or sm.has_access("can_read", rv.class_permission_name)
    ]


def add_page_widgets(view: Any, form: Any) -> Any:
    """The add page with ``form`` (and its errors)."""
    return view._get_add_widget(form=form)


def edit_page_widgets(view: Any, form: Any, item: Any) -> Any:
    """The edit page with ``form`` (and its errors) and the record's related lists."""
    widgets = view._get_edit_widget(form=form)
    return view._get_related_views_widgets(
        item, filters={}, orders={}, pages={}, page_sizes={}, widgets=widgets
    )


def edited_record(form: Any) -> Any:
    """The key of the row an edit form belongs to (None on an add form)."""
    return getattr(form, "_id", None)


def record_page_widgets(view: Any, item: Any) -> Any:
    """FAB's ``_show`` for a record the view has already loaded in scope, so a
    record page is built from the record it loaded (no second load, no state
    passed between FAB's hooks)."""
    widgets = view._get_show_widget(view.datamodel.get_pk_value(item), item)
    view.update_redirect()
    return view._get_related_views_widgets(
        item,
        orders=get_order_args(),
        pages=get_page_args(),
        page_sizes=get_page_size_args(),
        widgets=widgets,
    )


def mark_edited_record(form: Any, pk: Any) -> None:
    """Tell FAB's ``Unique`` validator which row an edit form belongs to (it
    reads ``form._id``), so the row's own value is not a duplicate of itself."""
    form._id = pk


class ModelViewSeam(_ModelViewBase):
    """FAB ModelView private hooks, each forwarded to a public method of the
    portal's base view (``app/common/views.py``). Put it first in the bases."""

    def _add(self) -> Any:
        if request.method != "POST":
            return super()._add()
        return self.save_add_form(self.add_form.refresh())

    def _edit(self, pk: Any) -> Any:
        self.before_edit(pk)
        if request.method != "POST":
            return super()._edit(pk)
        return self.save_edit_form(pk)

    def before_edit(self, pk: Any) -> None:
        """Before the edit page or its save (override to refuse with abort())."""

    def _list(self, **kwargs: Any) -> Any:
        return self.after_list_widgets(super()._list(**kwargs))

    def after_list_widgets(self, widgets: Any) -> Any:
        """The list page's widgets, built (override to log what was shown)."""
        return widgets

    def _show(self, pk: Any) -> Any:
        return self.after_show_widgets(pk, super()._show(pk))

    def after_show_widgets(self, pk: Any, widgets: Any) -> Any:
        """A record page's widgets, built (override to log a personal-data view)."""
        return widgets

    #: FAB leaves a relation the list is filtered by (``?_flt_0_case=1``) out of the
    #: add form and fills it on save; the portal's save goes through the form, so a
    #: view that opens its add form from a parent record sets this and shows the
    #: field chosen instead (``before_add_page``).
    add_form_keeps_filtered_relations = False

    def _get_add_widget(self, form: Any, exclude_cols: Any = None, widgets: Any = None) -> Any:
        self.before_add_page(form)
        if self.add_form_keeps_filtered_relations:
            exclude_cols = None
        return super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)

    def before_add_page(self, form: Any) -> None:
        """The add form, about to be rendered (its first view or after a refusal)."""

    def _get_list_widget(
        self,
        filters: Any,
        actions: Any = None,
        order_column: str = "",
        order_direction: str = "",
        page: int | None = None,
        page_size: int | None = None,
        widgets: Any = None,
        **kwargs: Any,
    ) -> Any:
        return self.list_page_widgets(
            filters,
            actions=actions,
            order_column=order_column,
            order_direction=order_direction,
            page=page,
            page_size=page_size,
            widgets=widgets,
            **kwargs,
        )

    def fab_list_widgets(self, filters: Any, **kwargs: Any) -> Any:
        """FAB's own list widget (ORM objects per row), for views that need it."""
        return super()._get_list_widget(filters, **kwargs)

    def _get_search_widget(
        self, form: Any = None, exclude_cols: Any = None, widgets: Any = None
    ) -> Any:
        return self.search_page_widgets(form=form, exclude_cols=exclude_cols, widgets=widgets)

    def fab_search_widgets(
        self, form: Any = None, exclude_cols: Any = None, widgets: Any = None
    ) -> Any:
        return super()._get_search_widget(form=form, exclude_cols=exclude_cols, widgets=widgets)

    def _get_show_widget(
        self,
        pk: Any,
        item: Any,
        widgets: Any = None,
        actions: Any = None,
        show_fieldsets: Any = None,
    ) -> Any:
        widgets = super()._get_show_widget(
            pk, item, widgets=widgets, actions=actions, show_fieldsets=show_fieldsets
        )
        return self.adjust_show_widgets(widgets, item)

    def adjust_show_widgets(self, widgets: Any, item: Any) -> Any:
        return widgets


# --------------------------------------------------------------------------- REST
class RestApiSeam(_RestApiBase):
    """``ModelRestApi._init_model_schemas`` forwarded to ``after_model_schemas``."""

    def _init_model_schemas(self) -> None:
        super()._init_model_schemas()
        self.after_model_schemas()

    def after_model_schemas(self) -> None:
        """Called once FAB has built the add/edit/show/list schemas."""


def wrap_field_info(adjust: Callable[[Any, Any, dict[str, Any]], dict[str, Any]]) -> None:
    """Let ``adjust(api, field, info)`` finish every field description FAB's
    ``_info`` endpoint gives (translated labels and descriptions)."""
    original = ModelRestApi._get_field_info
    if getattr(original, "portal_wrapped", False):
        return

    def _get_field_info(
        self: Any,
        field: Any,
        filter_rel_field: Any,
        page: int | None = None,
        page_size: int | None = None,
    ) -> dict[str, Any]:
        info = original(self, field, filter_rel_field, page=page, page_size=page_size)
        return adjust(self, field, info)

    _get_field_info.__doc__ = original.__doc__
    _get_field_info.__wrapped__ = original  # type: ignore[attr-defined]
    _get_field_info.portal_wrapped = True  # type: ignore[attr-defined]
    ModelRestApi._get_field_info = _get_field_info


# --------------------------------------------------------------------------- queries
def apply_inner_all(
    interface: Any,
    query: Any,
    filters: Any,
    order_column: str | None = "",
    order_direction: str | None = "",
    page: int | None = None,
    page_size: int | None = None,
    select_columns: Any = None,
    aliases_mapping: dict[str, Any] | None = None,
) -> Any:
    """FAB's scoped, filtered, ordered (and paged) query over the interface's model."""
    return interface._apply_inner_all(
        query,
        filters,
        order_column,
        order_direction,
        page,
        page_size,
        select_columns=select_columns,
        aliases_mapping={} if aliases_mapping is None else aliases_mapping,
    )


class LazyCatalogueFilters(Filters):
    """FAB's ``Filters`` without the eager catalogue of every column's filters.

    FAB builds ``_all_filters`` (each column converted to its filter classes,
    ~150 filter objects for the case table) in every ``Filters()``, and a list
    page makes three of them (the joined filters and the two inner queries);
    only the parsing of URL arguments reads it. Here it is built on first use.
    """

    def __init__(
        self,
        filter_converter: Any,
        datamodel: Any,
        search_columns: list[str] | None = None,
        search_filters: dict[str, Any] | None = None,
    ) -> None:
        # Filters.__init__ is not called: it would build the catalogue now.
        self.search_columns = search_columns or []
        self.filter_converter = filter_converter
        self.datamodel = datamodel
        self.clear_filters()
        self._search_filters = self._get_filters(self.search_columns) if self.search_columns else {}
        for column, extra in (search_filters or {}).items():
            self._search_filters[column] += extra

    @property
    def _all_filters(self) -> Any:
        catalogue = self.__dict__.get("_all_filters_built")
        if catalogue is None:
            catalogue = self.__dict__["_all_filters_built"] = self._get_filters(
                self.datamodel.get_columns_list()
            )
        return catalogue

    def joined(self, filters: Any, values: Any) -> LazyCatalogueFilters:
        """A filter set of the same class with these filters and values."""
        joined = type(self)(self.filter_converter, self.datamodel)
        joined.filters, joined.values = filters, values
        return joined


# --------------------------------------------------------------------------- security
class SecurityManagerSeam(_SecurityManagerBase):
    """The security manager's private hooks forwarded to public methods."""

    def _create_db(self) -> None:
        self.create_roles_not_tables()

    def create_roles_not_tables(self) -> None:
        """FAB's own start-up creation (the portal's manager overrides it)."""
        super()._create_db()

    def _has_view_access(self, user: Any, permission_name: str, view_name: str) -> bool:
        return self.cached_view_access(user, permission_name, view_name)

    def cached_view_access(self, user: Any, permission_name: str, view_name: str) -> bool:
        """FAB's answer (the portal's manager overrides it with a cache)."""
        return self.fab_view_access(user, permission_name, view_name)

    def fab_view_access(self, user: Any, permission_name: str, view_name: str) -> bool:
        """FAB's own answer (the database or the configured built-in roles)."""
        return bool(super()._has_view_access(user, permission_name, view_name))


def is_api_key_request() -> bool:
    """True while FAB serves a request signed with an API key."""
    return bool(getattr(g, "_api_key_user", False))


def install_safe_redirect(safe_redirect: Callable[[str | None], str]) -> None:
    """FAB's security views call ``get_safe_redirect`` by the name they imported."""
    fab_security_views.get_safe_redirect = safe_redirect


def install_view_lookup(app: Any, appbuilder: Any) -> None:
    """FAB's template filters find a view by class name with a loop over all
    views, four to eight times per page (``is_item_visible``); a dict built
    once the views are registered answers the same."""
    filters = app.jinja_env.filters["is_item_visible"].__self__
    by_name: dict[str, Any] = {}
    for view in appbuilder.baseviews:
        by_name.setdefault(view.__class__.__name__, view)
    filters.find_views_by_name = by_name.get


# --------------------------------------------------------------------------- Babel
def babel_context() -> Any:
    """Flask-Babel's per-request context (None outside a request)."""
    return _get_current_context()


def install_babel_domain(babel: Any, domain: Any) -> None:
    """Replace the Babel object's cached ``domain_instance``."""
    babel.__dict__["domain_instance"] = domain
