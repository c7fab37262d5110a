"""Form fields with Ukrainian conventions, and the one set of value parsers
that the web forms, the REST API and the importers share.

A value typed into a form, sent in a JSON body or read from a spreadsheet
cell goes through the same parser, so what one path accepts the others
accept too, and all of them store the same normalised value:

* :func:`parse_decimal`: ``49,8`` and ``49.8`` (spaces as thousands separators
  allowed), numbers from a spreadsheet as they are;
* :func:`parse_date`: ``dd.mm.yyyy`` (the portal's format) and ISO ``yyyy-mm-dd``;
* :func:`parse_phone`: ``067 123 45 67``, ``(067) 123-45-67``, ``+380671234567``
  ... stored as ``+380XXXXXXXXX`` (:func:`~app.common.validators.normalize_phone`);
* :func:`parse_edrpou` and :func:`parse_katottg`: the codes, checked.

A parser returns ``None`` for an empty value and raises :class:`FieldError`
(its ``str`` is the Ukrainian message) for a wrong one. A :class:`Kind` puts a
parser together with its form field (:class:`ParsedField`) and its REST field
(``api()``, a marshmallow field); :func:`form_fields` and
:class:`ParsedApiFields` install them on a view and an API.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from marshmallow import ValidationError as ApiValidationError
from marshmallow import fields as api_fields
from wtforms import fields
from wtforms.validators import DataRequired, Optional, ValidationError
from wtforms.widgets import TextInput, html_params

from ..fab_seam import RestApiSeam

UA_DATE_FORMAT = "%d.%m.%Y"
ISO_DATE_FORMAT = "%Y-%m-%d"
DATE_FORMATS = (UA_DATE_FORMAT, ISO_DATE_FORMAT)

#: Ukraine's bounding box, rounded outwards (about 44.38-52.38 N, 22.14-40.23 E).
UKRAINE_LATITUDE = (44.0, 53.0)
UKRAINE_LONGITUDE = (22.0, 41.0)
#: Coordinates keep 6 decimals (about 0.1 m): more is noise, fewer moves the pin.
COORDINATE_PLACES = 6

NOT_A_NUMBER = _l("«%(value)s» is not a number: write it as 49.8 or 49,8.")
NUMBER_RANGE = _l("The value must be from %(min)s to %(max)s.")
LATITUDE_RANGE = _l("The latitude must be from 44 to 53 degrees (Ukraine), not %(value)s.")
LONGITUDE_RANGE = _l("The longitude must be from 22 to 41 degrees (Ukraine), not %(value)s.")
NOT_A_DATE = _l(
    "«%(value)s» is not a date: write it as dd.mm.yyyy (e.g. 01.03.2025) or yyyy-mm-dd."
)
NOT_A_WHOLE_NUMBER = _l("«%(value)s» is not a whole number")
TOO_LONG = _l("At most %(max)d characters, not %(length)d.")
NOT_A_PHONE = _l(
    "«%(value)s» is not a Ukrainian phone number: write it as +380671234567, "
    "067 123 45 67 or (067) 123-45-67."
)


class FieldError(ValueError):
    """A value that cannot be read; ``str(exc)`` is the message for the user."""

    def __init__(self, message: Any, **values: Any) -> None:
        self.message = message
        self.values = values
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return str(self.message) % self.values if self.values else str(self.message)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    return str(value).strip()[:60]


# --- parsers ----------------------------------------------------------------------------
def parse_decimal(
    value: Any,
    places: int | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    range_message: Any = None,
) -> float | None:
    """A number typed with a decimal comma or point («49,8», «49.8», «1 234,5»)
    or given as a number; rounded to ``places`` decimals when given, checked
    against ``minimum`` / ``maximum``."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise FieldError(NOT_A_NUMBER, value=_shown(value))
    if isinstance(value, (int, float, Decimal)):
        text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, str):
        text = re.sub(r"[\s\u00a0\u202f']", "", value)
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        if not re.fullmatch(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", text):
            raise FieldError(NOT_A_NUMBER, value=_shown(value))
    else:
        raise FieldError(NOT_A_NUMBER, value=_shown(value))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldError(NOT_A_NUMBER, value=_shown(value)) from None
    if not number.is_finite() or not math.isfinite(float(number)):
        raise FieldError(NOT_A_NUMBER, value=_shown(value))
    if (minimum is not None and number < Decimal(str(minimum))) or (
        maximum is not None and number > Decimal(str(maximum))
    ):
        message = range_message or NUMBER_RANGE
        raise FieldError(
            message, min=format_decimal(minimum), max=format_decimal(maximum), value=_shown(value)
        )
    if places is not None:
        try:
            number = number.quantize(Decimal(1).scaleb(-places))
        except InvalidOperation:  # more digits than a Decimal context holds
            raise FieldError(NOT_A_NUMBER, value=_shown(value)) from None
    return float(number)


def parse_whole(
    value: Any, minimum: int | None = None, maximum: int | None = None, range_message: Any = None
) -> int | None:
    """A whole number («2», 2, 2.0 from a spreadsheet), checked against the bounds."""
    number = parse_decimal(value, minimum=minimum, maximum=maximum, range_message=range_message)
    if number is None:
        return None
    if not number.is_integer():
        raise FieldError(NOT_A_WHOLE_NUMBER, value=_shown(value))
    return int(number)


def format_decimal(value: Any, places: int = COORDINATE_PLACES) -> str:
    """A number as typed back into a form: up to ``places`` decimals, no
    trailing zeros (49.7167 stays «49.7167»; nothing is rounded to 2 places)."""
    if value is None:
        return ""
    text = f"{float(value):.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_latitude(value: Any) -> float | None:
    return parse_decimal(value, COORDINATE_PLACES, *UKRAINE_LATITUDE, LATITUDE_RANGE)


def parse_longitude(value: Any) -> float | None:
    return parse_decimal(value, COORDINATE_PLACES, *UKRAINE_LONGITUDE, LONGITUDE_RANGE)


def parse_date(value: Any) -> dt.date | None:
    """``dd.mm.yyyy`` or ``yyyy-mm-dd`` (a spreadsheet's date cell as it is)."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if 1900 <= parsed.year <= 2100:
                return parsed
    raise FieldError(NOT_A_DATE, value=_shown(value))


def parse_phone(value: Any) -> str | None:
    """A Ukrainian phone number in any usual spelling, as ``+380XXXXXXXXX``.

    A number cell of a spreadsheet has lost the leading zero (``671234567``
    for 067 123 45 67): nine digits given as a number get it back."""
    from .validators import normalize_phone

    if _blank(value):
        return None
    if isinstance(value, bool):
        raise FieldError(NOT_A_PHONE, value=_shown(value))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            raise FieldError(NOT_A_PHONE, value=_shown(value))
        digits = str(int(value))
        text = "0" + digits if len(digits) == 9 else digits
    elif isinstance(value, str):
        text = value
    else:
        raise FieldError(NOT_A_PHONE, value=_shown(value))
    normalized = normalize_phone(text)
    if normalized is None:
        raise FieldError(NOT_A_PHONE, value=_shown(value))
    return normalized


def parse_edrpou(value: Any) -> str | None:
    """An EDRPOU code: 8 digits with a correct check digit. A code given as a
    number (a spreadsheet drops leading zeros) is padded back to 8 digits."""
    from .validators import EDRPOU_CHECKSUM_MESSAGE, EDRPOU_FORMAT_MESSAGE, edrpou_is_valid

    if _blank(value):
        return None
    if isinstance(value, bool):
        raise FieldError(EDRPOU_FORMAT_MESSAGE)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            raise FieldError(EDRPOU_FORMAT_MESSAGE)
        value = str(int(value))
    text = str(value).strip()
    if re.fullmatch(r"[0-9]{1,7}", text):
        text = text.zfill(8)
    if not re.fullmatch(r"[0-9]{8}", text):
        raise FieldError(EDRPOU_FORMAT_MESSAGE)
    if not edrpou_is_valid(text):
        raise FieldError(EDRPOU_CHECKSUM_MESSAGE)
    return text


def parse_code(value: Any, limit: int = 50) -> str | None:
    """An identifier typed by people (an external code, a number): trimmed; empty is
    None, never «» (two records without a code must not collide on a unique column)."""
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > limit:
        raise FieldError(TOO_LONG, max=limit, length=len(text))
    return text


def parse_katottg(value: Any) -> str | None:
    """A KATOTTG code («UA» and 17 digits), upper-cased; its existence in the
    codifier is the caller's question."""
    from .validators import KATOTTG_MESSAGE, katottg_is_valid

    if _blank(value):
        return None
    text = str(value).strip().upper()
    if not katottg_is_valid(text):
        raise FieldError(KATOTTG_MESSAGE)
    return text


# --- form fields ----------------------------------------------------------------------------
class DateInputWidget:
    """A text input that portal.js turns into a Ukrainian date picker."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
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
    (API clients, pasted values): :func:`parse_date`, as the API and importers."""

    widget = DateInputWidget()

    def __init__(
        self, label: Any = None, validators: Any = None, format: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, format=list(DATE_FORMATS), **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        self.data = None
        try:
            self.data = parse_date(" ".join(valuelist))
        except FieldError as exc:
            raise ValueError(_form_message(exc)) from None

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        if isinstance(self.data, (dt.date, dt.datetime)):
            return self.data.strftime(UA_DATE_FORMAT)
        return ""


def _form_message(exc: FieldError) -> str:
    """The message for FAB's form template, which passes every field error through
    ``gettext`` and ``%`` again: a «%» the user typed (and we quote) is doubled."""
    return str(exc).replace("%", "%%")


class _TextWidget(TextInput):
    """Bootstrap text input; no ``maxlength`` (the parser decides, not the
    column's width: «(067) 123-45-67» is 15 characters and stored as 13)."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("class", "form-control")
        html: Markup = super().__call__(field, **kwargs)
        return html


class ParsedField(fields.Field):
    """A text input read by one of the parsers above; shown back with
    ``formatter`` (never rounded)."""

    widget = _TextWidget()

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        parser: Callable[[Any], Any] | None = None,
        formatter: Callable[[Any], str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.parser = parser
        self.formatter: Callable[[Any], str] = formatter or str

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.data = None
        assert self.parser is not None  # every Kind passes its parser
        try:
            self.data = self.parser(valuelist[0])
        except FieldError as exc:
            raise ValueError(_form_message(exc)) from None

    def _value(self) -> str:
        if self.raw_data:
            raw: str = self.raw_data[0]
            return raw
        return "" if self.data is None else self.formatter(self.data)


class NumberTextField(ParsedField, fields.FloatField):
    """A number typed as text (a decimal comma is fine, so not ``type=number``).
    A FloatField to the request guard (:mod:`app.common.input_guard`), which
    refuses NaN, infinities and what the column cannot hold before the view."""


@dataclass(frozen=True)
class Kind:
    """A kind of value: its parser, its form field and its REST field."""

    parse: Callable[[Any], Any]
    formatter: Callable[[Any], str] = str
    api_base: type[api_fields.Field] = api_fields.String
    render_kw: tuple[tuple[str, str], ...] = ()
    form_class: type[Any] | None = None
    field_class: type[Any] = ParsedField

    def form(self, label: Any, required: bool = False, **kwargs: Any) -> Any:
        validators = [DataRequired() if required else Optional()]
        if self.form_class is not None:
            return self.form_class(label, validators=validators, **kwargs)
        return self.field_class(
            label,
            validators=validators,
            parser=self.parse,
            formatter=self.formatter,
            render_kw=dict(self.render_kw),
            **kwargs,
        )

    def api(self, **kwargs: Any) -> api_fields.Field:
        parse = self.parse

        def _deserialize(
            field: api_fields.Field, value: Any, attr: Any, data: Any, **kw: Any
        ) -> Any:
            try:
                return parse(value)
            except FieldError as exc:
                raise ApiValidationError(str(exc)) from None

        # The kind's own marshmallow field, reading with the kind's parser
        # (built with type(): a class statement cannot name a base held in a field).
        parsed: type[api_fields.Field] = type(
            self.api_base.__name__, (self.api_base,), {"_deserialize": _deserialize}
        )
        return parsed(**kwargs)


LATITUDE = Kind(
    parse_latitude,
    format_decimal,
    api_fields.Float,
    (("inputmode", "decimal"), ("placeholder", "49.716700")),
    field_class=NumberTextField,
)
LONGITUDE = Kind(
    parse_longitude,
    format_decimal,
    api_fields.Float,
    (("inputmode", "decimal"), ("placeholder", "23.912345")),
    field_class=NumberTextField,
)
DECIMAL = Kind(
    parse_decimal,
    format_decimal,
    api_fields.Float,
    (("inputmode", "decimal"),),
    field_class=NumberTextField,
)
PHONE = Kind(
    parse_phone,
    str,
    api_fields.String,
    (("inputmode", "tel"), ("autocomplete", "tel"), ("placeholder", "+380671234567")),
)
DATE = Kind(
    parse_date, lambda d: d.strftime(UA_DATE_FORMAT), api_fields.Date, form_class=UkDateField
)
CODE = Kind(parse_code)
EDRPOU = Kind(parse_edrpou, str, api_fields.String, (("inputmode", "numeric"),))
KATOTTG = Kind(parse_katottg)


def _column(model: Any, name: str) -> Any:
    return model.__table__.columns.get(name)


def _required(column: Any) -> bool:
    return (
        column is not None
        and not column.nullable
        and column.default is None
        and column.server_default is None
    )


def form_fields(
    model: Any,
    kinds: dict[str, Kind],
    labels: dict[str, Any],
    descriptions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Form fields for the ``kinds`` (column name -> :class:`Kind`) of ``model``,
    for a view's ``add_form_extra_fields`` / ``edit_form_extra_fields``."""
    return {
        name: kind.form(
            labels.get(name, name),
            required=_required(_column(model, name)),
            description=(descriptions or {}).get(name, ""),
        )
        for name, kind in kinds.items()
    }


class ParsedApiFields(RestApiSeam):
    """ModelRestApi mixin: the POST and PUT bodies read the columns of
    ``parsed_fields`` (name -> :class:`Kind`) with the kinds' parsers, so the
    API accepts what the form and the importer accept and stores the same."""

    parsed_fields: dict[str, Kind] = {}

    def after_model_schemas(self) -> None:
        super().after_model_schemas()
        model = self.datamodel.obj
        for attr, adding in (("add_model_schema", True), ("edit_model_schema", False)):
            schema = getattr(self, attr, None)
            if schema is None:
                continue
            overrides: dict[str, api_fields.Field] = {}
            for name, kind in self.parsed_fields.items():
                if name not in schema.fields:
                    continue
                column = _column(model, name)
                overrides[name] = kind.api(
                    required=adding and _required(column),
                    allow_none=column is None or column.nullable,
                )
            if overrides:
                klass = type(schema)
                setattr(self, attr, type(klass.__name__, (klass,), overrides)())


class EnumSelectField(fields.SelectField):
    """Select over a LabeledEnum with translated labels.

    Replaces FAB's ``EnumField``, whose ``pre_validate`` raises a bare
    ``ValueError`` that WTForms 3.3 does not catch: an empty required enum
    crashed the form with a 500 instead of showing "This field is required".
    """

    def __init__(
        self, label: Any = None, validators: Any = None, enum_class: Any = None, **kwargs: Any
    ) -> None:
        from flask_appbuilder.fieldwidgets import Select2Widget

        kwargs.setdefault("widget", Select2Widget())
        self.enum_class = enum_class
        super().__init__(label, validators, coerce=self._coerce, **kwargs)
        self.choices = [("", "—")] + [(m.name, m.label) for m in enum_class]

    def _coerce(self, value: Any) -> Any:
        if value is None or value == "" or isinstance(value, self.enum_class):
            return value or None
        try:
            return self.enum_class[value]
        except KeyError:
            return value

    def iter_choices(self) -> Iterator[tuple[str, Any, bool, dict[str, Any]]]:
        # Labels are computed at render time, in the request's language.
        current = self.data.name if isinstance(self.data, self.enum_class) else self.data
        yield ("", "—", current in (None, ""), {})
        for member in self.enum_class:
            yield (member.name, member.label, member.name == current, {})

    def pre_validate(self, form: Any) -> None:
        if self.data in (None, ""):
            return  # presence is DataRequired's job
        if not isinstance(self.data, self.enum_class):
            # ValidationError, not ValueError: WTForms 3 catches only the former
            # (an unknown name such as ``kind=bogus`` was a 500).
            raise ValidationError(self.gettext("Not a valid choice."))
