"""How each survey tool writes a wave: flat CSV, Qualtrics CSV, Microsoft Forms XLSX, SurveyXact ZIP.

Only the form differs; the content is the SurveyWave. Choices made here (also in the report):
- flat: columns respondent_id, employee_ref, los_id, submitted_at, Q01.., kommentar; answers mostly
  digits, some Danish labels in odd case; no answer as '', '-' or 'Ved ikke'.
- qualtrics: UTF-8 with BOM, comma, CRLF; 3 header rows; answers as Danish choice text; Status
  'IP Address' / 'Survey Preview' / 'Spam'; Finished 'True'/'False'; submitted_at = EndDate.
- forms: sheet 'Form1'; ID is an integer cell; Start/Completion time are datetime cells; Email is
  the employee_ref ('' when anonymous); the comment column is titled with a question not in the catalogue.
- surveyxact: dataset.csv columns respondentid, employee_ref, los_id, closetime (dd-mm-yyyy HH:MM:SS),
  Q01.., kommentar; codes per labels.csv, where code 6 = 'Ved ikke' and some items use a
  descending scale (code 1 = 'Helt enig'): only the labels tell what a code means."""

from __future__ import annotations

import json
import random
from datetime import datetime

from .danish import ANSWER_LABELS, COMMENT_QUESTION, NO_ANSWER_LABEL
from .formats import CsvStyle, csv_bytes, fixed_zip, xlsx_bytes
from .surveys import Response, SurveyItem, SurveyWave
from .variation import CLASSIC, Variation

SURVEYXACT_ENCODINGS = ((";", "cp1252"), (",", "cp1252"), ("\t", "utf-16"))
# Qualtrics' numeric codes of the Status values the generator writes (the contract lists them all)
QUALTRICS_STATUS_CODES = {"IP Address": "0", "Survey Preview": "1", "Survey Test": "2", "Spam": "8"}


def items_csv(items: list[SurveyItem], style: CsvStyle) -> bytes:
    rows = [[i.item_id, i.question_text, i.competence_code, str(i.reverse_scored)] for i in items]
    return csv_bytes(["item_id", "question_text", "competence_code", "reverse_scored"], rows, style)


def _label_cell(response: Response, item_id: str) -> str:
    answer = response.answers[item_id]
    return response.missing_as.get(item_id, "") if answer is None else ANSWER_LABELS[answer]


def flat_csv(wave: SurveyWave, style: CsvStyle, rng: random.Random, variation: Variation = CLASSIC) -> bytes:
    header = ["respondent_id", "employee_ref", "los_id", "submitted_at", *[i.item_id for i in wave.items], "kommentar"]
    dropped = {i for i, keep in ((1, variation.flat_employee_ref), (3, variation.flat_submitted_at)) if not keep}
    rows = []
    for response in wave.responses:
        cells = []
        for item in wave.items:
            answer = response.answers[item.item_id]
            if answer is None:
                cells.append(response.missing_as.get(item.item_id, ""))
            elif rng.random() < 0.04:  # a label typed by hand: case and spaces vary
                cells.append(rng.choice([str.lower, str.upper, lambda s: f" {s} "])(ANSWER_LABELS[answer]))
            else:
                cells.append(str(answer))
        rows.append(
            [
                response.respondent_id,
                response.employee_ref,
                response.los_id,
                style.timestamp(response.submitted_at),
                *cells,
                response.comment,
            ]
        )
    if dropped:  # optional columns the export does not have (the rng draws above stay the same)
        header = [c for i, c in enumerate(header) if i not in dropped]
        rows = [[c for i, c in enumerate(row) if i not in dropped] for row in rows]
    return csv_bytes(header, rows, style)


