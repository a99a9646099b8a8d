"""The Qualtrics dialect: a CSV export with three header rows (item ids / question texts / ImportIds).

respondent_id = `ResponseId`, employee_ref = `ExternalReference` (only: `RecipientEmail` and the
other recipient and location columns are never read), los_id = embedded data `los_id`,
submitted_at = `EndDate`. Answers are read from the columns headed by catalogue item ids.

Not responses (kept in survey_responses with is_response False, never scored): `Status`
`Survey Preview`, `Spam` or `Survey Test` (a test run is no more a response than a preview), or
`Finished` false/0. An empty `Finished` does not exclude a row; any other value makes the file
unreadable, since then no row can be trusted to be a response.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipelines.sources.base import Item, Unreadable
from pipelines.sources.readers import ROW_NUMBER, STRING, csv_frame, parse_flags, require_columns
from pipelines.sources.survey_responses.assemble import answers_by_item_id, respondent_rows

HEADER_ROWS = 3
EXCLUDED_STATUSES = {status.casefold(): f"Status is {status}" for status in ("Survey Preview", "Spam", "Survey Test")}
NOT_FINISHED = "not finished (Finished is false)"


def read(data: bytes, items: Mapping[str, Item]) -> pd.DataFrame:
    rows = require_columns(
        csv_frame(data, header_rows=HEADER_ROWS),
        ("ResponseId", "EndDate", "Status", "Finished", "los_id"),
        optional=("ExternalReference",),
    )
    return respondent_rows(
        rows,
        respondent_id=rows["ResponseId"],
        employee_ref=rows.get("ExternalReference"),
        los_id=rows["los_id"],
        submitted_at=rows["EndDate"],
        answers=answers_by_item_id(rows, items),
        exclusion_reason=_exclusion_reason(rows),
    )


def _exclusion_reason(rows: pd.DataFrame) -> pd.Series:
    finished = parse_flags(rows["Finished"])
    unreadable = finished.unparsed.notna()
    if unreadable.any():
        row = int(rows.loc[unreadable, ROW_NUMBER].iloc[0])
        raise Unreadable(f"row {row}: Finished should be true/false or 1/0", row=row)
    by_status = rows["Status"].str.casefold().map(EXCLUDED_STATUSES).astype(STRING)
    not_finished = finished.values.eq(False).fillna(False)
    return by_status.mask(by_status.isna() & not_finished, NOT_FINISHED)
