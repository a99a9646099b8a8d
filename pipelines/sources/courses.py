"""Course catalogue of the LMS (docs/files.md) -> `raw.courses`.

tables["courses"]: _row_number, kommunekode, course_id, course_name, competence_code (STRING,
DigComp `2.3`; a decimal comma as Excel may write it, `2,3`, becomes `2.3`), nominal_hours (NUMBER).

validation_frame: the same columns plus `nominal_hours__unparsed`.

The file name carries no period: a catalogue delivered again (other bytes) is loaded beside the
older one, and dbt takes each course's newest loaded row (a course dropped from a newer catalogue
keeps its last known name, competence and hours, so old completions still map to an area).
"""

from __future__ import annotations

from pipelines.sources.base import FileName, ParseContext, ParsedFile
from pipelines.sources.readers import (
    ROW_NUMBER,
    constant,
    csv_frame,
    frame_with_unparsed,
    parse_numbers,
    require_columns,
)

TABLE = "courses"
REQUIRED = ("course_id", "course_name", "competence_code", "nominal_hours")
TABLE_COLUMNS = (ROW_NUMBER, "kommunekode", "course_id", "course_name", "competence_code", "nominal_hours")


def parse(data: bytes, file: FileName, context: ParseContext) -> ParsedFile:
    rows = require_columns(csv_frame(data), REQUIRED)
    checked = frame_with_unparsed(
        {
            ROW_NUMBER: rows[ROW_NUMBER],
            "kommunekode": constant(file.kommunekode, rows),
            "course_id": rows["course_id"],
            "course_name": rows["course_name"],
            "competence_code": rows["competence_code"].str.replace(",", ".", regex=False),
            "nominal_hours": parse_numbers(rows["nominal_hours"]),
        }
    )
    return ParsedFile(tables={TABLE: checked[list(TABLE_COLUMNS)]}, validation_frame=checked, rows_read=len(rows))
