"""Survey item catalogue (docs/files.md) -> `raw.survey_items`.

tables["survey_items"]: _row_number, kommunekode, wave, item_id, question_text,
competence_code (STRING, `2.3`; a decimal comma as Excel may write it, `2,3`, becomes `2.3`),
reverse_scored (FLAG, from 0/1, also true/false, ja/nej).

validation_frame: the same columns plus `reverse_scored__unparsed`.
"""

from __future__ import annotations

from pipelines.sources.base import FileName, ParseContext, ParsedFile
from pipelines.sources.readers import ROW_NUMBER, constant, csv_frame, frame_with_unparsed, parse_flags, require_columns

TABLE = "survey_items"
REQUIRED = ("item_id", "question_text", "competence_code", "reverse_scored")
TABLE_COLUMNS = (ROW_NUMBER, "kommunekode", "wave", "item_id", "question_text", "competence_code", "reverse_scored")


def parse(data: bytes, file: FileName, context: ParseContext) -> ParsedFile:
    rows = require_columns(csv_frame(data), REQUIRED)
    checked = frame_with_unparsed(
        {
            ROW_NUMBER: rows[ROW_NUMBER],
            "kommunekode": constant(file.kommunekode, rows),
            "wave": constant(file.period, rows),
            "item_id": rows["item_id"],
            "question_text": rows["question_text"],
            "competence_code": rows["competence_code"].str.replace(",", ".", regex=False),
            "reverse_scored": parse_flags(rows["reverse_scored"]),
        }
    )
    return ParsedFile(tables={TABLE: checked[list(TABLE_COLUMNS)]}, validation_frame=checked, rows_read=len(rows))
