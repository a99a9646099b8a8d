"""Training records from xAPI statements, one JSON object a line: `id`, `actor.mbox`, `verb.id`,
`object.id`, `result.duration`, `timestamp`."""

from __future__ import annotations

import io
import json
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from pipelines.sources.base import FileName, ParseContext, Unreadable
from pipelines.sources.readers import (
    FLAG,
    NUMBER,
    ROW_NUMBER,
    STRING,
    Converted,
    clean_text,
    extract_groups,
    keyed,
    parse_timestamps,
    unparsed_text,
)
from pipelines.sources.training.refs import email_refs

XAPI = "xapi"

_XAPI_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("actor", pa.struct([("mbox", pa.string())])),
        ("verb", pa.struct([("id", pa.string())])),
        ("object", pa.struct([("id", pa.string())])),
        ("result", pa.struct([("duration", pa.string())])),
        ("timestamp", pa.string()),
    ]
)
_FIELDS = {  # column -> path in the statement
    "id": ("id",),
    "mbox": ("actor", "mbox"),
    "verb": ("verb", "id"),
    "object": ("object", "id"),
    "duration": ("result", "duration"),
    "timestamp": ("timestamp",),
}


def xapi_columns(text: str, file: FileName, context: ParseContext) -> dict[str, object]:
    statements = _statements(text)
    kommunekode = file.kommunekode
    verb = clean_text(statements["verb"])
    timestamp = clean_text(statements["timestamp"])
    statement_id = clean_text(statements["id"])
    return {
        ROW_NUMBER: statements[ROW_NUMBER],
        "statement_id": statement_id,
        "email_key": keyed(email_refs(statements["mbox"]), partial(context.link_keys, kommunekode)),
        "empno_key": pd.Series(pd.NA, index=statements.index, dtype=STRING),
        "course_id": course_id_of(statements["object"]),
        "status": extract_groups(verb, r"(?P<segment>[^/#:]+)/*$")["segment"],
        "verb_id": verb,
        "completed_at": xapi_timestamps(timestamp),
        "hours": Converted(
            pd.Series(pd.NA, index=statements.index, dtype=NUMBER),
            pd.Series(pd.NA, index=statements.index, dtype=STRING),
        ),
        "duration_hours": iso_durations(statements["duration"]),
        "timestamp_given": timestamp.notna().astype(FLAG),
        "statement_id_given": statement_id.notna().astype(FLAG),
    }


