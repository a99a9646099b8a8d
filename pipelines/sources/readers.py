"""Bytes to tables: encodings, delimiters, Danish numbers and dates, XLSX workbooks, safe zip archives.

Every parser reads through this module, so a file is read the same way whatever its source.

Column types (the one dtype policy of all parsers; each converts to Arrow without copying, so
frames load into DuckDB cheaply):

    text                  "string[pyarrow]"                        STRING
    dates                 date32[pyarrow]                          DATE
    timestamps            timestamp[us][pyarrow], naive,           TIMESTAMP
                          Danish local time (see parse_timestamps)
    numbers               "Float64"                                NUMBER
    flags                 "boolean"                                FLAG
    survey answers        "Int8"                                   (survey_responses)
    _row_number           "int64"  (1-based file row, header = row 1, as a spreadsheet shows it)

Cells are stripped of surrounding whitespace and an empty cell is <NA>.

The vectorised converters (parse_numbers, parse_dates, parse_timestamps, parse_flags) return a
`Converted`: the typed values, and the original text of every cell they could not convert (<NA>
where conversion succeeded or the cell was empty). Parsers put the latter in a `<col>__unparsed`
column, which validation expects to be empty and shows, with the row, when it is not.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import NamedTuple
from xml.etree.ElementTree import ParseError

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from openpyxl.utils.exceptions import InvalidFileException

from pipelines.sources.base import Unreadable

STRING = pd.StringDtype("pyarrow")
DATE = pd.ArrowDtype(pa.date32())
TIMESTAMP = pd.ArrowDtype(pa.timestamp("us"))
NUMBER = "Float64"
FLAG = "boolean"
ROW_NUMBER = "_row_number"

DANISH_TIME_ZONE = "Europe/Copenhagen"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the pre-2007 .xls format
DELIMITERS = (";", "\t", ",")  # on a tie, the earlier wins: Danish exports prefer ';'


# --------------------------------------------------------------------------------------------
# Text


def decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-16 (BOM), UTF-8 with BOM, UTF-8, else Windows-1252."""
    if not data.strip():
        raise Unreadable("the file is empty")
    if data.startswith(ZIP_MAGIC):
        raise Unreadable("the file is a zip archive or an Excel workbook, not a CSV text file")
    if data.startswith(OLE2_MAGIC):
        raise Unreadable("the file is an old Excel (.xls) workbook, not a CSV text file")
    text = _decode(data)
    if not text.strip():
        raise Unreadable("the file is empty")
    return text


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_strictly(data, "utf-16", "it starts with a UTF-16 byte-order mark but is not valid UTF-16")
    if data.startswith(codecs.BOM_UTF8):
        return _decode_strictly(data, "utf-8-sig", "it starts with a UTF-8 byte-order mark but is not valid UTF-8")
    if b"\x00" in data[:4096]:
        # Text never holds NUL bytes, but UTF-16 written without a byte-order mark is full of them.
        return _decode_strictly(data, _utf16_byte_order(data), "it contains NUL bytes, so it is not a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise Unreadable(
            f"the file is not valid UTF-8 and contains bytes Windows-1252 does not define "
            f"(byte 0x{data[error.start]:02X} in row {row}); save it as UTF-8",
            row=row,
        ) from None


