"""The Qualtrics dialect: a CSV export with three header rows (item ids / question texts / ImportIds).

respondent_id = `ResponseId`, employee_ref = `ExternalReference` (only: `RecipientEmail` and the
other recipient and location columns are never read), los_id = embedded data `los_id`,
submitted_at = `EndDate` (optional: without it the later row of the later file wins a tie).
Answers are read from the columns headed by catalogue item ids (the first header row); every other
column (`IPAddress`, `LocationLatitude`, `DistributionChannel`, text-analytics columns such as
`Q2 - Topics`, free-text questions), wherever it stands, is dropped unread. The second header row
(question texts) may be in any language and is never read. A column that is none of Qualtrics'
own (METADATA) and whose cells all read as answers is counted as an answer column without item
(assemble.Respondents): a question the catalogue lacks.

Qualtrics exports choice text or numeric values, so `Status` is a label or its numeric code, and
`Finished` is True/False or 1/0. Not responses (kept in survey_responses with is_response False,
never scored): previews, tests and spam in either form (`Survey Preview` 1, `Survey Test` 2, `Spam`
8, `Survey Preview Spam` 9, `Imported Spam` 12, `Offline Survey Preview` 17, `EX Spam` 40), and
unfinished rows. An empty `Finished` does not exclude a row; any other value, or a numeric `Status`
that is no Qualtrics code, makes the file unreadable, since then no row can be trusted to be a response.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipelines.sources.base import Item, Unreadable
from pipelines.sources.readers import ROW_NUMBER, STRING, clean_text, csv_frame, parse_flags, require_columns
from pipelines.sources.survey_responses.assemble import (
    Respondents,
    answers_by_item_id,
    respondent_rows,
    unmatched_columns,
)

HEADER_ROWS = 3
# Qualtrics' own columns (Progress, Duration and the coordinates are numbers that may read as 1-5)
METADATA = (
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
    "los_id",
)
# Qualtrics' response types: the numeric code of an export with numeric values -> the label of one with choice text
STATUS_LABELS = {
    "0": "IP Address",
    "1": "Survey Preview",
    "2": "Survey Test",
    "4": "Imported",
    "8": "Spam",
    "9": "Survey Preview Spam",
    "12": "Imported Spam",
    "16": "Offline",
    "17": "Offline Survey Preview",
    "32": "EX",
    "40": "EX Spam",
    "48": "EX Offline",
}
NOT_RESPONSES = {
    "Survey Preview",
    "Survey Test",
    "Spam",
    "Survey Preview Spam",
    "Imported Spam",
    "Offline Survey Preview",
    "EX Spam",
}
EXCLUDED_STATUSES = {
    **{label.casefold(): f"Status is {label}" for label in NOT_RESPONSES},
    **{code: f"Status is {code} ({label})" for code, label in STATUS_LABELS.items() if label in NOT_RESPONSES},
}
NOT_FINISHED = "not finished (Finished is false)"


def read(data: bytes, items: Mapping[str, Item]) -> Respondents:
    rows = require_columns(
        csv_frame(data, header_rows=HEADER_ROWS),
        ("ResponseId", "Status", "Finished", "los_id"),
        optional=("ExternalReference", "EndDate"),
    )
    answers = answers_by_item_id(rows, items)
    return respondent_rows(
        rows,
        respondent_id=rows["ResponseId"],
        employee_ref=rows.get("ExternalReference"),
        los_id=rows["los_id"],
        submitted_at=rows.get("EndDate"),
        answers=answers,
        exclusion_reason=_exclusion_reason(rows),
        unmatched=unmatched_columns(rows, answers, METADATA),
    )


def _exclusion_reason(rows: pd.DataFrame) -> pd.Series:
    finished = parse_flags(rows["Finished"])
    unreadable = finished.unparsed.notna()
    if unreadable.any():
        row = int(rows.loc[unreadable, ROW_NUMBER].iloc[0])
        raise Unreadable(f"row {row}: Finished should be true/false or 1/0", row=row)
    status = clean_text(rows["Status"]).str.casefold()
    # numeric exports may write a code as `1.0`; a number that is no Qualtrics code cannot be judged
    code = status.str.replace(r"^(\d+)\.0*$", r"\1", regex=True)
    unknown = code.str.fullmatch(r"\d+").fillna(False) & ~code.isin(list(STATUS_LABELS))
    if unknown.any():
        row = int(rows.loc[unknown, ROW_NUMBER].iloc[0])
        raise Unreadable(
            f"row {row}: Status {status[unknown].iloc[0]} is no Qualtrics response type code "
            f"({', '.join(STATUS_LABELS)})",
            row=row,
        )
    by_status = code.map(EXCLUDED_STATUSES).astype(STRING)
    not_finished = finished.values.eq(False).fillna(False)
    return by_status.mask(by_status.isna() & not_finished, NOT_FINISHED)
