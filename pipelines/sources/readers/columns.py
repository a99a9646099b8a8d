"""Helpers parsers share to shape their frames: headers matched, columns added, values keyed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from pipelines.sources.base import Unreadable
from pipelines.sources.readers.frames import STRING
from pipelines.sources.readers.values import Converted, clean_text


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


def keyed(values: pd.Series, keys_of: Callable[[list[str]], list[str | None]]) -> pd.Series:
    """STRING keys of the non-empty `values` (e.g. pseudonyms): the distinct values are keyed at once."""
    codes, distinct = pd.factorize(clean_text(values))  # code -1: empty
    keys = pa.array([*keys_of(distinct.tolist()), None], pa.string())
    return pd.Series(keys.take(np.where(codes < 0, len(distinct), codes)), index=values.index, dtype=STRING)


def constant(value: object, like: pd.Series | pd.DataFrame, dtype: object = STRING) -> pd.Series:
    """A column holding `value` on every row of `like`."""
    if dtype == STRING:  # built by Arrow: a Python list of a text per row was a large part of parsing a survey
        text = None if value is None or value is pd.NA else str(value)
        repeated = pa.repeat(pa.scalar(text, pa.string()), len(like))
        return pd.Series(repeated.to_pandas(types_mapper={pa.string(): STRING}.get).array, index=like.index)
    return pd.Series([value] * len(like), index=like.index, dtype=dtype)


def month_start(period: str) -> dt.date:
    """`2025-06` -> 2025-06-01."""
    return dt.date.fromisoformat(f"{period}-01")