def _decode_strictly(data: bytes, encoding: str, complaint: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise Unreadable(f"the file cannot be read: {complaint}") from None


def _utf16_byte_order(data: bytes) -> str:
    """'utf-16-le' when the NULs sit in odd positions (ASCII text as little-endian UTF-16), else '-be'."""
    sample = data[:4096]
    return "utf-16-le" if sample[1::2].count(0) >= sample[0::2].count(0) else "utf-16-be"


# --------------------------------------------------------------------------------------------
# CSV


def read_csv_table(data: bytes, *, header_rows: int = 1) -> tuple[list[list[str]], list[list[str]]]:
    """(header rows, data rows) as stripped strings ('' for an empty cell).

    Data row i (0-based) is file row header_rows + i + 1 (a blank line is a row of '' cells).
    """
    headers, table = _read_csv(data, header_rows)
    columns = [column.to_pylist() for column in table.columns[1:]]
    rows = [[cell or "" for cell in row] for row in zip(*columns)]
    return headers, rows


def csv_frame(data: bytes, *, header_rows: int = 1) -> pd.DataFrame:
    """The data rows (not blank ones) as a frame of STRING columns named by the first header row,
    plus `_row_number`."""
    headers, table = _read_csv(data, header_rows)
    return _frame(headers[0] if headers else [], table)


def _read_csv(data: bytes, header_rows: int) -> tuple[list[list[str]], pa.Table]:
    """Header rows as strings, and the data rows as a table of `_row_number` and one stripped,
    empty-is-null string column per field."""
    text = decode_text(data)
    delimiter = _sniff_delimiter(text)
    width = len(next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    try:
        table, has_ragged_rows = _arrow_csv(text, delimiter, width)
    except pa.ArrowInvalid:  # its message may quote the file: say it plainly instead
        raise Unreadable("the file cannot be read as CSV (a quote that is never closed?)") from None
    if has_ragged_rows:
        _raise_ragged(text, delimiter, width)
    if table.num_rows < header_rows:
        raise Unreadable(f"the file has {table.num_rows} row(s) but should start with {header_rows} header row(s)")
    columns = [_stripped_or_null(column) for column in table.columns]
    headers = [[cell or "" for cell in row] for row in zip(*(column[:header_rows].to_pylist() for column in columns))]
    row_numbers = pa.array(np.arange(header_rows + 1, table.num_rows + 1, dtype="int64"))
    return headers, _cells_table(row_numbers, [column[header_rows:] for column in columns])


def _arrow_csv(text: str, delimiter: str, width: int) -> tuple[pa.Table, bool]:
    """Every record of `text` as `width` string columns, parsed by Arrow (fast, vectorised), and
    whether some records had another number of fields (those are left out)."""
    ragged_rows = []

    def skip_ragged(row: pa_csv.InvalidRow) -> str:
        ragged_rows.append(row.number)
        return "skip"

    table = pa_csv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,  # a blank line is still a row: keeps row numbers true to the file
            invalid_row_handler=skip_ragged,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={f"f{i}": pa.string() for i in range(width)}, strings_can_be_null=False
        ),
    )
    return table, bool(ragged_rows)


