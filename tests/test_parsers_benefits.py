"""The benefit register (docs/files.md): the parser, its blocking suite, and a register's way
through the lifecycle as XLSX and as a CSV triplet (a part waits for the part it refers to)."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest

from pipelines import ingest
from pipelines.ingest import Pipeline
from pipelines.settings import Settings
from pipelines.sources import benefits
from pipelines.sources.base import FileName, ParseContext, Unreadable, WaitingFor
from pipelines.sources.registry import detect
from pipelines.validation import load_suite_spec, validate_batches
from tests.parser_support import link_keys, person_keys

INITIATIVES = ["initiative_id", "navn", "sektor", "los_id", "start_dato", "slut_dato", "status", "investering_dkk"]
BENEFITS = [
    "benefit_id",
    "initiative_id",
    "gevinsttype",
    "beskrivelse",
    "baseline",
    "maal",
    "maal_dato",
    "budgetvirkning",
]
MEASUREMENTS = ["benefit_id", "periode", "vaerdi", "maalt_dato"]

CSV_INITIATIVES = (
    "initiative_id;navn;sektor;los_id;start_dato;slut_dato;status;investering_dkk\r\n"
    "INI-001;Digitale nøglebokse;Ældre;7510035;01-02-2024;31-08-2027;igang;1.200.000,00\r\n"
    "INI-002;Talegenkendelse på botilbud;Handicap;7510065;01.07.2024;;Stoppet;420.000,00\r\n"
).encode("cp1252")
CSV_BENEFITS = (
    "benefit_id;initiative_id;gevinsttype;beskrivelse;baseline;maal;maal_dato;budgetvirkning\r\n"
    "INI-001-G1;INI-001;tid_timer;Sparet tid til nøgleudlevering;0;3000;31-07-2025;nej\r\n"
    "INI-001-G2;INI-001;kvalitet_indeks;Borgertilfredshed (indeks 0-100);62;75,5;31-07-2025;Ja\r\n"
    "INI-002-G1;INI-002;oekonomi_dkk;Færre vikarer;0;450.000,00;2025-06-30;ja\r\n"
).encode("cp1252")
CSV_MEASUREMENTS = (
    "benefit_id;periode;vaerdi;maalt_dato\r\n"
    "INI-001-G1;2024-07;26,5;14-08-2024\r\n"
    "INI-001-G1;2024-07;30,0;20-09-2024\r\n"
    "INI-002-G1;08-2024;1.234,5;13-09-2024\r\n"
).encode("cp1252")


def context(needed=None) -> ParseContext:
    return ParseContext(person_keys=person_keys, link_keys=link_keys, needed=needed)


def name(file_name: str) -> FileName:
    return detect(file_name)[1]


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def register_xlsx(**overrides: list[list[object]]) -> bytes:
    sheets = {
        "initiativer": [
            INITIATIVES,
            [
                "INI-001",
                "Nøglebokse",
                "Ældre",
                "7510035",
                dt.datetime(2024, 2, 1),
                dt.datetime(2027, 8, 31),
                "igang",
                1200000,
            ],
            ["INI-002", "Robot", "Administration", 7510014, 45292, None, "planlagt", 850000.5],
        ],  # 45292: Excel serial of 2024-01-01
        "gevinster": [
            BENEFITS,
            ["INI-001-G1", "INI-001", "tid_timer", "Sparet tid", 0, 3000, dt.datetime(2025, 7, 31), "nej"],
            ["INI-002-G1", "INI-002", "oekonomi_dkk", "Færre udgifter", 0, 600000, dt.datetime(2025, 12, 31), "ja"],
        ],
        "maalinger": [
            MEASUREMENTS,
            ["INI-001-G1", "2024-07", 26.5, dt.datetime(2024, 8, 14)],
            ["INI-001-G1", dt.datetime(2024, 8, 1), 84.1, dt.datetime(2024, 9, 13)],  # Excel made the period a date
            ["INI-002-G1", "2024-02", "1.234,5", dt.datetime(2024, 3, 10)],
        ],
    }
    sheets.update(overrides)
    return workbook(sheets)


def check(parsed) -> list[str]:
    """The rules the blocking suite finds broken."""
    outcome = validate_batches(load_suite_spec("benefits"), [parsed.validation_frame])
    return [failed.rule for failed in outcome.failed]


# --------------------------------------------------------------------------- the XLSX register


def test_xlsx_register_reads_all_three_sheets_with_excel_dates_and_numbers():
    parsed = benefits.parse(register_xlsx(), name("benefits_0751_2025-06-30.xlsx"), context())
    initiatives = parsed.tables["benefit_initiativer"]
    assert list(initiatives["initiative_id"]) == ["INI-001", "INI-002"]
    assert list(initiatives["start_dato"]) == [dt.date(2024, 2, 1), dt.date(2024, 1, 1)]
    assert list(initiatives["investering_dkk"]) == [1200000, 850000.5]
    assert list(initiatives["los_id"]) == ["7510035", "7510014"]
    assert set(initiatives["snapshot_date"]) == {dt.date(2025, 6, 30)}
    measurements = parsed.tables["benefit_maalinger"]
    assert list(measurements["periode"]) == [dt.date(2024, 7, 1), dt.date(2024, 8, 1), dt.date(2024, 2, 1)]
    assert list(measurements["vaerdi"]) == [26.5, 84.1, 1234.5]
    assert list(measurements["_row_number"]) == [2, 3, 4]
    assert list(parsed.tables["benefit_gevinster"]["budgetvirkning"]) == [False, True]
    parts = parsed.tables["benefit_register_parts"]
    assert list(zip(parts["part"], parts["part_rows"], strict=True)) == [
        ("initiativer", 2),
        ("gevinster", 2),
        ("maalinger", 3),
    ]
    assert parsed.rows_read == 7
    assert check(parsed) == []


def test_a_workbook_without_one_of_the_sheets_is_unreadable():
    data = workbook({"initiativer": [INITIATIVES], "gevinster": [BENEFITS]})
    with pytest.raises(Unreadable, match="lacks the sheet.*maalinger"):
        benefits.parse(data, name("benefits_0751_2025-06-30.xlsx"), context())


def test_a_csv_renamed_xlsx_is_unreadable():
    with pytest.raises(Unreadable, match="CSV file renamed .xlsx"):
        benefits.parse(CSV_INITIATIVES, name("benefits_0751_2025-06-30.xlsx"), context())


def test_a_sheet_lacking_a_column_names_the_sheet():
    data = register_xlsx(gevinster=[[c for c in BENEFITS if c != "maal_dato"]])
    with pytest.raises(Unreadable, match="sheet gevinster: the header lacks the required column\\(s\\) maal_dato"):
        benefits.parse(data, name("benefits_0751_2025-06-30.xlsx"), context())


def test_a_register_date_that_is_no_date_is_unreadable():
    with pytest.raises(Unreadable, match="not a real date"):
        benefits.parse(register_xlsx(), name("benefits_0751_2025-02-30.xlsx"), context())


def test_a_csv_without_a_part_is_unreadable():
    with pytest.raises(Unreadable, match="three files"):
        benefits.parse(CSV_INITIATIVES, name("benefits_0751_2025-06-30.csv"), context())


# --------------------------------------------------------------------------- the CSV triplet


def test_csv_initiativer_part_in_windows_1252_with_danish_numbers_and_dates():
    parsed = benefits.parse(CSV_INITIATIVES, name("benefits_0751_2025-12-31_initiativer.csv"), context({}))
    table = parsed.tables["benefit_initiativer"]
    assert list(table["navn"]) == ["Digitale nøglebokse", "Talegenkendelse på botilbud"]
    assert list(table["investering_dkk"]) == [1200000.0, 420000.0]
    assert list(table["start_dato"]) == [dt.date(2024, 2, 1), dt.date(2024, 7, 1)]
    assert list(table["status"]) == ["igang", "stoppet"]  # case ignored
    assert set(parsed.tables) == {"benefit_initiativer", "benefit_register_parts"}
    assert check(parsed) == []


def test_csv_gevinster_part_waits_for_its_initiativer_part():
    with pytest.raises(WaitingFor, match="^benefits 0751 2025-12-31 initiativer$"):
        benefits.parse(CSV_BENEFITS, name("benefits_0751_2025-12-31_gevinster.csv"), context(None))


def test_csv_gevinster_part_is_checked_against_the_loaded_initiativer():
    starts = {"INI-001": dt.date(2024, 2, 1), "INI-002": dt.date(2024, 7, 1)}
    parsed = benefits.parse(CSV_BENEFITS, name("benefits_0751_2025-12-31_gevinster.csv"), context(starts))
    table = parsed.tables["benefit_gevinster"]
    assert list(table["maal"]) == [3000, 75.5, 450000]
    assert list(table["gevinsttype"]) == ["tid_timer", "kvalitet_indeks", "oekonomi_dkk"]
    assert check(parsed) == []
    parsed = benefits.parse(
        CSV_BENEFITS, name("benefits_0751_2025-12-31_gevinster.csv"), context({"INI-001": dt.date(2024, 2, 1)})
    )
    assert check(parsed) == ["every benefit belongs to an initiative of the same register (initiativer)"]


def test_csv_maalinger_part_keeps_corrections_as_rows():
    known = {"INI-001-G1": "INI-001", "INI-002-G1": "INI-002"}
    parsed = benefits.parse(CSV_MEASUREMENTS, name("benefits_0751_2025-12-31_maalinger.csv"), context(known))
    table = parsed.tables["benefit_maalinger"]
    assert list(table["periode"]) == [dt.date(2024, 7, 1), dt.date(2024, 7, 1), dt.date(2024, 8, 1)]
    assert list(table["vaerdi"]) == [26.5, 30.0, 1234.5]
    assert list(table["maalt_dato"]) == [dt.date(2024, 8, 14), dt.date(2024, 9, 20), dt.date(2024, 9, 13)]
    assert check(parsed) == []


@pytest.mark.parametrize(
    "text, month",
    [
        ("2024-07", "2024-07-01"),
        ("2024-7", "2024-07-01"),
        ("07-2024", "2024-07-01"),
        ("7.2024", "2024-07-01"),
        ("07/2024", "2024-07-01"),
        ("2024-07-01", "2024-07-01"),
        ("15-07-2024", "2024-07-01"),
        ("45488", "2024-07-15"[:8] + "01"),
        ("2024-13", None),
        ("juli", None),
    ],
)
def test_periods(text, month):
    converted = benefits.parse_periods(pd.Series([text], dtype="string"))
    value = converted.values.iloc[0]
    assert (None if pd.isna(value) else value.isoformat()) == month
    assert pd.isna(converted.unparsed.iloc[0]) == (month is not None)


# --------------------------------------------------------------------------- blocking rules


@pytest.mark.parametrize(
    "overrides, rule, row, sheet",
    [
        (
            {
                "gevinster": [
                    BENEFITS,
                    ["INI-001-G1", "INI-001", "tid_sparet", "x", 0, 3000, dt.datetime(2025, 7, 31), "nej"],
                ],
                "maalinger": [MEASUREMENTS],
            },
            "gevinsttype is oekonomi_dkk, tid_timer or kvalitet_indeks",
            2,
            "gevinster",
        ),
        (
            {
                "maalinger": [
                    MEASUREMENTS,
                    ["INI-001-G1", "2024-07", 26.5, dt.datetime(2024, 8, 14)],
                    ["INI-009-G1", "2024-07", 26.5, dt.datetime(2024, 8, 14)],
                ]
            },
            "every measurement is of a benefit of the same register (gevinster)",
            3,
            "maalinger",
        ),
        (
            {
                "gevinster": [
                    BENEFITS,
                    ["INI-001-G1", "INI-001", "tid_timer", "x", 0, 3000, dt.datetime(2024, 1, 31), "nej"],
                    ["INI-002-G1", "INI-002", "oekonomi_dkk", "y", 0, 600000, dt.datetime(2025, 12, 31), "ja"],
                ]
            },
            "maal_dato (target date) is not before the initiative's start_dato",
            2,
            "gevinster",
        ),
        (
            {"maalinger": [MEASUREMENTS, ["INI-001-G1", "2024-07", "mange", dt.datetime(2024, 8, 14)]]},
            "every value of vaerdi must be readable",
            2,
            "maalinger",
        ),
        (
            {
                "gevinster": [
                    BENEFITS,
                    ["INI-001-G1", "INI-001", "tid_timer", "x", 0, "3.000 timer", dt.datetime(2025, 7, 31), "nej"],
                    ["INI-002-G1", "INI-002", "oekonomi_dkk", "y", 0, 600000, dt.datetime(2025, 12, 31), "ja"],
                ]
            },
            "every value of maal must be readable",
            2,
            "gevinster",
        ),
        (
            {
                "maalinger": [
                    MEASUREMENTS,
                    ["INI-001-G1", "2024-07", 1, dt.datetime(2024, 8, 14)],
                    ["INI-001-G1", "2024-07", 2, dt.datetime(2024, 8, 14)],
                ]
            },
            "a benefit has one measurement per periode and maalt_dato (a correction has a newer maalt_dato)",
            2,
            "maalinger",
        ),
        (
            {
                "initiativer": [
                    INITIATIVES,
                    ["INI-001", "N", "Ældre", "1", dt.datetime(2024, 2, 1), None, "i gang", 1],
                    ["INI-002", "R", "Administration", "2", dt.datetime(2024, 1, 1), None, "igang", 1],
                ]
            },
            "status is planlagt, igang, afsluttet or stoppet",
            2,
            "initiativer",
        ),
        (
            {
                "initiativer": [
                    INITIATIVES,
                    ["INI-001", "N", "Ældrepleje", "1", dt.datetime(2024, 2, 1), None, "igang", 1],
                    ["INI-002", "R", "Administration", "2", dt.datetime(2024, 1, 1), None, "igang", 1],
                ]
            },
            "sektor is one of Administration, Ældre, Handicap, Skole, Dagtilbud, Sundhed, Beskæftigelse, Teknik og miljø, Kultur og fritid",
            2,
            "initiativer",
        ),
    ],
    ids=[
        "unknown-benefit-type",
        "measurement-of-unknown-benefit",
        "target-date-before-start",
        "non-numeric-value",
        "non-numeric-target",
        "same-period-same-day",
        "unknown-status",
        "unknown-sektor",
    ],
)
def test_blocking_rules_name_the_rule_the_sheet_and_the_row(overrides, rule, row, sheet):
    parsed = benefits.parse(register_xlsx(**overrides), name("benefits_0751_2025-06-30.xlsx"), context())
    outcome = validate_batches(load_suite_spec("benefits"), [parsed.validation_frame])
    failed = {check.rule: check for check in outcome.failed}
    assert rule in failed, [c.rule for c in outcome.failed]
    example = failed[rule].examples[0]
    assert example["row"] == row and example["label"]["sheet"] == sheet
    assert sheet in failed[rule].sentence()


# --------------------------------------------------------------------------- through the lifecycle


@pytest.fixture
def pipeline(digilead_home) -> Pipeline:
    return Pipeline(Settings.from_env())


def land(pipeline: Pipeline, files: dict[str, bytes]) -> None:
    pipeline.settings.landing.mkdir(parents=True, exist_ok=True)
    for file_name, data in files.items():
        (pipeline.settings.landing / file_name).write_bytes(data)


def one_pass(pipeline: Pipeline) -> None:
    _, pending = pipeline.triage()
    for spec in ingest.loaded_sources():
        pipeline.stage(spec, pending.get(spec.name, []))
        pipeline.validate(spec)
        pipeline.load(spec)


def query(pipeline: Pipeline, sql: str) -> list[tuple]:
    with pipeline.warehouse.connect(read_only=True) as con:
        return con.execute(sql).fetchall()


TRIPLET = {
    "benefits_0751_2025-12-31_maalinger.csv": CSV_MEASUREMENTS,
    "benefits_0751_2025-12-31_gevinster.csv": CSV_BENEFITS,
    "benefits_0751_2025-12-31_initiativer.csv": CSV_INITIATIVES,
}


def test_a_csv_triplet_loads_part_after_part_and_each_pass_says_what_is_ready(pipeline):
    land(pipeline, TRIPLET)
    one_pass(pipeline)
    assert query(pipeline, "select part from raw.benefit_register_parts") == [("initiativer",)]
    assert pipeline.ready_to_retry() == ["benefits_0751_2025-12-31_gevinster.csv"]  # maalinger still waits
    one_pass(pipeline)
    assert pipeline.ready_to_retry() == ["benefits_0751_2025-12-31_maalinger.csv"]
    one_pass(pipeline)
    assert pipeline.ready_to_retry() == [] and not any(pipeline.settings.landing.iterdir())
    assert query(pipeline, "select count(*) from raw.benefit_maalinger") == [(3,)]
    assert sorted(p.name for p in (pipeline.settings.archive / "benefits").iterdir()) == sorted(TRIPLET)
    assert query(pipeline, "select count(*), sum(rows_loaded) from meta.files where status = 'accepted'") == [(3, 8)]


def test_a_part_referring_to_what_its_sibling_lacks_is_quarantined_naming_the_row(pipeline):
    bad = CSV_MEASUREMENTS + "INI-404-G1;2024-09;12;01-10-2024\r\n".encode("cp1252")
    land(pipeline, {**TRIPLET, "benefits_0751_2025-12-31_maalinger.csv": bad})
    for _ in range(3):
        one_pass(pipeline)
    reason = json.loads(
        (pipeline.settings.quarantine / "benefits_0751_2025-12-31_maalinger.csv.reason.json").read_text()
    )
    assert reason["stage"] == "validate"
    assert "every measurement is of a benefit of the same register" in reason["summary"]
    assert "row 5" in reason["summary"] and "INI-404-G1" in reason["summary"]
    assert query(pipeline, "select count(*) from raw.benefit_maalinger") == [(0,)]


def test_a_csv_renamed_xlsx_is_quarantined_at_once(pipeline):
    land(pipeline, {"benefits_0751_2025-02-28.xlsx": CSV_INITIATIVES})
    one_pass(pipeline)
    assert query(pipeline, "select status from meta.files") == [("quarantined",)]
    assert not any(pipeline.settings.landing.iterdir())
