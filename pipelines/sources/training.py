"""Training records (docs/files.md) -> `raw.training_records`, from either form the LMS delivers:

- an LMS completion report (CSV, any encoding, delimiter and date form of the contract):
  `user_email` and/or `medarbejdernr`, `course_id`, `status`, `completed_at`, `hours`;
- xAPI statements as JSON lines: `id`, `actor.mbox` (`mailto:` e-mail), `verb.id`, `object.id`
  (ending in the course id), `result.duration` (ISO 8601), `timestamp`.

The form is judged from the content (a first character `{` is JSON lines), not only the extension.

tables["training_records"]: _row_number, kommunekode, file_month (DATE, 1st of the name's month),
record_format ('lms_csv' | 'xapi'), statement_id (xAPI id; <NA> for CSV), email_key and
empno_key (link keys of the e-mail and of the employee number; either may be <NA>), course_id,
status (CSV: `completed` / `in_progress` / `not_started`, lower-cased, spaces and hyphens as `_`;
xAPI: the verb id's last segment), verb_id (xAPI verb IRI; <NA> for CSV), completed_at
(TIMESTAMP, Europe/Copenhagen wall clock: CSV times are read as written, xAPI timestamps
converted from their offset, or from UTC when they have none, as xAPI 1.0.3 §4.6 permits),
completed_month (DATE, 1st of completed_at's Copenhagen month), hours (CSV `hours`), duration_hours
(xAPI `result.duration` in hours).

What counts as a completion, the fallback for hours and the linking to people are dbt's business
(dbt_project/models/staging/training, intermediate/training): the parser keeps every row as given.
The e-mail is never kept: only its link key (lower-cased, trimmed, `mailto:` removed), the same key
HR rows carry as email_key.

validation_frame: the table's columns, each converted one followed by `<col>__unparsed`, and the
flags the suite checks: has_learner, status_given, timestamp_given, statement_id_given; plus
lms_status (the CSV status, <NA> for xAPI rows) for the allowed-values rule.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from pipelines.sources.base import FileName, ParseContext, ParsedFile, Unreadable
from pipelines.sources.readers import (
    DATE,
    FLAG,
    NUMBER,
    ROW_NUMBER,
    STRING,
    TIMESTAMP,
    Converted,
    clean_text,
    constant,
    csv_frame,
    decode_text,
    extract_groups,
    frame_with_unparsed,
    keyed,
    month_start,
    parse_numbers,
    parse_timestamps,
    require_columns,
    unparsed_text,
)

TABLE = "training_records"
LMS_CSV, XAPI = "lms_csv", "xapi"
TABLE_COLUMNS = (
    ROW_NUMBER,
    "kommunekode",
    "file_month",
    "record_format",
    "statement_id",
    "email_key",
    "empno_key",
    "course_id",
    "status",
    "verb_id",
    "completed_at",
    "completed_month",
    "hours",
    "duration_hours",
)


def parse(data: bytes, file: FileName, context: ParseContext) -> ParsedFile:
    text = decode_text(data)
    first_character = text.lstrip("\ufeff \t\r\n")[:1]
    if first_character == "{":
        columns, record_format = _xapi_columns(text, file, context), XAPI
    elif first_character == "[":
        raise Unreadable("the file is a JSON array; xAPI statements must come as JSON lines (one statement a line)")
    else:
        columns, record_format = _lms_columns(data, file, context), LMS_CSV
    rows = columns[ROW_NUMBER]
    completed_at = columns["completed_at"]
    common = {
        ROW_NUMBER: rows,
        "kommunekode": constant(file.kommunekode, rows),
        "file_month": constant(month_start(file.period), rows, DATE),
        "record_format": constant(record_format, rows),
        "statement_id": columns["statement_id"],
        "email_key": columns["email_key"],
        "empno_key": columns["empno_key"],
        "course_id": columns["course_id"],
        "status": columns["status"],
        "verb_id": columns["verb_id"],
        "completed_at": completed_at,
        "completed_month": month_of(completed_at.values),
        "hours": columns["hours"],
        "duration_hours": columns["duration_hours"],
        "has_learner": (columns["email_key"].notna() | columns["empno_key"].notna()).astype(FLAG),
        "status_given": columns["status"].notna().astype(FLAG),
        "timestamp_given": columns["timestamp_given"],
        "statement_id_given": columns["statement_id_given"],
        "lms_status": columns["status"]
        if record_format == LMS_CSV
        else pd.Series(pd.NA, index=rows.index, dtype=STRING),
    }
    checked = frame_with_unparsed(common)
    return ParsedFile(
        tables={TABLE: checked[list(TABLE_COLUMNS)]},
        validation_frame=checked,
        rows_read=len(checked),
        notes={"record_format": record_format},
    )


def month_of(timestamps: pd.Series) -> pd.Series:
    """DATE: the first day of each (Copenhagen wall-clock) timestamp's month."""
    floored = pc.floor_temporal(pa.array(timestamps.astype(TIMESTAMP)), unit="month")
    return pd.Series(pc.cast(floored, pa.date32()), index=timestamps.index, dtype=DATE)


