"""The training oracle itself, on a tiny hand-made truth directory with the expected values worked out by hand.

Org (extracts 2024-12 and 2025-01): R (root) > A, B.
HR 2025-01: E1 at A (FTE 1.0), E2 at B (0.5), E3 at B (1.0) who left on 15 January.
HR 2025-03: E1 at A (1.0), E2 moved to A (0.5), E4 at B (1.0).
Courses: K1 (1.2, nominal 2 h), K2 (4.1, nominal 1 h); K9 is not in the catalogue.

Training records:
  1  2025-01 CSV  "E1@K.DK " (e-mail only)      K1 completed 10 Jan, no hours    -> E1 (case, spaces)
  2  2025-01 CSV  medarbejdernr E2              K1 completed 11 Jan, 1.5 h       -> E2
  3  2025-01 CSV  e1@k.dk + E1                  K1 completed 20 Jan, 3 h         -> E1 again: counts once, 3 h (latest)
  4  2025-01 CSV  ext@x.dk                      K2 completed                     -> unlinked
  5  2025-01 CSV  e3@k.dk                       K2 in_progress                   -> no completion
  6  2025-01 CSV  e3@k.dk                       K2 completed 5 Jan, hours 0      -> E3, nominal 1 h, placed at B, not in headcount
  7  2025-02 xAPI e2@k.dk  s1                   K2 completed 2025-02-28T23:30Z, PT30M -> March (Copenhagen), 0.5 h
  8  2025-02 xAPI e1@k.dk  s2                   K1 attempted                     -> no completion
  9  2025-03 CSV  e4@k.dk + E4                  K9 completed 5 Mar               -> E4, 'all' only, no hours
Months: 2025-01 and 2025-03 (February's only completion falls in March).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from tests.oracle.training import Linker, expected_training_after_maturity, expected_training_uptake

K = "0751"


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def truth(tmp_path: Path) -> Path:
    org_header = [
        "kommunekode",
        "snapshot_month",
        "los_id",
        "parent_los_id",
        "enhedsnavn",
        "sektor",
        "gyldig_fra",
        "gyldig_til",
    ]
    _write(
        tmp_path / "org_units.csv",
        org_header,
        [
            [K, month, los, parent, f"Enhed {los}", "Administration", "2020-01-01", ""]
            for month in ("2024-12", "2025-01")
            for los, parent in (("R", ""), ("A", "R"), ("B", "R"))
        ],
    )
    _write(
        tmp_path / "employees.csv",
        [
            "kommunekode",
            "snapshot_month",
            "medarbejdernr",
            "email",
            "los_id",
            "beskaeftigelsesgrad",
            "ansat_fra",
            "ansat_til",
        ],
        [
            [K, "2025-01", "E1", "e1@k.dk", "A", "1.0", "2020-01-01", ""],
            [K, "2025-01", "E2", "e2@k.dk", "B", "0.5", "2020-01-01", ""],
            [K, "2025-01", "E3", "e3@k.dk", "B", "1.0", "2020-01-01", "2025-01-15"],
            [K, "2025-03", "E1", "e1@k.dk", "A", "1.0", "2020-01-01", ""],
            [K, "2025-03", "E2", "e2@k.dk", "A", "0.5", "2020-01-01", ""],
            [K, "2025-03", "E4", "e4@k.dk", "B", "1.0", "2025-02-01", ""],
        ],
    )
    _write(
        tmp_path / "courses.csv",
        ["kommunekode", "course_id", "course_name", "competence_code", "nominal_hours"],
        [
            [K, "K1", "Kursus 1", "1.2", "2"],
            [K, "K2", "Kursus 2", "4.1", "1"],
        ],
    )
    header = [
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
    ]
    _write(
        tmp_path / "training.csv",
        header,
        [
            [
                K,
                "2025-01",
                "lms_csv",
                "",
                "E1@K.DK ",
                "",
                "E1",
                "K1",
                "completed",
                "1",
                "2025-01-10T10:00:00+01:00",
                "2025-01",
                "",
                "",
            ],
            [
                K,
                "2025-01",
                "lms_csv",
                "",
                "",
                "E2",
                "E2",
                "K1",
                "completed",
                "1",
                "2025-01-11T10:00:00+01:00",
                "2025-01",
                "1.5",
                "",
            ],
            [
                K,
                "2025-01",
                "lms_csv",
                "",
                "e1@k.dk",
                "E1",
                "E1",
                "K1",
                "completed",
                "1",
                "2025-01-20T10:00:00+01:00",
                "2025-01",
                "3",
                "",
            ],
            [
                K,
                "2025-01",
                "lms_csv",
                "",
                "ext@x.dk",
                "",
                "",
                "K2",
                "completed",
                "1",
                "2025-01-12T10:00:00+01:00",
                "2025-01",
                "",
                "",
            ],
            [K, "2025-01", "lms_csv", "", "e3@k.dk", "", "E3", "K2", "in_progress", "0", "", "", "", ""],
            [
                K,
                "2025-01",
                "lms_csv",
                "",
                "e3@k.dk",
                "",
                "E3",
                "K2",
                "completed",
                "1",
                "2025-01-05T10:00:00+01:00",
                "2025-01",
                "0",
                "",
            ],
            [
                K,
                "2025-02",
                "xapi",
                "s1",
                "e2@k.dk",
                "",
                "E2",
                "K2",
                "completed",
                "1",
                "2025-03-01T00:30:00+01:00",
                "2025-03",
                "",
                "0.5",
            ],
            [
                K,
                "2025-02",
                "xapi",
                "s2",
                "e1@k.dk",
                "",
                "E1",
                "K1",
                "attempted",
                "0",
                "2025-02-10T10:00:00+01:00",
                "2025-02",
                "",
                "",
            ],
            [
                K,
                "2025-03",
                "lms_csv",
                "",
                "e4@k.dk",
                "E4",
                "E4",
                "K9",
                "completed",
                "1",
                "2025-03-05T10:00:00+01:00",
                "2025-03",
                "",
                "",
            ],
        ],
    )
    _write(
        tmp_path / "items.csv",
        ["kommunekode", "wave", "item_id", "question_text", "competence_code", "reverse_scored"],
        [
            [K, "2024H2", "Q1", "Spørgsmål 1", "1.1", "0"],
            [K, "2024H2", "Q2", "Spørgsmål 2", "4.1", "0"],
        ],
    )
    _write(
        tmp_path / "responses.csv",
        [
            "kommunekode",
            "wave",
            "respondent_id",
            "employee_ref",
            "los_id",
            "submitted_at",
            "is_response",
            "medarbejdernr",
        ],
        [
            [K, "2024H2", "r1", "E1", "A", "2024-11-01T09:00:00", "1", "E1"],
            [K, "2024H2", "r2", " E2@k.dk", "B", "2024-11-01T09:00:00", "1", "E2"],
            [K, "2024H2", "r3", "nobody@x.dk", "B", "2024-11-01T09:00:00", "1", ""],
            [K, "2024H2", "r4", "", "A", "2024-11-01T09:00:00", "1", ""],
        ],
    )
    _write(
        tmp_path / "answers.csv",
        ["kommunekode", "wave", "respondent_id", "item_id", "answer"],
        [
            [K, "2024H2", "r1", "Q1", "1"],
            [K, "2024H2", "r1", "Q2", "2"],
            [K, "2024H2", "r2", "Q1", "4"],
            [K, "2024H2", "r2", "Q2", "4"],
            [K, "2024H2", "r3", "Q1", "1"],
            [K, "2024H2", "r3", "Q2", "1"],
            [K, "2024H2", "r4", "Q1", "1"],
            [K, "2024H2", "r4", "Q2", "1"],
        ],
    )
    return tmp_path


def _row(frame, **key) -> dict:
    selected = frame
    for column, value in key.items():
        selected = selected[selected[column] == value]
    assert len(selected) == 1, key
    return selected.iloc[0].to_dict()


def _close(value, want) -> bool:
    if want is None:
        return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    return abs(float(value) - want) < 1e-12


def test_months_units_and_areas(truth: Path):
    frame = expected_training_uptake(truth, min_cell=0)
    assert sorted(set(frame["month"])) == ["2025-01", "2025-03"]
    assert len(frame) == 2 * 3 * 6  # every unit of the tree x every area, each month


@pytest.mark.parametrize(
    "month, los_id, area, want",
    [
        # min_cell 0: nothing suppressed. headcount, fte, completions, people_trained, training_hours, hours_per_fte, coverage_12m
        ("2025-01", "R", "1", (2, 1.5, 2, 2, 4.5, 3.0, 1.0)),
        ("2025-01", "R", "4", (2, 1.5, 1, 1, 1.0, 1 / 1.5, 0.0)),  # E3 trained but left: not in the headcount
        ("2025-01", "R", "all", (2, 1.5, 3, 3, 5.5, 5.5 / 1.5, 1.0)),  # the unlinked completion is nowhere
        ("2025-01", "A", "1", (1, 1.0, 1, 1, 3.0, 3.0, 1.0)),  # E1 twice in January: once, with the later 3 h
        ("2025-01", "B", "4", (1, 0.5, 1, 1, 1.0, 2.0, 0.0)),  # hours 0 -> nominal 1 h
        ("2025-01", "B", "all", (1, 0.5, 2, 2, 2.5, 5.0, 1.0)),
        ("2025-01", "A", "2", (1, 1.0, 0, 0, 0.0, 0.0, 0.0)),
        ("2025-03", "R", "4", (3, 2.5, 1, 1, 0.5, 0.2, 1 / 3)),  # 23:30Z on 28 Feb is March; PT30M
        ("2025-03", "R", "1", (3, 2.5, 0, 0, 0.0, 0.0, 2 / 3)),  # January's K1 completions within 12 months
        ("2025-03", "R", "all", (3, 2.5, 2, 2, 0.5, 0.2, 1.0)),  # K9 (not in the catalogue): 'all' only, no hours
        ("2025-03", "A", "4", (2, 1.5, 1, 1, 0.5, 0.5 / 1.5, 0.5)),  # E2 moved to A: placed by March's snapshot
        ("2025-03", "B", "all", (1, 1.0, 1, 1, 0.0, 0.0, 1.0)),
    ],
)
def test_uptake_values(truth: Path, month, los_id, area, want):
    row = _row(expected_training_uptake(truth, min_cell=0), month=month, los_id=los_id, competence_area=area)
    got = tuple(
        row[c]
        for c in (
            "headcount",
            "fte",
            "completions",
            "people_trained",
            "training_hours",
            "hours_per_fte",
            "coverage_12m",
        )
    )
    assert all(_close(g, w) for g, w in zip(got, want, strict=True)), got
    assert not row["suppressed"]


def test_uptake_suppression_by_headcount(truth: Path):
    frame = expected_training_uptake(truth, min_cell=2)
    # January: headcount A {E1}, B {E2} (E3 left on 15 January), R 2: A and B are small groups, R is published
    both = _row(frame, month="2025-01", los_id="R", competence_area="1")  # 2 trained, 2 in 12 months
    assert both["completions"] == 2 and both["coverage_12m"] == 1.0 and not both["suppressed"]
    # by headcount, not by the people trained: one person trained (E3, no longer in the headcount)
    one_trained = _row(frame, month="2025-01", los_id="R", competence_area="4")
    assert (one_trained["completions"], one_trained["people_trained"], one_trained["training_hours"]) == (1, 1, 1.0)
    assert one_trained["coverage_12m"] == 0.0 and not one_trained["suppressed"]
    small = _row(frame, month="2025-01", los_id="A", competence_area="1")
    assert small["suppression_reason"] == "small_group" and small["headcount"] == 1
    assert _close(small["completions"], None) and _close(small["coverage_12m"], None)
    # March: nobody trained in area 1 is a published zero; coverage 2 of 3
    nobody = _row(frame, month="2025-03", los_id="R", competence_area="1")
    assert (nobody["completions"], nobody["people_trained"], nobody["training_hours"]) == (0, 0, 0.0)
    assert nobody["coverage_12m"] == 2 / 3 and not nobody["suppressed"]
    assert nobody["headcount"] == 3 and nobody["fte"] == 2.5
    # March: A {E1, E2} is large enough, but R (3) minus A would give B's single person (E4) away
    for area in ("1", "4", "all"):
        hidden = _row(frame, month="2025-03", los_id="A", competence_area=area)
        assert hidden["suppression_reason"] == "secondary" and hidden["headcount"] == 2 and hidden["fte"] == 1.5
        assert _close(hidden["people_trained"], None) and _close(hidden["coverage_12m"], None)
        assert _row(frame, month="2025-03", los_id="B", competence_area=area)["suppression_reason"] == "small_group"


def test_linking_rule(truth: Path):
    linker = Linker(pd.read_csv(truth / "employees.csv", dtype=str, keep_default_na=False))
    assert linker.person("", " E1@K.DK ") == "E1"
    assert linker.person("E2", "wrong@x.dk") == "E2"  # the employee number first
    assert linker.person("E99", "e4@k.dk") == "E4"  # an unknown number falls back to the e-mail
    assert linker.person("", "mailto:e2@k.dk") == "E2"
    assert linker.person("", "ext@x.dk") is None


def test_after_maturity(truth: Path):
    frame = expected_training_after_maturity(truth, min_cell=0)
    assert len(frame) == 3 * 6 and set(frame["followup_months_loaded"]) == {3}
    root_all = _row(frame, wave="2024H2", los_id="R", competence_area="all")
    # r1 (E1, basic) trained in January; r2 (E2, not basic) trained; r3 unlinked, r4 anonymous: left out
    assert (
        root_all["linked_respondents"],
        root_all["basic_respondents"],
        root_all["basic_trained_6m"],
        root_all["trained_6m"],
    ) == (2, 1, 1, 2)
    assert root_all["share_basic_trained_6m"] == 1.0 and root_all["share_trained_6m"] == 1.0
    root_4 = _row(frame, wave="2024H2", los_id="R", competence_area="4")
    # r1 basic in area 4 but trained only K1 (area 1); r2 trained K2 (area 4) in March
    assert (root_4["basic_respondents"], root_4["basic_trained_6m"], root_4["trained_6m"]) == (1, 0, 1)
    assert root_4["share_basic_trained_6m"] == 0.0 and root_4["share_trained_6m"] == 0.5
    b_all = _row(frame, wave="2024H2", los_id="B", competence_area="all")
    assert b_all["linked_respondents"] == 1 and b_all["basic_respondents"] == 0
    # suppression goes by the linked respondents the row describes (2), not by the basic ones (1)
    small = _row(expected_training_after_maturity(truth, min_cell=3), wave="2024H2", los_id="R", competence_area="all")
    assert small["suppression_reason"] == "small_group" and small["linked_respondents"] == 2
    assert _close(small["share_basic_trained_6m"], None) and _close(small["basic_respondents"], None)
    published = _row(
        expected_training_after_maturity(truth, min_cell=2), wave="2024H2", los_id="R", competence_area="all"
    )
    assert not published["suppressed"] and published["basic_respondents"] == 1
    assert published["share_basic_trained_6m"] == 1.0
