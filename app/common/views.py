"""Base classes for every domain view and API.

:class:`PortalModelView` is FAB's ModelView with what a real register needs:

* row scope on every path, including FAB actions (which skip base_filters);
* a refused save (out of scope, workflow rule, conflict, unique value) keeps
  the form and what the user typed, with a Ukrainian message; FAB 5.3 would
  redirect and lose the input, or print the raw database error;
* optimistic locking: models with a ``version`` column get a hidden field and
  an edit made on a stale copy is refused with a conflict message;
* dates shown and typed as ``dd.mm.yyyy``;
* ``can_read`` / ``can_write`` / ``can_export`` permissions per resource.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from flask import abort, flash, g, has_request_context, redirect, request, session, url_for
from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.baseviews import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.widgets import ShowWidget
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime
from sqlalchemy import Enum as SAEnum
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import BuildError
from wtforms import HiddenField
from wtforms.validators import DataRequired, Optional

from .. import fab_seam
from ..errors import ConflictError, InvalidData, UserError
from ..security import roles
from ..security.scope import SCOPE_FILTER, in_scope
from . import finder
from .commands import commands_for
from .fields import EnumSelectField, UkDateField
from .i18n import short_date
from .listing import (
    DeferredForm,
    LazySearchForm,
    PortalInterface,
    PortalListWidget,
    PortalSearchWidget,
)
from .lookup import AjaxSelectField

if TYPE_CHECKING:
    import datetime

log = logging.getLogger(__name__)

INTEGRITY_MESSAGE = _l(
    "The record was not saved: it duplicates an existing record or refers to a "
    "missing one. Check the unique fields (codes, numbers)."
)
RELATION_ID_MESSAGE = _l("Give the identifier (a whole number) of an existing record.")
PAGE_MESSAGE = _l("Page number and page size must be whole numbers below 10,000,000.")
DEEP_PAGE_MESSAGE = _l(
    "Only the first %(number)s records can be paged through: narrow the "
    "search or reverse the order to see the others."
)
#: The page-size menu offers 25-100; a bigger ``psize_`` argument is cut to this.
MAX_PAGE_SIZE = 100
DATABASE_MESSAGE = _l("The record was not saved because of a database error. Try again.")
VERSION_MESSAGE = _l("The version must be a whole number: the one the record had when you read it.")


EMPTY = "—"
YES, NO = _l("Yes"), _l("No")


def _shown_or_dash(value: Any) -> Any:
    return EMPTY if value is None or value == "" else value


def _yes_no(value: Any) -> str:
    return EMPTY if value is None else str(YES if value else NO)


def _date_formatters(model: Any) -> dict[str, Callable[[Any], Any]]:
    """How a column's value reads on a page: dates ``dd.mm.yyyy``, times in
    Kyiv time, ``Так``/``Ні`` for a flag and «—» for nothing (FAB printed
    ``True`` and ``None`` in the Ukrainian interface)."""
    formatters: dict[str, Callable[[Any], Any]] = {}
    for column in model.__table__.columns:
        if isinstance(column.type, DateTime):
            formatters[column.key] = lambda v: (
                format_datetime(v, "dd.MM.yyyy HH:mm") if v else EMPTY
            )
        elif isinstance(column.type, Date):
            formatters[column.key] = lambda v: short_date(v) if v else EMPTY
        elif isinstance(column.type, Boolean):
            formatters[column.key] = _yes_no
        elif column.nullable:
            formatters[column.key] = _shown_or_dash
    return formatters


class FreshLists(dict[str, Any]):
    """``validators_columns`` handing out a copy of each list.

    FAB's form converter appends its own validators (length, required,
    unique) to the list it gets from ``validators_columns``: the class's own
    list. Every form built from it (the add and the edit form, in every app
    of the process) appended again, and fields hold that same list, so a
    provider's save ran the EDRPOU uniqueness query twice in production and
    once more for every app a test run had built.
    """

    def get(self, key: str, default: Any = None) -> Any:
        value = super().get(key, default)
        return list(value) if isinstance(value, list) else value


class SafeActionsMixin:
    """FAB's action routes, fixed.

    FAB 5.3 loads action rows with ``datamodel.get(pk)`` (no base filters: a
    user could act on rows outside their scope) and crashes with a 500 on an
    unknown action name, even for anonymous users. Here an unknown action is a
    400, a missing permission a 403, and every row goes through the scope.
    """

    # Provided by the FAB view class this is mixed into (declared, not defined).
    datamodel: Any
    appbuilder: Any
    actions: dict[str, Any]
    endpoint: str
    class_permission_name: str
    is_get_mutation_allowed: Callable[[], bool]
    get_action_permission_name: Callable[[str], str]
    get_redirect: Callable[[], Any]

    def scoped_get(self, pk: Any) -> Any:
        """Load one row through the scope filter; 404 when out of scope or missing."""
        if not _valid_pk(pk):
            abort(404)
        item = fab_seam.get_in_scope(self, pk)
        if item is None:
            abort(404)
        return item

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name: str, pk: Any) -> Any:
        """FAB's single-row action, loading the row through the scope."""
        if not self.is_get_mutation_allowed() or name not in self.actions:
            abort(400)
        if not self.appbuilder.sm.has_access(
            self.get_action_permission_name(name), self.class_permission_name
        ):
            abort(403)
        return self._land_on_record(self._run_action(name, self.scoped_get(pk)), pk)

    def _land_on_record(self, response: Any, pk: Any) -> Any:
        """An action on one record lands on that record's page, where its result
        shows, not on FAB's "previous page" (often the form the user came from);
        on the list when the record has left the user's scope."""
        if getattr(response, "status_code", None) not in (301, 302, 303):
            return response
        if "/show/" in (response.location or ""):
            return response  # the action chose a record page (e.g. the centre it created)
        try:
            target = url_for(f"{self.endpoint}.show", pk=pk)
        except BuildError:
            return response
        if fab_seam.get_in_scope(self, pk) is not None:
            response.location = target
        return response

    @expose("/action_post", methods=["POST"])
    def action_post(self) -> Any:
        """FAB's bulk action; every selected row must be in scope."""
        name = request.form.get("action", "")
        if name not in self.actions:
            abort(400)
        if not self.appbuilder.sm.has_access(
            self.get_action_permission_name(name), self.class_permission_name
        ):
            abort(403)
        items = [self.scoped_get(pk) for pk in request.form.getlist("rowid")]
        return self._run_action(name, items)

    def _run_action(self, name: str, items: Any) -> Any:
        try:
            return self.actions[name].func(items)
        except UserError as exc:
            self.datamodel.session.rollback()
            flash(str(exc), "danger")
            return self._action_redirect()

    def _action_redirect(self) -> Any:
        return redirect(self.get_redirect())


