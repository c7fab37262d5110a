"""List pages that stay fast on registers of a million rows.

FAB's list page spends most of its time in Jinja, not in SQL: per row it calls
``url_for`` three times, runs three macros with four translated strings each
and emits an inline ``<script>`` for the delete button. On a million-row table
it also runs an exact ``count(*)`` for every page and lets a user ask for page
40,000 (an ``OFFSET`` that walks 1,000,000 index entries).

* :class:`PortalListWidget` renders the same markup (FAB's JavaScript keeps
  working) from the portal's template ``portal/list_widget.html``, given
  link prefixes, texts and the rows' values computed once per page
  (:func:`list_page_data`); one delegated handler serves every delete button.
* :class:`BoundedCountInterface` counts at most ``count_cap + 1`` rows: the
  page says "more than 10,000" instead of scanning the rest of the table, and
  pages past the cap are not served (the user narrows the search or reverses
  the order instead, as on any big search engine). A search known to match
  more than the cap is remembered per user for ``LIST_COUNT_CACHE_SECONDS``;
  a page that is not full is counted from its rows. Its pages are read as
  plain rows of the shown columns (:meth:`BoundedCountInterface.list_page`),
  and its filter sets (:class:`LeanFilters`) skip FAB's per-request catalogue
  of every column's filters.
* :class:`PortalSearchWidget` renders the filter form once per role and scope.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from flask import current_app, g, has_request_context, url_for
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.models.sqla.filters import FilterRelationOneToManyEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.utils.base import get_column_root_relation, is_column_dotted
from flask_appbuilder.widgets import ListWidget, RenderTemplateWidget, SearchWidget
from flask_babel import get_locale
from flask_babel import gettext as _
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape
from sqlalchemy import asc, desc, false, func, select
from sqlalchemy.orm import ColumnProperty, Load, RelationshipProperty, aliased, joinedload

from .. import cache, fab_seam
from . import finder, list_header
from .enums import Label
from .fragments import NONCE_MARK
from .i18n import translate
from .textsearch import IndexedFilterConverter

#: Rows counted exactly on the big registers; beyond it the page says "more than".
DEFAULT_COUNT_CAP = 10_000


class FilterRelationKeyEqual(FilterRelationOneToManyEqual):
    """FAB's "relation equals", comparing the foreign key with the id given.

    FAB loads the related row first (one more statement per filtered page)
    and compares objects; an id that is not a number simply matches nothing.
    """

    def apply(self, query: Any, value: Any) -> Any:
        relation = getattr(self.model, self.column_name).property
        columns = list(relation.local_columns)
        if len(columns) != 1:
            return super().apply(query, value)
        try:
            key = int(value)
        except (TypeError, ValueError):
            return query.filter(false())
        return query.filter(columns[0] == key)


class BigRegisterFilterConverter(IndexedFilterConverter):
    conversion_table = tuple(
        (
            kind,
            [FilterRelationKeyEqual if f is FilterRelationOneToManyEqual else f for f in filters],
        )
        for kind, filters in IndexedFilterConverter.conversion_table
    )


class LeanFilters(fab_seam.LazyCatalogueFilters):
    """FAB's ``Filters`` with the per-column catalogue built on first use
    (see :class:`app.fab_seam.LazyCatalogueFilters`)."""

    def get_joined_filters(self, filters: Any) -> LeanFilters:
        return self.joined(self.filters + filters.filters, self.values + filters.values)

    def copy(self) -> LeanFilters:
        return self.joined(list(self.filters), list(self.values))


class PortalInterface(SQLAInterface):
    """FAB's interface with "contains" first among a text column's filters (a name
    is searched by a part of it, not by its beginning), the trigram-indexed
    "contains" where the column has an index, and text columns sorted in
    Ukrainian alphabetical order (:mod:`app.common.finder`)."""

    filter_converter_class = IndexedFilterConverter

    def apply_order_by(
        self,
        query: Any,
        order_column: str | None,
        order_direction: str | None,
        aliases_mapping: dict[str, Any] | None = None,
        bypass_many_to_many: bool = False,
        add_pk: bool = False,
    ) -> Any:
        column = self.obj.__table__.columns.get(order_column or "")
        if column is None or not finder.is_text_column(column):
            return super().apply_order_by(
                query,
                order_column,
                order_direction,
                aliases_mapping=aliases_mapping,
                bypass_many_to_many=bypass_many_to_many,
                add_pk=add_pk,
            )
        return self._collated_order(
            query, getattr(self.obj, order_column or ""), order_direction, add_pk
        )

    def _collated_order(
        self, query: Any, attribute: Any, order_direction: str | None, add_pk: bool
    ) -> Any:
        direction = asc if order_direction == "asc" else desc
        order = [direction(finder.collated(attribute, self.session))]
        if add_pk:
            order.extend(direction(key) for key in self.obj.__mapper__.primary_key)
        return query.order_by(*order)


class BoundedCountInterface(PortalInterface):
    """SQLAInterface for big registers: the list count stops at ``count_cap + 1``
    rows, "contains" uses a trigram index where the column has one
    (:mod:`app.common.textsearch`) and relation filters compare keys."""

    filter_converter_class = BigRegisterFilterConverter

    def __init__(self, obj: Any, session: Any = None, count_cap: int = DEFAULT_COUNT_CAP) -> None:
        super().__init__(obj, session=session)
        self.count_cap = count_cap

    def query(
        self,
        filters: Any = None,
        order_column: str = "",
        order_direction: str = "",
        page: int | None = None,
        page_size: int | None = None,
        select_columns: Any = None,
        outer_default_load: bool = False,
    ) -> Any:
        """One page in two steps inside one statement ("deferred join").

        The page's keys are found first, from ``case_file`` alone (an index
        walk, whatever the OFFSET); only those 25 rows are then joined to what
        the list shows. FAB's single query joins every skipped row too, and its
        default eager loads cascade (case -> worker -> provider -> hromada ->
        raion -> oblast: nine joins per row). Here the list's relations are
        joined one level deep; anything deeper loads only if a page touches it.
        """
        if select_columns or not page_size or not self._inner_only(filters):
            return super().query(
                filters,
                order_column,
                order_direction,
                page,
                page_size,
                select_columns,
                outer_default_load,
            )
        rows = self.session.query(self.obj).options(*self._shallow_eager_loads())
        rows = self._of_page(rows, filters, order_column, order_direction, page, page_size)
        return self._page_count(len(rows), filters, page, page_size), rows

    def _inner_only(self, filters: Any) -> bool:
        """Whether every filter applies to the inner query (columns, to-one
        relations). A filter through a to-many relation is applied by FAB's
        outer query only, so such a search takes FAB's path."""
        return not filters or len(self.get_inner_filters(filters).filters) == len(filters.filters)

    def _of_page(
        self,
        query: Any,
        filters: Any,
        order_column: str | None,
        order_direction: str | None,
        page: int | None,
        page_size: int,
        plain: bool = False,
    ) -> Any:
        """``query`` (over this model) restricted to the keys of one page, in
        the page's order: the keys come from the scoped, filtered, ordered and
        paginated inner query over this table alone.

        ``plain``: the query selects columns only (no ORM entity), so its SQL
        runs on the session's connection and its rows come back as they are,
        without the ORM's result machinery (a third of a millisecond a page).
        """
        keys = self.obj.__mapper__.primary_key
        page_keys = (
            fab_seam.apply_inner_all(
                self,
                self.session.query(self.obj),
                filters,
                order_column,
                order_direction,
                page,
                page_size,
            )
            .with_entities(*keys)
            .subquery()
        )
        query = query.filter(keys[0].in_(select(page_keys.c[0])))
        query = self.apply_order_by(
            query,
            order_column,
            order_direction,
            aliases_mapping={},
            bypass_many_to_many=True,
            add_pk=True,
        )
        if plain:
            connection = self.session.connection(bind_arguments={"mapper": self.obj.__mapper__})
            return connection.execute(query.statement).all()
        return query.all()

    def _page_count(self, rows: int, filters: Any, page: int | None, page_size: int) -> int:
        """The list's count. A page that is not full is the last one: the count
        follows from it, with no statement (most lists on a case page, every
        short search result, every small register)."""
        if rows < page_size and (rows or not page):
            return (page or 0) * page_size + rows
        return self.query_count(self.session.query(self.obj), filters)

    def apply_order_by(
        self,
        query: Any,
        order_column: str | None,
        order_direction: str | None,
        aliases_mapping: dict[str, Any] | None = None,
        bypass_many_to_many: bool = False,
        add_pk: bool = False,
    ) -> Any:
        """FAB's order, with a column of a to-one relation (``oblast.title``)
        always read through a join of its own.

        FAB joins the relation only if the query does not already touch its
        table, and otherwise orders by the bare table: the page's outer query
        holds the relation's eager load under an anonymous alias, so the
        ORDER BY named a table the statement did not have ("no such column:
        geo_oblast.title", shown as a 503). A join of its own is also right
        when the scope filter reaches the same table through another path.
        """
        target = self._order_target(order_column)
        if target is None:
            return super().apply_order_by(
                query,
                order_column,
                order_direction,
                aliases_mapping=aliases_mapping,
                bypass_many_to_many=bypass_many_to_many,
                add_pk=add_pk,
            )
        relation, leaf = target
        alias = aliased(relation.mapper.class_)
        query = query.outerjoin(alias, getattr(self.obj, relation.key).of_type(alias))
        column = relation.mapper.class_.__table__.columns.get(leaf)
        attribute = getattr(alias, leaf)
        if column is not None and finder.is_text_column(column):
            return self._collated_order(query, attribute, order_direction, add_pk)
        direction = asc if order_direction == "asc" else desc
        order = [direction(attribute)]
        if add_pk:
            order.extend(direction(key) for key in self.obj.__mapper__.primary_key)
        return query.order_by(*order)

    def _order_target(self, order_column: str | None) -> tuple[Any, str] | None:
        """``(relationship, column name)`` of a ``relation.column`` order over a
        to-one relation, else None (FAB orders it)."""
        if not order_column or "." not in order_column:
            return None
        head, _dot, leaf = order_column.partition(".")
        prop = self.obj.__mapper__.attrs.get(head)
        if (
            isinstance(prop, RelationshipProperty)
            and not prop.uselist
            and isinstance(prop.mapper.attrs.get(leaf), ColumnProperty)
        ):
            return prop, leaf
        return None

    def list_page(
        self,
        filters: Any,
        order_column: str | None,
        order_direction: str | None,
        page: int | None,
        page_size: int,
        columns: Sequence[str],
    ) -> tuple[int, list[Any], list[dict[str, Any]]] | None:
        """``(count, pks, values)`` of one list page, read as plain rows.

        The page's keys come from the same scoped, filtered, ordered inner
        query as :meth:`query`; the shown columns are then selected for those
        keys alone, with the relations they name joined once. No ORM object is
        built for the listed rows (for 25 cases that was half of the page's
        database time). None when a column needs the model's Python code (a
        property, a deeper path) or the order is through anything but a
        column of a to-one relation: the caller then takes FAB's path.
        """
        plan = self._row_plan(tuple(columns))
        if (
            plan is None
            or not page_size
            or not self._inner_only(filters)
            or (is_column_dotted(order_column or "") and self._order_target(order_column) is None)
        ):
            return None
        key = self.obj.__mapper__.primary_key[0]
        rows = self.session.query(key, *plan.expressions).select_from(self.obj)
        for target, onclause in plan.joins:
            rows = rows.outerjoin(target, onclause)
        rows = self._of_page(
            rows.options(*plan.options),
            filters,
            order_column,
            order_direction,
            page,
            page_size,
            plain=not plan.options,
        )
        pks, values, seen = [], [], set()
        for row in rows:
            if row[0] in seen:  # a one-to-one relation holding two rows
                continue
            seen.add(row[0])
            pks.append(row[0])
            values.append({column: read(row) for column, read in plan.readers})
        return self._page_count(len(pks), filters, page, page_size), pks, values

    def _row_plan(self, columns: tuple[str, ...]) -> _RowPlan | None:
        """How to select ``columns`` as plain rows (cached per column list)."""
        cache: dict[tuple[str, ...], _RowPlan | None]
        cache = self.__dict__.setdefault("_portal_row_plans", {})
        if columns not in cache:
            cache[columns] = _RowPlan.build(self.obj, columns)
        return cache[columns]

    def get_values(
        self, lst: Iterable[Any], list_columns: Iterable[str]
    ) -> Iterator[dict[str, Any]]:
        """FAB's ``get_values`` (one dict per row: column -> value to show) with
        each column's reader chosen once per column list, not per cell (FAB
        asks ``hasattr`` twice per cell)."""
        readers = self._value_readers(tuple(list_columns))
        for item in lst:
            yield {column: read(item) for column, read in readers}

    def _value_readers(self, columns: tuple[str, ...]) -> _Readers:
        cache: dict[tuple[str, ...], _Readers] = self.__dict__.setdefault(
            "_portal_value_readers", {}
        )
        readers: _Readers | None = cache.get(columns)
        if readers is None:
            readers = cache[columns] = tuple((c, _value_reader(c)) for c in columns)
        return readers

    def get_filters(
        self, search_columns: list[str] | None = None, search_filters: Any = None
    ) -> LeanFilters:
        return LeanFilters(self.filter_converter_class, self, search_columns or [], search_filters)

    def get_inner_filters(self, filters: Any) -> LeanFilters:
        """FAB's inner filters (plain columns and to-one relations), as LeanFilters."""
        inner = LeanFilters(self.filter_converter_class, self)
        if filters:
            for flt, value in zip(filters.filters, filters.values):
                name = flt.column_name
                if (
                    not is_column_dotted(name)
                    or self.is_relation_many_to_one(get_column_root_relation(name))
                    or self.is_relation_one_to_one(get_column_root_relation(name))
                ):
                    inner.filters.append(type(flt)(name, self))
                    inner.values.append(value)
        return inner

    def _shallow_eager_loads(self) -> tuple[Any, ...]:
        # Built once per register: loader options are immutable.
        options: tuple[Any, ...] | None = self.__dict__.get("_portal_shallow_loads")
        if options is None:
            options = self._portal_shallow_loads = tuple(
                joinedload(rel.class_attribute).lazyload("*")
                for rel in self.obj.__mapper__.relationships
                if rel.lazy == "joined" and not rel.uselist
            )
        return options

    def query_count(self, query: Any, filters: Any = None, select_columns: Any = None) -> int:
        """At most ``count_cap + 1``. A search known to match more than the cap
        is remembered per user for ``LIST_COUNT_CACHE_SECONDS``: counting up to
        the cap walks 10,001 index entries on every page of a broad search, and
        "more than 10 000" stays true for a while. An exact count is never
        remembered. The key holds the user, so filters that depend on who asks
        (scope, "my cases") are safe."""
        key = _capped_count_key(self.obj, filters) if not select_columns else None
        if key is not None and cache.fresh_value(cache.shared, key):
            return self.count_cap + 1
        inner = fab_seam.apply_inner_all(self, query, filters, select_columns=select_columns)
        # Only the key is read, and at most cap + 1 of them: the database stops
        # walking the index there instead of counting the whole table.
        # Run on the session's connection: the ORM's result machinery around
        # one number was most of this statement's time.
        keys = self.obj.__mapper__.primary_key
        capped = inner.with_entities(*keys).limit(self.count_cap + 1).subquery()
        connection = self.session.connection(bind_arguments={"mapper": self.obj.__mapper__})
        count: int = connection.execute(select(func.count()).select_from(capped)).scalar_one()
        if key is not None and count > self.count_cap:
            ttl = current_app.config["LIST_COUNT_CACHE_SECONDS"]
            cache.remember(cache.shared, key, True, ttl)
        return count


