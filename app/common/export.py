"""Export of any list to CSV or XLSX: the rows the user sees, nothing more.

``ExportMixin`` adds ``/<view>/export/csv`` and ``/<view>/export/xlsx`` to a
:class:`~app.common.views.PortalModelView`. The export uses the list's
current search filters and order (the same URL arguments), the scope filter
(``base_filters``) and the ``can_export`` permission of the resource. Cells
that a spreadsheet would run as a formula (= + - @, tab, CR) are prefixed with
an apostrophe (OWASP CSV injection). CSV is UTF-8 with BOM so Excel shows
Cyrillic. Rows are read in batches, so memory stays flat on big lists.
A personal column (``__personal_data__`` of its model) is exported as ``***``
to a user who may not see that model's personal data (``app.security.pii``).
Timestamps are in Kyiv time (Europe/Kyiv, as the ``ua_datetime`` filter shows
them on the pages), dates in dd.mm.yyyy.

A register that has an importer exports the import's own columns
(:class:`ExportColumn`: the import's header and how to read the value), so an
exported file can be corrected and imported again; :func:`unescape_cell`
undoes the formula neutralisation when such a file comes back.

Small exports (up to ``EXPORT_INLINE_MAX_ROWS`` rows after filters and scope,
default 5,000) are built in the request, CSV streamed. Bigger ones become a
background job (:mod:`app.jobs`): the job captures the user, their scope and
the list's query string, runs the same ``export_rows`` with them and leaves a
file on the job's page. The audit event is recorded in the request either way.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from .. import fab_seam
from ..extensions import get_appbuilder
from ..jobs import services as jobs
from ..security.pii import mask

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000
MAX_ROWS = 200_000
INLINE_MAX_ROWS = 5000  # default of the EXPORT_INLINE_MAX_ROWS setting
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


KYIV = ZoneInfo("Europe/Kyiv")


def kyiv_datetime(value: dt.datetime) -> str:
    """A stored UTC timestamp as Kyiv time, «dd.mm.yyyy HH:MM» (the pages' ``ua_datetime``)."""
    text: str = format_datetime(value, "dd.MM.yyyy HH:mm")
    return text


def kyiv_now() -> dt.datetime:
    return dt.datetime.now(KYIV)


def unescape_cell(value: Any) -> Any:
    """A cell of an exported file read back: the apostrophe :func:`safe_cell`
    put before a formula character is taken off («'+380671234567»)."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == "'"
        and value[1].startswith(FORMULA_PREFIXES)
    ):
        return value[1:]
    return value


@dataclass(frozen=True)
class ExportColumn:
    """An export column with its own header and reader (an importer's column):
    ``path`` is the dotted attribute for personal-data masking and the default
    reader; ``read(item)`` overrides the reader."""

    header: str
    path: str
    read: Callable[[Any], Any] | None = None

    def value(self, item: Any) -> Any:
        return self.read(item) if self.read is not None else _resolve(item, self.path)


def safe_cell(value: Any) -> str | int | float | None:
    """Value as a spreadsheet cell: dates in dd.mm.yyyy, times in Kyiv time,
    formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "так" if value else "ні"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number: int | float = value
        return number
    if isinstance(value, dt.datetime):
        return kyiv_datetime(value)
    if isinstance(value, dt.date):
        day: str = format_date(value, "dd.MM.yyyy")
        return day
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _resolve(item: Any, column: str) -> Any:
    value = item
    for part in column.split("."):
        value = getattr(value, part, None) if value is not None else None
    if isinstance(value, enum.Enum):
        return str(value)
    return value


def _path_reader(path: str) -> Callable[[Any], Any]:
    """The reader of a dotted column path."""
    return lambda item: _resolve(item, path)


def _column_model(model: Any, column: str) -> tuple[Any, str]:
    """The model holding the last attribute of a dotted column path, and that attribute."""
    from sqlalchemy import inspect as sa_inspect

    parts = column.split(".")
    for part in parts[:-1]:
        relation = sa_inspect(model).relationships.get(part)
        if relation is None:
            return None, parts[-1]
        model = relation.mapper.class_
    return model, parts[-1]


def masked_columns(model: Any, columns: Iterable[str]) -> set[str]:
    """Export columns that are personal data (the models' ``__personal_data__``)
    the current user may not see: exported as ``***`` (app.security.pii)."""
    from ..security.pii import hidden_columns

    masked: set[str] = set()
    for column in columns:
        owner, attr = _column_model(model, column)
        if owner is not None and attr in hidden_columns(owner):
            masked.add(column)
    return masked


if TYPE_CHECKING:  # mixed into PortalModelView only
    from flask_appbuilder import ModelView as _ExportBase
else:
    _ExportBase = object


class ExportMixin(_ExportBase):
    """Adds CSV/XLSX export routes to a PortalModelView."""

    #: Columns to export (dotted paths allowed); defaults to ``list_columns``.
    export_columns: list[Any] | None = None
    list_template = "portal/list_with_export.html"

    def render_template(self, template: str, **kwargs: Any) -> str:
        # The list page shows export buttons only to roles that may export.
        kwargs.setdefault("export_endpoint", f"{self.__class__.__name__}.export")
        kwargs.setdefault(
            "can_export", self.appbuilder.sm.has_access("can_export", self.class_permission_name)
        )
        page: str = super().render_template(template, **kwargs)
        return page

    def _export_columns(self) -> list[str | ExportColumn]:
        return self.export_columns or self.list_columns

    def _export_filters(self) -> Any:
        """The list's search filters from the request args, joined with the scope.

        A fresh ``Filters`` object every time: the view's own ``_filters`` is
        shared by every request (and by export jobs running in other threads).
        """
        filters = self.datamodel.get_filters(self.search_columns)
        get_filter_args(filters)
        return filters.get_joined_filters(fab_seam.base_filters(self))

    def _export_order(self) -> tuple[str, str]:
        orders = get_order_args().get(self.__class__.__name__)
        order_column, order_direction = orders if orders else ("", "")
        if order_column and order_column not in (self.order_columns or []):
            order_column, order_direction = "", ""
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        return order_column, order_direction

    def export_count(self, limit: int | None = None) -> int:
        """How many rows the export would have (filters and scope applied), counting
        at most ``limit``: the request only needs to know "more than the inline
        maximum", not scan a million-row register to the end."""
        model = self.datamodel.obj
        query = fab_seam.apply_inner_all(
            self.datamodel, self.datamodel.session.query(model), self._export_filters()
        )
        query = query.with_entities(*model.__mapper__.primary_key)
        if limit is not None:
            query = query.limit(limit)
        count: int = query.count()
        return count

    def export_rows(self, progress: Callable[[int], object] | None = None) -> Iterator[list[Any]]:
        """Yield the header, then one list of cells per in-scope, filtered row.

        ``progress(rows_sent)`` is called after every batch.
        """
        columns = self._export_columns()
        yield [
            c.header if isinstance(c, ExportColumn) else str(self.label_columns.get(c, c))
            for c in columns
        ]
        paths = [c.path if isinstance(c, ExportColumn) else c for c in columns]
        readers: list[Callable[[Any], Any]] = [
            c.value if isinstance(c, ExportColumn) else _path_reader(c) for c in columns
        ]
        filters = self._export_filters()
        order_column, order_direction = self._export_order()
        session = self.datamodel.session
        model = self.datamodel.obj
        query = self.datamodel.apply_all(
            session.query(model), filters, order_column, order_direction
        )
        # The key breaks ties, so that batches neither repeat nor skip rows.
        query = query.order_by(*model.__mapper__.primary_key)
        masked = masked_columns(model, paths)
        sent = 0
        while sent < MAX_ROWS:
            items = query.offset(sent).limit(min(BATCH, MAX_ROWS - sent)).all()
            if not items:
                break
            for item in items:
                yield [
                    safe_cell(mask(read(item)) if path in masked else read(item))
                    for path, read in zip(paths, readers)
                ]
            sent += len(items)
            for item in items:  # keep memory flat on big exports
                session.expunge(item)
            if progress is not None:
                progress(sent)
            if len(items) < BATCH:
                break

    def record_export(self, fmt: str) -> None:
        """Audit who exported which list with which filters (before any byte is sent)."""
        from ..audit.services import record_event

        record_event(
            "export",
            self.class_permission_name,
            details={"format": fmt, "query": request.query_string.decode()[:500]},
        )

    def _filename(self, ext: str) -> str:
        stamp = kyiv_now().strftime("%Y%m%d-%H%M")
        return f"{self.class_permission_name.lower()}-{stamp}.{ext}"

    @expose("/export/<string:fmt>", methods=["GET", "POST"])
    @has_access
    def export(self, fmt: str) -> ResponseReturnValue:
        if fmt not in MIMETYPES:
            abort(404)
        inline_max = int(current_app.config.get("EXPORT_INLINE_MAX_ROWS", INLINE_MAX_ROWS))
        big = self.export_count(limit=inline_max + 1) > inline_max
        if big and request.method != "POST":
            # A background job is a change (a file kept for a day): a link or a
            # page elsewhere must not start one. The user confirms with a form
            # that carries the CSRF token.
            return self.render_template(
                "portal/export_confirm.html",
                fmt=fmt.upper(),
                rows=inline_max,
                list_title=self.list_title,
                query=request.query_string.decode(),
                back=url_for(f"{self.__class__.__name__}.list")
                + ("?" + request.query_string.decode() if request.query_string else ""),
            )
        self.record_export(fmt)
        if big:
            return self._export_in_background(fmt, inline_max)
        if fmt == "csv":
            return self._export_csv()
        return self._export_xlsx()

    def _export_in_background(self, fmt: str, inline_max: int) -> ResponseReturnValue:
        title = _(
            "Export of “%(list)s” to %(format)s", list=str(self.list_title), format=fmt.upper()
        )
        try:
            job = jobs.submit(
                "export",
                title,
                {"view": self.__class__.__name__, "fmt": fmt, "filename": self._filename(fmt)},
            )
        except jobs.TooManyJobs as exc:
            flash(str(exc), "warning")
            return redirect(url_for("JobView.list"))
        flash(
            _(
                "The list has more than %(rows)d rows: the file is being prepared in the "
                "background. You can leave this page; the file will wait for you in "
                "“My jobs”.",
                rows=inline_max,
            ),
            "info",
        )
        return redirect(url_for("JobView.show", pk=job.id))

    def _export_csv(self) -> Response:
        def generate() -> Iterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            yield "\ufeff"
            for row in self.export_rows():
                writer.writerow(row)
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate(0)

        return Response(
            stream_with_context(generate()),
            mimetype=MIMETYPES["csv"],
            headers={"Content-Disposition": f'attachment; filename="{self._filename("csv")}"'},
        )

    def _export_xlsx(self) -> Response:
        out = io.BytesIO()
        self.write_xlsx(out, self.export_rows())
        return Response(
            out.getvalue(),
            mimetype=MIMETYPES["xlsx"],
            headers={"Content-Disposition": f'attachment; filename="{self._filename("xlsx")}"'},
        )

    def write_xlsx(self, target: str | IO[bytes], rows: Iterable[Sequence[Any]]) -> None:
        write_xlsx_sheet(target, rows, str(self.list_title))

    def write_export_file(
        self, fmt: str, path: str, progress: Callable[[int], object] | None = None
    ) -> int:
        """Write the export to ``path`` (for a job); returns the number of data rows."""
        written = 0

        def counted(rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
            nonlocal written
            for number, row in enumerate(rows):
                written = number
                yield row

        rows = counted(self.export_rows(progress=progress))
        if fmt == "csv":
            with open(path, "w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out, delimiter=";")
                for row in rows:
                    writer.writerow(row)
        else:
            self.write_xlsx(path, rows)
        return written


def write_xlsx_sheet(target: str | IO[bytes], rows: Iterable[Sequence[Any]], title: str) -> None:
    """Rows (lists of cells) to a one-sheet XLSX workbook at ``target`` (a path or a
    binary file); write-only, so memory stays flat on big files. The exports and the
    report files (``app.cases.report_file``) share it."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Дані")
    for row in rows:
        sheet.append(row)
    workbook.save(target)


def _export_view(name: str) -> ExportMixin:
    for view in get_appbuilder().baseviews:
        if view.__class__.__name__ == name and isinstance(view, ExportMixin):
            return view
    raise LookupError(name)


@jobs.task("export")
def run_export_job(ctx: jobs.JobContext) -> None:
    """Export job: same view, same query string, same scope as the request that asked."""
    view = _export_view(ctx.params["view"])
    fmt = ctx.params["fmt"]
    if fmt not in MIMETYPES:
        raise ValueError(fmt)
    total = view.export_count(limit=MAX_ROWS)
    ctx.progress(0, total, message=_("Writing rows to the file…"))
    path = ctx.new_file(fmt)
    written = view.write_export_file(fmt, path, progress=lambda sent: ctx.progress(sent, total))
    ctx.attach(path, ctx.params.get("filename") or f"export.{fmt}", MIMETYPES[fmt])
    ctx.progress(written, written, force=True)
    ctx.summary = {"rows": written, "format": fmt}
    ctx.message = _("The file is ready: %(rows)d rows.", rows=written)
