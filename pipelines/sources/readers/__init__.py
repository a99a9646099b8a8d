"""Bytes to tables: encodings, delimiters, Danish numbers and dates, XLSX workbooks, safe zip archives.

Every parser reads through this package, so a file is read the same way whatever its source.

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

Modules: `text` (bytes to text), `csv` (CSV text to tables), `xlsx` (workbooks), `zip` (safe
archives), `tables` (CSV or XLSX, judged from the bytes), `values` (typed columns), `frames` (the
shared table shape), `columns` (helpers parsers share). Parsers import from the package itself.
"""

from __future__ import annotations

from pipelines.sources.readers.columns import (
    constant,
    frame_with_unparsed,
    header_key,
    keyed,
    month_start,
    require_columns,
)
from pipelines.sources.readers.csv import DELIMITERS, csv_frame, read_csv_table
from pipelines.sources.readers.frames import ROW_NUMBER, STRING, stripped_or_null
from pipelines.sources.readers.tables import first_rows, table_frame
from pipelines.sources.readers.text import OLE2_MAGIC, ZIP_MAGIC, decode_text
from pipelines.sources.readers.values import (
    DANISH_TIME_ZONE,
    DATE,
    EMAIL_PATTERN,
    FLAG,
    NUMBER,
    TIMESTAMP,
    Converted,
    clean_text,
    extract_groups,
    parse_danish_number,
    parse_date,
    parse_dates,
    parse_flags,
    parse_numbers,
    parse_timestamp,
    parse_timestamps,
    unparsed_text,
)
from pipelines.sources.readers.xlsx import ensure_xlsx, is_xlsx, xlsx_frame, xlsx_sheet_names
from pipelines.sources.readers.zip import safe_zip_members

__all__ = [
    "DANISH_TIME_ZONE",
    "DATE",
    "DELIMITERS",
    "EMAIL_PATTERN",
    "FLAG",
    "NUMBER",
    "OLE2_MAGIC",
    "ROW_NUMBER",
    "STRING",
    "TIMESTAMP",
    "ZIP_MAGIC",
    "Converted",
    "clean_text",
    "constant",
    "csv_frame",
    "decode_text",
    "ensure_xlsx",
    "extract_groups",
    "first_rows",
    "frame_with_unparsed",
    "header_key",
    "is_xlsx",
    "keyed",
    "month_start",
    "parse_danish_number",
    "parse_date",
    "parse_dates",
    "parse_flags",
    "parse_numbers",
    "parse_timestamp",
    "parse_timestamps",
    "read_csv_table",
    "require_columns",
    "safe_zip_members",
    "stripped_or_null",
    "table_frame",
    "unparsed_text",
    "xlsx_frame",
    "xlsx_sheet_names",
]