def _statements(text: str) -> pd.DataFrame:
    """One STRING column per field of _FIELDS and `_row_number` (the line of the file, 1-based).

    Arrow reads well-formed files (fast). A file Arrow refuses, or one with blank lines (Arrow
    skips them, so its rows would not be the file's lines), is read again line by line, which
    also finds the line to name in a message (without quoting it: it may hold an e-mail).
    """
    body = text.strip("\n")
    try:
        table = pa_json.read_json(
            io.BytesIO(body.encode("utf-8")),
            read_options=pa_json.ReadOptions(block_size=1 << 24),
            parse_options=pa_json.ParseOptions(explicit_schema=_XAPI_SCHEMA, unexpected_field_behavior="ignore"),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return _statements_line_by_line(text)
    if table.num_rows != body.count("\n") + 1:
        return _statements_line_by_line(text)
    first_line = len(text) - len(text.lstrip("\n")) + 1  # after blank lines at the start
    frame = pd.DataFrame({name: _field(table, path) for name, path in _FIELDS.items()})
    frame.insert(0, ROW_NUMBER, np.arange(first_line, first_line + len(frame), dtype="int64"))
    return frame


def _field(table: pa.Table, path: tuple[str, ...]) -> pd.Series:
    column = table.column(path[0])
    for name in path[1:]:
        column = pa.chunked_array([chunk.field(name) for chunk in column.chunks], type=column.type.field(name).type)
    return column.to_pandas(types_mapper={pa.string(): STRING}.get).astype(STRING)


def _statements_line_by_line(text: str) -> pd.DataFrame:
    records: dict[str, list] = {ROW_NUMBER: [], **{name: [] for name in _FIELDS}}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            statement = json.loads(line)
        except ValueError:
            raise Unreadable(
                f"row {number} is not valid JSON (xAPI statements come one a line, as JSON lines)", row=number
            ) from None
        if not isinstance(statement, dict):
            raise Unreadable(f"row {number} is not a JSON object (an xAPI statement)", row=number)
        records[ROW_NUMBER].append(number)
        for name, path in _FIELDS.items():
            records[name].append(_text(_get(statement, path)))
    if not records[ROW_NUMBER]:
        raise Unreadable("the file holds no xAPI statement")
    frame = pd.DataFrame(
        {name: pd.Series(values, dtype=STRING) for name, values in records.items() if name != ROW_NUMBER}
    )
    frame.insert(0, ROW_NUMBER, pd.Series(records[ROW_NUMBER], dtype="int64"))
    return frame


def _get(statement: dict, path: tuple[str, ...]) -> object:
    value: object = statement
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _text(value: object) -> str | None:
    """A field as text; a number or object where text belongs is kept as its JSON, so validation shows it."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def course_id_of(object_ids: pd.Series) -> pd.Series:
    """The course id an activity IRI ends in: `https://lms.x.dk/xapi/activities/course/K103` -> K103
    (also after `#`, `:` or `=`, and with trailing slashes)."""
    return clean_text(extract_groups(clean_text(object_ids), r"(?P<course_id>[^/#:=?]+)/*$")["course_id"])


_UTC_OFFSET_AT_END = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def xapi_timestamps(timestamps: pd.Series) -> Converted:
    """Copenhagen wall-clock TIMESTAMPs of xAPI timestamps; one without an offset is UTC (xAPI 1.0.3 §4.6)."""
    text = clean_text(timestamps)
    has_time = text.str.contains(r"\d[T ]\d", regex=True).fillna(False)
    without_offset = has_time & ~text.str.contains(_UTC_OFFSET_AT_END, regex=True).fillna(False)
    converted = parse_timestamps(text.where(~without_offset, text + "Z"))
    return Converted(converted.values, unparsed_text(text, converted.values.isna() & text.notna()))


_DURATION = (
    r"^P(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$"
)
_HOURS_PER = {"weeks": 168.0, "days": 24.0, "hours": 1.0, "minutes": 1 / 60, "seconds": 1 / 3600}


def iso_durations(durations: pd.Series) -> Converted:
    """Hours (NUMBER) of ISO 8601 durations: `PT1H30M` -> 1.5, `PT45M`, `PT5400S`, `P1DT2H`, `PT1,5H`.

    Years and months (`P1M`) have no fixed length in hours and are not read; nor are `P` or `PT` alone.
    """
    text = clean_text(durations)
    upper = text.str.upper()
    parts = extract_groups(upper, _DURATION)
    hours = pd.Series(0.0, index=text.index, dtype="Float64")
    for unit, factor in _HOURS_PER.items():
        hours = hours + _amounts(parts[unit]).fillna(0.0) * factor
    some_part = parts[list(_HOURS_PER)].fillna("").ne("").any(axis=1)
    ends_well = ~upper.str.endswith("T").fillna(False)
    valid = parts["weeks"].notna() & some_part & ends_well
    values = hours.where(valid).astype(NUMBER)
    return Converted(values, unparsed_text(text, values.isna() & text.notna()))


def _amounts(parts: pd.Series) -> pd.Series:
    """Float64 of digit strings with an optional '.' or ',' decimal mark ('' or <NA>: <NA>), cast by Arrow."""
    text = pa.array(parts.astype(STRING))
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), pc.replace_substring(text, ",", "."))
    return pd.Series(pc.cast(text, pa.float64()), index=parts.index, dtype="Float64")
