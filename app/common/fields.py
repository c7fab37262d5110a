"""Form fields with Ukrainian conventions (dates as dd.mm.yyyy)."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup
from wtforms import fields
from wtforms.validators import ValidationError
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


class EnumSelectField(fields.SelectField):
    """Select over a LabeledEnum with translated labels.

    Replaces FAB's ``EnumField``, whose ``pre_validate`` raises a bare
    ``ValueError`` that WTForms 3.3 does not catch: an empty required enum
    crashed the form with a 500 instead of showing "This field is required".
    """

    def __init__(self, label=None, validators=None, enum_class=None, **kwargs):
        from flask_appbuilder.fieldwidgets import Select2Widget

        kwargs.setdefault("widget", Select2Widget())
        self.enum_class = enum_class
        super().__init__(label, validators, coerce=self._coerce, **kwargs)
        self.choices = [("", "—")] + [(m.name, m.label) for m in enum_class]

    def _coerce(self, value):
        if value is None or value == "" or isinstance(value, self.enum_class):
            return value or None
        try:
            return self.enum_class[value]
        except KeyError:
            return value

    def iter_choices(self):
        # Labels are computed at render time, in the request's language.
        current = self.data.name if isinstance(self.data, self.enum_class) else self.data
        yield ("", "—", current in (None, ""), {})
        for member in self.enum_class:
            yield (member.name, member.label, member.name == current, {})

    def pre_validate(self, form):
        if self.data in (None, ""):
            return  # presence is DataRequired's job
        if not isinstance(self.data, self.enum_class):
            # ValidationError, not ValueError: WTForms 3 catches only the former
            # (an unknown name such as ``kind=bogus`` was a 500).
            raise ValidationError(self.gettext("Not a valid choice."))
