"""Generator truth: what the landing files *mean*, in clean canonical CSV (UTF-8, comma, LF, ISO
dates, '.' decimals), so tests can compute expected marts without the pipeline's parsers.

Only files whose expected_outcome is `accepted` contribute rows. Files in the truth folder:

employees.csv    kommunekode, snapshot_month (YYYY-MM), medarbejdernr, email (as in the HR file),
                 los_id, beskaeftigelsesgrad, ansat_fra, ansat_til (empty = still employed; as shown
                 in that month's file, so a leaver under notice shows it before the leaving month)
org_units.csv    kommunekode, snapshot_month, los_id, parent_los_id (empty for the root), enhedsnavn,
                 sektor, gyldig_fra, gyldig_til (empty = open). One row per row of each org file.
items.csv        kommunekode, wave, item_id, question_text, competence_code, reverse_scored (0/1)
responses.csv    kommunekode, wave, respondent_id, employee_ref (exactly as delivered, case and spaces
                 included; empty = anonymous), los_id, submitted_at (ISO, Copenhagen wall clock, no
                 offset), is_response (0 for Qualtrics previews, spam, unfinished), medarbejdernr (extra:
                 the employee the generator meant; empty when anonymous or not in HR)
answers.csv      kommunekode, wave, respondent_id, item_id, answer (1..5 as given, before reverse
                 scoring; empty = no answer: 'Ved ikke', '-', blank). Only rows with is_response = 1.
courses.csv      kommunekode, course_id, course_name, competence_code, nominal_hours
training.csv     kommunekode, file_month, record_format (lms_csv | xapi), statement_id (xAPI id; empty
                 for CSV), user_email and medarbejdernr (as delivered, may be empty), linked_medarbejdernr
                 (whom the generator meant; empty = not in HR, so unlinked), course_id, status (LMS
                 status, or the xAPI verb's last segment: completed / attempted / progressed),
                 is_completion (0/1), completed_at (ISO with the Copenhagen offset; for xAPI the
                 statement timestamp, also for non-completions; empty for unfinished LMS rows),
                 completed_month (YYYY-MM of completed_at in Copenhagen), hours (the LMS column, empty
                 when blank), duration_hours (xAPI result.duration in hours, empty when absent)
benefits_initiativer.csv  kommunekode, snapshot_date, then the contract's initiativer columns
benefits_gevinster.csv    kommunekode, snapshot_date, then the gevinster columns
benefits_maalinger.csv    kommunekode, snapshot_date, then the maalinger columns (corrections are kept
                 as separate rows; the newest maalt_dato wins). Use the newest snapshot_date: it is the register.
files.csv        file_name, source, expected_outcome (accepted / quarantined / duplicate), why (for
                 accepted files: the encoding/dialect it was written in; else what is wrong)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .landing_file import LandingFile

COLUMNS = {
    "employees": [
        "kommunekode",
        "snapshot_month",
        "medarbejdernr",
        "email",
        "los_id",
        "beskaeftigelsesgrad",
        "ansat_fra",
        "ansat_til",
    ],
    "org_units": [
        "kommunekode",
        "snapshot_month",
        "los_id",
        "parent_los_id",
        "enhedsnavn",
        "sektor",
        "gyldig_fra",
        "gyldig_til",
    ],
    "items": ["kommunekode", "wave", "item_id", "question_text", "competence_code", "reverse_scored"],
    "responses": [
        "kommunekode",
        "wave",
        "respondent_id",
        "employee_ref",
        "los_id",
        "submitted_at",
        "is_response",
        "medarbejdernr",
    ],
    "answers": ["kommunekode", "wave", "respondent_id", "item_id", "answer"],
    "courses": ["kommunekode", "course_id", "course_name", "competence_code", "nominal_hours"],
    "training": [
        "kommunekode",
        "file_month",
        "record_format",
        "statement_id",
        "user_email",
        "medarbejdernr",
        "linked_medarbejdernr",
        "course_id",
        "status",
        "is_completion",
        "completed_at",
        "completed_month",
        "hours",
        "duration_hours",
    ],
    "benefits_initiativer": [
        "kommunekode",
        "snapshot_date",
        "initiative_id",
        "navn",
        "sektor",
        "los_id",
        "start_dato",
        "slut_dato",
        "status",
        "investering_dkk",
    ],
    "benefits_gevinster": [
        "kommunekode",
        "snapshot_date",
        "benefit_id",
        "initiative_id",
        "gevinsttype",
        "beskrivelse",
        "baseline",
        "maal",
        "maal_dato",
        "budgetvirkning",
    ],
    "benefits_maalinger": ["kommunekode", "snapshot_date", "benefit_id", "periode", "vaerdi", "maalt_dato"],
}
FILE_COLUMNS = ["file_name", "source", "expected_outcome", "why"]


def _csv(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_truth(folder: Path, tables: dict[str, list[dict[str, str]]], files: list[LandingFile]) -> list[str]:
    """Writes every table that applies (a table with no rows because its slice was off is skipped)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, columns in COLUMNS.items():
        if name in tables:
            (folder / f"{name}.csv").write_bytes(_csv(columns, tables[name]))
            written.append(f"{name}.csv")
    listing = [
        {"file_name": f.name, "source": f.source, "expected_outcome": f.expected_outcome, "why": f.why}
        for f in sorted(files, key=lambda f: f.name)
    ]
    (folder / "files.csv").write_bytes(_csv(FILE_COLUMNS, listing))
    written.append("files.csv")
    return written
