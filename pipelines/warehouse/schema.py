"""Raw and meta table definitions (docs/internals.md §5). dbt reads these; the loader writes them."""

from __future__ import annotations

LINEAGE = "_file_fingerprint VARCHAR NOT NULL, _row_number INTEGER NOT NULL, _loaded_at TIMESTAMP NOT NULL"

RAW_TABLES: dict[str, str] = {
    "hr_employees": """
        kommunekode VARCHAR, snapshot_month DATE, person_key VARCHAR, empno_key VARCHAR, email_key VARCHAR,
        los_id VARCHAR, stillingsbetegnelse VARCHAR, personalekategori VARCHAR, beskaeftigelsesgrad DOUBLE,
        ansat_fra DATE, ansat_til DATE""",
    "hr_org_units": """
        kommunekode VARCHAR, snapshot_month DATE, los_id VARCHAR, parent_los_id VARCHAR, enhedsnavn VARCHAR,
        enhedstype VARCHAR, sektor VARCHAR, gyldig_fra DATE, gyldig_til DATE""",
    "survey_items": """
        kommunekode VARCHAR, wave VARCHAR, item_id VARCHAR, question_text VARCHAR, competence_code VARCHAR,
        reverse_scored BOOLEAN""",
    "survey_responses": """
        kommunekode VARCHAR, wave VARCHAR, dialect VARCHAR, respondent_id VARCHAR, ref_key VARCHAR, los_id VARCHAR,
        submitted_at TIMESTAMP, is_response BOOLEAN, exclusion_reason VARCHAR""",
    "survey_answers": """
        kommunekode VARCHAR, wave VARCHAR, respondent_id VARCHAR, item_id VARCHAR, answer TINYINT""",
    # per responses file: each catalogue item it has no column for, and each column holding answers that
    # matches no item (its heading only where privacy.shown may show it): answers no table has, counted
    "survey_item_coverage": """
        kommunekode VARCHAR, wave VARCHAR, item_id VARCHAR, column_heading VARCHAR, status VARCHAR""",
    # the benefit register (docs/files.md); snapshot_date is the register date in the file name
    "benefit_initiativer": """
        kommunekode VARCHAR, snapshot_date DATE, initiative_id VARCHAR, navn VARCHAR, sektor VARCHAR, los_id VARCHAR,
        start_dato DATE, slut_dato DATE, status VARCHAR, investering_dkk DOUBLE""",
    "benefit_gevinster": """
        kommunekode VARCHAR, snapshot_date DATE, benefit_id VARCHAR, initiative_id VARCHAR, gevinsttype VARCHAR,
        beskrivelse VARCHAR, baseline DOUBLE, maal DOUBLE, maal_dato DATE, budgetvirkning BOOLEAN""",
    "benefit_maalinger": """
        kommunekode VARCHAR, snapshot_date DATE, benefit_id VARCHAR, periode DATE, vaerdi DOUBLE, maalt_dato DATE""",
    # one row per register part a file delivered (an XLSX: all three; a CSV: its own part), even an
    # empty one: which parts of which snapshot are loaded, and from which file
    "benefit_register_parts": """
        kommunekode VARCHAR, snapshot_date DATE, part VARCHAR, part_rows INTEGER""",
    "courses": """
        kommunekode VARCHAR, course_id VARCHAR, course_name VARCHAR, competence_code VARCHAR, nominal_hours DOUBLE""",
    "training_records": """
        kommunekode VARCHAR, file_month DATE, record_format VARCHAR, statement_id VARCHAR, email_key VARCHAR,
        empno_key VARCHAR, course_id VARCHAR, status VARCHAR, verb_id VARCHAR, completed_at TIMESTAMP,
        completed_month DATE, hours DOUBLE, duration_hours DOUBLE""",
}

META_DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.files (
    fingerprint VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    source VARCHAR,
    kommunekode VARCHAR,
    period VARCHAR,
    status VARCHAR NOT NULL,          -- accepted | quarantined | duplicate | withdrawn (sent back to landing to re-process)
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_rejected BIGINT,
    reason VARCHAR,                   -- one line, plain words (the full story is in the reason file)
    moved_to VARCHAR,                 -- path relative to DIGILEAD_HOME
    processed_at TIMESTAMP NOT NULL,
    run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS meta.rejected_rows (
    fingerprint VARCHAR NOT NULL,
    _row_number INTEGER NOT NULL,
    reason VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS meta.state (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS meta.runs (
    run_id VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, outcome VARCHAR,
    files_accepted INTEGER, files_quarantined INTEGER, files_duplicate INTEGER, files_waiting INTEGER
);
"""


def ddl() -> str:
    raw = "\n".join(
        f"CREATE TABLE IF NOT EXISTS raw.{name} ({columns.strip()}, {LINEAGE});" for name, columns in RAW_TABLES.items()
    )
    return "CREATE SCHEMA IF NOT EXISTS raw;\n" + raw + META_DDL


def columns_of(table: str) -> list[str]:
    return [part.strip().split()[0] for part in RAW_TABLES[table].split(",")]
