"""Import of centres from XLSX/CSV: validate every row, then write all or nothing.

A region migrating from spreadsheets downloads the template, fills one row per
centre and uploads it. Every row is checked first (community by KATOTTG code or
name, provider by EDRPOU, statuses and yes/no values in Ukrainian, numbers);
if any row is wrong nothing is written and the user gets a list of errors
«Рядок 5: …». Otherwise all rows are written in one transaction.

Re-importing the same file creates no duplicates. Each row has one key
(:data:`MATCH_KEY`): its external code when it gives one, otherwise its
provider and address. A row with a code matches the centre with that code,
or a centre of the same provider and address that has no code yet (the code
is then recorded); a centre there with another code is an error. Two rows
that resolve to the same centre are an error for both rows, and then, as for
any error, nothing is imported.

Rows are written through the centre's commands (:class:`CentreCommands` in
``services``): the same rules as the form and the REST API. Values are read by
the same parsers as the form and the API (:mod:`app.common.fields`: phones in
any usual spelling, «49,8» or «49.8», dd.mm.yyyy or ISO dates, EDRPOU and
KATOTTG codes), so a value one path accepts the others accept too.

Every problem of every row is reported, each as «Рядок N: «Стовпець»: …»:
the field checks, the match with existing centres and the centres' own rules
(the command's refusal) alike; then nothing is written.

The files fit together: the downloadable template's example row refers to a
community and an approved provider the user may use, so it imports as it is;
the centre list's export (:func:`export_columns`) has exactly these columns
with these headers (and a few informative ones the import ignores), so an
exported file imports again unchanged.

The import runs as a background job (:func:`run_import_job`, see
:mod:`app.jobs`): the page checks the upload's type and size, saves it and
sends the user to the job's page, which shows progress (rows read, rows
checked) and then the same report the page used to show. The job runs with
the submitter's scope, captured when the file was uploaded.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..common.commands import commands_for
from ..common.export import ExportColumn, unescape_cell
from ..common.fields import (
    FieldError,
    parse_code,
    parse_date,
    parse_edrpou,
    parse_katottg,
    parse_latitude,
    parse_longitude,
    parse_phone,
    parse_whole,
)
from ..errors import UserError
from ..extensions import get_appbuilder
from ..geography.models import Hromada
from ..jobs import services as jobs
from ..providers.models import Provider, ProviderStatus
from ..security.scope import scope_clause, scoped
from . import services
from .models import (
    ACCESSIBILITY,
    DIRECTIONS,
    EXTRA_SERVICES,
    CentreStatus,
    ResilienceCentre,
)

MAX_ROWS = 50_000  # in the background since the import became a job (was 5,000)
MAX_BYTES = 10 * 1024 * 1024
MAX_ERRORS_SHOWN = 200
EXTENSIONS = (".xlsx", ".csv")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Ukrainian header in the template (what people see in Excel)
    required: bool = False


#: Template columns in order. Headers are Ukrainian: the file is for Ukrainian users and
#: matching is on these exact headers (case/space-insensitive).
COLUMNS = [
    Column("external_code", "Зовнішній код"),
    Column("name", "Назва центру", True),
    Column("hromada", "Громада (код КАТОТТГ або назва)", True),
    Column("address", "Адреса", True),
    Column("latitude", "Широта"),
    Column("longitude", "Довгота"),
    Column("provider_edrpou", "ЄДРПОУ надавача", True),
    Column("status", "Статус"),
    Column("opened_on", "Дата відкриття"),
    Column("working_hours", "Графік роботи"),
    Column("phone", "Телефон"),
    Column("email", "Електронна пошта"),
    Column("website", "Вебсайт"),
    Column("psychologists", "Кількість психологів"),
    Column("social_workers", "Кількість соціальних працівників"),
    *[
        Column(attr, f"Напрям: {label}")
        for attr, label in (
            ("dir_psychoeducation", "інформування та психоедукація"),
            ("dir_counselling", "психологічне консультування"),
            ("dir_support_groups", "групи взаємопідтримки"),
            ("dir_skills", "навички життєстійкості"),
        )
    ],
    *[
        Column(attr, f"Послуга: {label}")
        for attr, label in (
            ("svc_legal_aid", "правова допомога"),
            ("svc_social_protection", "соціальний захист"),
            ("svc_employment", "центр зайнятості"),
            ("svc_idp", "ВПО"),
            ("svc_veterans", "ветерани та родини"),
            ("svc_children", "діти та підлітки"),
        )
    ],
    Column("other_services", "Інші послуги"),
    *[
        Column(attr, f"Безбар'єрність: {label}")
        for attr, label in (
            ("acc_entrance", "пандус або вхід на рівні"),
            ("acc_toilet", "доступний туалет"),
            ("acc_parking", "паркування"),
            ("acc_tactile", "тактильні позначки"),
            ("acc_visual", "візуальні позначки"),
            ("acc_hearing_loop", "індукційна петля"),
        )
    ],
]
FLAG_KEYS = [*DIRECTIONS, *EXTRA_SERVICES, *ACCESSIBILITY]
TRUE_WORDS = {"так", "+", "1", "є", "true", "yes", "x", "х", "v"}
FALSE_WORDS = {"ні", "-", "0", "немає", "нема", "false", "no", ""}
#: Status labels accepted in the file (Ukrainian, case-insensitive) -> member.
STATUS_WORDS = {
    "запланований": CentreStatus.planned,
    "планується": CentreStatus.planned,
    "готується до відкриття": CentreStatus.preparing,
    "готується": CentreStatus.preparing,
    "підготовка": CentreStatus.preparing,
    "працює": CentreStatus.operating,
    "діючий": CentreStatus.operating,
    "призупинено": CentreStatus.suspended,
    "призупинений": CentreStatus.suspended,
    "закрито": CentreStatus.closed,
    "закритий": CentreStatus.closed,
}
STATUS_FILE_LABEL = {
    CentreStatus.planned: "запланований",
    CentreStatus.preparing: "готується до відкриття",
    CentreStatus.operating: "працює",
    CentreStatus.suspended: "призупинено",
    CentreStatus.closed: "закрито",
}


def _norm(text) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower().replace("’", "'")


def _norm_address(text) -> str:
    return re.sub(r"[\s,.]+", " ", str(text or "")).strip().lower()


# --- template ---------------------------------------------------------------------------
#: The template's example row; ``hromada`` and ``provider_edrpou`` are replaced by a
#: community and an approved provider of the user's scope (:func:`example_values`), so the
#: example imports as it is. These two are the seeded demo's (Жовківська громада of
#: Lviv oblast in the codifier; the first demo provider, approved, in Lviv oblast).
EXAMPLE = {
    "external_code": "ПРИКЛАД-059055",
    "name": "Центр життєстійкості (приклад рядка)",
    "hromada": "UA46060130000059055",
    "address": "вул. Прикладна, 1",
    "latitude": "50.058600",
    "longitude": "23.970800",
    "provider_edrpou": "43100000",
    "status": "запланований",
    "opened_on": "",
    "working_hours": "Пн–Пт 09:00–18:00",
    "phone": "067 123 45 67",
    "email": "centre@example.org",
    "website": "",
    "psychologists": "2",
    "social_workers": "3",
    **{k: "так" for k in FLAG_KEYS},
    "acc_hearing_loop": "ні",
    "other_services": "",
}


def example_values(session=None, scope=None) -> dict:
    """The example row for this user: a community of their scope and an approved
    provider (of their oblast when there is one), so that the row imports."""
    values = dict(EXAMPLE)
    if session is None:
        return values
    hromadas = select(Hromada).order_by(Hromada.code).limit(1)
    if scope is not None and scope.oblast_id:
        hromadas = hromadas.where(Hromada.oblast_id == scope.oblast_id)
    demo = session.scalar(select(Hromada).where(Hromada.code == EXAMPLE["hromada"]))
    hromada = (
        demo
        if demo is not None
        and (scope is None or not scope.oblast_id or demo.oblast_id == scope.oblast_id)
        else session.scalar(hromadas)
    )
    providers = select(Provider).where(Provider.status == ProviderStatus.approved)
    if scope is not None and scope.provider_id:
        providers = providers.where(Provider.id == scope.provider_id)
    oblast_id = hromada.oblast_id if hromada is not None else None
    provider = session.scalar(
        providers.where(Provider.oblast_id == oblast_id).order_by(Provider.id).limit(1)
    ) or session.scalar(providers.order_by(Provider.id).limit(1))
    if hromada is not None:
        values["hromada"] = hromada.code
        # One example centre per community: users of other oblasts do not meet each
        # other's example (an external code names one centre in the whole country).
        values["external_code"] = f"ПРИКЛАД-{hromada.code[-6:]}"
    if provider is not None:
        values["provider_edrpou"] = provider.edrpou
    return values


def _example_for_request() -> dict:
    """The example row for the signed-in user (static outside a request)."""
    from flask import has_request_context

    from ..security.scope import current_scope

    if not has_request_context():
        return dict(EXAMPLE)
    return example_values(get_appbuilder().session, current_scope())


def template_rows(example: dict | None = None) -> list[list[str]]:
    example = example or _example_for_request()
    return [[c.header for c in COLUMNS], [example.get(c.key, "") for c in COLUMNS]]


def template_csv(example: dict | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in template_rows(example):
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(example: dict | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Центри"
    for row in template_rows(example):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    help_sheet = workbook.create_sheet("Довідка")
    help_sheet.append(["Статус: " + ", ".join(STATUS_FILE_LABEL.values())])
    help_sheet.append(["Так/ні поля: «так» або «ні» (порожньо = ні)"])
    help_sheet.append(["Дата: дд.мм.рррр або рррр-мм-дд"])
    help_sheet.append(["Телефон: +380671234567, 067 123 45 67 або (067) 123-45-67"])
    help_sheet.append(["Широта і довгота: до 6 знаків після коми, 49.716700 або 49,716700"])
    help_sheet.append(
        ["Експорт списку центрів має ці самі стовпці: його можна виправити й імпортувати знову"]
    )
    help_sheet.append([f"Не більше {MAX_ROWS} рядків в одному файлі"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- export: the import's columns ----------------------------------------------------------
def _export_reader(key: str):
    if key == "hromada":
        return "hromada.code", None
    if key == "provider_edrpou":
        return "provider.edrpou", None
    if key == "status":
        return "status", lambda c: STATUS_FILE_LABEL.get(c.status, "")
    return key, None


#: Informative columns of the export after the import's own (the import ignores them).
EXPORT_EXTRA = [
    ("Область", "oblast.title"),
    ("Назва громади", "hromada.title"),
    ("Надавач", "provider.name"),
    ("Повністю безбар'єрний", "barrier_free"),
    ("Статус змінено (час за Києвом)", "status_changed_on"),
]


def export_columns() -> list[ExportColumn]:
    """The centre list's export: the import's columns with the import's headers, in
    the import's spelling (status and yes/no words, dd.mm.yyyy), so that an exported
    file can be corrected and imported again; then a few informative columns."""
    columns = []
    for column in COLUMNS:
        path, read = _export_reader(column.key)
        columns.append(ExportColumn(column.header, path, read))
    columns.extend(ExportColumn(header, path) for header, path in EXPORT_EXTRA)
    return columns


# --- reading -----------------------------------------------------------------------------
class ImportFileError(Exception):
    """The file as a whole cannot be read (format, headers, size)."""


def check_upload(filename: str, data: bytes) -> str:
    """Quick checks of an upload before it is queued: type and size. Returns the
    extension ("xlsx" or "csv"); raises :class:`ImportFileError`."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 10 MB."))
    name = (filename or "").lower()
    if not name.endswith(EXTENSIONS):
        raise ImportFileError(_("Upload an .xlsx or .csv file."))
    if not data:
        raise ImportFileError(_("The file is empty."))
    if name.endswith(".xlsx") and not data.startswith(b"PK"):
        raise ImportFileError(_("The file is not a valid XLSX workbook."))
    return name.rsplit(".", 1)[1]