#: ``(column, reader)`` pairs of a column list.
_Readers = tuple[tuple[str, Callable[[Any], Any]], ...]


class _RowPlan:
    """The SQL of a list's columns: what to select, what to join, how to read
    each shown value back from a row (``row[0]`` is the key) the way FAB's
    ``get_values`` reads it from an object."""

    def __init__(self) -> None:
        self.expressions: list[Any] = []
        self.joins: list[tuple[Any, Any]] = []
        self.options: list[Any] = []
        self.readers: list[tuple[str, Callable[[Any], Any]]] = []
        self._aliases: dict[str, Any] = {}

    def _select(self, expression: Any) -> int:
        self.expressions.append(expression)
        return len(self.expressions)  # its index in the row

    def alias_for(self, model: Any, relation: Any) -> Any:
        if relation.key not in self._aliases:
            target = aliased(relation.mapper.class_)
            self._aliases[relation.key] = target
            self.joins.append((target, getattr(model, relation.key).of_type(target)))
        return self._aliases[relation.key]

    @classmethod
    def build(cls, model: Any, columns: tuple[str, ...]) -> _RowPlan | None:
        mapper = model.__mapper__
        if len(mapper.primary_key) != 1:
            return None
        plan = cls()
        for column in columns:
            head, _dot, leaf = column.partition(".")
            prop = mapper.attrs.get(head)
            to_one = isinstance(prop, RelationshipProperty) and not prop.uselist
            if not leaf and isinstance(prop, ColumnProperty) and len(prop.columns) == 1:
                index = plan._select(getattr(model, head))
                plan.readers.append((column, _enum_value_reader(index)))
            elif not leaf and to_one:
                target = plan.alias_for(model, prop)
                label_sql = getattr(prop.mapper.class_, "list_label_sql", None)
                if label_sql is not None:
                    # The model's __repr__ as SQL: a column, not an object.
                    index = plan._select(label_sql(target))
                else:
                    # The related object itself (shown by its __repr__), one
                    # level: its relations load only if __repr__ asks for them.
                    index = plan._select(target)
                    plan.options.append(Load(target).lazyload("*"))
                plan.readers.append((column, itemgetter(index)))
            elif (
                to_one
                and "." not in leaf
                and isinstance(prop.mapper.attrs.get(leaf), ColumnProperty)
            ):
                target = plan.alias_for(model, prop)
                index = plan._select(getattr(target, leaf))
                key = prop.mapper.get_property_by_column(prop.mapper.primary_key[0]).key
                present = plan._select(getattr(target, key))
                # FAB shows "" where the relation is missing, the value otherwise
                plan.readers.append((column, _related_value_reader(index, present)))
            else:
                return None  # a property, a method, a deeper path: FAB's way
        return plan


