"""A multiple-choice variant of the portal's AJAX relation picker (trainers)."""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape
from wtforms import Field, ValidationError
from wtforms.widgets import html_params

from ..common.lookup import INVALID_CHOICE, LOOKUPS


class AjaxMultiSelectWidget:
    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        kwargs["name"] = field.name
        kwargs["class"] = "form-control portal-ajax-select"
        kwargs["data-lookup-url"] = url_for("LookupView.search", name=field.lookup_name)
        kwargs["multiple"] = True
        options = "".join(
            '<option value="%s" selected>%s</option>'
            % (escape(item.id), escape(field.lookup.label(item)))
            for item in field.data or []
        )
        return Markup(f"<select {html_params(**kwargs)}>{options}</select>")


class AjaxMultiSelectField(Field):
    """Several related rows picked with server-side search; ids re-checked on submit."""

    widget = AjaxMultiSelectWidget()

    def __init__(self, label=None, validators=None, lookup: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.lookup_name = lookup

    @property
    def lookup(self):
        return LOOKUPS[self.lookup_name]

    def process_data(self, value):
        self.data = list(value) if value else []

    def process_formdata(self, valuelist):
        self._invalid = False
        items, seen = [], set()
        for raw in valuelist:
            raw = (raw or "").strip()
            if not raw:
                continue
            try:
                pk = int(raw)
            except ValueError:
                self._invalid = True
                continue
            if pk in seen:
                continue
            seen.add(pk)
            item = self.lookup.get(pk)
            if item is None:
                self._invalid = True
            else:
                items.append(item)
        self.data = items

    def pre_validate(self, form):
        if getattr(self, "_invalid", False):
            raise ValidationError(str(INVALID_CHOICE))
