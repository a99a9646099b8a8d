"""CSV text to tables: the delimiter sniffed, rows parsed by Arrow, ragged rows named plainly."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from pipelines.sources.base import Unreadable
from pipelines.sources.readers.frames import cells_table, named_frame, stripped_or_null
from pipelines.sources.readers.text import decode_text

DELIMITERS = (";", "\t", ",")  # on a tie, the earlier wins: Danish exports prefer ';'


def read_csv_table(data: bytes, *, header_rows: int = 1) -> tuple[list[list[str]], list[list[str]]]:
    """(header rows, data rows) as stripped strings ('' for an empty cell).

    Data row i (0-based) is file row header_rows + i + 1 (a blank line is a row of '' cells).
    """
    headers, table = _read_csv(data, header_rows)
    columns = [column.to_pylist() for column in table.columns[1:]]
    rows = [[cell or "" for cell in row] for row in zip(*columns, strict=True)]
    return headers, rows


def csv_frame(data: bytes, *, header_rows: int = 1) -> pd.DataFrame:
    """The data rows (not blank ones) as a frame of STRING columns named by the first header row,
    plus `_row_number`."""
    headers, table = _read_csv(data, header_rows)
    return named_frame(headers[0] if headers else [], table)


def _read_csv(data: bytes, header_rows: int) -> tuple[list[list[str]], pa.Table]:
    """Header rows as strings, and the data rows as a table of `_row_number` and one stripped,
    empty-is-null string column per field."""
    text = decode_text(data)
    delimiter = sniff_delimiter(text)
    width = len(next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    try:
        table, has_ragged_rows = _arrow_csv(text, delimiter, width)
    except pa.ArrowInvalid as error:  # its message may quote the file: say it plainly instead
        if "straddl" not in str(error):
            raise Unreadable("the file cannot be read as CSV (a quote that is never closed?)") from None
        # a record longer than Arrow's block (1 MiB): a quote left open swallows the rest of the file,
        # or a field is really that long; a block as large as the file tells which
        try:
            table, has_ragged_rows = _arrow_csv(text, delimiter, width, block_size=len(text.encode("utf-8")) + 1)
        except pa.ArrowInvalid:
            raise Unreadable("the file cannot be read as CSV (a quote that is never closed?)") from None
    if has_ragged_rows:
        _raise_ragged(text, delimiter, width)
    if table.num_rows < header_rows:
        raise Unreadable(f"the file has {table.num_rows} row(s) but should start with {header_rows} header row(s)")
    columns = [stripped_or_null(column) for column in table.columns]
    headers = [
        [cell or "" for cell in row]
        for row in zip(*(column[:header_rows].to_pylist() for column in columns), strict=True)
    ]
    row_numbers = pa.array(np.arange(header_rows + 1, table.num_rows + 1, dtype="int64"))
    return headers, cells_table(row_numbers, [column[header_rows:] for column in columns])


def _arrow_csv(text: str, delimiter: str, width: int, block_size: int | None = None) -> tuple[pa.Table, bool]:
    """Every record of `text` as `width` string columns, parsed by Arrow (fast, vectorised), and
    whether some records had another number of fields (those are left out)."""
    ragged_rows = []

    def skip_ragged(row: pa_csv.InvalidRow) -> str:
        ragged_rows.append(row.number)
        return "skip"

    table = pa_csv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        read_options=pa_csv.ReadOptions(
            autogenerate_column_names=True, **({"block_size": block_size} if block_size else {})
        ),
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


def sniff_delimiter(text: str) -> str:
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
