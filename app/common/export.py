"""Export of any list to CSV or XLSX: the rows the user sees, nothing more.

``ExportMixin`` adds ``/<view>/export/csv`` and ``/<view>/export/xlsx`` to a
:class:`~app.common.views.PortalModelView`. The export uses the list's
current search filters and order (the same URL arguments), the scope filter
(``base_filters``) and the ``can_export`` permission of the resource. Cells
that a spreadsheet would run as a formula (= + - @, tab, CR) are prefixed with
an apostrophe (OWASP CSV injection). CSV is UTF-8 with BOM so Excel shows
Cyrillic. Rows are read in batches, so memory stays flat on big lists.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io

from flask import Response, abort, request, stream_with_context
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import format_date, format_datetime

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000
MAX_ROWS = 200_000


def safe_cell(value) -> str | int | float | None:
    """Value as a spreadsheet cell: dates in dd.mm.yyyy, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "так" if value else "ні"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return format_datetime(value, "dd.MM.yyyy HH:mm")
    if isinstance(value, dt.date):
        return format_date(value, "dd.MM.yyyy")
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _resolve(item, column: str):
    value = item
    for part in column.split("."):
        value = getattr(value, part, None) if value is not None else None
    if isinstance(value, enum.Enum):
        return str(value)
    return value


class ExportMixin:
    """Adds CSV/XLSX export routes to a PortalModelView."""

    #: Columns to export (dotted paths allowed); defaults to ``list_columns``.
    export_columns: list[str] | None = None
    list_template = "portal/list_with_export.html"

    def render_template(self, template, **kwargs):
        # The list page shows export buttons only to roles that may export.
        kwargs.setdefault("export_endpoint", f"{self.__class__.__name__}.export")
        kwargs.setdefault("can_export", self.appbuilder.sm.has_access(
            "can_export", self.class_permission_name))
        return super().render_template(template, **kwargs)

    def _export_columns(self) -> list[str]:
        return self.export_columns or self.list_columns

    def export_rows(self):
        """Yield the header, then one list of cells per in-scope, filtered row."""
        columns = self._export_columns()
        yield [str(self.label_columns.get(c, c)) for c in columns]
        get_filter_args(self._filters)
        orders = get_order_args().get(self.__class__.__name__)
        order_column, order_direction = orders if orders else ("", "")
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        page = 0
        sent = 0
        while sent < MAX_ROWS:
            _, items = self.datamodel.query(
                self._filters.get_joined_filters(self._base_filters),
                order_column, order_direction, page=page, page_size=BATCH)
            if not items:
                break
            for item in items:
                yield [safe_cell(_resolve(item, c)) for c in columns]
            sent += len(items)
            if len(items) < BATCH:
                break
            page += 1

    def record_export(self, fmt: str) -> None:
        """Audit who exported which list with which filters (before any byte is sent)."""
        from ..audit.services import record_event

        record_event("export", self.class_permission_name,
                     details={"format": fmt, "query": request.query_string.decode()[:500]})

    def _filename(self, ext: str) -> str:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        return f"{self.class_permission_name.lower()}-{stamp}.{ext}"

    @expose("/export/<string:fmt>")
    @has_access
    def export(self, fmt):
        if fmt not in ("csv", "xlsx"):
            abort(404)
        self.record_export(fmt)
        if fmt == "csv":
            return self._export_csv()
        if fmt == "xlsx":
            return self._export_xlsx()
        abort(404)

    def _export_csv(self):
        def generate():
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            yield "\ufeff"
            for row in self.export_rows():
                writer.writerow(row)
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate(0)

        return Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition":
                                 f'attachment; filename="{self._filename("csv")}"'})

    def _export_xlsx(self):
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(self.list_title)[:31] or "Дані")
        for row in self.export_rows():
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        return Response(out.getvalue(),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition":
                                 f'attachment; filename="{self._filename("xlsx")}"'})