def _enum_value_reader(index: int) -> Callable[[Any], Any]:
    def read(row: Any) -> Any:
        value = row[index]
        return value.value if isinstance(value, enum.Enum) else value

    return read


def _related_value_reader(index: int, present: int) -> Callable[[Any], Any]:
    """A to-one relation's column: "" where the relation is missing (FAB)."""
    return lambda row: "" if row[present] is None else row[index]


def _value_reader(column: str) -> Callable[[Any], Any]:
    """What FAB's ``_get_attr_value`` answers for ``column``: a dotted path read
    through its relations ("" where a link is missing), a method called, an
    enum member shown by its value (its Ukrainian label)."""
    if "." in column:
        path = column.split(".")

        def read_path(item: Any) -> Any:
            try:
                for name in path:
                    item = getattr(item, name)
                return item
            except Exception:
                return ""

        return read_path

    def read(item: Any) -> Any:
        try:
            value = getattr(item, column)
        except AttributeError:
            return ""
        if callable(value):
            return value()
        return value.value if isinstance(value, enum.Enum) else value

    return read


def _capped_count_key(model: Any, filters: Any) -> str | None:
    """(table, user, search) for the signed-in user's list, else None."""
    if not has_request_context() or not current_app.config.get("LIST_COUNT_CACHE_SECONDS", 60):
        return None
    user = g.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    search = tuple(
        (type(flt).__name__, flt.column_name, repr(value))
        for flt, value in (filters.get_filters_values() if filters else ())
    )
    return cache.cache_key("capped_count", (model.__table__.name, user.id, search))