def _drop_actions(widget: Any, names: frozenset[str]) -> None:
    """Leave these actions out of a widget's action menu or links (FAB reads an empty
    ``actions`` argument as "all actions", so the widget's own copy is filtered)."""
    if names:
        actions = widget.template_args.get("actions") or {}
        widget.template_args["actions"] = {k: v for k, v in actions.items() if k not in names}


class PortalShowWidget(ShowWidget):
    """FAB's record page with an «Редагувати» button (``edit_url``)."""

    template = "portal/show_widget.html"


class PortalModelView(fab_seam.ModelViewSeam, SafeActionsMixin, ModelView):
    """Scoped, Ukrainian-first ModelView (see module docstring)."""

    show_widget = PortalShowWidget

    method_permission_name = roles.METHOD_PERMISSIONS
    base_filters = [SCOPE_FILTER]
    page_size = 25
    list_widget = PortalListWidget
    search_widget = PortalSearchWidget
    #: Defaults the audit/export layers may extend.
    add_row_message = _l("Record added")
    edit_row_message = _l("Changes saved")
    delete_row_message = _l("Record deleted")
    # FAB's attributes that __init__ rewrites (declared for the type checker).
    validators_columns: dict[str, Any]
    formatters_columns: dict[str, Any]
    add_form_extra_fields: dict[str, Any]
    edit_form_extra_fields: dict[str, Any]
    edit_columns: list[str]
    edit_fieldsets: list[Any]
    search_form: Any

    def __init__(self, **kwargs: Any) -> None:
        model = self.datamodel.obj
        self.validators_columns = FreshLists(self.validators_columns or {})
        self.formatters_columns = {**_date_formatters(model), **(self.formatters_columns or {})}
        self._install_date_fields(model)
        self._scope_relation_choices(model)
        if "version" in model.__table__.columns:
            self.edit_form_extra_fields = {
                "version": HiddenField(),
                **(self.edit_form_extra_fields or {}),
            }
            if self.edit_columns and "version" not in self.edit_columns:
                self.edit_columns = [*self.edit_columns, "version"]
            if self.edit_fieldsets and not any(
                "version" in fs[1].get("fields", []) for fs in self.edit_fieldsets
            ):
                # FAB builds the edit form from the fieldsets when there are any.
                *head, (title, spec) = self.edit_fieldsets
                self.edit_fieldsets = [
                    *head,
                    (title, {**spec, "fields": [*spec.get("fields", []), "version"]}),
                ]
        super().__init__(**kwargs)
        if self.search_form is not None:
            self.search_form = LazySearchForm(self.search_form)

    def render_template(self, template: str, **kwargs: Any) -> Any:
        """A record's page and edit form name the record in their <title> and <h1>
        (``page_record``; the row is already in the session: no statement)."""
        pk = (request.view_args or {}).get("pk") if has_request_context() else None
        if (
            pk is not None
            and "page_record" not in kwargs
            and _valid_pk(pk)
            and template in (self.show_template, self.edit_template)
        ):
            try:
                item = self.datamodel.session.get(self.datamodel.obj, int(pk))
            except (TypeError, ValueError):
                item = None
            if item is not None:
                # <h1> «Центр життєстійкості: Центр …»; <title> «Центр … — Центр життєстійкості — Опора»
                kwargs["page_record"] = str(item)
                kwargs["register_title"] = kwargs.get("title")
                kwargs["title"] = f"{kwargs.get('title')}: {item}"
        return super().render_template(template, **kwargs)

    def update_redirect(self) -> None:
        """FAB's back-history, written only when the page is a new one.

        FAB writes ``page_history`` into the session on every list and show
        (twice per list), so even a reload re-signed and re-sent the cookie.
        """
        history = session.get("page_history") or []
        if history and history[-1] == request.url:
            return
        super().update_redirect()

    def _scope_relation_choices(self, model: Any) -> None:
        """Relation dropdowns offer only rows inside the user's scope.

        (A regional administrator picks from their own oblast, not all 27.)
        Saving is re-checked anyway (``ensure_in_scope``); this is for the eye.
        """
        for attr in ("add_form_query_rel_fields", "edit_form_query_rel_fields"):
            rel_fields = dict(getattr(self, attr) or {})
            for rel in model.__mapper__.relationships:
                target = rel.mapper.class_
                if rel.key not in rel_fields and hasattr(target, "scope_clause"):
                    rel_fields[rel.key] = [SCOPE_FILTER]
            setattr(self, attr, rel_fields)

    def _install_date_fields(self, model: Any) -> None:
        for attr in ("add_form_extra_fields", "edit_form_extra_fields"):
            extra = dict(getattr(self, attr) or {})
            for column in model.__table__.columns:
                if column.key in extra:
                    continue
                label = (self.label_columns or {}).get(column.key, column.key)
                required = not column.nullable and column.default is None
                options = dict(
                    description=(self.description_columns or {}).get(column.key, ""),
                    # FAB skips validators_columns for replaced fields: keep them.
                    validators=[
                        DataRequired() if required else Optional(),
                        *(self.validators_columns or {}).get(column.key, []),
                    ],
                )
                if type(column.type) is Date:
                    extra[column.key] = UkDateField(label, **options)
                elif isinstance(column.type, SAEnum) and column.type.enum_class is not None:
                    extra[column.key] = EnumSelectField(
                        label, enum_class=column.type.enum_class, **options
                    )
            setattr(self, attr, extra)

    # --- saving: the model's commands hold the rules (app/common/commands.py) -----
    def pre_add(self, item: Any) -> None:
        commands_for(item).create(item)

    def pre_update(self, item: Any) -> None:
        commands_for(item).update(item)

    def pre_delete(self, item: Any) -> None:
        if not in_scope(item):
            abort(404)
        commands_for(item).delete(item)

    def post_add(self, item: Any) -> None:
        commands_for(item).after_write(item)
        g.portal_landing = self.landing_url(item)

    def post_update(self, item: Any) -> None:
        commands_for(item).after_write(item)
        g.portal_landing = self.landing_url(item)

    def post_delete(self, item: Any) -> None:
        commands_for(item).after_write(item)
        g.portal_landing = self.parent_url(item)

    # --- where the user lands ----------------------------------------------------
    def landing_url(self, item: Any) -> str | None:
        """After a save: the record's own page (a child record: the parent's
        page on the child's tab, see :meth:`parent_url`). FAB sent the user
        back through its page history: to the home page, a list, or the form."""
        parent = self.parent_url(item)
        if parent:
            return parent
        return self.record_url(item)

    def record_url(self, item: Any) -> str | None:
        sm = self.appbuilder.sm
        permission = "can_" + self.method_permission_name.get("show", "show")
        if not sm.has_access(permission, self.class_permission_name):
            return None
        try:
            return url_for(f"{self.endpoint}.show", pk=self.datamodel.get_pk_value(item))
        except BuildError:  # a view without a record page
            return None

    def edit_url(self, item: Any) -> str | None:
        """The edit form's address, when this user may edit this record now."""
        sm = self.appbuilder.sm
        permission = "can_" + self.method_permission_name.get("edit", "edit")
        if permission not in (self.base_permissions or []) or not sm.has_access(
            permission, self.class_permission_name
        ):
            return None
        if not commands_for(item).editable(item):
            return None
        try:
            return url_for(f"{self.endpoint}.edit", pk=self.datamodel.get_pk_value(item))
        except BuildError:  # the view has no edit form
            return None

    #: Columns of the quick-search box (contains, any of them); None: the text
    #: columns of ``search_columns`` that are not personal data; () hides the box.
    quick_search_columns: tuple[str, ...] | None = None

    def quick_search_clauses(self, text: str) -> list[Any]:
        """Conditions of the quick search (override to add related tables)."""
        from .textsearch import indexed_contains

        model = self.datamodel.obj
        dialect = self.datamodel.session.get_bind().dialect.name
        conditions: list[Any] = []
        for name in self._quick_columns():
            indexed = indexed_contains(model, name, text, dialect)
            conditions.append(
                indexed if indexed is not None else finder.contains(getattr(model, name), text)
            )
        return conditions

    def _quick_columns(self) -> tuple[str, ...]:
        if self.quick_search_columns is not None:
            return tuple(self.quick_search_columns)
        from ..security.pii import personal_columns

        columns = self.datamodel.obj.__table__.columns
        hidden = personal_columns(self.datamodel.obj)
        return tuple(
            name
            for name in (self.search_columns or [])
            if name in columns and name not in hidden and finder.is_text_column(columns[name])
        )

    def _has_quick_search(self) -> bool:
        """A register has the box when it has quick-search columns or its own clauses."""
        return bool(self._quick_columns()) or (
            type(self).quick_search_clauses is not PortalModelView.quick_search_clauses
        )

    def _with_quick_search(self, filters: Any) -> Any:
        """The request's filters plus the quick search (``?q=``), if any."""
        text = finder.quick_search_text()
        if not text or not self._has_quick_search():
            return filters
        cls = self.__dict__.get("_quick_filter")
        if cls is None:
            cls = self.__dict__["_quick_filter"] = type(
                f"{type(self).__name__}QuickSearch",
                (finder.QuickSearchFilter,),
                {"clauses": staticmethod(self.quick_search_clauses)},
            )
        filters = filters.copy()
        filters.add_filter(self.datamodel.get_pk_name(), cls, text)
        return filters

    #: Actions that the record's page renders itself (in its own form: the allowed
    #: ones only, a reason, a warning); FAB's generic action links leave them out.
    record_page_actions: frozenset[str] = frozenset()
    #: Actions for one record at a time (they ask for a reason): not in the list's
    #: bulk menu.
    single_record_actions: frozenset[str] = frozenset()

    def adjust_show_widgets(self, widgets: dict[str, Any], item: Any) -> dict[str, Any]:
        _drop_actions(widgets["show"], self.record_page_actions)
        widgets["show"].template_args["edit_url"] = self.edit_url(item)
        return widgets

    def parent_url(self, item: Any) -> str | None:
        """The parent record's page for a child record (override), else None."""
        return None

    def post_add_redirect(self) -> Any:
        return self._land() or super().post_add_redirect()

    def post_edit_redirect(self) -> Any:
        return self._land() or super().post_edit_redirect()

    def post_delete_redirect(self) -> Any:
        return self._land() or super().post_delete_redirect()

    @staticmethod
    def _land() -> Any:
        landing = g.pop("portal_landing", None)
        return redirect(landing) if landing else None

    def _save_refused(self, exc: Exception) -> None:
        self.datamodel.session.rollback()
        if isinstance(exc, UserError):
            flash(str(exc), "danger")
        elif isinstance(exc, (StaleDataError,)):
            flash(str(ConflictError()), "danger")
        elif isinstance(exc, IntegrityError):
            flash(str(INTEGRITY_MESSAGE), "danger")
        else:
            log.exception("Save failed")
            flash(str(DATABASE_MESSAGE), "danger")

    def save_add_form(self, form: Any) -> Any:
        """FAB's add POST, re-rendering the form with what was typed when the
        save is refused (FAB redirects and loses it)."""
        if not form.validate():
            return fab_seam.add_page_widgets(self, form)
        self.process_form(form, True)
        try:
            item = self.add_from_form(form)
            self.datamodel.add(item)
            self.post_add(item)
        except (UserError, SQLAlchemyError) as exc:
            self._save_refused(exc)
            return fab_seam.add_page_widgets(self, form)
        flash(str(self.add_row_message), "success")
        return None

    def add_from_form(self, form: Any) -> Any:
        """The new record a validated add form describes, passed through the
        model's commands (``pre_add``). A view whose form holds more than the
        record's own columns overrides this: it reads the form explicitly and
        calls its domain's service (the one the REST API calls too)."""
        item = self.datamodel.obj()
        form.populate_obj(item)
        self.pre_add(item)
        return item

    def save_edit_form(self, pk: Any) -> Any:
        """FAB's edit POST: the row loaded in scope, optimistic locking, and the
        form kept with what was typed when the save is refused."""
        item = self.scoped_get(pk)
        pk = self.datamodel.get_pk_value(item)
        form = self.edit_form.refresh(request.form)
        fab_seam.mark_edited_record(form, pk)
        if not form.validate():
            return self.edit_widgets_after_refusal(form, item)
        self.process_form(form, False)
        try:
            self._check_version(form, item)
            version_field = form._fields.pop("version", None)  # never written from the form
            try:
                form.populate_obj(item)
            finally:
                if version_field is not None:
                    form._fields["version"] = version_field
            self.pre_update(item)
            self.datamodel.session.flush()
            self.datamodel.edit(item)
            self.post_update(item)
        except (UserError, SQLAlchemyError) as exc:
            self._save_refused(exc)
            return self.edit_widgets_after_refusal(form, item)
        flash(str(self.edit_row_message), "success")
        return None

    # --- list: bounded page size, count and depth (app/common/listing.py) -------
    def list_page_widgets(
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
        page_size = min(page_size or self.page_size, MAX_PAGE_SIZE)
        cap = getattr(self.datamodel, "count_cap", None)
        if cap and page and (page + 1) * page_size > cap:
            # OFFSET walks every skipped row: past the cap the page would cost
            # as much as reading the table. Show the last page within it.
            page = max(0, -(-cap // page_size) - 1)
            flash(str(DEEP_PAGE_MESSAGE) % {"number": f"{cap:,}".replace(",", "\u00a0")}, "info")
        filters = self._with_quick_search(filters)
        widgets = self._plain_rows_list_widget(
            filters, actions, order_column, order_direction, page, page_size, widgets, **kwargs
        )
        if widgets is None:
            widgets = self.fab_list_widgets(
                filters,
                actions=actions,
                order_column=order_column,
                order_direction=order_direction,
                page=page,
                page_size=page_size,
                widgets=widgets,
                **kwargs,
            )
        widgets["list"].template_args["count_cap"] = cap
        _drop_actions(widgets["list"], self.single_record_actions)
        # Rendered with the page (after the search widget has loaded a chosen
        # picker's row, which the chip then names from the session, no statement).
        widgets["list"].template_args["finder"] = functools.partial(
            finder.render_finder, filters, self.label_columns, quick=self._has_quick_search()
        )
        return widgets

    def _plain_rows_list_widget(
        self,
        filters: Any,
        actions: Any,
        order_column: str,
        order_direction: str,
        page: int | None,
        page_size: int,
        widgets: Any,
        **kwargs: Any,
    ) -> Any:
        """FAB's ``_get_list_widget`` on plain rows (``datamodel.list_page``:
        the same scoped, filtered, ordered page without building an ORM object
        per row); None where the datamodel or the columns need FAB's way."""
        list_page = getattr(self.datamodel, "list_page", None)
        if list_page is None:
            return None
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        result = list_page(
            filters.get_joined_filters(fab_seam.base_filters(self)),
            order_column,
            order_direction,
            page,
            page_size,
            self.list_columns,
        )
        if result is None:
            return None
        count, pks, values = result
        widgets = widgets or {}
        widgets["list"] = self.list_widget(
            label_columns=self.label_columns,
            include_columns=self.list_columns,
            value_columns=values,
            order_columns=self.order_columns,
            formatters_columns=self.formatters_columns,
            page=page,
            page_size=page_size,
            count=count,
            pks=pks,
            actions=actions or self.actions,
            filters=filters,
            modelview_name=self.__class__.__name__,
            **kwargs,
        )
        return widgets

    def search_page_widgets(
        self, form: Any = None, exclude_cols: Any = None, widgets: Any = None
    ) -> Any:
        # A relation filter searched on the server (AjaxSelectField) shows the
        # chosen row: its <select> holds only that option, loaded in scope.
        # (A deferred form is built here only when such a filter is set.)
        if isinstance(form, DeferredForm):
            names: Sequence[str] = form.ajax_fields
        else:
            names = [
                name
                for name, field in (form._fields.items() if form is not None else ())
                if isinstance(field, AjaxSelectField)
            ]
        for name in names:
            prefix, suffix = "_flt_", f"_{name}"
            raw = next(
                (
                    value
                    for key, value in request.args.items()
                    if key.startswith(prefix)
                    and key.endswith(suffix)
                    and key[len(prefix) : -len(suffix)].isdigit()
                ),
                None,
            )
            if raw:
                form[name].process_formdata([raw])
        return self.fab_search_widgets(form=form, exclude_cols=exclude_cols, widgets=widgets)

    def edit_widgets_after_refusal(self, form: Any, item: Any) -> Any:
        """The edit page again, with the refused form and what was typed."""
        return fab_seam.edit_page_widgets(self, form, item)

    @staticmethod
    def _check_version(form: Any, item: Any) -> None:
        """Refuse an edit made on a copy older than the stored record."""
        if "version" not in form:
            return
        if str(form["version"].data) != str(item.version):
            raise ConflictError()


class PortalRestApi(fab_seam.RestApiSeam, ModelRestApi):
    """Scoped ModelRestApi: same permissions and scope as the views."""

    method_permission_name = roles.METHOD_PERMISSIONS
    base_filters = [SCOPE_FILTER]
    allow_browser_login = False
    page_size = 25
    edit_model_schema: Any  # FAB's, replaced in create_blueprint

    def create_blueprint(self, appbuilder: Any, *args: Any, **kwargs: Any) -> Any:
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        if self._versioned() and self.edit_model_schema is not None:
            self.edit_model_schema = _with_version_field(self.edit_model_schema)
        return blueprint

    def _versioned(self) -> bool:
        return self.datamodel.obj.__mapper__.version_id_col is not None

    def _stale_write(self, pk: Any) -> Any:
        """Optimistic locking of a PUT: the version the client read, from the
        body's ``version`` or an ``If-Match`` header (the ``ETag`` of the GET).
        A stale one is a 409 with the conflict message; no version, no check.
        ``version`` is taken out of the body: it is never written by a client.
        """
        if not self._versioned():
            return None
        body = request.get_json(silent=True)  # Flask caches it: FAB reads this dict
        sent = body.pop("version", None) if isinstance(body, dict) else None
        if sent is None and request.headers.get("If-Match"):
            sent = request.headers["If-Match"].strip().removeprefix("W/").strip('"')
        if sent is None:
            return None
        try:
            sent = int(sent)
        except (TypeError, ValueError):
            return self.response_422(message={"version": [str(VERSION_MESSAGE)]})
        item = self.datamodel.get(pk, fab_seam.base_filters(self))
        if item is not None and item.version != sent:
            return self.response(409, message=str(ConflictError()))
        return None

    def _with_etag(self, response: Any, pk: Any) -> Any:
        if response.status_code == 200 and self._versioned():
            item = self.datamodel.session.get(self.datamodel.obj, int(pk))
            if item is not None:
                response.headers["ETag"] = f'"{item.version}"'
        return response

    def change_item(
        self,
        pk: Any,
        change: Callable[..., Any],
        respond: Callable[[Any, Any], Any] | None = None,
        fields: dict[str, Any] | None = None,
    ) -> Any:
        """Change the scoped record ``pk`` with ``change(item)`` in one transaction.

        The one path of every status-change endpoint: 404 when the record is
        not in the user's scope; a rule's refusal (:class:`UserError`) is
        rolled back and answered with its status and Ukrainian message;
        otherwise the change is committed and ``respond(item, result)``
        answers (default: 200 with the record's id and new status).

        With ``fields`` (name -> ``str``, ``int``, ``"date"`` or an enum
        class) the request's JSON object is read first (:func:`read_body`, a
        422 with a Ukrainian message for a wrong type) and the change is
        called as ``change(item, body)``.
        """
        body = None
        if fields is not None:
            try:
                body = read_body(fields)
            except UserError as exc:
                return self.response(exc.status_code, message=str(exc))
        item = self.datamodel.get(pk, fab_seam.base_filters(self))
        if item is None:
            return self.response_404()
        try:
            result = change(item) if fields is None else change(item, body)
            self.datamodel.session.commit()
        except UserError as exc:
            self.datamodel.session.rollback()
            return self.response(exc.status_code, message=str(exc))
        if respond is not None:
            return respond(item, result)
        return self.response(200, id=item.id, status=item.status.name)

    def pre_add(self, item: Any) -> None:
        commands_for(item).create(item)

    def pre_update(self, item: Any) -> None:
        commands_for(item).update(item)

    def pre_delete(self, item: Any) -> None:
        commands_for(item).delete(item)

    def post_add(self, item: Any) -> None:
        commands_for(item).after_write(item)

    def post_update(self, item: Any) -> None:
        commands_for(item).after_write(item)

    def post_delete(self, item: Any) -> None:
        commands_for(item).after_write(item)

    def _relations_not_ids(self, columns: Iterable[str] | None) -> str | None:
        """Relations are referenced by id only; marshmallow-sqlalchemy would
        otherwise build a new related row from a nested object."""
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return None
        for column in columns or []:
            if column not in data or not self.datamodel.is_relation(column):
                continue
            value = data[column]
            if self.datamodel.is_relation_many_to_many(
                column
            ) or self.datamodel.is_relation_one_to_many(column):
                ok = isinstance(value, list) and all(
                    isinstance(v, int) and not isinstance(v, bool) for v in value
                )
            else:
                ok = value is None or (isinstance(value, int) and not isinstance(value, bool))
            if not ok:
                return column
        return None

    def post_headless(self) -> Any:
        bad = self._relations_not_ids(self.add_columns)
        if bad:
            return self.response_422(message={bad: [str(RELATION_ID_MESSAGE)]})
        try:
            return super().post_headless()
        except UserError as exc:
            self.datamodel.session.rollback()
            return self.response(exc.status_code, message=str(exc))
        except SQLAlchemyError as exc:
            # e.g. a reference to a missing row: marshmallow-sqlalchemy builds a
            # new related object for an unknown id and the flush fails.
            self.datamodel.session.rollback()
            log.warning("API create refused by the database: %s", exc.__class__.__name__)
            return self.response_422(message=str(INTEGRITY_MESSAGE))

    def get_list_headless(self, **kwargs: Any) -> Any:
        rison = kwargs.get("rison") or {}
        page, size = rison.get("page", 0), rison.get("page_size", 0)
        if not all(isinstance(v, int) and 0 <= v < 10**7 for v in (page, size)):
            return self.response_400(message=str(PAGE_MESSAGE))
        return super().get_list_headless(**kwargs)

    # Primary keys beyond the INTEGER range cannot exist; FAB would hand them
    # to the database driver and answer 500 (found by fuzzing the API).
    def get_headless(self, pk: Any, **kwargs: Any) -> Any:
        if not _valid_pk(pk):
            return self.response_404()
        return self._with_etag(super().get_headless(pk, **kwargs), pk)

    def put_headless(self, pk: Any) -> Any:
        if not _valid_pk(pk):
            return self.response_404()
        bad = self._relations_not_ids(self.edit_columns)
        if bad:
            return self.response_422(message={bad: [str(RELATION_ID_MESSAGE)]})
        stale = self._stale_write(pk)
        if stale is not None:
            return stale
        try:
            return self._with_etag(super().put_headless(pk), pk)
        except UserError as exc:
            self.datamodel.session.rollback()
            return self.response(exc.status_code, message=str(exc))
        except SQLAlchemyError as exc:
            self.datamodel.session.rollback()
            log.warning("API update refused by the database: %s", exc.__class__.__name__)
            return self.response_422(message=str(INTEGRITY_MESSAGE))

    def delete_headless(self, pk: Any) -> Any:
        if not _valid_pk(pk):
            return self.response_404()
        try:
            return super().delete_headless(pk)
        except UserError as exc:  # e.g. a workflow rule refusing deletion in pre_delete
            self.datamodel.session.rollback()
            return self.response(exc.status_code, message=str(exc))

    def response_422(self, message: Any = None) -> Any:
        # FAB puts the raw database exception in the message; keep it in the log only.
        if isinstance(message, str) and message.startswith("Database exception"):
            log.warning("API write refused: %s", message)
            message = str(INTEGRITY_MESSAGE)
        return super().response_422(message=message)


BODY_NOT_OBJECT = _l('Send a JSON object (for example {"reason": "..."}).')
BODY_FIELD = _l("«%(field)s»: %(expected)s.")
EXPECTED = {
    str: _l("a text of at most 2,000 characters"),
    int: _l("a whole number from 1 to 2147483647"),
    "date": _l("a date (YYYY-MM-DD or DD.MM.YYYY)"),
}
EXPECTED_CHOICE = _l("one of: %(choices)s")


def read_body(fields: dict[str, Any]) -> dict[str, Any]:
    """The request's JSON object with each of ``fields`` checked (absent or
    null: None). Other keys are ignored. Raises :class:`InvalidData` (422)
    naming the field and what it takes."""
    import enum

    data = request.get_json(silent=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidData(BODY_NOT_OBJECT)
    body: dict[str, Any] = {}
    for name, kind in fields.items():
        value = data.get(name)
        if value is None:
            body[name] = None
            continue
        ok = True
        if kind is str:
            ok = isinstance(value, str) and len(value) <= 2000
            value = value.strip() if ok else value
        elif kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31
        elif kind == "date":
            parsed = _parse_any_date(value) if isinstance(value, str) else None
            ok, value = parsed is not None, parsed
        elif isinstance(kind, type) and issubclass(kind, enum.Enum):
            ok = isinstance(value, str) and value in kind.__members__
            value = kind[value] if ok else value
        if not ok:
            expected = EXPECTED.get(kind) or EXPECTED_CHOICE % {
                "choices": ", ".join(kind.__members__)
            }
            raise InvalidData(BODY_FIELD % {"field": name, "expected": expected})
        body[name] = value
    return body


def _parse_any_date(text: str) -> datetime.date | None:
    import datetime as dt

    for parse in (dt.date.fromisoformat, lambda t: dt.datetime.strptime(t, "%d.%m.%Y").date()):
        try:
            return parse(text.strip())
        except ValueError:
            continue
    return None


def _with_version_field(schema: Any) -> Any:
    """The edit schema with ``version`` documented (the OpenAPI text shows
    clients where to send it); ``_stale_write`` takes it out before loading."""
    from marshmallow import fields

    version = fields.Integer(
        metadata={
            "description": "The version the client read (optimistic locking); a stale one "
            "is answered 409. Or send it as If-Match (the GET's ETag)."
        }
    )
    klass = type(schema)
    meta = klass.Meta
    if getattr(meta, "fields", None):  # FAB's schemas list their fields
        meta = type("Meta", (meta,), {"fields": (*meta.fields, "version")})
    return type(klass.__name__, (klass,), {"version": version, "Meta": meta})()


def _valid_pk(pk: Any) -> bool:
    """Keys are INTEGER columns (32-bit on PostgreSQL)."""
    try:
        return 0 < int(pk) < 2**31
    except (TypeError, ValueError):
        return True  # not an integer key: let the model decide


def datamodel(model: Any) -> SQLAInterface:
    return PortalInterface(model)


__all__ = ["PortalModelView", "PortalRestApi", "datamodel", "has_access"]