def qualtrics_csv(wave: SurveyWave, variation: Variation = CLASSIC) -> bytes:
    metadata = [
        ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": "Europe/Copenhagen"}),
        ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": "Europe/Copenhagen"}),
        ("Status", "Response Type", {"ImportId": "status"}),
        ("Progress", "Progress", {"ImportId": "progress"}),
        ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
        ("Finished", "Finished", {"ImportId": "finished"}),
        ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "Europe/Copenhagen"}),
        ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
        ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
        ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
        ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
        ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
        ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
        ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
    ]
    extra = [  # metadata a survey can be set up to record, and a text-analytics column: ignored by contract
        ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
        ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
        ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
    ]
    if variation.qualtrics_extra_columns:
        metadata = metadata[:4] + extra[:1] + metadata[4:] + extra[1:]
    ids = [m[0] for m in metadata] + [i.item_id for i in wave.items] + ["kommentar", "los_id"]
    texts = [m[1] for m in metadata] + [i.question_text for i in wave.items] + [COMMENT_QUESTION, "los_id"]
    imports = (
        [m[2] for m in metadata]
        + [{"ImportId": f"QID{n}"} for n in range(1, len(wave.items) + 1)]
        + [{"ImportId": f"QID{len(wave.items) + 1}_TEXT"}, {"ImportId": "los_id"}]
    )
    if variation.qualtrics_extra_columns:
        ids.insert(len(ids) - 1, "kommentar - Topics")
        texts.insert(len(texts) - 1, f"{COMMENT_QUESTION} - Topics")
        imports.insert(len(imports) - 1, {"ImportId": f"QID{len(wave.items) + 1}_TEXT_TOPICS"})
    import_row = [json.dumps(i, separators=(",", ":")) for i in imports]
    stamp = "%Y-%m-%d %H:%M:%S"
    rows = []
    numeric = variation.qualtrics_numeric
    for number, r in enumerate(wave.responses):
        first, _, last = r.name.partition(" ")
        status = r.exclusion if r.exclusion in ("Survey Preview", "Survey Test", "Spam") else "IP Address"
        channel = "preview" if status == "Survey Preview" else ("anonymous" if not r.employee_ref else "email")
        finished = r.exclusion != "unfinished"
        row = [
            r.started_at.strftime(stamp),
            r.submitted_at.strftime(stamp),
            QUALTRICS_STATUS_CODES[status] if numeric else status,
            str(r.progress),
            str(int((r.submitted_at - r.started_at).total_seconds())),
            str(int(finished)) if numeric else str(finished),
            r.submitted_at.strftime(stamp),
            r.respondent_id,
            last if r.employee_ref else "",
            first if r.employee_ref else "",
            r.email if r.employee_ref else "",
            r.employee_ref,
            channel,
            "DA",
        ]
        if variation.qualtrics_extra_columns:
            row = row[:4] + [f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"] + row[4:]
            row += ["56.1567", "10.2108"]
        row += [_numeric_cell(r, i.item_id) if numeric else _label_cell(r, i.item_id) for i in wave.items]
        row.append(r.comment)
        if variation.qualtrics_extra_columns:
            row.append("Digitalisering" if r.comment else "")
        row.append(r.los_id)
        rows.append(row)
    style = CsvStyle(encoding="utf-8-sig", delimiter=",", line_end="\r\n")
    return csv_bytes(None, rows, style, header_rows=[ids, texts, import_row])


def _numeric_cell(response: Response, item_id: str) -> str:
    """A numeric-values export: the choice's recode value; 'Ved ikke' was set up without one (empty)."""
    answer = response.answers[item_id]
    return "" if answer is None else str(answer)


def forms_xlsx(wave: SurveyWave, when: datetime) -> bytes:
    header = [
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "los_id",
        *[i.question_text for i in wave.items],
        COMMENT_QUESTION,
    ]
    rows = []
    for r in wave.responses:
        rows.append(
            [
                int(r.respondent_id),
                r.started_at,
                r.submitted_at,
                r.employee_ref,
                r.name if r.employee_ref else "",
                r.los_id,
                *[_label_cell(r, i.item_id) for i in wave.items],
                r.comment,
            ]
        )
    return xlsx_bytes([("Form1", header, rows)], when)


def _descending(item: SurveyItem) -> bool:
    return int(item.item_id[1:]) % 5 == 2  # Q02, Q07, Q12, Q17 were set up with "Helt enig" first


def _surveyxact_code(item: SurveyItem, answer: int | None, missing_as: str) -> str:
    if answer is None:
        return "6" if missing_as == NO_ANSWER_LABEL else ""
    return str(6 - answer if _descending(item) else answer)


def surveyxact_zip(
    wave: SurveyWave, encoding_index: int, when: datetime, variation: Variation = CLASSIC
) -> tuple[bytes, str]:
    delimiter, encoding = SURVEYXACT_ENCODINGS[encoding_index % 3]
    style = CsvStyle(encoding=encoding, delimiter=delimiter, line_end="\r\n")
    dataset_header = [
        "respondentid",
        "employee_ref",
        "los_id",
        "closetime",
        *[i.item_id for i in wave.items],
        "kommentar",
    ]
    dataset_rows = [
        [
            r.respondent_id,
            r.employee_ref,
            r.los_id,
            r.submitted_at.strftime("%d-%m-%Y %H:%M:%S"),
            *[_surveyxact_code(i, r.answers[i.item_id], r.missing_as.get(i.item_id, "")) for i in wave.items],
            r.comment,
        ]
        for r in wave.responses
    ]
    structure_header = [
        "questionName",
        "variableName",
        "questionType",
        "subType",
        "questionText",
        "choiceValue",
        "choiceText",
        "",
    ]
    structure_rows = [
        ["respondentid", "respondentid", "system", "number", "Respondent-id", "", "", ""],
        ["employee_ref", "employee_ref", "background", "text", "Medarbejderreference", "", "", ""],
        ["los_id", "los_id", "background", "text", "Organisatorisk enhed (LOS)", "", "", ""],
        ["closetime", "closetime", "system", "datetime", "Besvaret", "", "", ""],
    ]
    label_rows = []
    for item in wave.items:
        for code in range(1, 7):
            label = NO_ANSWER_LABEL if code == 6 else ANSWER_LABELS[6 - code if _descending(item) else code]
            structure_rows.append(
                [item.item_id, item.item_id, "single", "radio", item.question_text, str(code), label, ""]
            )
            label_rows.append([item.item_id, str(code), label])
    structure_rows.append(["kommentar", "kommentar", "text", "multiline", COMMENT_QUESTION, "", "", ""])
    if not variation.surveyxact_closetime:  # no submission time at all: the later row wins
        dataset_header.remove("closetime")
        dataset_rows = [row[:3] + row[4:] for row in dataset_rows]
        structure_rows = [row for row in structure_rows if row[1] != "closetime"]
    if not variation.surveyxact_trailing_column:
        structure_header, structure_rows = structure_header[:-1], [row[:-1] for row in structure_rows]
    members = [
        ("dataset.csv", csv_bytes(dataset_header, dataset_rows, style)),
        ("structure.csv", csv_bytes(structure_header, structure_rows, style)),
        ("labels.csv", csv_bytes(None, label_rows, style)),
    ]
    return fixed_zip(members, when), f"surveyxact zip, {style.describe().split(', dates')[0]}"
