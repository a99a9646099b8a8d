"""The conformance corpus: files made by hand from the contract (not by `digilead generate`), run
through a real `digilead run`, with every expected mart value worked out with a pencil in
tests/conformance/README.md.

Two municipalities (0751, 0461) share one org tree (100 Kommunen > 110 Ældreområdet, 120
Skoleområdet), byte-identical in three files, one questionnaire (four identical catalogues) and one
course catalogue; DIGILEAD_MIN_CELL is 2 so the numbers are visible. Every dialect and form the
contract names appears once: flat CSV in Windows-1252 with Danish dates and labels in mixed case,
SurveyXact without timestamps (dataset tab + UTF-16, labels ; + Windows-1252, structure , +
Windows-1252), Qualtrics numeric values with preview/test/spam/unfinished rows and extra columns,
Microsoft Forms XLSX, LMS CSV with employee numbers only, xAPI JSONL, benefit register XLSX and CSV
triplet, HR extracts with columns in another order and headers in other case and spacing.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent
REPO_ROOT = HERE.parents[1]
MIN_CELL = 2
NULL = None

# kommunekode, wave, los_id, area -> respondents, headcount, response_rate, mean, share_basic,
# share_advanced, prev_mean_score, change, suppressed (README.md, "digital_maturity")
MATURITY = {
    # 0751 2025H1, flat: r1 and r2 are one person (employee number / e-mail of 1001), r2 is later
    ("0751", "2025H1", "100", "all"): (4, 4, 1.0, 10 / 3, 0.0, 0.25, NULL, NULL, False),
    ("0751", "2025H1", "100", "1"): (4, 4, 1.0, 2.75, 0.5, 0.5, NULL, NULL, False),
    ("0751", "2025H1", "100", "2"): (4, 4, 1.0, 3.5, 0.25, 0.5, NULL, NULL, False),
    ("0751", "2025H1", "100", "4"): (2, 4, 0.5, 4.5, 0.0, 1.0, NULL, NULL, False),
    ("0751", "2025H1", "110", "all"): (2, 2, 1.0, 3.0, 0.0, 0.0, NULL, NULL, False),
    ("0751", "2025H1", "110", "1"): (2, 2, 1.0, 1.5, 1.0, 0.0, NULL, NULL, False),
    ("0751", "2025H1", "110", "2"): (2, 2, 1.0, 4.5, 0.0, 1.0, NULL, NULL, False),
    ("0751", "2025H1", "110", "4"): (0, 2, 0.0, NULL, NULL, NULL, NULL, NULL, True),
    ("0751", "2025H1", "120", "all"): (2, 2, 1.0, 11 / 3, 0.0, 0.5, NULL, NULL, False),
    ("0751", "2025H1", "120", "1"): (2, 2, 1.0, 4.0, 0.0, 1.0, NULL, NULL, False),
    ("0751", "2025H1", "120", "2"): (2, 2, 1.0, 2.5, 0.5, 0.0, NULL, NULL, False),
    ("0751", "2025H1", "120", "4"): (2, 2, 1.0, 4.5, 0.0, 1.0, NULL, NULL, False),
    # 0751 2025H2, SurveyXact without timestamps: 1001 answered twice, the later row wins;
    # 1004 (employed from August) counts in December's headcount from the June extract
    ("0751", "2025H2", "100", "all"): (4, 5, 0.8, 11 / 3, 0.25, 0.5, 10 / 3, 1 / 3, False),
    ("0751", "2025H2", "100", "1"): (4, 5, 0.8, 3.75, 0.25, 0.5, 2.75, 1.0, False),
    ("0751", "2025H2", "100", "2"): (4, 5, 0.8, 3.75, 0.25, 0.5, 3.5, 0.25, False),
    ("0751", "2025H2", "100", "4"): (2, 5, 0.4, 3.0, 0.5, 0.5, 4.5, -1.5, False),
    ("0751", "2025H2", "110", "all"): (2, 2, 1.0, 10 / 3, 0.5, 0.5, 3.0, 1 / 3, False),
    ("0751", "2025H2", "110", "1"): (2, 2, 1.0, 3.5, 0.5, 0.5, 1.5, 2.0, False),
    ("0751", "2025H2", "110", "2"): (2, 2, 1.0, 3.5, 0.5, 0.5, 4.5, -1.0, False),
    ("0751", "2025H2", "110", "4"): (2, 2, 1.0, 3.0, 0.5, 0.5, NULL, NULL, False),
    ("0751", "2025H2", "120", "all"): (2, 3, 2 / 3, 4.0, 0.0, 0.5, 11 / 3, 1 / 3, False),
    ("0751", "2025H2", "120", "1"): (2, 3, 2 / 3, 4.0, 0.0, 0.5, 4.0, 0.0, False),
    ("0751", "2025H2", "120", "2"): (2, 3, 2 / 3, 4.0, 0.0, 0.5, 2.5, 1.5, False),
    ("0751", "2025H2", "120", "4"): (0, 3, 0.0, NULL, NULL, NULL, NULL, NULL, True),
    # 0461 2025H1, Qualtrics numeric values: a preview, a test, spam and an unfinished row are not responses
    **{
        ("0461", "2025H1", unit, area): values
        for area in ("all", "1", "2", "4")
        for unit, values in {
            "100": (4, 4, 1.0, 3.5, 0.25, 0.5, NULL, NULL, False),
            "110": (2, 2, 1.0, 3.0, 0.5, 0.5, NULL, NULL, False),
            "120": (2, 2, 1.0, 4.0, 0.0, 0.5, NULL, NULL, False),
        }.items()
    },
    # 0461 2025H2, Microsoft Forms: both answers at 110, none at 120
    ("0461", "2025H2", "100", "all"): (2, 4, 0.5, 3.0, 0.5, 0.5, 3.5, -0.5, False),
    ("0461", "2025H2", "100", "1"): (2, 4, 0.5, 3.0, 0.5, 0.5, 3.5, -0.5, False),
    ("0461", "2025H2", "100", "2"): (2, 4, 0.5, 2.5, 0.5, 0.5, 3.5, -1.0, False),
    ("0461", "2025H2", "100", "4"): (2, 4, 0.5, 3.5, 0.5, 0.5, 3.5, 0.0, False),
    ("0461", "2025H2", "110", "all"): (2, 2, 1.0, 3.0, 0.5, 0.5, 3.0, 0.0, False),
    ("0461", "2025H2", "110", "1"): (2, 2, 1.0, 3.0, 0.5, 0.5, 3.0, 0.0, False),
    ("0461", "2025H2", "110", "2"): (2, 2, 1.0, 2.5, 0.5, 0.5, 3.0, -0.5, False),
    ("0461", "2025H2", "110", "4"): (2, 2, 1.0, 3.5, 0.5, 0.5, 3.0, 0.5, False),
    **{
        ("0461", "2025H2", "120", area): (0, 2, 0.0, NULL, NULL, NULL, NULL, NULL, True)
        for area in ("all", "1", "2", "4")
    },
}
MATURITY_COLUMNS = "respondents, headcount, response_rate, mean_score, share_basic, share_advanced, prev_mean_score, change, suppressed"

# kommunekode, month, los_id, area -> completions, people_trained, training_hours, hours_per_fte,
# coverage_12m (rows where at least MIN_CELL people trained: published by any reading of §4)
TRAINING = {
    ("0751", "2025-09", "100", "all"): (4, 4, 8.5, 8.5 / 4.3, 0.8),
    ("0751", "2025-09", "100", "1"): (2, 2, 5.0, 5.0 / 4.3, 0.4),
    ("0751", "2025-09", "100", "2"): (2, 2, 3.5, 3.5 / 4.3, 0.4),
    ("0751", "2025-09", "110", "all"): (2, 2, 3.5, 3.5 / 1.5, 1.0),
    ("0751", "2025-09", "110", "2"): (2, 2, 3.5, 3.5 / 1.5, 1.0),
    ("0751", "2025-09", "120", "all"): (2, 2, 5.0, 5.0 / 2.8, 2 / 3),
    ("0751", "2025-09", "120", "1"): (2, 2, 5.0, 5.0 / 2.8, 2 / 3),
    ("0461", "2025-10", "100", "all"): (3, 3, 4.5, 4.5 / 3.5, 0.75),
    ("0461", "2025-10", "100", "1"): (2, 2, 3.0, 3.0 / 3.5, 0.5),
    ("0461", "2025-10", "110", "all"): (2, 2, 2.5, 2.5 / 2.0, 1.0),
}
# kommunekode, month, los_id -> headcount, fte (population figures: always published)
POPULATION = {
    ("0751", "2025-09", "100"): (5, 4.3),
    ("0751", "2025-09", "110"): (2, 1.5),
    ("0751", "2025-09", "120"): (3, 2.8),
    ("0461", "2025-10", "100"): (4, 3.5),
    ("0461", "2025-10", "110"): (2, 2.0),
    ("0461", "2025-10", "120"): (2, 1.5),
    # Gitte's completion at 23:30 UTC on 31 October is in November, Copenhagen time
    ("0461", "2025-11", "100"): (4, 3.5),
    ("0461", "2025-11", "110"): (2, 2.0),
    ("0461", "2025-11", "120"): (2, 1.5),
}

# benefit_id, month -> target, realised_cumulative, planned_cumulative, realisation_pct, status
# (the same register for both municipalities: XLSX for 0751, a CSV triplet for 0461)
BENEFITS = {
    ("B1", "2025-01"): (1200.0, 100.0, 300.0, 100 / 1200, "behind"),
    ("B1", "2025-02"): (1200.0, 400.0, 600.0, 400 / 1200, "behind"),  # 300 corrects 200
    ("B1", "2025-03"): (1200.0, 800.0, 900.0, 800 / 1200, "at_risk"),
    ("B1", "2025-04"): (1200.0, 800.0, 1200.0, 800 / 1200, "behind"),
    ("B2", "2025-01"): (10.0, 5.0, 5.0, 0.5, "on_track"),
    ("B2", "2025-02"): (10.0, 5.0, 10.0, 0.5, "behind"),
    ("B2", "2025-03"): (10.0, 11.0, 10.0, 1.1, "realised"),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, pseudonym_key: str) -> Path:
    home = tmp_path_factory.mktemp("conformance") / "home"
    shutil.copytree(HERE / "landing", home / "landing")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGILEAD_")}
    env.update(DIGILEAD_HOME=str(home), DIGILEAD_PSEUDONYM_KEY=pseudonym_key, DIGILEAD_MIN_CELL=str(MIN_CELL))
    run = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    return home / "warehouse.duckdb"


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def same(actual: object, expected: object) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    if isinstance(expected, float):
        return actual is not None and abs(float(actual) - expected) < 1e-9
    return actual == expected


def mismatches(actual: dict, expected: dict) -> list[str]:
    problems = []
    for key, want in expected.items():
        got = actual.get(key)
        if got is None:
            problems.append(f"{key}: no row")
        elif not all(same(g, w) for g, w in zip(got, want, strict=True)):
            problems.append(f"{key}: got {got}, expected {want}")
    return problems


def test_every_file_is_accepted_and_every_row_loaded_or_counted(warehouse: Path):
    files = query(warehouse, "select file_name, status, rows_read, rows_loaded, rows_rejected from meta.files")
    assert sorted(name for name, *_ in files) == sorted(path.name for path in (HERE / "landing").iterdir())
    assert {status for _, status, *_ in files} == {"accepted"}, files
    not_loaded = {name: (read, loaded, rejected) for name, _, read, loaded, rejected in files if loaded != read}
    # the Qualtrics preview, test, spam and unfinished rows: read, counted, never scored
    assert not_loaded == {"survey_responses_0461_2025H1.csv": (8, 4, 4)}
    reasons = query(warehouse, "select reason from meta.rejected_rows order by _row_number")
    assert [reason for (reason,) in reasons] == [
        "Status is 1 (Survey Preview)",
        "Status is 2 (Survey Test)",
        "Status is 8 (Spam)",
        "not finished (Finished is false)",
    ]


def test_shared_files_serve_every_municipality_and_period(warehouse: Path):
    # one org tree byte-identical in three files, one catalogue in four, one course list in two
    assert query(
        warehouse,
        "select kommunekode, strftime(snapshot_month, '%Y-%m'), count(*) from raw.hr_org_units group by all order by all",
    ) == [("0461", "2025-06", 3), ("0751", "2025-06", 3), ("0751", "2025-12", 3)]
    assert query(warehouse, "select kommunekode, wave, count(*) from raw.survey_items group by all order by all") == [
        ("0461", "2025H1", 3),
        ("0461", "2025H2", 3),
        ("0751", "2025H1", 3),
        ("0751", "2025H2", 3),
    ]
    assert query(warehouse, "select kommunekode, count(*) from raw.courses group by all order by all") == [
        ("0461", 2),
        ("0751", 2),
    ]


def test_digital_maturity_rows_computed_by_hand(warehouse: Path):
    rows = query(
        warehouse,
        f"select kommunekode, wave, los_id, competence_area, {MATURITY_COLUMNS} from marts.digital_maturity",
    )
    actual = {tuple(row[:4]): tuple(row[4:]) for row in rows}
    assert mismatches(actual, MATURITY) == []
    # every unit of the tree × 6 areas × 4 waves; areas 3 and 5 have no item, so no respondent
    assert len(rows) == 3 * 6 * 4
    assert {row[4] for row in rows if row[3] in ("3", "5")} == {0}


def test_training_uptake_rows_computed_by_hand(warehouse: Path):
    rows = query(
        warehouse,
        """select kommunekode, strftime(month, '%Y-%m'), los_id, competence_area, completions, people_trained,
                  training_hours, hours_per_fte, coverage_12m, headcount, fte
           from marts.training_uptake""",
    )
    actual = {tuple(row[:4]): tuple(row[4:9]) for row in rows}
    assert mismatches(actual, TRAINING) == []
    population = {tuple(row[:3]): tuple(row[9:]) for row in rows}
    assert mismatches(population, POPULATION) == []
    assert {(k, m) for k, m, *_ in rows} == {("0751", "2025-09"), ("0461", "2025-10"), ("0461", "2025-11")}


def test_benefit_realisation_rows_computed_by_hand(warehouse: Path):
    rows = query(
        warehouse,
        """select kommunekode, benefit_id, strftime(month, '%Y-%m'), target, realised_cumulative,
                  planned_cumulative, realisation_pct, status
           from marts.benefit_realisation""",
    )
    for kommunekode in ("0751", "0461"):
        actual = {(b, m): tuple(rest) for k, b, m, *rest in rows if k == kommunekode}
        assert mismatches(actual, BENEFITS) == [], kommunekode
        assert len(actual) == len(BENEFITS)


def test_data_quality_counts_what_was_not_scored(warehouse: Path):
    issues = query(
        warehouse,
        "select kommunekode, source, period, check_name, issue_count, severity from marts.data_quality "
        "where issue_count > 0 order by all",
    )
    assert issues == [
        ("0461", "survey_responses", "2025H1", "not_responses", 4, "info"),
        ("0461", "training", "2025-10", "duplicate_completions_merged", 1, "info"),  # Eva's second C1
        ("0461", "training", "2025-10", "not_completions", 1, "info"),  # Finn's "attempted"
        ("0751", "survey_responses", "2025H1", "duplicate_submissions_merged", 1, "info"),  # r1 / r2
        ("0751", "survey_responses", "2025H2", "duplicate_submissions_merged", 1, "info"),  # rows 1 / 3
        ("0751", "training", "2025-09", "not_completions", 2, "info"),  # in progress, not started
    ]


def test_no_clear_identifier_or_free_text_reaches_the_warehouse(warehouse: Path):
    clear = [
        "@aarhus.dk",
        "@odense.dk",
        "Anna",
        "Ærenlund",
        "træls",
        "Godt kursus",
        "Mere tid",
        "Fint",
        "10.0.0.",
        "55.40",
    ]
    clear += ["Ledelse", "010180-1111", "0202811112", "0707862223"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema in ('raw', 'staging', 'intermediate', 'marts')"
        ).fetchall()
        found = []
        for schema, table in tables:
            text = " ".join(
                str(value) for row in con.execute(f'select * from "{schema}"."{table}"').fetchall() for value in row
            )
            found += [f"{schema}.{table}: {value}" for value in clear if value.lower() in text.lower()]
    assert found == []
