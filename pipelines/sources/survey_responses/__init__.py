"""Survey responses (docs/files.md) -> `raw.survey_responses` and `raw.survey_answers`.

The dialect is detected from the bytes (though a file named .xlsx or .zip must be one):
- a zip archive that is not a workbook: surveyxact;
- an XLSX workbook whose header has `ID` and `Start time` or `Completion time`: forms (else flat);
- a CSV whose third row holds `{"ImportId"...}`: qualtrics; any other CSV: flat.
Each dialect module reads its file into dialect-neutral respondent rows (and the headings of its
answer-like columns that match no item); `assemble` does the rest (its docstring lists the output). Without the item catalogue the file waits for it.
"""

from __future__ import annotations

from pipelines.sources.base import FileName, ParseContext, ParsedFile, Unreadable, WaitingFor
from pipelines.sources.readers import ZIP_MAGIC, ensure_xlsx, first_rows, header_key, is_xlsx, safe_zip_members
from pipelines.sources.survey_responses import flat, forms, qualtrics, surveyxact
from pipelines.sources.survey_responses.assemble import assemble

DIALECTS = {"flat": flat.read, "qualtrics": qualtrics.read, "forms": forms.read, "surveyxact": surveyxact.read}


def catalogue_needed(file: FileName) -> dict[str, str]:
    """What a responses file needs from the warehouse (SourceSpec.needs): its municipality's and wave's item catalogue."""
    return {"kommunekode": file.kommunekode, "wave": file.period}


def parse(data: bytes, file: FileName, context: ParseContext) -> ParsedFile:
    # The container is checked before waiting for the catalogue: a broken, unsafe or bomb archive
    # is refused at once rather than sitting in landing until its catalogue arrives.
    if not data:
        raise Unreadable("the file is empty")
    members = None
    if file.extension == "xlsx":
        ensure_xlsx(data)  # the name promises a workbook: a renamed CSV is refused, not guessed at
    elif file.extension == "zip":
        if not data.startswith(ZIP_MAGIC):
            raise Unreadable("the file is not a zip archive, though its name ends in .zip")
        members = safe_zip_members(data)  # inflated once: the SurveyXact reader reads these
    items = context.needed  # the item catalogue (item_id -> Item), from the survey_items lookup
    if items is None:
        raise WaitingFor(f"survey_items {file.kommunekode} {file.period}")
    dialect = detect_dialect(data)
    if dialect == "surveyxact" and members is not None:
        read = surveyxact.read_members(members, items)
    else:
        read = DIALECTS[dialect](data, items)
    parsed = assemble(read, dialect=dialect, file=file, context=context)
    parsed.item_columns = list(items)  # the suite's `{item}` rule applies to each catalogue item
    return parsed


def detect_dialect(data: bytes) -> str:
    if is_xlsx(data):
        header = {header_key(cell) for row in first_rows(data, 1) for cell in row}
        return "forms" if forms.is_forms_header(header) else "flat"
    if data.startswith(ZIP_MAGIC):
        return "surveyxact"
    rows = first_rows(data, 3)
    return "qualtrics" if len(rows) == 3 and any(cell.startswith('{"ImportId"') for cell in rows[2]) else "flat"