def read_rows(filename: str, data: bytes, progress=None) -> list[tuple[int, dict]]:
    """(row number as in the spreadsheet, {key: raw value}) for every non-empty row.

    ``progress(rows_read)`` is called as rows are read.
    """
    if check_upload(filename, data) == "xlsx":
        raw_rows = _xlsx_rows(data)
    else:
        raw_rows = _csv_rows(data)
    try:
        header = next(raw_rows)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    by_header = {_norm(c.header): c.key for c in COLUMNS}
    keys = [by_header.get(_norm(h)) for h in header]
    missing = [c.header for c in COLUMNS if c.required and c.key not in keys]
    if missing:
        raise ImportFileError(
            _(
                "The file has no column(s): %(columns)s. Use the template.",
                columns=", ".join(missing),
            )
        )
    rows = []
    for number, raw in enumerate(raw_rows, start=2):
        values = {k: ("" if v is None else v) for k, v in zip(keys, raw) if k}
        if not any(str(v).strip() for v in values.values()):
            continue
        rows.append((number, values))
        if progress is not None:
            progress(len(rows))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)d rows. Split it into several files.", max=MAX_ROWS)
            )
    if not rows:
        raise ImportFileError(_("The file has no data rows."))
    return rows


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportFileError(_("The file is not a valid XLSX workbook.")) from None
    sheet = workbook.worksheets[0]
    yield from sheet.iter_rows(values_only=True)


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise ImportFileError(_("The CSV file must be in UTF-8.")) from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