def _prefix(endpoint: str, pk: bool = True) -> str | None:
    """``/caseview/show/`` for ``CaseView.show``: the URL of pk 0 without the 0
    (``pk=False``: the endpoint's URL)."""
    try:
        return url_for(endpoint, pk=0)[:-1] if pk else url_for(endpoint)
    except Exception:  # the view excludes that route
        return None


def _filter_suffix(filters: Any) -> str:
    """FAB's ``set_link_filters``: related-view filters follow show/edit links."""
    parts = [
        f"_flt_0_{flt.column_name}={value}"
        for flt, value in filters.get_filters_values()
        if flt.is_related_view
    ]
    return ("?" + "&".join(parts)) if parts else ""


#: Stands for the page's active filters inside the cached search widget.
ACTIVE_FILTERS_MARK = "__portal_active_filters__"
_ACTIVE_FILTERS_JSON = str(htmlsafe_json_dumps(ACTIVE_FILTERS_MARK))


class LazySearchForm:
    """A view's search form class whose ``refresh()`` builds nothing yet.

    FAB builds the search form on every list page, but the search widget's
    fields come from a cache (:class:`PortalSearchWidget`); the form is needed
    only to fill that cache or to show a chosen relation. Building it (a
    WTForms form with a field per filterable column) was ~5 % of a list page.
    """

    def __init__(self, form_class: Any) -> None:
        self.form_class = form_class
        from .lookup import AjaxSelectField

        #: Relation pickers searched on the server (their chosen row is shown).
        self.ajax_fields = tuple(
            name
            for name in dir(form_class)
            if getattr(getattr(form_class, name, None), "field_class", None) is not None
            and issubclass(getattr(form_class, name).field_class, AjaxSelectField)
        )

    def refresh(self, obj: Any = None) -> DeferredForm:
        return DeferredForm(self, obj)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.form_class, name)