def _sniff_delimiter(text: str) -> str:
    """The candidate occurring most often, outside quotes, in the first line (',' if none does)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text[: text.find("\n") if "\n" in text else len(text)]:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else ","


def _raise_ragged(text: str, delimiter: str, width: int) -> None:
    # Arrow does not say which row was wrong, and its message quotes the row (personal data):
    # find the row again with the csv module, on this error path only.
    for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        if record and len(record) != width:
            raise Unreadable(
                f"row {number} has {len(record)} fields but the header has {width} "
                f"(a '{_delimiter_name(delimiter)}' or a quote out of place?)",
                row=number,
            )
    raise Unreadable(f"some rows do not have the header's {width} fields")


def _delimiter_name(delimiter: str) -> str:
    return "TAB" if delimiter == "\t" else delimiter


def _stripped_or_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    stripped = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)


def _without_blank_rows(table: pa.Table) -> pa.Table:
    cells = table.columns[1:]  # after _row_number
    if not cells:
        return table
    return table.filter(functools.reduce(pc.or_, [pc.is_valid(column) for column in cells]))


def _cells_table(row_numbers: pa.Array, columns: Sequence[pa.Array | pa.ChunkedArray]) -> pa.Table:
    """`_row_number` and the cell columns, named by position until `_frame` names them."""
    return pa.table([row_numbers, *columns], names=[ROW_NUMBER, *map(str, range(len(columns)))])


def _frame(header: Sequence[str], table: pa.Table) -> pd.DataFrame:
    """A parser-ready frame of `table` (`_row_number`, then cells): blank rows dropped, columns
    named by `header` (an unnamed, empty column is dropped, as the trailing one SurveyXact
    writes; an unnamed column with values is called `column <n>`)."""
    table = _without_blank_rows(table)
    names, keep = [ROW_NUMBER], [0]
    for position, name in enumerate(header, start=1):
        column = table.column(position)
        if not name and column.null_count == len(column):
            continue
        names.append(name or f"column {position}")
        keep.append(position)
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise Unreadable(f"the header names the same column twice: {', '.join(duplicates)}", row=1)
    selected = table.select(keep).rename_columns(names)
    return selected.to_pandas(types_mapper={pa.string(): STRING}.get)


# --------------------------------------------------------------------------------------------
# XLSX


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
    rows = _xlsx_rows(data, sheet)
    first = next(rows, None)
    if first is None:
        raise Unreadable("the Excel sheet is empty")
    _, header = first
    body = list(rows)
    width = max([len(header), *(len(cells) for _, cells in body)])
    padded = [cells + [None] * (width - len(cells)) for _, cells in body]
    columns = [pa.array(list(column), pa.string()) for column in zip(*padded)] or [pa.array([], pa.string())] * width
    row_numbers = pa.array([number for number, _ in body], pa.int64())
    table = _cells_table(row_numbers, columns)
    return _frame([name or "" for name in header] + [""] * (width - len(header)), table)


def xlsx_sheet_names(data: bytes) -> list[str]:
    """The names of the workbook's sheets, in order (Unreadable when `data` is no XLSX workbook)."""
    workbook = _open_workbook(data)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def first_rows(data: bytes, count: int) -> list[list[str]]:
    """The first `count` non-blank rows of a CSV or XLSX file, as strings; for sniffing formats."""
    if is_xlsx(data):
        return [[cell or "" for cell in cells] for _, cells in islice(_xlsx_rows(data, None), count)]
    text = decode_text(data)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    return [[cell.strip() for cell in record] for record in islice((r for r in records if r), count)]


def table_frame(data: bytes) -> pd.DataFrame:
    """A one-header-row table from either a CSV or an XLSX file (judged from the bytes)."""
    return xlsx_frame(data) if is_xlsx(data) else csv_frame(data)


_WORKBOOK_ERRORS = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, ParseError)


def _xlsx_rows(data: bytes, sheet: str | None) -> Iterator[tuple[int, list[str | None]]]:
    """(worksheet row number, cell texts) of every non-empty row."""
    workbook = _open_workbook(data)
    try:
        names = {name.casefold(): name for name in workbook.sheetnames}
        worksheet = workbook[names.get((sheet or "").casefold(), workbook.sheetnames[0])]
        worksheet.reset_dimensions()  # trust the cells, not the size the writer recorded
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


def _open_workbook(data: bytes) -> openpyxl.Workbook:
    ensure_xlsx(data)
    safe_zip_members(data)  # openpyxl would trust the sizes the archive declares: check them first
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
        if _looks_like_text(data):
            raise Unreadable("not an Excel workbook (it looks like a CSV file renamed .xlsx)")
        raise Unreadable("not an Excel workbook (the file is damaged or in another format)")
    if not is_xlsx(data):
        raise Unreadable("not an Excel workbook (it is a zip archive of other files)")


def _looks_like_text(data: bytes) -> bool:
    try:
        text = decode_text(data)
    except Unreadable:
        return False
    return "".join(text.split()).isprintable()  # binary data decodes to control characters


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


# --------------------------------------------------------------------------------------------
# Zip archives


