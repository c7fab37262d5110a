"""The shared programme reference as selection and training read it (issue #22).

A selection round and a training course name their programme by
``programme.code`` (``ForeignKey("programme.code")``); the list of programmes,
their Ukrainian names and which of them are active are rows of the
``programme`` table kept by ministry staff (app/programmes), not code.

* :func:`programme_choices` / :class:`ProgrammeSelectField` — the choices of
  the web forms, read from the table when the form is shown;
* :func:`programme_label` — the name shown in lists, pages and exports;
* :func:`check_programme` — the service rule of every path (web, REST,
  import): the code must be a programme of the table, and a new record (or a
  changed programme) must name an active one.

:class:`ProgrammeCode` holds the three codes code refers to by name (seed
rows whose code never changes, PRG-05) and the former enum names
(``resilience_centres``, ``families``) for callers written before the shared
reference; :func:`normalise_code` maps those old names too, so REST clients
and spreadsheets exported before the switch keep working.
"""

from __future__ import annotations

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField, ValidationError

from ..errors import UserError


class Code(str):
    """A programme code (a plain ``str`` to the database) that still answers
    ``.name`` and ``.label`` as the former enum members did."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return str.__str__(self)

    @property
    def label(self) -> str:
        return programme_label(str.__str__(self))


class ProgrammeCode:
    """Codes of the seeded programmes (keys of the ``programme`` table)."""

    centre = Code("centre")
    servicemen = Code("servicemen")
    family = Code("family")
    #: Former names of the selection and training enums (kept for old callers).
    resilience_centres = centre
    families = family


#: Former enum value -> programme code (the data migration d22sel000001 maps alike).
LEGACY_CODES = {"resilience_centres": ProgrammeCode.centre, "families": ProgrammeCode.family}

PROGRAMME_REQUIRED = _l("Choose the programme.")
PROGRAMME_UNKNOWN = _l("There is no such programme: choose one from the programme reference.")
PROGRAMME_INACTIVE = _l("The programme «%(name)s» is inactive: choose an active programme.")


def _session():
    from ..extensions import db

    return db.session


def normalise_code(value) -> str | None:
    """``" Centre "`` -> ``"centre"``; an old enum name -> its code; empty -> None."""
    if value is None:
        return None
    if hasattr(value, "code"):  # a Programme row
        value = value.code
    text = str(getattr(value, "name", value)).strip().lower()
    if not text:
        return None
    return LEGACY_CODES.get(text, text)


def _rows():
    """(code, name, active) of every programme, one query per request."""
    from ..programmes.models import Programme

    cached = getattr(g, "_programme_rows", None) if has_request_context() else None
    if cached is not None:
        return cached
    rows = [
        tuple(r)
        for r in _session().execute(
            select(Programme.code, Programme.name, Programme.active).order_by(Programme.id)
        )
    ]
    if has_request_context():
        g._programme_rows = rows
    return rows


def forget_rows() -> None:
    """Drop the request's cached programme rows (after a programme changed)."""
    if has_request_context() and hasattr(g, "_programme_rows"):
        del g._programme_rows


def programme_choices(active_only: bool = True) -> list[tuple[str, str]]:
    """(code, name) of the programmes, in the table's order."""
    return [(code, name) for code, name, active in _rows() if active or not active_only]


def programme_names() -> dict[str, str]:
    return {code: name for code, name, _active in _rows()}


def programme_label(code) -> str:
    """The programme's name from the table (the code itself when unknown)."""
    code = normalise_code(code)
    if code is None:
        return ""
    return programme_names().get(code, code)


def programme_codes() -> list[str]:
    return [code for code, _name, _active in _rows()]


def check_programme(item, creating: bool, attr: str = "programme") -> None:
    """The rule of every path: a programme of the reference; a new record or a
    changed programme names an active one. Normalises the stored value."""
    from ..programmes.models import Programme

    code = normalise_code(getattr(item, attr))
    if code is None:
        raise UserError(PROGRAMME_REQUIRED)
    row = (
        _session()
        .execute(select(Programme.name, Programme.active).where(Programme.code == code))
        .first()
    )
    if row is None:
        raise UserError(PROGRAMME_UNKNOWN)
    changed = creating
    if not creating:
        from sqlalchemy import inspect

        history = inspect(item).attrs[attr].history
        changed = bool(history.deleted) and normalise_code(history.deleted[0]) != code
    if changed and not row.active:
        raise UserError(PROGRAMME_INACTIVE % {"name": row.name})
    if getattr(item, attr) != code:
        setattr(item, attr, code)


class ProgrammeSelectField(SelectField):
    """A select of the programmes of the reference (value: code, label: name).

    Choices are read from the table when the form is built, so a programme the
    ministry adds is offered at once; an inactive one is offered only when it
    is the record's current programme. An old enum name posted is mapped."""

    def __init__(self, label=None, validators=None, **kwargs):
        from flask_appbuilder.fieldwidgets import Select2Widget

        kwargs.setdefault("widget", Select2Widget())
        super().__init__(label, validators, choices=[], **kwargs)

    def process_data(self, value):
        self.data = normalise_code(value)

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = normalise_code(valuelist[0])

    def _programme_choices(self):
        rows = [(code, name) for code, name, active in _rows() if active or code == self.data]
        return [("", "—")] + rows

    def iter_choices(self):
        for code, name in self._programme_choices():
            yield (code, name, code == (self.data or ""), {})

    def pre_validate(self, form):
        if self.data in (None, ""):
            return  # presence is DataRequired's job
        if self.data not in programme_codes():  # inactive: the service rule's message
            raise ValidationError(str(PROGRAMME_UNKNOWN))

    def populate_obj(self, obj, name):
        setattr(obj, name, self.data or None)


class ProgrammeItem(tuple):
    """A programme for reports and templates: ``name`` is the code, ``label`` the name."""

    __slots__ = ()

    def __new__(cls, code: str, label: str):
        return super().__new__(cls, (code, label))

    @property
    def name(self) -> str:
        return self[0]

    @property
    def label(self) -> str:
        return self[1]

    def __str__(self) -> str:
        return self[1]


def programme_items() -> list[ProgrammeItem]:
    """Every programme of the reference, in the table's order (reports' columns)."""
    return [ProgrammeItem(code, name) for code, name, _active in _rows()]
