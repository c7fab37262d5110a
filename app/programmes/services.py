"""Rules of the programme reference, and how other domains read it.

Ministry staff keep the programmes' rules and catalogues (web form and REST
API alike pass these commands); the case register reads them through
:func:`programme_by_code`, :func:`meeting_forms` and :func:`catalogue`.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..common.commands import ModelCommands, commands, label_tables
from ..common.commands import db_session as _session
from ..errors import UserError
from .models import FORMS_SEPARATOR, ContactForm, Programme, ProgrammeMeasure

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

CODE_INVALID = _l(
    "The code is written in small Latin letters, digits and «_» "
    "(2 to 40 characters), e.g. family_consultation."
)
MEETING_FORMS_INVALID = _l(
    "Choose at least one form of contact that counts as a meeting "
    "(home visit, meeting at the office, online meeting, phone call)."
)
NUMBER_RANGE = _l("%(field)s must be a whole number from %(low)s to %(high)s.")
EXTENSION_MONTHS_REQUIRED = _l("Give the length of an extension in months, or allow no extensions.")
EXTENSIONS_NEED_TERM = _l("Extensions need a service term: give the term in months first.")
PROGRAMME_NOT_DELETED = _l("A programme is not deleted: make it inactive instead.")
MEASURE_NOT_DELETED = _l(
    "A measure of the catalogue is not deleted (plan items may refer to "
    "it): make it inactive instead."
)
CODE_UNCHANGED = _l(
    "The code of a programme or measure is not changed once it is saved: other records refer to it."
)

#: column -> (label, lowest, highest) of the numbers of a programme's rules.
NUMBER_RULES = {
    "meeting_interval_days": (_l("Meeting interval (days)"), 1, 366),
    "term_months": (_l("Service term (months)"), 1, 60),
    "extension_months": (_l("Length of one extension (months)"), 1, 24),
    "max_extensions": (_l("Extensions allowed"), 0, 10),
    "review_interval_days": (_l("Review interval (days)"), 1, 366),
    "assessment_deadline_working_days": (_l("Assessment deadline (working days)"), 1, 60),
    "follow_up_days": (_l("Follow-up after closure (days)"), 1, 366),
}


def parse_meeting_forms(value) -> str:
    """``"visit, office"`` or ``["visit", "office"]`` -> ``"visit,office"`` (ordered as
    :class:`ContactForm`); an empty or unknown form is refused."""
    if isinstance(value, str):
        names = [v.strip() for v in value.split(FORMS_SEPARATOR)]
    else:
        names = [str(v).strip() for v in (value or [])]
    names = [n for n in names if n]
    known = {f.name for f in ContactForm}
    if not names or any(n not in known for n in names):
        raise UserError(MEETING_FORMS_INVALID)
    return FORMS_SEPARATOR.join(f.name for f in ContactForm if f.name in names)


def stored_value(item, column: str):
    """The column's value as stored (None for a new row)."""
    from sqlalchemy import inspect

    state = inspect(item)
    if state.transient or state.pending:
        return None
    history = state.attrs[column].history
    if history.deleted:
        return history.deleted[0]
    return getattr(item, column)


def _check_code(item, creating: bool) -> None:
    if not item.code or not CODE_RE.match(item.code.strip()):
        raise UserError(CODE_INVALID)
    item.code = item.code.strip()
    if not creating:
        before = stored_value(item, "code")
        if before is not None and before != item.code:
            raise UserError(CODE_UNCHANGED)


#: Called with the programme after its rules were saved (the case register
#: re-derives the due dates of the programme's open cases).
ON_CHANGE: list = []


@commands(Programme)
class ProgrammeCommands(ModelCommands):
    def after_write(self, item):
        for hook in ON_CHANGE:
            hook(item)

    def check(self, item, creating):
        _check_code(item, creating)
        item.meeting_forms = parse_meeting_forms(item.meeting_forms)
        for column, (label, low, high) in NUMBER_RULES.items():
            value = getattr(item, column)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise UserError(NUMBER_RANGE % {"field": label, "low": low, "high": high})
        if item.max_extensions is None:
            item.max_extensions = 0
        if item.requires_contract is None:
            item.requires_contract = False
        if item.max_extensions and not item.term_months:
            raise UserError(EXTENSIONS_NEED_TERM)
        if item.max_extensions and not item.extension_months:
            raise UserError(EXTENSION_MONTHS_REQUIRED)

    def check_delete(self, item):
        raise UserError(PROGRAMME_NOT_DELETED)


@commands(ProgrammeMeasure)
class ProgrammeMeasureCommands(ModelCommands):
    def check(self, item, creating):
        _check_code(item, creating)
        if item.programme is not None:
            item.programme_code = item.programme.code
        if not creating:
            before = stored_value(item, "programme_code")
            if before is not None and before != item.programme_code:
                raise UserError(CODE_UNCHANGED)

    def check_delete(self, item):
        raise UserError(MEASURE_NOT_DELETED)


# --------------------------------------------------------------------------- reading
def programme_by_code(code, session=None) -> Programme | None:
    """The programme row of ``code`` (a string or an enum member with ``.name``)."""
    if code is None:
        return None
    key = getattr(code, "name", code)
    session = session or _session()
    with session.no_autoflush:
        return session.scalar(select(Programme).where(Programme.code == key))


def meeting_forms(code, session=None) -> frozenset[str]:
    """Names of the contact forms that count as a meeting in the programme."""
    programme = programme_by_code(code, session)
    return programme.meeting_form_set if programme is not None else frozenset()


def catalogue(code, session=None, include_inactive: bool = False) -> list[ProgrammeMeasure]:
    """The programme's measures (active ones unless asked), in catalogue order."""
    key = getattr(code, "name", code)
    session = session or _session()
    stmt = select(ProgrammeMeasure).where(ProgrammeMeasure.programme_code == key)
    if not include_inactive:
        stmt = stmt.where(ProgrammeMeasure.active.is_(True))
    with session.no_autoflush:
        return list(session.scalars(stmt.order_by(ProgrammeMeasure.id)))


def measure_names(session=None) -> dict[tuple[str, str], str]:
    """``{(programme code, measure code): name}`` of every measure (for lists)."""
    session = session or _session()
    rows = session.execute(
        select(ProgrammeMeasure.programme_code, ProgrammeMeasure.code, ProgrammeMeasure.name)
    )
    return {(p, c): n for p, c, n in rows}


label_tables({"programme": _l("programmes"), "programme_measure": _l("measures")})
