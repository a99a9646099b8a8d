"""Training records from an LMS completion report (CSV): `user_email` and/or `medarbejdernr`,
`course_id`, `status`, `completed_at`, `hours`."""

from __future__ import annotations

import re
from functools import partial

import pandas as pd

from pipelines.sources.base import FileName, ParseContext, Unreadable
from pipelines.sources.readers import (
    FLAG,
    NUMBER,
    ROW_NUMBER,
    STRING,
    Converted,
    clean_text,
    constant,
    csv_frame,
    keyed,
    parse_numbers,
    parse_timestamps,
    require_columns,
)
from pipelines.sources.training.refs import email_refs, per_distinct

LMS_CSV = "lms_csv"


def lms_columns(data: bytes, file: FileName, context: ParseContext) -> dict[str, object]:
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
        "email_key": keyed(emails, partial(context.link_keys, kommunekode)),
        "empno_key": keyed(numbers, partial(context.link_keys, kommunekode)),
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
    return per_distinct(series, lambda status: re.sub(r"[\s-]+", "_", status.strip().lower()) or None)