# --- validation ----------------------------------------------------------------------------
@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value, limit: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(unescape_cell(value)).strip()
    return text[:limit] if text else None


def _flag(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = _norm(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _cell(value):
    """A raw cell for a parser: text unescaped (see :func:`unescape_cell`), numbers,
    dates and empty cells as they are."""
    return unescape_cell(value).strip() if isinstance(value, str) else value


COUNT_RANGE = _l("staff counts must be from 0 to 500")


def parse_count(value) -> int | None:
    """A staff count: a whole number from 0 to 500 («2», 2, 2.0), as the form's."""
    return parse_whole(value, 0, 500, COUNT_RANGE)


def _hromada_code(text: str) -> str | None:
    try:
        return parse_katottg(text)
    except FieldError:
        return None


def _edrpou_key(value) -> str | None:
    try:
        return parse_edrpou(_cell(value))
    except FieldError:
        return None


class _Reference:
    """Hromadas and providers the rows refer to, loaded in a few queries."""

    def __init__(self, session, rows, scope):
        self.session = session
        self.scope = scope
        codes, names, edrpous = set(), set(), set()
        for _n, values in rows:
            h = _text(values.get("hromada"), 150) or ""
            code = _hromada_code(h)
            if code:
                codes.add(code)
            else:
                names.add(_norm(h))
            edrpous.add(_edrpou_key(values.get("provider_edrpou")))
        self.by_code = {}
        for chunk in _chunks(sorted(codes)):
            for h in session.scalars(select(Hromada).where(Hromada.code.in_(chunk))):
                self.by_code[h.code] = h
        self.by_name: dict[str, list] = {}
        if names:
            # Matched in Python: SQLite's lower() folds ASCII only, not Cyrillic; the
            # codifier has fewer than 2,000 communities, read as plain tuples.
            wanted: dict[str, set[int]] = {}
            for hid, name, title in session.execute(
                select(Hromada.id, Hromada.name, Hromada.title)
            ):
                for key in {_norm(name), _norm(title)} & names:
                    wanted.setdefault(key, set()).add(hid)
            ids = sorted({i for group in wanted.values() for i in group})
            loaded = {}
            for chunk in _chunks(ids):
                for h in session.scalars(select(Hromada).where(Hromada.id.in_(chunk))):
                    loaded[h.id] = h
            self.by_name = {k: [loaded[i] for i in sorted(v)] for k, v in wanted.items()}
        self.providers = {}
        for chunk in _chunks(sorted(e for e in edrpous if e)):
            for p in session.scalars(select(Provider).where(Provider.edrpou.in_(chunk))):
                self.providers[p.edrpou] = p
        clause = scope_clause(Hromada, scope)
        self.hromada_in_scope = (
            (lambda h: True) if clause is None else (lambda h: h.oblast_id == scope.oblast_id)
        )


def _chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


HEADERS = {c.key: c.header for c in COLUMNS}
#: Columns read by the shared parsers (app.common.fields): what the form and the API accept.
PARSERS = {
    "latitude": parse_latitude,
    "longitude": parse_longitude,
    "phone": parse_phone,
    "opened_on": parse_date,
    "psychologists": parse_count,
    "social_workers": parse_count,
}


def _in_column(key: str, message) -> str:
    return _("«%(column)s»: %(problem)s", column=HEADERS[key], problem=str(message))


def _hromada(raw, ref, problems):
    hromada_raw = _text(raw.get("hromada"), 150) or ""
    if not hromada_raw:
        problems.append(_("the territorial community is empty"))
        return None
    code = _hromada_code(hromada_raw)
    if code:
        hromada = ref.by_code.get(code)
        if hromada is None:
            problems.append(_("unknown community code %(code)s", code=code))
    else:
        found = [
            h for h in ref.by_name.get(_norm(hromada_raw), []) if ref.hromada_in_scope(h)
        ] or ref.by_name.get(_norm(hromada_raw), [])
        hromada = None
        if not found:
            problems.append(_("unknown community «%(name)s»", name=hromada_raw))
        elif len({h.id for h in found}) > 1:
            problems.append(
                _(
                    "the community name «%(name)s» is ambiguous: give its KATOTTG code",
                    name=hromada_raw,
                )
            )
        else:
            hromada = found[0]
    if hromada is not None and not ref.hromada_in_scope(hromada):
        problems.append(_("the community %(name)s is not in your oblast", name=hromada.title))
        return None
    return hromada


def _provider(raw, ref, problems):
    shown = _text(raw.get("provider_edrpou"), 20) or ""
    if not shown:
        problems.append(_("the provider's EDRPOU code is empty"))
        return None
    try:
        edrpou = parse_edrpou(_cell(raw.get("provider_edrpou")))
    except FieldError:
        problems.append(_("invalid EDRPOU code %(code)s", code=shown))
        return None
    provider = ref.providers.get(edrpou)
    if provider is None:
        problems.append(_("no provider with EDRPOU code %(code)s in the registry", code=edrpou))
    elif provider.status != ProviderStatus.approved:
        problems.append(_("the provider %(code)s is not approved", code=edrpou))
        return None
    return provider


def _status(raw, problems):
    status_raw = _norm(raw.get("status"))
    if not status_raw:
        return CentreStatus.planned
    status = STATUS_WORDS.get(status_raw) or next(
        (m for m in CentreStatus if _norm(m.label) == status_raw), None
    )
    if status is None:
        problems.append(
            _(
                "unknown status «%(value)s» (allowed: %(allowed)s)",
                value=raw.get("status"),
                allowed=", ".join(STATUS_FILE_LABEL.values()),
            )
        )
    return status


def validate(rows, scope, session, progress=None):
    """Turn raw rows into clean values; every problem of every row becomes «Рядок N: …».

    Returns ``([(number, values, ok)], errors)``: the rows that can be matched
    with a centre (their provider and address were read; ``ok`` is False when
    another field is wrong: their match is still checked, so that the row's
    every problem is reported), and the errors. ``progress(rows_checked)`` is
    called after every row.
    """
    ref = _Reference(session, rows, scope)
    matchable, errors = [], []
    seen_codes: dict[str, int] = {}
    seen_keys: dict[tuple, int] = {}
    for checked, (number, raw) in enumerate(rows, start=1):
        if progress is not None:
            progress(checked)
        problems: list[str] = []
        v: dict = {}
        try:
            v["external_code"] = parse_code(_cell(raw.get("external_code")), 50)
        except FieldError as exc:
            problems.append(_in_column("external_code", exc))
            v["external_code"] = None
        v["name"] = _text(raw.get("name"), 300)
        if not v["name"]:
            problems.append(_("the name of the centre is empty"))
        v["address"] = _text(raw.get("address"), 300)
        if not v["address"]:
            problems.append(_("the address is empty"))
        v["hromada"] = _hromada(raw, ref, problems)
        v["provider"] = provider = _provider(raw, ref, problems)
        v["status"] = _status(raw, problems)
        for key, parse in PARSERS.items():
            try:
                v[key] = parse(_cell(raw.get(key)))
            except FieldError as exc:
                problems.append(_in_column(key, exc))
                v[key] = None
        for key in ("psychologists", "social_workers"):
            v[key] = v[key] or 0
        v["email"] = _text(raw.get("email"), 254)
        if v["email"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v["email"]):
            problems.append(_("invalid e-mail «%(value)s»", value=v["email"]))
        v["website"] = _text(raw.get("website"), 300)
        v["working_hours"] = _text(raw.get("working_hours"), 300)
        try:
            services.parse_hours(v["working_hours"])
        except services.UserError as exc:
            problems.append(_in_column("working_hours", exc))
        v["other_services"] = _text(raw.get("other_services"), 2000)
        for key in FLAG_KEYS:
            flag = _flag(raw.get(key))
            if flag is None:
                problems.append(
                    _(
                        "«%(column)s»: write «так» or «ні», not «%(value)s»",
                        column=HEADERS[key],
                        value=raw.get(key),
                    )
                )
            v[key] = bool(flag)

        if v["status"] in (CentreStatus.operating, CentreStatus.suspended):
            # The four directions are parts of one service: a working centre delivers
            # all of them, whatever the file says (CTR-09).
            for key in DIRECTIONS:
                v[key] = True
        if v["external_code"]:
            if v["external_code"] in seen_codes:
                problems.append(
                    _(
                        "the external code %(code)s repeats row %(row)d",
                        code=v["external_code"],
                        row=seen_codes[v["external_code"]],
                    )
                )
            seen_codes.setdefault(v["external_code"], number)
        if provider is not None and v["address"]:
            key = (provider.id, _norm_address(v["address"]))
            if key in seen_keys:
                problems.append(
                    _("the same provider and address as row %(row)d", row=seen_keys[key])
                )
            seen_keys.setdefault(key, number)
            matchable.append((number, v, problems))
        errors.extend(_("Row %(row)d: %(problem)s", row=number, problem=p) for p in problems)
    return [(n, v, not problems) for n, v, problems in matchable], errors


# --- writing ---------------------------------------------------------------------------------
def _existing(session, clean_rows):
    """Existing centres matching the rows: by external code and by provider + address."""
    by_code, by_key = {}, {}
    codes = [v["external_code"] for _n, v in clean_rows if v["external_code"]]
    for chunk in _chunks(codes):
        for c in session.scalars(
            select(ResilienceCentre).where(ResilienceCentre.external_code.in_(chunk))
        ):
            by_code[c.external_code] = c
    provider_ids = sorted({v["provider"].id for _n, v in clean_rows})
    for chunk in _chunks(provider_ids):
        for c in session.scalars(
            select(ResilienceCentre).where(ResilienceCentre.provider_id.in_(chunk))
        ):
            by_key[(c.provider_id, _norm_address(c.address))] = c
    return by_code, by_key


FIELDS = [
    "name",
    "address",
    "latitude",
    "longitude",
    "opened_on",
    "working_hours",
    "phone",
    "email",
    "website",
    "psychologists",
    "social_workers",
    "other_services",
    *FLAG_KEYS,
]


def run_import(filename: str, data: bytes, scope, user=None, progress=None) -> ImportResult:
    """Validate and, only if every row is right, write them all in one transaction.

    Every row's every problem is collected before anything is kept: the field
    checks, the match with existing centres, and the centres' rules (the
    command's refusal), each row on its own; on any error the transaction is
    rolled back and the result lists them all.

    ``progress(done, total, step)`` reports the steps "read" (total unknown),
    "check" (rows checked of all rows) and "save" (once, before writing: the
    writing is one transaction and reports nothing until it is committed).
    """
    session = get_appbuilder().session
    result = ImportResult()
    report = progress or (lambda done, total, step: None)
    try:
        rows = read_rows(filename, data, progress=lambda n: report(n, None, "read"))
    except ImportFileError as exc:
        result.errors.append(str(exc))
        return result
    result.rows = len(rows)
    checked, errors = validate(
        rows, scope, session, progress=lambda n: report(n, len(rows), "check")
    )
    by_code, by_key = _existing(session, [(n, v) for n, v, _ok in checked])
    matched = []
    for number, v, ok in checked:
        centre, problem = match_centre(v, by_code, by_key)
        if problem:
            errors.append(_("Row %(row)d: %(problem)s", row=number, problem=problem))
            ok = False
        matched.append((number, v, centre, ok))
    errors.extend(_same_centre_twice([(n, v, c) for n, v, c, _ok in matched]))
    visible = _visible_ids(session, [c.id for _n, _v, c, _ok in matched if c is not None], scope)
    plan = []
    for number, v, centre, ok in matched:
        if centre is not None:
            if centre.id not in visible:
                errors.append(
                    _(
                        "Row %(row)d: %(problem)s",
                        row=number,
                        problem=_("the centre belongs to another oblast"),
                    )
                )
                continue
            if centre.status != v["status"]:
                errors.append(
                    _(
                        "Row %(row)d: %(problem)s",
                        row=number,
                        problem=_(
                            "the centre «%(name)s» already exists with the status «%(status)s»; "
                            "change the status with the actions on the centre's page",
                            name=centre.name,
                            status=str(centre.status),
                        ),
                    )
                )
                continue
        if ok:
            plan.append((number, centre, v))
    report(len(rows), len(rows), "save")
    try:
        with session.no_autoflush:
            errors.extend(_apply(plan, filename, user, result))
        if errors:
            session.rollback()
            result.created = result.updated = result.unchanged = 0
            result.errors = sorted(errors, key=_row_number)
            return result
        session.flush()
        session.commit()
    except Exception:
        session.rollback()
        raise
    return result


def _row_number(error: str) -> int:
    """Errors in the order of the file's rows (a row's own errors in the order found)."""
    found = re.search(r"[0-9]+", error)
    return int(found.group()) if found else 0


def _apply(plan, filename, user, result) -> list[str]:
    """Each planned row through the centre's commands (the form's and the API's rules);
    the refusals, one per row, as errors. The caller commits only when there are none."""
    session = get_appbuilder().session
    commands = commands_for(ResilienceCentre)
    errors = []
    for number, centre, v in plan:
        try:
            if centre is None:
                centre = ResilienceCentre(status=v["status"], external_code=v["external_code"])
                _assign(centre, v)
                commands.check_create(centre)
                session.add(centre)
                services.record_initial_status(
                    centre, user=user, reason=_("Imported from %(file)s", file=filename[:100])
                )
                result.created += 1
            elif _assign(centre, v):
                commands.check_update(centre)
                result.updated += 1
            else:
                result.unchanged += 1
        except UserError as exc:
            errors.append(_("Row %(row)d: %(problem)s", row=number, problem=str(exc)))
    return errors


#: How a row finds its centre (see the module docstring).
MATCH_KEY = ("external_code", ("provider", "address"))


def match_centre(v: dict, by_code: dict, by_key: dict):
    """The existing centre a clean row refers to (or None: a new centre) and
    a problem, if the row's key points at a centre it cannot be."""
    at_address = by_key.get((v["provider"].id, _norm_address(v["address"])))
    if not v["external_code"]:
        return at_address, None
    centre = by_code.get(v["external_code"])
    if centre is not None:
        return centre, None
    if at_address is not None and at_address.external_code:
        return None, _(
            "the provider already has the centre «%(name)s» at this address with "
            "the code «%(code)s»; give that code or correct the address",
            name=at_address.name,
            code=at_address.external_code,
        )
    return at_address, None


def _same_centre_twice(matched) -> list[str]:
    """Every row that resolves to a centre another row also resolves to."""
    rows_of: dict[int, list[int]] = {}
    for number, _v, centre in matched:
        if centre is not None:
            rows_of.setdefault(centre.id, []).append(number)
    problems = []
    for number, _v, centre in matched:
        others = [n for n in rows_of.get(getattr(centre, "id", 0), []) if n != number]
        if others:
            problems.append(
                _(
                    "Row %(row)d: %(problem)s",
                    row=number,
                    problem=_(
                        "rows %(rows)s describe the same centre «%(name)s»; keep one row per centre",
                        rows=", ".join(str(n) for n in sorted([number, *others])),
                        name=centre.name,
                    ),
                )
            )
    return problems


def _visible_ids(session, ids, scope) -> set[int]:
    """Which of the matched centres the user may change (the list's scope, in SQL)."""
    found: set[int] = set()
    for chunk in _chunks(sorted(set(ids))):
        stmt = scoped(
            select(ResilienceCentre.id).where(ResilienceCentre.id.in_(chunk)),
            ResilienceCentre,
            scope,
        )
        found.update(session.scalars(stmt))
    return found


def _same(old, new) -> bool:
    """Equal as the file can say it: coordinates to 6 decimals."""
    if isinstance(old, float) and isinstance(new, float):
        return round(old, 6) == round(new, 6)
    return old == new


def _assign(centre: ResilienceCentre, v: dict) -> bool:
    """Copy clean values onto the centre; True when anything changed."""
    changed = False
    if v["external_code"] and centre.external_code != v["external_code"]:
        centre.external_code = v["external_code"]
        changed = True
    for key in FIELDS:
        if not _same(getattr(centre, key), v[key]):
            setattr(centre, key, v[key])
            changed = True
    if centre.hromada_id != v["hromada"].id:
        centre.hromada = v["hromada"]
        changed = True
    if centre.provider_id != v["provider"].id:
        centre.provider = v["provider"]
        changed = True
    return changed


# --- as a background job -------------------------------------------------------------------
def result_summary(result: ImportResult) -> dict:
    """The report kept with the job (JSON): counts and the first errors."""
    return {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "error_count": len(result.errors),
        "errors": result.errors[:MAX_ERRORS_SHOWN],
    }


def submit_import(filename: str, data: bytes):
    """Check the upload quickly, keep it, and queue the import; returns the job.

    Raises :class:`ImportFileError` (type, size) and ``jobs.TooManyJobs``.
    """
    ext = check_upload(filename, data)
    name = jobs.save_upload(data, ext)
    try:
        return jobs.submit(
            "centre_import",
            _("Import of resilience centres from %(file)s", file=(filename or "")[:200]),
            {"filename": (filename or "")[:200], "upload": name, "bytes": len(data)},
        )
    except Exception:
        jobs._remove(name)
        raise


@jobs.task("centre_import", report_template="jobs/centre_import_report.html")
def run_import_job(ctx) -> None:
    """The import job: the saved upload, the submitter's scope, progress by rows."""
    from ..audit.services import record_event
    from .permissions import RESOURCE

    filename = ctx.params["filename"]
    with open(ctx.input_file(ctx.params["upload"]), "rb") as upload:
        data = upload.read()
    steps = {
        "read": _("Reading the file…"),
        "check": _("Checking rows…"),
        "save": _("Saving the centres…"),
    }
    current = {"step": None}

    def progress(done, total, step):
        message = None
        if step != current["step"]:
            current["step"] = step
            message = steps[step]
        ctx.progress(done, total, message=message)

    if ctx.already_applied():  # an earlier attempt saved the rows; its worker was lost
        ctx.summary = {
            "rows": 0,
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "error_count": 0,
            "errors": [],
            "already_applied": True,
        }
        ctx.message = _(
            "The import had already been saved by an earlier attempt of this "
            "job; nothing was written twice."
        )
        return
    with ctx.applying(get_appbuilder().session):  # job marked in the same commit
        result = run_import(filename, data, ctx.scope, user=ctx.user, progress=progress)
    record_event(
        "import_",
        RESOURCE,
        details={
            "file": filename[:200],
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "errors": len(result.errors),
            "job": ctx.job_id,
        },
        user=ctx.user,
    )
    summary = result_summary(result)
    if result.ok:
        ctx.summary = summary
        ctx.message = _(
            "Import completed. Rows processed: %(rows)d; created: %(created)d; "
            "updated: %(updated)d; unchanged: %(unchanged)d.",
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    elif result.rows:
        ctx.fail(
            _(
                "Nothing was imported: %(count)d error(s) found in %(rows)d row(s). "
                "Correct the file and upload it again.",
                count=len(result.errors),
                rows=result.rows,
            ),
            summary,
        )
    else:
        ctx.fail(_("Nothing was imported.") + " " + result.errors[0], summary)


__all__ = [
    "COLUMNS",
    "ImportResult",
    "MAX_ROWS",
    "run_import",
    "run_import_job",
    "submit_import",
    "template_csv",
    "template_xlsx",
]
