"""Training records (docs/files.md) -> `raw.training_records`, from either form the LMS delivers:

- an LMS completion report (CSV, any encoding, delimiter and date form docs/files.md lists):
  `user_email` and/or `medarbejdernr`, `course_id`, `status`, `completed_at`, `hours`;
- xAPI statements as JSON lines: `id`, `actor.mbox` (`mailto:` e-mail), `verb.id`, `object.id`
  (ending in the course id), `result.duration` (ISO 8601), `timestamp`.

The form is judged from the content (a first character `{` is JSON lines), not only the extension;
`lms_csv` and `xapi` each read their form into the same columns, which `parse` assembles.

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
flags the suite checks: has_learner, not_after_file_month, status_given, timestamp_given, statement_id_given; plus
lms_status (the CSV status, <NA> for xAPI rows) for the allowed-values rule.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.sources.base import FileName, ParseContext, ParsedFile, Unreadable
from pipelines.sources.readers import (
    DATE,
    FLAG,
    ROW_NUMBER,
    STRING,
    TIMESTAMP,
    constant,
    decode_text,
    frame_with_unparsed,
    month_start,
)
from pipelines.sources.training.lms_csv import LMS_CSV, lms_columns, lms_status
from pipelines.sources.training.refs import email_refs
from pipelines.sources.training.xapi import (
    XAPI,
    _statements,
    _statements_line_by_line,
    course_id_of,
    iso_durations,
    xapi_columns,
    xapi_timestamps,
)

__all__ = [
    "LMS_CSV",
    "TABLE",
    "TABLE_COLUMNS",
    "XAPI",
    "_statements",
    "_statements_line_by_line",
    "course_id_of",
    "email_refs",
    "iso_durations",
    "lms_status",
    "month_of",
    "parse",
    "xapi_timestamps",
]

TABLE = "training_records"
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
        columns, record_format = xapi_columns(text, file, context), XAPI
    elif first_character == "[":
        raise Unreadable("the file is a JSON array; xAPI statements must come as JSON lines (one statement a line)")
    else:
        columns, record_format = lms_columns(data, file, context), LMS_CSV
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
        "not_after_file_month": not_after_file_month(completed_at.values, file.period),
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


RECORDS_AHEAD_MONTHS = 12  # an export may hold records of later months, but not years ahead (a typo)


def not_after_file_month(completed_at: pd.Series, period: str) -> pd.Series:
    """FLAG: the record's time is at most a year after the file's month (a report may hold records of
    later months; `2031` in a 2025 report is a typo). No time given is no breach."""
    limit = pd.Timestamp(month_start(period)) + pd.DateOffset(months=1 + RECORDS_AHEAD_MONTHS)
    return (completed_at.isna() | (completed_at.astype("datetime64[us]") < limit)).fillna(True).astype(FLAG)


def month_of(timestamps: pd.Series) -> pd.Series:
    """DATE: the first day of each (Copenhagen wall-clock) timestamp's month."""
    floored = pc.floor_temporal(pa.array(timestamps.astype(TIMESTAMP)), unit="month")
    return pd.Series(pc.cast(floored, pa.date32()), index=timestamps.index, dtype=DATE)
