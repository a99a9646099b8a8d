"""The Microsoft Forms dialect: an XLSX export.

Header `ID`, `Start time`, `Completion time`, `Email`, `Name`, `los_id`, then one column per
question, headed by its text. respondent_id = `ID`, submitted_at = `Completion time` (optional, as
in every dialect; the export is recognised by `Start time` and/or `Completion time` beside `ID`),
employee_ref = `Email` (Forms writes `anonymous` there for an anonymous response: no reference).
Questions are matched to catalogue items by their text, ignoring case and spacing; other columns
(free text, `Name`) are dropped. A question whose text is not in the catalogue (reworded in Forms)
and whose cells all read as answers is counted as an answer column without item (assemble.Respondents).
"""

from __future__ import annotations

from collections.abc import Mapping

from pipelines.sources.base import Item
from pipelines.sources.readers import header_key, require_columns, xlsx_frame
from pipelines.sources.survey_responses.assemble import (
    Respondents,
    answers_by_question,
    respondent_rows,
    unmatched_columns,
)

TIME_HEADERS = ("Start time", "Completion time")
METADATA = ("ID", *TIME_HEADERS, "Last modified time", "Email", "Name", "los_id")


def is_forms_header(header: set[str]) -> bool:
    """A Forms export: `ID` and one of its time columns (header keys, see readers.header_key)."""
    return header_key("ID") in header and any(header_key(name) in header for name in TIME_HEADERS)


def read(data: bytes, items: Mapping[str, Item]) -> Respondents:
    rows = require_columns(xlsx_frame(data), ("ID", "los_id"), optional=("Email", "Completion time"))
    email = rows.get("Email")
    answers = answers_by_question(rows, items)
    return respondent_rows(
        rows,
        respondent_id=rows["ID"],
        employee_ref=None if email is None else email.mask(email.str.casefold() == "anonymous"),
        los_id=rows["los_id"],
        submitted_at=rows.get("Completion time"),
        answers=answers,
        unmatched=unmatched_columns(rows, answers, METADATA),
    )