def safe_zip_members(data: bytes, *, max_total_bytes: int = 2 * 1024**3, max_ratio: int = 200) -> dict[str, bytes]:
    """Every file in the archive, by its name inside the archive.

    Refuses names that could escape a folder (`../`, absolute paths, drive letters) and archives
    that inflate to more than `max_total_bytes`, or to more than `max_ratio` times the archive's
    size. Inflated bytes are counted while inflating: the sizes an archive declares may lie.
    """
    budget = min(max_total_bytes, max_ratio * len(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Unreadable("the file is not a readable zip archive") from None
    members: dict[str, bytes] = {}
    inflated = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            _check_member_name(info.filename)
            if info.flag_bits & 0x1:
                raise Unreadable(f"the zip archive is password-protected ({info.filename})")
            if info.filename in members:
                raise Unreadable(f"the zip archive holds two files named {info.filename}")
            chunks = []
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(1 << 16):
                        inflated += len(chunk)
                        if inflated > budget:
                            raise Unreadable(
                                f"the zip archive inflates to more than {budget:,} bytes "
                                f"(limit: {max_ratio} times its size, at most {max_total_bytes:,}); "
                                "refused as a possible zip bomb"
                            )
                        chunks.append(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
                raise Unreadable(f"the zip archive is damaged: {info.filename} cannot be unpacked") from None
            members[info.filename] = b"".join(chunks)
    return members


def _check_member_name(name: str) -> None:
    parts = re.split(r"[\\/]", name)
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise Unreadable(f"the zip archive holds a file with an unsafe name ({name!r}): it points outside the archive")


# --------------------------------------------------------------------------------------------
# Typed columns


class Converted(NamedTuple):
    values: pd.Series  # typed; <NA> where empty or not convertible
    unparsed: pd.Series  # STRING: the original text where conversion failed, else <NA>


EMAIL_PATTERN = r"[^\s@<>]+@[^\s@<>]+"


def unparsed_text(text: pd.Series, failed: pd.Series) -> pd.Series:
    """The original text where `failed`, else <NA>; e-mail addresses blanked out (it is shown to users)."""
    return text.where(failed.fillna(False)).str.replace(EMAIL_PATTERN, "<e-mail>", regex=True)


def clean_text(series: pd.Series) -> pd.Series:
    """STRING, stripped, empty -> <NA>."""
    stripped = series.astype(STRING).str.strip()
    return stripped.mask(stripped == "")


def _converted(text: pd.Series, values: pd.Series) -> Converted:
    return Converted(values, unparsed_text(text, values.isna() & text.notna()))


# A single '.' or ',' is the decimal mark; thousands separators are recognised only where
# unambiguous, so "1.234" is 1.234 (and FTE "0.800" stays 0.8) while "1.234,5" is 1234.5.
_PLAIN_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"  # 0.8  1234.5  12
_DANISH_NUMBER = (
    r"[+-]?(?:(?:\d{1,3}(?:[. ]\d{3})+|\d*),\d+"  # 0,8  1.234,5  1 234,5  ,5
    r"|\d{1,3}(?:(?:\.\d{3}){2,}|(?: \d{3})+))"  # 1.234.567  1 234
)
_ENGLISH_NUMBER = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,234.5  1,234,567 (a lone "1,234" is Danish)


def parse_numbers(series: pd.Series) -> Converted:
    """NUMBER values from Danish (`0,8`, `1.234,5`), plain (`0.8`) and English (`1,234.5`) forms."""
    text = clean_text(series).str.replace("\u00a0", " ")
    plain = text.str.fullmatch(_PLAIN_NUMBER).fillna(False)
    danish = text.str.fullmatch(_DANISH_NUMBER).fillna(False) & ~plain
    english = text.str.fullmatch(_ENGLISH_NUMBER).fillna(False) & ~plain & ~danish
    normalised = (
        text.where(plain)
        .fillna(text.where(danish).str.replace(r"[. ]", "", regex=True).str.replace(",", "."))
        .fillna(text.where(english).str.replace(",", ""))
    )
    return _converted(text, pd.to_numeric(normalised, errors="coerce").astype(NUMBER))


_DAY_FIRST_DATE = r"(?P<day>\d{1,2})[-.](?P<month>\d{1,2})[-.](?P<year>\d{4})"  # 31-12-2025  31.12.2025
_ISO_DATE = r"(?P<iso_year>\d{4})-(?P<iso_month>\d{1,2})-(?P<iso_day>\d{1,2})"  # 2025-12-31
_TIME_OF_DAY = (  # 14:05  14.05  T14:05:30  14:05:30.123
    r"(?:[ T](?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
    r"(?:[:.](?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?)?"
)
_UTC_OFFSET = r"\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?"
_DATE_TIME = f"^(?:{_DAY_FIRST_DATE}|{_ISO_DATE}){_TIME_OF_DAY}{_UTC_OFFSET}$"
_EXCEL_SERIAL = r"\d{5}(?:\.\d+)?"  # days since 1899-12-30: 45657 is 2024-12-31 (5 digits: 1927-2173)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def parse_timestamps(series: pd.Series) -> Converted:
    """TIMESTAMP values: the date forms of parse_dates, optionally with a time (`14:05`,
    `14:05:30`, `T14:05:30.123`) and a UTC offset (`Z`, `+02:00`), or an Excel serial with a fraction.

    Times without an offset are taken as Danish local time, as written; times with one are
    converted to Danish local time, so one column compares correctly whatever form its cells took.
    """
    text = clean_text(series)
    return _converted(text, _datetimes(text).astype(TIMESTAMP))


def parse_dates(series: pd.Series) -> Converted:
    """DATE values from `31-12-2025`, `31.12.2025`, `2025-12-31` or an Excel serial (45657);
    a time of day after the date is ignored (a timestamp with an offset gives its Danish date)."""
    text = clean_text(series)
    return _converted(text, _datetimes(text).dt.normalize().astype(DATE))


def _datetimes(text: pd.Series) -> pd.Series:
    """datetime64[us] in Danish local time; NaT where `text` is not a valid date or timestamp."""
    parts = extract_groups(text, _DATE_TIME)
    # one date form takes part in a match; the other's groups are '', so joining picks the one found
    year, month, day = (parts[name] + parts[f"iso_{name}"] for name in ("year", "month", "day"))

    def two_digits(part: pd.Series) -> pd.Series:  # '' (no time given) becomes 00
        return part.str.pad(2, fillchar="0")

    microseconds = parts["fraction"].str.pad(6, "right", "0").str.slice(0, 6)
    iso = (
        year
        + "-"
        + two_digits(month)
        + "-"
        + two_digits(day)
        + " "
        + two_digits(parts["hour"])
        + ":"
        + two_digits(parts["minute"])
        + ":"
        + two_digits(parts["second"])
        + "."
        + microseconds
    )
    # the format rejects impossible calendar dates and times (31-02-2025, 25:00)
    local = pd.to_datetime(iso, format="%Y-%m-%d %H:%M:%S.%f", errors="coerce").astype("datetime64[us]")
    with_offset = (parts["offset"] != "").fillna(False) & local.notna()
    if with_offset.any():
        utc = local[with_offset] - _utc_offset(parts.loc[with_offset, "offset"])
        local[with_offset] = utc.dt.tz_localize("UTC").dt.tz_convert(DANISH_TIME_ZONE).dt.tz_localize(None)
    is_serial = text.str.fullmatch(_EXCEL_SERIAL).fillna(False)
    if is_serial.any():
        days = pd.to_numeric(text[is_serial]).astype("float64")
        local[is_serial] = (_EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).dt.round("s")
    return local


def _utc_offset(offset: pd.Series) -> pd.Series:
    """The timedelta east of UTC of `Z`, `+02`, `+0200`, `+02:00`, `-04:00`."""
    parts = extract_groups(offset.replace("Z", "+00"), r"^(?P<sign>[+-])(?P<hours>\d{2}):?(?P<minutes>\d{2})?$")
    minutes = parts["hours"].astype("int64") * 60 + parts["minutes"].replace("", "0").astype("int64")
    return pd.to_timedelta(minutes.where(parts["sign"] == "+", -minutes), unit="min")


def extract_groups(text: pd.Series, pattern: str) -> pd.DataFrame:
    """One STRING column per named group of `pattern`, matched by Arrow (vectorised, RE2 syntax):
    <NA> in rows that do not match, '' for a group that took no part in the match."""
    found = pc.extract_regex(pa.array(text.astype(STRING)), pattern)
    names = [found.type.field(i).name for i in range(found.type.num_fields)]
    table = pa.table([pc.struct_field(found, name) for name in names], names=names)
    return table.to_pandas(types_mapper={pa.string(): STRING}.get).set_axis(text.index)


_TRUE = {"1", "true", "ja", "yes", "sand"}
_FALSE = {"0", "false", "nej", "no", "falsk"}


def parse_flags(series: pd.Series) -> Converted:
    """FLAG values from 1/0, true/false, ja/nej, yes/no (any case)."""
    text = clean_text(series)
    lowered = text.str.lower()
    values = pd.Series(pd.NA, index=text.index, dtype=FLAG)
    return _converted(text, values.mask(lowered.isin(_TRUE), True).mask(lowered.isin(_FALSE), False))


def _one(convert: Callable[[pd.Series], Converted], value: object) -> object:
    result = convert(pd.Series([value], dtype=object))
    if result.unparsed.notna().iloc[0]:
        raise ValueError(f"cannot read {value!r}")
    converted = result.values.iloc[0]
    return None if pd.isna(converted) else converted


def parse_danish_number(text: object) -> float | None:
    """One value as parse_numbers reads it; None when empty, ValueError when not a number."""
    value = _one(parse_numbers, text)
    return None if value is None else float(value)


def parse_date(text: object) -> dt.date | None:
    """One value as parse_dates reads it; None when empty, ValueError when not a date."""
    return _one(parse_dates, text)


def parse_timestamp(text: object) -> dt.datetime | None:
    """One value as parse_timestamps reads it; None when empty, ValueError when not a timestamp."""
    value = _one(parse_timestamps, text)
    return None if value is None else value.to_pydatetime()


# --------------------------------------------------------------------------------------------
# Helpers for parsers


def header_key(name: str) -> str:
    """A header as compared: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def require_columns(frame: pd.DataFrame, required: Iterable[str], optional: Iterable[str] = ()) -> pd.DataFrame:
    """`frame` with the `required` and `optional` columns renamed to exactly those names (headers
    match regardless of case and spacing); Unreadable naming the required columns not found.

    The message never lists the header found: in a file without a header row, that is a person's data.
    """
    required = list(required)
    present = {header_key(column): column for column in frame.columns}
    renames = {present[header_key(name)]: name for name in [*required, *optional] if header_key(name) in present}
    missing = [name for name in required if header_key(name) not in present]
    if missing:
        hint = " (is the header row missing, or the delimiter not ; , or TAB?)" if len(missing) == len(required) else ""
        raise Unreadable(f"the header lacks the required column(s) {', '.join(missing)}{hint}", row=1)
    return frame.rename(columns=renames)


def frame_with_unparsed(columns: Mapping[str, pd.Series | Converted]) -> pd.DataFrame:
    """A frame of the given columns, each Converted one followed by its `<name>__unparsed` companion."""
    flat: dict[str, pd.Series] = {}
    for name, column in columns.items():
        if isinstance(column, Converted):
            flat[name], flat[f"{name}__unparsed"] = column.values, column.unparsed
        else:
            flat[name] = column
    return pd.DataFrame(flat)


def keyed(values: pd.Series, key: Callable[[str], str | None]) -> pd.Series:
    """STRING keys of the non-empty `values` (e.g. pseudonyms), each distinct value keyed once."""
    codes, distinct = pd.factorize(clean_text(values))  # code -1: empty
    keys = pa.array([*(key(value) for value in distinct.tolist()), None], pa.string())
    return pd.Series(keys.take(np.where(codes < 0, len(distinct), codes)), index=values.index, dtype=STRING)


def constant(value: object, like: pd.Series | pd.DataFrame, dtype: object = STRING) -> pd.Series:
    """A column holding `value` on every row of `like`."""
    return pd.Series([value] * len(like), index=like.index, dtype=dtype)


def month_start(period: str) -> dt.date:
    """`2025-06` -> 2025-06-01."""
    return dt.date.fromisoformat(f"{period}-01")