class DeferredForm:
    """The search form, built on first use."""

    def __init__(self, lazy: LazySearchForm, obj: Any = None) -> None:
        self._lazy, self._record = lazy, obj
        self._form: Any = None

    @property
    def built(self) -> bool:
        return self._form is not None

    @property
    def ajax_fields(self) -> tuple[str, ...]:
        return self._lazy.ajax_fields

    def _real(self) -> Any:
        if self._form is None:
            self._form = self._lazy.form_class.refresh(self._record)
        return self._form

    def __getitem__(self, name: str) -> Any:
        return self._real()[name]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._real())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)


class PortalSearchWidget(SearchWidget):
    """FAB's search widget, with the filter fields rendered once per
    (view, language, roles, scope) instead of on every list page.

    The fields (a form with a select per enum, date pickers, relation pickers
    limited to the scope) are the same for everyone with the same roles and
    scope; only the active filters change, and those are passed fresh. A
    relation picker showing a chosen row is rendered, not cached.
    """

    def __call__(self, **kwargs: Any) -> Markup:
        from ..security.scope import current_scope
        from .fragments import fragment_store, roles_key
        from .lookup import AjaxSelectField

        form = self.template_args["form"]
        roles = roles_key()
        key = None
        if roles is not None:
            scope = current_scope()
            key = (
                "search",
                self.template_args["route_base"],
                str(get_locale()),
                roles,
                scope.national,
                scope.oblast_id,
                scope.provider_id,
            )
        # A picker showing a chosen row (loaded in scope) is rendered fresh;
        # the rest of the form comes from the cache.
        if isinstance(form, DeferredForm):  # built only if a row was chosen
            chosen = [
                name for name in form.ajax_fields if form.built and form[name].data is not None
            ]
        else:
            chosen = [
                name
                for name, field in form._fields.items()
                if isinstance(field, AjaxSelectField) and field.data is not None
            ]
        store = fragment_store()
        active = self.filters.get_filters_values_tojson()
        if key and not chosen:
            # The whole widget, rendered once with marks where this page's
            # CSP nonce and active filters go (search.html is otherwise the same).
            html = store.get(key + ("html",))
            nonce = _nonce()
            if html is None:
                html = str(self._render(store, key, form, chosen, ACTIVE_FILTERS_MARK, kwargs))
                if nonce:
                    html = html.replace(nonce, NONCE_MARK)
                store.put(key + ("html",), html)
            # as search.html's ``tojson`` writes them (Jinja's policies, set by Flask)
            policies = current_app.jinja_env.policies
            as_json = htmlsafe_json_dumps(
                active, dumps=policies["json.dumps_function"], **policies["json.dumps_kwargs"]
            )
            return Markup(
                html.replace(NONCE_MARK, nonce).replace(_ACTIVE_FILTERS_JSON, str(as_json))
            )
        return self._render(store, key, form, chosen, active, kwargs)

    def _render(
        self,
        store: Any,
        key: Hashable | None,
        form: Any,
        chosen: Sequence[str],
        active: Any,
        kwargs: dict[str, Any],
    ) -> Markup:
        parts = store.get(key) if key else None
        if parts is None:
            parts = self._render_parts(form, blank=chosen)
            if key:
                store.put(key, parts)
        if chosen:
            fields = dict(parts["form_fields"])
            fields.update((name, form[name]()) for name in chosen if name in fields)
            parts = {**parts, "form_fields": fields}
        kwargs.update(parts)
        kwargs["active_filters"] = active
        html: Markup = RenderTemplateWidget.__call__(self, **kwargs)
        return html

    def _render_parts(self, form: Any, blank: Sequence[str]) -> dict[str, Any]:
        """Labels, fields and filter names of the form, the ``blank`` pickers
        rendered with nothing chosen (that is what the cache may hold)."""
        saved = {name: form[name].data for name in blank}
        for name in blank:
            form[name].data = None
        try:
            filters = self.filters.get_search_filters()
            columns = self.template_args["include_cols"]
            return {
                "label_columns": {c: as_unicode(form[c].label.text) for c in columns},
                "form_fields": {c: form[c]() for c in columns},
                "search_filters": {c: [as_unicode(f.name) for f in filters[c]] for c in columns},
            }
        finally:
            for name, data in saved.items():
                form[name].data = data


