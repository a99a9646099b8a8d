"""The flat dialect: a generic export (CSV or XLSX) with one header row.

`respondent_id`, `employee_ref` (optional: absent or empty in an anonymous survey), `los_id`,
`submitted_at` (optional, as in every dialect), then one column per item id. Other columns (free
text) are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipelines.sources.base import Item
from pipelines.sources.readers import require_columns, table_frame
from pipelines.sources.survey_responses.assemble import answers_by_item_id, respondent_rows


def read(data: bytes, items: Mapping[str, Item]) -> pd.DataFrame:
    rows = require_columns(table_frame(data), ("respondent_id", "los_id"), optional=("employee_ref", "submitted_at"))
    return respondent_rows(
        rows,
        respondent_id=rows["respondent_id"],
        employee_ref=rows.get("employee_ref"),
        los_id=rows["los_id"],
        submitted_at=rows.get("submitted_at"),
        answers=answers_by_item_id(rows, items),
    )
