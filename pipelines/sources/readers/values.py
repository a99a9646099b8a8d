"""Typed columns from text: Danish numbers, dates, timestamps and flags, vectorised.

Each converter returns a `Converted`: the typed values, and the original text of every cell it
could not convert (<NA> where conversion succeeded or the cell was empty).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.sources.readers.frames import STRING

DATE = pd.ArrowDtype(pa.date32())
TIMESTAMP = pd.ArrowDtype(pa.timestamp("us"))
NUMBER = "Float64"
FLAG = "boolean"
DANISH_TIME_ZONE = "Europe/Copenhagen"


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
    """datetime64[us] in Danish local time; NaT where `text` is not a valid date or timestamp. Each distinct
    text is converted once: an HR extract repeats its few thousand dates over its rows."""
    codes, distinct = pd.factorize(text)
    if len(distinct) == len(text):
        return _distinct_datetimes(text)
    converted = _distinct_datetimes(pd.Series(distinct, dtype=STRING)).to_numpy()
    with_missing = np.append(converted, np.datetime64("NaT", "us"))  # code -1: an empty cell
    return pd.Series(with_missing[codes], index=text.index, dtype="datetime64[us]")


def _distinct_datetimes(text: pd.Series) -> pd.Series:
    # the text is put together in Arrow: pandas costs a millisecond an operation, more than a file's dates
    values = pa.array(text.astype(STRING)).cast(pa.string())  # large strings when pandas had objects
    found = pc.extract_regex(values, _DATE_TIME)  # null where the text is no date

    def part(name: str) -> pa.Array:
        return pc.struct_field(found, name)

    def two_digits(piece: pa.Array) -> pa.Array:  # '' (no time given) becomes 00
        return pc.utf8_lpad(piece, 2, "0")

    def joined(*pieces: pa.Array, separator: str = "") -> pa.Array:
        return pc.binary_join_element_wise(*pieces, separator)

    # one date form takes part in a match; the other's groups are '', so joining picks the one found
    year, month, day = (joined(part(name), part(f"iso_{name}")) for name in ("year", "month", "day"))
    iso = joined(
        joined(year, two_digits(month), two_digits(day), separator="-"),
        joined(two_digits(part("hour")), two_digits(part("minute")), two_digits(part("second")), separator=":"),
        separator=" ",
    )
    microseconds = pc.utf8_slice_codeunits(pc.utf8_rpad(part("fraction"), 6, "0"), 0, 6)
    iso = joined(iso, microseconds, separator=".")
    # the format rejects impossible calendar dates and times (31-02-2025, 25:00)
    local = pd.to_datetime(_series(iso, text.index), format="%Y-%m-%d %H:%M:%S.%f", errors="coerce").astype(
        "datetime64[us]"
    )
    offset = _series(part("offset"), text.index)
    with_offset = (offset != "").fillna(False) & local.notna()
    if with_offset.any():
        utc = local[with_offset] - _utc_offset(offset[with_offset])
        local[with_offset] = utc.dt.tz_localize("UTC").dt.tz_convert(DANISH_TIME_ZONE).dt.tz_localize(None)
    is_serial = _series(pc.fill_null(pc.match_substring_regex(values, f"^(?:{_EXCEL_SERIAL})$"), False), text.index)
    if is_serial.any():
        days = pd.to_numeric(text[is_serial]).astype("float64")
        local[is_serial] = (_EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).dt.round("s")
    return local


def _series(values: pa.Array, index: pd.Index) -> pd.Series:
    """An Arrow array as a pandas Series on `index` (strings as STRING, booleans as numpy bool)."""
    return values.to_pandas(types_mapper={pa.string(): STRING}.get).set_axis(index)


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