class PortalListWidget(ListWidget):
    """FAB's list widget rendered from ``portal/list_widget.html`` (FAB's
    ``widgets/list.html`` markup with ``lib.html``'s header, actions and
    forms), with per-page, not per-row, work.

    :func:`list_page_data` computes everything the page needs once (links,
    permissions, translated texts, the rows' cells ready to print); the
    template only loops and prints. FAB's own template took a third of a list
    page: macros imported per render, ~15 translated strings, four permission
    filters and three ``url_for`` calls per row. One delegated handler serves
    every delete button.
    """

    template = "portal/list_widget.html"

    def __call__(self, **kwargs: Any) -> Markup:
        args = {**self.template_args, **kwargs}
        template = current_app.jinja_env.get_template(self.template)
        return Markup(template.render(list_page_data(**args)))


def _csrf_token() -> str | None:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return None
    from flask_wtf.csrf import generate_csrf

    token: str = generate_csrf()
    return token


def _nonce() -> str:
    nonce = current_app.jinja_env.globals.get("csp_nonce")
    return str(escape(nonce())) if callable(nonce) else ""


def _action_path(actions: dict[str, Any], modelview_name: str) -> str | None:
    """The URL ``lib.action_form`` posts the actions to (None: no such route)."""
    if not actions:
        return None
    try:
        return url_for(f"{modelview_name}.action_post")
    except Exception:
        return None


