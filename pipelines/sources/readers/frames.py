"""The table shape every reader hands to parsers: `_row_number`, then one STRING column per header name."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.sources.base import Unreadable

STRING = pd.StringDtype("pyarrow")
ROW_NUMBER = "_row_number"


def stripped_or_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    stripped = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)


def _without_blank_rows(table: pa.Table) -> pa.Table:
    cells = table.columns[1:]  # after _row_number
    if not cells:
        return table
    return table.filter(functools.reduce(pc.or_, [pc.is_valid(column) for column in cells]))


def cells_table(row_numbers: pa.Array, columns: Sequence[pa.Array | pa.ChunkedArray]) -> pa.Table:
    """`_row_number` and the cell columns, named by position until `named_frame` names them."""
    return pa.table([row_numbers, *columns], names=[ROW_NUMBER, *map(str, range(len(columns)))])


def named_frame(header: Sequence[str], table: pa.Table) -> pd.DataFrame:
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
