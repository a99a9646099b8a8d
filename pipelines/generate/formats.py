"""Byte-level writers: CSV dialects, Danish number/date text, and reproducible ZIP/XLSX containers.

Reproducible means no wall-clock time: ZIP entries carry a fixed date_time and XLSX documents a
fixed created/modified time."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
DELIMITERS = (";", ",")
LINE_ENDS = ("\r\n", "\n")
DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


@lru_cache(maxsize=65536)
def _format_date(day: date, form: str) -> str:
    return day.strftime(form)  # strftime is slow and HR files repeat the same dates every month


@dataclass(frozen=True)
class CsvStyle:
    encoding: str = "utf-8"
    delimiter: str = ";"
    line_end: str = "\r\n"
    date_format: str = "%d-%m-%Y"
    decimal_comma: bool = True

    def date(self, day: date | None) -> str:
        return "" if day is None else _format_date(day, self.date_format)

    def timestamp(self, moment: datetime | None) -> str:
        return "" if moment is None else moment.strftime(self.date_format + " %H:%M:%S")

    def number(self, value: float | None, decimals: int = 4) -> str:
        """Shortest plain form (no thousands separator): 1, 0,8108 or 0.8108."""
        if value is None:
            return ""
        text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if self.decimal_comma else text

    def amount(self, value: float) -> str:
        """Money the way a Danish spreadsheet shows it: 1.234.567,50 (or 1234567.50)."""
        if not self.decimal_comma:
            return f"{value:.2f}"
        return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")

    def describe(self) -> str:
        names = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252", "utf-16": "UTF-16"}
        delimiter = {";": "semicolon", ",": "comma", "\t": "tab"}[self.delimiter]
        ends = "CRLF" if self.line_end == "\r\n" else "LF"
        example = date(2025, 12, 31).strftime(self.date_format)
        return f"{names[self.encoding]}, {delimiter}, {ends}, dates {example}, decimal {'comma' if self.decimal_comma else 'point'}"


def plain_number(value: float | None) -> str:
    """Canonical (truth) number: '.' decimals, no exponent, no trailing zeros; '' for None."""
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def rotating_style(index: int) -> CsvStyle:
    """The index-th style of a family of files. Any 6 consecutive indexes cover every encoding x
    delimiter pair, both line ends and all three date forms."""
    delimiter = DELIMITERS[(index // 3) % 2]
    return CsvStyle(
        encoding=ENCODINGS[index % 3],
        delimiter=delimiter,
        line_end=LINE_ENDS[index % 2],
        date_format=DATE_FORMATS[(index // 2) % 3],
        decimal_comma=delimiter == ";",
    )


def with_encoding(style: CsvStyle, encoding: str) -> CsvStyle:
    return replace(style, encoding=encoding)


def csv_text(
    header: list[str] | None, rows: list[list[str]], style: CsvStyle, *, header_rows: list[list[str]] | None = None
) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator=style.line_end, quoting=csv.QUOTE_MINIMAL)
    for extra in header_rows or []:
        writer.writerow(extra)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def csv_bytes(
    header: list[str] | None, rows: list[list[str]], style: CsvStyle, *, header_rows: list[list[str]] | None = None
) -> bytes:
    # strict: a character the target encoding lacks is a generator bug, not something to hide
    return csv_text(header, rows, style, header_rows=header_rows).encode(style.encoding, errors="strict")


def fixed_zip(members: list[tuple[str, bytes]], when: datetime) -> bytes:
    """A deflated ZIP whose bytes depend only on the members and `when`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list[object]]]], when: datetime) -> bytes:
    """An XLSX workbook (one sheet per (title, header, rows)); date/datetime values become real date
    cells. openpyxl stamps the save time and ZIP entry times, so both are pinned to `when`."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for column_cells in sheet.iter_cols(min_row=2):
            for cell in column_cells:
                if isinstance(cell.value, datetime):
                    cell.number_format = "dd-mm-yyyy hh:mm:ss"
                elif isinstance(cell.value, date):
                    cell.number_format = "dd-mm-yyyy"
    workbook.properties.creator = "digilead generator"
    workbook.properties.created = when
    workbook.properties.modified = when
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()  # not save_workbook(): that re-stamps `modified` with now()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as written:
        members = [(info.filename, written.read(info.filename)) for info in written.infolist()]
    return fixed_zip(members, when)
