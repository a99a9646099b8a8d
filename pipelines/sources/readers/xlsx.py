"""XLSX workbooks to tables: a sheet read as a CSV export of it would read."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

import openpyxl
import pandas as pd
import pyarrow as pa
from openpyxl.utils.exceptions import InvalidFileException

from pipelines.sources.base import Unreadable
from pipelines.sources.readers.frames import cells_table, named_frame
from pipelines.sources.readers.text import OLE2_MAGIC, ZIP_MAGIC, looks_like_text
from pipelines.sources.readers.zip import check_zip_sizes


def is_xlsx(data: bytes) -> bool:
    """Whether `data` is an Office Open XML workbook (judged from the zip directory only)."""
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names)


def xlsx_frame(data: bytes, sheet: str | None = None) -> pd.DataFrame:
    """The sheet named `sheet` (any case; else the first sheet) as a csv_frame-shaped frame.

    The header is the first non-empty row; `_row_number` is the worksheet's own row number.
    Dates become ISO text (`2025-12-31`, `2025-12-31T08:15:00`), numbers plain text (`0.8`, `5`).
    """
    rows = xlsx_rows(data, sheet)
    first = next(rows, None)
    if first is None:
        raise Unreadable("the Excel sheet is empty")
    _, header = first
    body = list(rows)
    width = max([len(header), *(len(cells) for _, cells in body)])
    padded = [cells + [None] * (width - len(cells)) for _, cells in body]
    columns = [pa.array(list(column), pa.string()) for column in zip(*padded, strict=True)] or [
        pa.array([], pa.string())
    ] * width
    row_numbers = pa.array([number for number, _ in body], pa.int64())
    table = cells_table(row_numbers, columns)
    return named_frame([name or "" for name in header] + [""] * (width - len(header)), table)


def xlsx_sheet_names(data: bytes) -> list[str]:
    """The names of the workbook's sheets, in order (Unreadable when `data` is no XLSX workbook)."""
    workbook = _open_workbook(data)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


_WORKBOOK_ERRORS = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, ParseError)


def xlsx_rows(data: bytes, sheet: str | None) -> Iterator[tuple[int, list[str | None]]]:
    """(worksheet row number, cell texts) of every non-empty row."""
    workbook = _open_workbook(data)
    try:
        names = {name.casefold(): name for name in workbook.sheetnames}
        worksheet = workbook[names.get((sheet or "").casefold(), workbook.sheetnames[0])]
        worksheet.reset_dimensions()  # trust the cells, not the size the writer recorded
        _refuse_formulas_without_values(data, getattr(worksheet, "_worksheet_path", None))
        for number, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                yield number, cells
    except _WORKBOOK_ERRORS:
        raise Unreadable("the Excel workbook is damaged and cannot be read") from None
    finally:
        workbook.close()


# a cell holding a formula (<f>) but no value (<v>): saved by a program that does not calculate
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?<!/)>((?:(?!</c>).)*?)</c>', re.DOTALL)


def _refuse_formulas_without_values(data: bytes, sheet_path: str | None) -> None:
    """Unreadable naming the first cell whose formula was never calculated: openpyxl would read it as
    empty, and a missing value must not pass for "no answer"."""
    if not sheet_path:
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            xml = archive.read(sheet_path.lstrip("/"))
        except KeyError:
            return
    if b"<f" not in xml:
        return
    for match in _FORMULA_CELL.finditer(xml):
        body = match.group(2)
        if re.search(rb"<f[ >/]", body) and not re.search(rb"<v(?:\s[^>]*)?>[^<]", body):
            cell = match.group(1).decode()
            row = int(re.sub(r"[A-Z]", "", cell))
            raise Unreadable(
                f"cell {cell} holds a formula whose value was never calculated (the workbook was saved by a "
                "program that does not compute formulas); open it in Excel and save it again",
                row=row,
            )


def _open_workbook(data: bytes) -> openpyxl.Workbook:
    ensure_xlsx(data)
    check_zip_sizes(data)  # openpyxl would trust the sizes the archive declares: check them first
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _WORKBOOK_ERRORS:
        raise Unreadable("the Excel workbook is damaged and cannot be read") from None


def ensure_xlsx(data: bytes) -> None:
    """Unreadable, saying in plain words what the file is instead, unless it is an XLSX workbook."""
    if not data:
        raise Unreadable("the file is empty")
    if data.startswith(OLE2_MAGIC):
        raise Unreadable("not an Excel workbook in the .xlsx format (it is an old .xls workbook; save it as .xlsx)")
    if not data.startswith(ZIP_MAGIC):
        if looks_like_text(data):
            raise Unreadable("not an Excel workbook (it looks like a CSV file renamed .xlsx)")
        raise Unreadable("not an Excel workbook (the file is damaged or in another format)")
    if not is_xlsx(data):
        raise Unreadable("not an Excel workbook (it is a zip archive of other files)")


def _cell_text(value: object) -> str | None:
    """A cell as the text a CSV export would hold (None when empty)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # an answer typed as 5 is stored as 5.0
    return str(value).strip() or None
