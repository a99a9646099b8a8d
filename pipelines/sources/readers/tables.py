"""A table from either a CSV or an XLSX file, the form judged from the bytes."""

from __future__ import annotations

import csv
import io
from itertools import islice

import pandas as pd

from pipelines.sources.readers.csv import csv_frame, sniff_delimiter
from pipelines.sources.readers.text import decode_text
from pipelines.sources.readers.xlsx import is_xlsx, xlsx_frame, xlsx_rows


def first_rows(data: bytes, count: int) -> list[list[str]]:
    """The first `count` non-blank rows of a CSV or XLSX file, as strings; for sniffing formats."""
    if is_xlsx(data):
        return [[cell or "" for cell in cells] for _, cells in islice(xlsx_rows(data, None), count)]
    text = decode_text(data)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    return [[cell.strip() for cell in record] for record in islice((r for r in records if r), count)]


def table_frame(data: bytes) -> pd.DataFrame:
    """A one-header-row table from either a CSV or an XLSX file (judged from the bytes)."""
    return xlsx_frame(data) if is_xlsx(data) else csv_frame(data)
