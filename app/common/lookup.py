"""Server-side searched relation pickers (select2 AJAX) instead of whole-table dropdowns.

FAB renders a relation field as a ``<select>`` holding every row of the
related table (and its own "AJAX" widget still downloads them all at once).
With 1,772 hromadas and thousands of providers that is slow and unusable.

A domain registers a *lookup* once::

    register_lookup("provider", Provider, resource="Provider",
                    search=[Provider.name, Provider.edrpou], order_by=Provider.name)

and uses it in forms::

    add_form_extra_fields = {"provider": AjaxSelectField(_l("Provider"), lookup="provider")}

``GET /lookup/<name>?q=...&page=N`` answers select2's JSON, permission-checked
(``can_read`` on the resource) and restricted to the user's scope. The field
re-loads the submitted id through the same scoped query, so a forged id
outside the user's scope is a validation error, not a saved record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import abort, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import lazyload
from wtforms import Field, ValidationError
from wtforms.widgets import html_params

from ..extensions import get_appbuilder
from ..security.scope import scoped

PAGE_SIZE = 20


@dataclass
class Lookup:
    name: str
    model: Any
    resource: str
    search: list[Any] = field(default_factory=list)
    order_by: Any = None
    label: Callable[[Any], str] = str
    #: Optional extra condition of the rows a user may pick at all.
    where: Callable[[], Any] | None = None
    #: Narrows what the picker offers, not what a form accepts (e.g. only
    #: approved providers): a posted row outside it reaches the domain's
    #: command, which refuses it with the rule's own message, the same one
    #: the REST API gives (docs/rules.md).
    offer: Callable[[], Any] | None = None

    def query(self) -> Select[Any]:
        stmt = scoped(select(self.model), self.model)
        if self.where is not None:
            stmt = stmt.where(self.where())
        return stmt

    def offered(self) -> Select[Any]:
        stmt = self.query()
        return stmt.where(self.offer()) if self.offer is not None else stmt

    def get(self, pk: int) -> Any:
        """The row ``pk`` if it is in scope. Its relations load only if read: the
        models' default eager loads cascade (provider -> hromada -> raion ->
        oblast) and a picker shows one label."""
        pk_col = self.model.__mapper__.primary_key[0]
        return (
            get_appbuilder()
            .session.scalars(self.query().where(pk_col == pk).options(lazyload("*")))
            .first()
        )


LOOKUPS: dict[str, Lookup] = {}


def register_lookup(name: str, model: Any, resource: str, **kwargs: Any) -> Lookup:
    LOOKUPS[name] = Lookup(name=name, model=model, resource=resource, **kwargs)
    return LOOKUPS[name]


class LookupView(BaseView):
    """Answers select2 AJAX requests for every registered lookup."""

    route_base = "/lookup"
    default_view = "search"

    @expose("/<string:name>")
    def search(self, name: str) -> ResponseReturnValue:
        sm = self.appbuilder.sm
        user = sm.current_user
        if user is None or not user.is_authenticated:
            abort(401)
        lookup = LOOKUPS.get(name)
        if lookup is None:
            abort(404)
        if not sm.has_access("can_read", lookup.resource):
            abort(403)
        term = (request.args.get("q") or "").strip()[:100]
        page = max(1, min(request.args.get("page", 1, type=int), 1000))
        stmt = lookup.offered()
        if term and lookup.search:
            stmt = stmt.where(or_(*[col.ilike(f"%{term}%") for col in lookup.search]))
        if lookup.order_by is not None:
            stmt = stmt.order_by(lookup.order_by)
        rows = self.appbuilder.session.scalars(
            stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
        ).all()
        results = [{"id": r.id, "text": lookup.label(r)} for r in rows[:PAGE_SIZE]]
        return jsonify(results=results, pagination={"more": len(rows) > PAGE_SIZE})


class AjaxSelectWidget:
    def __call__(self, field: AjaxSelectField, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("name", field.name)
        kwargs["class"] = "form-control portal-ajax-select"
        kwargs["data-lookup-url"] = url_for("LookupView.search", name=field.lookup_name)
        if field.flags.required:
            kwargs["required"] = True
        option = ""
        if field.data is not None:
            option = '<option value="%s" selected>%s</option>' % (
                escape(field.data.id),
                escape(field.lookup.label(field.data)),
            )
        return Markup(
            f'<select {html_params(**kwargs)}><option value=""></option>{option}</select>'
        )


class AjaxSelectField(Field):
    """A relation field whose options are searched on the server, scoped."""

    widget = AjaxSelectWidget()

    def __init__(
        self, label: Any = None, validators: Any = None, lookup: str = "", **kwargs: Any
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.lookup_name = lookup

    @property
    def lookup(self) -> Lookup:
        return LOOKUPS[self.lookup_name]

    def process_formdata(self, valuelist: list[Any]) -> None:
        self._invalid = False
        raw = valuelist[0].strip() if valuelist else ""
        if not raw:
            self.data = None
            return
        try:
            pk = int(raw)
        except ValueError:
            self.data, self._invalid = None, True
            return
        if not 0 < pk < 2**31:  # no such key (SQLite's driver overflows past 64 bits)
            self.data, self._invalid = None, True
            return
        self.data = self.lookup.get(pk)
        self._invalid = self.data is None

    def pre_validate(self, form: Any) -> None:
        if getattr(self, "_invalid", False):
            raise ValidationError(str(INVALID_CHOICE))

    def _value(self) -> str:
        return str(self.data.id) if self.data is not None else ""


INVALID_CHOICE = _l("Choose a value from the list.")
