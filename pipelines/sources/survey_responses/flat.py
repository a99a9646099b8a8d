"""The flat dialect: a generic export (CSV or XLSX) with one header row.

`respondent_id`, `employee_ref` (optional: absent or empty in an anonymous survey), `los_id`,
`submitted_at` (optional, as in every dialect), then one column per item id. Other columns (free
text, background variables) are dropped; those whose cells all read as answers are counted as
answer columns without item (assemble.Respondents).
"""

from __future__ import annotations

from collections.abc import Mapping

from pipelines.sources.base import Item
from pipelines.sources.readers import require_columns, table_frame
from pipelines.sources.survey_responses.assemble import (
    Respondents,
    answers_by_item_id,
    respondent_rows,
    unmatched_columns,
)

METADATA = ("respondent_id", "employee_ref", "los_id", "submitted_at")


def read(data: bytes, items: Mapping[str, Item]) -> Respondents:
    rows = require_columns(table_frame(data), ("respondent_id", "los_id"), optional=("employee_ref", "submitted_at"))
    answers = answers_by_item_id(rows, items)
    return respondent_rows(
        rows,
        respondent_id=rows["respondent_id"],
        employee_ref=rows.get("employee_ref"),
        los_id=rows["los_id"],
        submitted_at=rows.get("submitted_at"),
        answers=answers,
        unmatched=unmatched_columns(rows, answers, METADATA),
    )