# --------------------------------------------------------------------------------------------
# LMS completion report (CSV)


def _lms_columns(data: bytes, file: FileName, context: ParseContext) -> dict[str, object]:
    rows = require_columns(
        csv_frame(data), ("course_id", "status", "completed_at"), optional=("user_email", "medarbejdernr", "hours")
    )
    if "user_email" not in rows.columns and "medarbejdernr" not in rows.columns:
        raise Unreadable("the header has neither user_email nor medarbejdernr: the learners cannot be told", row=1)
    kommunekode = file.kommunekode
    missing = pd.Series(pd.NA, index=rows.index, dtype=STRING)
    emails = email_refs(rows["user_email"]) if "user_email" in rows.columns else missing
    numbers = rows["medarbejdernr"] if "medarbejdernr" in rows.columns else missing
    hours = (
        parse_numbers(rows["hours"])
        if "hours" in rows.columns
        else Converted(pd.Series(pd.NA, index=rows.index, dtype=NUMBER), missing)
    )
    return {
        ROW_NUMBER: rows[ROW_NUMBER],
        "statement_id": missing,
        "email_key": keyed(emails, lambda email: context.link_key(kommunekode, email)),
        "empno_key": keyed(numbers, lambda number: context.link_key(kommunekode, number)),
        "course_id": clean_text(rows["course_id"]),
        "status": lms_status(rows["status"]),
        "verb_id": missing,
        "completed_at": parse_timestamps(rows["completed_at"]),
        "hours": hours,
        "duration_hours": Converted(pd.Series(pd.NA, index=rows.index, dtype=NUMBER), missing),
        "timestamp_given": constant(True, rows, FLAG),  # an unfinished course has no completed_at
        "statement_id_given": constant(True, rows, FLAG),
    }


def lms_status(series: pd.Series) -> pd.Series:
    """`Completed`, ` in progress `, `Not-started` -> completed, in_progress, not_started."""
    return _per_distinct(series, lambda status: re.sub(r"[\s-]+", "_", status.strip().lower()) or None)


def email_refs(series: pd.Series) -> pd.Series:
    """E-mail references as HR compares them: `mailto:` (any case) and surrounding spaces removed."""
    return _per_distinct(series, lambda email: re.sub(r"(?i)^\s*mailto:", "", email).strip() or None)


def _per_distinct(series: pd.Series, convert) -> pd.Series:
    """STRING: `convert` applied once per distinct non-empty value (few distinct values, many rows)."""
    codes, distinct = pd.factorize(clean_text(series))
    converted = pa.array([*(convert(value) for value in distinct.tolist()), None], pa.string())
    return pd.Series(converted.take(np.where(codes < 0, len(distinct), codes)), index=series.index, dtype=STRING)


# --------------------------------------------------------------------------------------------
# xAPI statements (JSON lines)

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


def _xapi_columns(text: str, file: FileName, context: ParseContext) -> dict[str, object]:
    statements = _statements(text)
    kommunekode = file.kommunekode
    verb = clean_text(statements["verb"])
    timestamp = clean_text(statements["timestamp"])
    statement_id = clean_text(statements["id"])
    return {
        ROW_NUMBER: statements[ROW_NUMBER],
        "statement_id": statement_id,
        "email_key": keyed(email_refs(statements["mbox"]), lambda email: context.link_key(kommunekode, email)),
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