def list_page_data(
    *,
    modelview_name: str,
    count: int,
    page: int | None,
    page_size: int,
    filters: Any,
    actions: dict[str, Any],
    include_columns: list[str],
    order_columns: list[str],
    label_columns: dict[str, Any],
    value_columns: list[dict[str, Any]],
    pks: list[Any],
    formatters_columns: dict[str, Any],
    count_cap: int | None = None,
    finder: Any = None,
    **_ignored: Any,
) -> dict[str, Any]:
    """What ``portal/list_widget.html`` prints, computed once per page: the
    header's links (pagination, page size, add, actions, back, record count),
    the column titles, the rows' buttons' link prefixes and the rows."""
    visible = current_app.jinja_env.filters["is_item_visible"]
    can_add, can_show, can_edit, can_delete = (
        visible(perm, modelview_name) for perm in ("can_add", "can_show", "can_edit", "can_delete")
    )
    actions = current_app.jinja_env.filters["get_actions_on_list"](actions or {}, modelview_name)
    capped = count_cap is not None and count > count_cap
    pageable = count_cap if capped and count_cap is not None else count
    page_links = list_header.LinkMaker()
    suffix = _filter_suffix(filters)
    add_path = _prefix(f"{modelview_name}.add", pk=False) if can_add else None
    texts = {
        "page_size": translate("Page size"),
        "add_title": translate("Add a new record"),
        "add": translate("Add"),
        "actions": translate("Actions"),
        "back": translate("Back"),
        "record_count": translate("Record Count"),
        "no_records": translate("No records found"),
        "select_all": translate("Select all rows"),
    }
    data: dict[str, Any] = {
        "finder": Markup((finder() if callable(finder) else finder) or ""),
        "pagination": list_header.pagination(page, page_size, pageable, modelview_name, page_links),
        "page_sizes": list_header.page_sizes(page, page_size, pageable, modelview_name, page_links),
        "add_href": add_path + suffix if add_path else None,
        "actions": [
            (
                action.name,
                action.icon,
                str(action.text),
                htmlsafe_json_dumps(str(action.confirmation)) if action.confirmation else "false",
            )
            for action in actions.values()
        ],
        "nonce": Markup(_nonce()),
        "back_href": url_for("UtilView.back"),
        "shown_count": (
            translate("more than %(number)s") % {"number": f"{count_cap:,}".replace(",", "\u00a0")}
            if capped
            else count
        ),
        "count": count,
        "texts": texts,
    }
    if count <= 0:
        return data
    # The per-row buttons: link prefixes (the URL of pk 0 without the 0) and
    # texts, once per page. Markup: url_for's paths are printed as they are.
    prefixes = {
        kind: Markup(path) if allowed and (path := _prefix(f"{modelview_name}.{kind}")) else None
        for kind, allowed in (("show", can_show), ("edit", can_edit), ("delete", can_delete))
    }
    data.update(
        any_link=any(prefixes.values()),
        show_prefix=prefixes["show"],
        edit_prefix=prefixes["edit"],
        delete_prefix=prefixes["delete"],
        link_suffix=escape(suffix),
        show_title=_("Show record"),
        show_label=_("Show"),
        edit_title=_("Edit record"),
        edit_label=_("Edit"),
        delete_title=_("Delete record"),
        delete_label=_("Delete"),
        delete_confirm=htmlsafe_json_dumps(_("Are you sure you want to delete this item?")),
        select_label=translate("Select") if actions else "",
        titles=list_header.column_titles(
            include_columns, order_columns, label_columns, modelview_name, page_links
        ),
        column_labels=[str(label_columns.get(column, "")) for column in include_columns],
        rows=_rows(value_columns, pks, include_columns, formatters_columns),
        zip=zip,
        action_path=_action_path(actions, modelview_name),
        csrf_token=_csrf_token(),
    )
    return data


def _rows(
    value_columns: list[dict[str, Any]],
    pks: list[Any],
    include_columns: list[str],
    formatters: dict[str, Any],
) -> list[Any]:
    """``(pk, checkbox label, values)`` of each row, each value as the cell
    prints it: formatters applied, enum labels translated once per value (a
    status repeats down the page).

    The template's row loop then only prints: in Jinja a look-up or a filter
    per cell costs ~10 µs, a 25-row page of 7 columns half of the widget.
    """
    columns = [(column, formatters.get(column)) for column in include_columns]
    first = include_columns[0] if include_columns else None
    labels: dict[Any, str] = {}
    rows = []
    for item, pk in zip(value_columns, pks):
        values = []
        for column, formatter in columns:
            value = item[column]
            if formatter:
                value = formatter(value)
            elif isinstance(value, (enum.Enum, Label)):
                cell = labels.get((column, value))
                if cell is None:
                    cell = labels[(column, value)] = escape(value)
                value = cell
            values.append(value)
        # The checkbox is named for screen readers by the row's first column.
        label = item[first] if first is not None else None
        rows.append((pk, pk if label is None else label, values))
    return rows
