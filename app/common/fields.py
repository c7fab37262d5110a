"""Form fields with Ukrainian conventions (dates as dd.mm.yyyy)."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup
from wtforms import fields
from wtforms.widgets import html_params

UA_DATE_FORMAT = "%d.%m.%Y"


class DateInputWidget:
    """A text input that portal.js turns into a Ukrainian date picker."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("name", field.name)
        kwargs.setdefault("class", "form-control portal-date")
        kwargs.setdefault("placeholder", "дд.мм.рррр")
        kwargs.setdefault("autocomplete", "off")
        return Markup(
            '<div class="input-group"><span class="input-group-addon">'
            '<i class="fa fa-calendar"></i></span><input %s></div>'
            % html_params(type="text", value=field._value(), **kwargs)
        )


class UkDateField(fields.DateField):
    """Date shown and typed as ``dd.mm.yyyy``; ISO ``yyyy-mm-dd`` is accepted too
    (API clients, pasted values)."""

    widget = DateInputWidget()

    def __init__(self, label=None, validators=None, format=None, **kwargs):
        super().__init__(label, validators, format=[UA_DATE_FORMAT, "%Y-%m-%d"], **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if isinstance(self.data, (dt.date, dt.datetime)):
            return self.data.strftime(UA_DATE_FORMAT)
        return ""
