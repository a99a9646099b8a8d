"""The oracle itself, checked on a tiny hand-made truth directory with every expected value worked out by hand.

The municipality (kommunekode 0751) has three waves, 2025H1, 2025H2 and 2026H1.

Org extracts (units valid on the period's last day make the tree):
  2025-05  R (root); A, B, C under R; A1 under A; X under R ended 2025-03-31; F under A from 2025-07-01
  2025-07  as 2025-05 plus Z under R              (later than June: never used for 2025H1)
  2025-12  R; A, B, C; A1 ended 2025-09-30; A2 under A from 2025-10-01
  -> 2025H1 tree {R, A, B, C, A1} (from 2025-05); 2025H2 and 2026H1 tree {R, A, B, C, A2} (from 2025-12)

HR extracts: 2025-03 (decoy), 2025-06 (used for 2025H1), 2025-08 (decoy), 2025-11 (used for 2025H2 and 2026H1).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from tests.oracle.maturity import COLUMNS, expected_digital_maturity, previous_wave, wave_last_day

K = "0751"


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _org(month: str, units: list[tuple[str, str, str, str]]) -> list[list[str]]:
    return [[K, month, los, parent, f"Enhed {los}", "Administration", fra, til] for los, parent, fra, til in units]


def _emp(month: str, people: list[tuple[str, str, str, str]]) -> list[list[str]]:
    return [[K, month, nr, f"{nr.lower()}@kommune.dk", los, "1.0", fra, til] for nr, los, fra, til in people]


# respondent_id -> (wave, employee_ref, los_id, submitted_at, is_response, {item: answer})
RESPONSES = {
    # 2025H1 -------------------------------------------------------------------------------
    "r1": ("2025H1", "E1", "A1", "2025-05-01T09:00:00", "1", {"Q1": "4", "Q2": "2", "Q3": "5"}),
    "r2": ("2025H1", "Anna@Kommune.dk ", "A", "2025-05-02T10:00:00", "1", {"Q1": "1", "Q2": "1", "Q3": "1"}),
    "r3": ("2025H1", "anna@kommune.dk", "B", "2025-05-02T11:30:00", "1", {"Q1": "2", "Q2": "", "Q3": "3"}),
    "r4": ("2025H1", "", "A", "2025-05-03T09:00:00", "1", {"Q1": "5", "Q2": "1", "Q3": ""}),
    "r5": ("2025H1", "", "A", "2025-05-03T10:00:00", "1", {"Q1": "", "Q2": "", "Q3": ""}),
    "r6": ("2025H1", "", "A", "2025-05-04T09:00:00", "0", {"Q1": "1", "Q2": "5", "Q3": "1"}),
    "r7": ("2025H1", "E9", "X", "2025-05-05T09:00:00", "1", {"Q1": "3", "Q2": "3", "Q3": "3"}),
    "r8": ("2025H1", " E1", "B", "2025-04-01T09:00:00", "1", {"Q1": "1", "Q2": "5", "Q3": "1"}),
    "r9": ("2025H1", "E1", "B", "2025-06-01T09:00:00", "0", {"Q1": "1", "Q2": "5", "Q3": "1"}),
    # 2025H2 -------------------------------------------------------------------------------
    "s1": ("2025H2", "E1", "A2", "2025-11-01T09:00:00", "1", {"Q1": "3", "Q2": "3", "Q3": "4"}),
    "s2": ("2025H2", "E2", "A", "2025-11-01T09:00:00", "1", {"Q1": "4", "Q2": "5", "Q3": ""}),
    "s3": ("2025H2", "E4", "A1", "2025-11-01T09:00:00", "1", {"Q1": "5", "Q2": "1", "Q3": "5"}),
    "s4": ("2025H2", "", "A2", "2025-11-01T09:00:00", "1", {"Q1": "2", "Q2": "4", "Q3": ""}),
    "s5": ("2025H2", "E5", "B", "2025-11-01T09:00:00", "1", {"Q1": "1", "Q2": "5", "Q3": "1"}),
    "s6": ("2025H2", "E6", "B", "2025-11-01T09:00:00", "1", {"Q1": "5", "Q2": "", "Q3": ""}),
    # 2026H1 -------------------------------------------------------------------------------
    "t1": ("2026H1", "", "R", "2026-05-01T09:00:00", "1", {"Q1": "4", "Q2": "2"}),
    "t2": ("2026H1", "E8", "R", "2026-05-01T09:00:00", "1", {"Q1": "1", "Q2": "5"}),
}


@pytest.fixture
def truth_dir(tmp_path: Path) -> Path:
    d = tmp_path / "truth"
    d.mkdir()
    _write(
        d / "org_units.csv",
        [
            "kommunekode",
            "snapshot_month",
            "los_id",
            "parent_los_id",
            "enhedsnavn",
            "sektor",
            "gyldig_fra",
            "gyldig_til",
        ],
        _org(
            "2025-05",
            [
                ("R", "", "2020-01-01", ""),
                ("A", "R", "2020-01-01", ""),
                ("B", "R", "2020-01-01", ""),
                ("C", "R", "2020-01-01", ""),
                ("A1", "A", "2020-01-01", ""),
                ("X", "R", "2020-01-01", "2025-03-31"),
                ("F", "A", "2025-07-01", ""),
            ],
        )
        + _org(
            "2025-07",
            [
                ("R", "", "2020-01-01", ""),
                ("A", "R", "2020-01-01", ""),
                ("B", "R", "2020-01-01", ""),
                ("C", "R", "2020-01-01", ""),
                ("A1", "A", "2020-01-01", ""),
                ("Z", "R", "2025-07-01", ""),
            ],
        )
        + _org(
            "2025-12",
            [
                ("R", "", "2020-01-01", ""),
                ("A", "R", "2020-01-01", ""),
                ("B", "R", "2020-01-01", ""),
                ("C", "R", "2020-01-01", ""),
                ("A1", "A", "2020-01-01", "2025-09-30"),
                ("A2", "A", "2025-10-01", ""),
            ],
        ),
    )
    _write(
        d / "employees.csv",
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
        _emp("2025-03", [("E20", "R", "2020-01-01", ""), ("E21", "A", "2020-01-01", "")])
        + _emp(
            "2025-06",
            [
                ("E1", "A1", "2020-01-01", ""),
                ("E2", "A1", "2025-06-30", ""),
                ("E3", "A", "2025-07-01", ""),
                ("E4", "B", "2020-01-01", "2025-06-30"),
                ("E5", "B", "2020-01-01", "2025-06-29"),
                ("E6", "A", "2020-01-01", ""),
                ("E6", "A1", "2020-01-01", ""),
                ("E7", "X", "2020-01-01", ""),
                ("E8", "R", "2020-01-01", ""),
            ],
        )
        + _emp("2025-08", [("E9", "R", "2020-01-01", ""), ("E1", "C", "2020-01-01", "")])
        + _emp(
            "2025-11",
            [
                ("E1", "A2", "2020-01-01", ""),
                ("E2", "A", "2020-01-01", ""),
                ("E4", "B", "2020-01-01", "2025-12-15"),
                ("E5", "B", "2020-01-01", ""),
                ("E6", "B", "2020-01-01", ""),
                ("E8", "R", "2020-01-01", ""),
                ("E10", "C", "2026-01-01", ""),
            ],
        ),
    )
    _write(
        d / "items.csv",
        ["kommunekode", "wave", "item_id", "question_text", "competence_code", "reverse_scored"],
        [
            [K, "2025H1", "Q1", "Jeg kan finde ting", "1.1", "0"],
            [K, "2025H1", "Q2", "Jeg er bange", "1.2", "1"],
            [K, "2025H1", "Q3", "Jeg kan dele", "2.1", "0"],
            [K, "2025H2", "Q1", "Jeg kan finde ting", "1.1", "0"],
            [K, "2025H2", "Q2", "Jeg er bange", "1.2", "1"],
            [K, "2025H2", "Q3", "Jeg kan lave indhold", "3.1", "0"],
            [K, "2026H1", "Q1", "Jeg kan finde ting", "1.1", "0"],
            [K, "2026H1", "Q2", "Jeg kan løse problemer", "5.2", "0"],
        ],
    )
    _write(
        d / "responses.csv",
        ["kommunekode", "wave", "respondent_id", "employee_ref", "los_id", "submitted_at", "is_response"],
        [[K, wave, rid, ref, los, at, resp] for rid, (wave, ref, los, at, resp, _) in RESPONSES.items()],
    )
    _write(
        d / "answers.csv",
        ["kommunekode", "wave", "respondent_id", "item_id", "answer"],
        [[K, wave, rid, item, a] for rid, (wave, *_, answers) in RESPONSES.items() for item, a in answers.items()],
    )
    return d


def _rows(frame: pd.DataFrame) -> dict[tuple[str, str, str], dict]:
    return {(r["wave"], r["los_id"], r["competence_area"]): r for r in frame.to_dict("records")}


def _check(row: dict, **expected) -> None:
    for column, want in expected.items():
        got = row[column]
        if want is None:
            assert got is None or (isinstance(got, float) and math.isnan(got)), f"{column}: {got!r}, want null"
        elif isinstance(want, float):
            assert got == pytest.approx(want, abs=1e-12), f"{column}: {got!r}, want {want!r}"
        else:
            assert got == want, f"{column}: {got!r}, want {want!r}"


NULL_MEASURES = dict(mean_score=None, share_basic=None, share_advanced=None, prev_mean_score=None, change=None)


def test_shape_keys_and_trees(truth_dir: Path) -> None:
    frame = expected_digital_maturity(truth_dir, min_cell=2)
    assert list(frame.columns) == COLUMNS
    assert not frame.duplicated(["kommunekode", "wave", "los_id", "competence_area"]).any()
    units = {w: set(frame.loc[frame["wave"] == w, "los_id"]) for w in ("2025H1", "2025H2", "2026H1")}
    # newest org extract not after the period's end, units valid on its last day
    assert units == {
        "2025H1": {"R", "A", "B", "C", "A1"},
        "2025H2": {"R", "A", "B", "C", "A2"},
        "2026H1": {"R", "A", "B", "C", "A2"},
    }
    assert len(frame) == 3 * 5 * 6  # every unit x every area, also where nothing happened
    assert set(frame["competence_area"]) == {"1", "2", "3", "4", "5", "all"}
    assert set(frame["kommunekode"]) == {K}


def test_2025h1_scores_rollup_dedup(truth_dir: Path) -> None:
    rows = _rows(expected_digital_maturity(truth_dir, min_cell=2))
    # kept respondents: r1 (E1 at A1; r8 earlier, r9 not a response), r3 (anna@ at B; r2 earlier, case/space differ),
    # r4 (anonymous at A); r5 answered nothing; r6 not a response; r7 at X (not in the tree): nowhere.
    # r1: area1 (4, 6-2) = 4.0, area2 5.0, all 13/3; r3: area1 2.0, area2 3.0, all 2.5; r4: area1 (5, 6-1) = 5.0, all 5.0
    # headcount (HR 2025-06 on 2025-06-30): A1 {E1, E2, E6}, A {E1, E2, E6}, B {E4}, C {}, R {E1, E2, E4, E6, E8}
    _check(rows["2025H1", "A1", "1"], respondents=1, headcount=3, response_rate=1 / 3, suppressed=True, **NULL_MEASURES)
    # A (2 respondents) is large enough, but R (3) minus A would give B's single respondent away:
    # A is hidden as well (secondary suppression; R has no other published child)
    _check(
        rows["2025H1", "A", "1"],
        respondents=2,
        headcount=3,
        response_rate=2 / 3,
        suppressed=True,
        suppression_reason="secondary",
        **NULL_MEASURES,
    )
    _check(rows["2025H1", "B", "1"], respondents=1, headcount=1, response_rate=1.0, suppressed=True, **NULL_MEASURES)
    _check(
        rows["2025H1", "R", "1"],
        respondents=3,
        headcount=5,
        response_rate=3 / 5,
        mean_score=11 / 3,
        share_basic=1 / 3,
        share_advanced=2 / 3,
        prev_mean_score=None,
        change=None,
        suppressed=False,
    )
    _check(rows["2025H1", "A", "2"], respondents=1, headcount=3, suppressed=True, **NULL_MEASURES)
    _check(
        rows["2025H1", "R", "2"],
        respondents=2,
        headcount=5,
        response_rate=2 / 5,
        mean_score=4.0,
        share_basic=0.0,
        share_advanced=0.5,
        suppressed=False,
    )
    _check(rows["2025H1", "A", "all"], respondents=2, suppressed=True, suppression_reason="secondary", **NULL_MEASURES)
    _check(
        rows["2025H1", "B", "all"], respondents=1, suppressed=True, **NULL_MEASURES
    )  # score exactly 2.5 is not basic
    _check(
        rows["2025H1", "R", "all"],
        respondents=3,
        headcount=5,
        mean_score=71 / 18,
        share_basic=0.0,
        share_advanced=2 / 3,
        suppressed=False,
    )
    # a unit with nobody employed and nobody answering: zeros, rate null
    _check(rows["2025H1", "C", "all"], respondents=0, headcount=0, response_rate=None, suppressed=True, **NULL_MEASURES)
    # an area without items this wave: rows exist, zero respondents, the rate is 0 (not null) where there is headcount
    _check(rows["2025H1", "R", "4"], respondents=0, headcount=5, response_rate=0.0, suppressed=True, **NULL_MEASURES)


def test_2025h1_exact_threshold_2_5_is_not_basic(truth_dir: Path) -> None:
    rows = _rows(expected_digital_maturity(truth_dir, min_cell=1))
    _check(
        rows["2025H1", "B", "all"], respondents=1, mean_score=2.5, share_basic=0.0, share_advanced=0.0, suppressed=False
    )
    _check(
        rows["2025H1", "A1", "1"], respondents=1, mean_score=4.0, share_basic=0.0, share_advanced=1.0
    )  # 4.0 is advanced


def test_2025h2_prev_and_change(truth_dir: Path) -> None:
    rows = _rows(expected_digital_maturity(truth_dir, min_cell=2))
    # s1 (A2): area1 3.0, area3 4.0, all 10/3; s2 (A): area1 (4, 6-5) = 2.5, all 2.5; s3 at A1 (ended): nowhere;
    # s4 (anonymous, A2): area1 (2, 6-4) = 2.0, all 2.0; s5 (B): area1 1.0, area3 1.0, all 1.0; s6 (B): area1 5.0, all 5.0
    # headcount (HR 2025-11 on 2025-12-31; E4 left 2025-12-15, E10 starts 2026): A2 1, A 2, B 2, C 0, R 5
    # A (3) minus its only child A2 (2) would give s2 away: A2 is hidden as well
    _check(
        rows["2025H2", "A2", "1"],
        respondents=2,
        headcount=1,
        response_rate=2.0,
        suppressed=True,
        suppression_reason="secondary",
        **NULL_MEASURES,
    )
    _check(
        rows["2025H2", "A", "1"],
        respondents=3,
        headcount=2,
        response_rate=1.5,
        mean_score=2.5,
        share_basic=1 / 3,
        share_advanced=0.0,
        prev_mean_score=None,
        change=None,
        suppressed=False,
        suppression_reason=None,
    )  # 2025H1's A was hidden (secondary): no published previous mean
    _check(
        rows["2025H2", "B", "1"],
        respondents=2,
        headcount=2,
        response_rate=1.0,
        mean_score=3.0,
        share_basic=0.5,
        share_advanced=0.5,
        prev_mean_score=None,
        change=None,
        suppressed=False,
    )  # previous was suppressed
    _check(rows["2025H2", "C", "1"], respondents=0, headcount=0, response_rate=None, suppressed=True, **NULL_MEASURES)
    _check(
        rows["2025H2", "R", "1"],
        respondents=5,
        headcount=5,
        response_rate=1.0,
        mean_score=2.7,
        share_basic=0.4,
        share_advanced=0.2,
        prev_mean_score=11 / 3,
        change=2.7 - 11 / 3,
        suppressed=False,
    )
    _check(rows["2025H2", "R", "2"], respondents=0, headcount=5, response_rate=0.0, suppressed=True, **NULL_MEASURES)
    _check(
        rows["2025H2", "R", "3"],
        respondents=2,
        mean_score=2.5,
        share_basic=0.5,
        share_advanced=0.5,
        prev_mean_score=None,
        change=None,
        suppressed=False,
    )  # previous had 0 respondents
    _check(rows["2025H2", "A", "3"], respondents=1, suppressed=True, **NULL_MEASURES)
    _check(rows["2025H2", "A2", "all"], respondents=2, suppressed=True, suppression_reason="secondary", **NULL_MEASURES)
    _check(
        rows["2025H2", "A", "all"],
        respondents=3,
        mean_score=47 / 18,
        share_basic=1 / 3,
        share_advanced=0.0,
        prev_mean_score=None,
        change=None,
    )
    _check(
        rows["2025H2", "R", "all"],
        respondents=5,
        mean_score=83 / 30,
        share_basic=0.4,
        share_advanced=0.2,
        prev_mean_score=71 / 18,
        change=83 / 30 - 71 / 18,
    )


def test_2026h1_follows_2025h2_and_older_snapshots(truth_dir: Path) -> None:
    rows = _rows(expected_digital_maturity(truth_dir, min_cell=2))
    # org tree from the 2025-12 extract, HR from 2025-11 judged on 2026-06-30: E10 (C, from 2026-01-01) now counts
    _check(rows["2026H1", "C", "all"], respondents=0, headcount=1, response_rate=0.0, suppressed=True, **NULL_MEASURES)
    _check(
        rows["2026H1", "R", "1"],
        respondents=2,
        headcount=6,
        response_rate=2 / 6,
        mean_score=2.5,
        share_basic=0.5,
        share_advanced=0.5,
        prev_mean_score=2.7,
        change=2.5 - 2.7,
        suppressed=False,
    )
    _check(
        rows["2026H1", "R", "5"],
        respondents=2,
        mean_score=3.5,
        share_basic=0.5,
        share_advanced=0.5,
        prev_mean_score=None,
        change=None,
    )
    _check(rows["2026H1", "R", "all"], respondents=2, mean_score=3.0, prev_mean_score=83 / 30, change=3.0 - 83 / 30)
    # the current row is suppressed: its previous mean is hidden as well
    _check(rows["2026H1", "A", "1"], respondents=0, headcount=2, suppressed=True, **NULL_MEASURES)


def test_default_min_cell_suppresses_measures_but_keeps_counts(truth_dir: Path) -> None:
    frame = expected_digital_maturity(truth_dir)  # min_cell 5
    rows = _rows(frame)
    _check(rows["2025H1", "R", "1"], respondents=3, headcount=5, response_rate=3 / 5, suppressed=True, **NULL_MEASURES)
    _check(
        rows["2025H2", "R", "1"],
        respondents=5,
        headcount=5,
        response_rate=1.0,
        mean_score=2.7,
        share_basic=0.4,
        share_advanced=0.2,
        prev_mean_score=None,
        change=None,
        suppressed=False,
    )  # 2025H1 R was suppressed at 5
    assert (frame["suppressed"] == frame["suppression_reason"].notna()).all()
    assert ((frame["suppression_reason"] == "small_group") == (frame["respondents"] < 5)).all()
    assert (
        frame.loc[frame["suppressed"], ["mean_score", "share_basic", "share_advanced", "prev_mean_score", "change"]]
        .isna()
        .all()
        .all()
    )


def test_wave_helpers() -> None:
    assert previous_wave("2025H2") == "2025H1"
    assert previous_wave("2025H1") == "2024H2"
    assert str(wave_last_day("2024H1")) == "2024-06-30"
    assert str(wave_last_day("2024H2")) == "2024-12-31"


# --------------------------------------------------------------------------- properties on random small truths

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def random_truth(draw):
    n_units = draw(st.integers(1, 6))
    parents = [""] + [f"U{draw(st.integers(0, i - 1))}" for i in range(1, n_units)]
    org = [[K, "2025-06", f"U{i}", parents[i], f"Enhed {i}", "Skole", "2020-01-01", ""] for i in range(n_units)]
    employees = [
        [K, "2025-06", f"E{j}", f"e{j}@kommune.dk", f"U{draw(st.integers(0, n_units))}", "1", "2020-01-01", ""]
        for j in range(draw(st.integers(0, 12)))
    ]  # U{n_units} is not in the tree
    items = [
        [K, "2025H1", f"Q{i}", f"q{i}", f"{draw(st.integers(1, 5))}.1", str(draw(st.integers(0, 1)))] for i in range(4)
    ]
    responses, answers = [], []
    for r in range(draw(st.integers(0, 15))):
        ref = draw(st.sampled_from(["", "", "E1", "e2@kommune.dk", "E2@Kommune.DK ", "E3"]))
        los = f"U{draw(st.integers(0, n_units))}"
        responses.append(
            [K, "2025H1", f"R{r}", ref, los, f"2025-05-{r + 1:02d}T12:00:00", str(draw(st.integers(0, 1)))]
        )
        answers += [
            [K, "2025H1", f"R{r}", f"Q{i}", draw(st.sampled_from(["", "1", "2", "3", "4", "5"]))] for i in range(4)
        ]
    return org, employees, items, responses, answers


def _write_truth(d: Path, org, employees, items, responses, answers) -> None:
    d.mkdir(exist_ok=True)
    _write(
        d / "org_units.csv",
        [
            "kommunekode",
            "snapshot_month",
            "los_id",
            "parent_los_id",
            "enhedsnavn",
            "sektor",
            "gyldig_fra",
            "gyldig_til",
        ],
        org,
    )
    _write(
        d / "employees.csv",
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
        employees,
    )
    _write(
        d / "items.csv", ["kommunekode", "wave", "item_id", "question_text", "competence_code", "reverse_scored"], items
    )
    _write(
        d / "responses.csv",
        ["kommunekode", "wave", "respondent_id", "employee_ref", "los_id", "submitted_at", "is_response"],
        responses,
    )
    _write(d / "answers.csv", ["kommunekode", "wave", "respondent_id", "item_id", "answer"], answers)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(truth=random_truth(), min_cell=st.integers(1, 4), seed=st.randoms(use_true_random=False))
def test_properties_on_random_truths(tmp_path: Path, truth, min_cell: int, seed) -> None:
    org, employees, items, responses, answers = truth
    d = tmp_path / f"t{seed.randint(0, 10**9)}"
    _write_truth(d, *truth)
    frame = expected_digital_maturity(d, min_cell=min_cell)
    if not responses:
        assert frame.empty
        return
    units = {row[2]: row[3] or None for row in org}
    assert len(frame) == len(units) * 6
    # hidden as a small group exactly below min_cell; a secondary cell is never a small group itself
    assert (frame["suppressed"] == frame["suppression_reason"].notna()).all()
    assert ((frame["suppression_reason"] == "small_group") == (frame["respondents"] < min_cell)).all()
    shown = frame[~frame["suppressed"]]
    assert ((shown["share_basic"] + shown["share_advanced"]) <= 1 + 1e-12).all()
    assert shown["mean_score"].between(1, 5).all()
    with_staff = frame[frame["headcount"] > 0]
    assert (
        with_staff["response_rate"] - with_staff["respondents"] / with_staff["headcount"]
    ).abs().max() < 1e-12 or with_staff.empty
    assert frame.loc[frame["headcount"] == 0, "response_rate"].isna().all()
    # roll-up: a parent covers at least what each child covers
    rows = {(r["los_id"], r["competence_area"]): r for r in frame.to_dict("records")}
    for unit, parent in units.items():
        if parent is not None:
            for area in ("1", "2", "3", "4", "5", "all"):
                assert rows[parent, area]["respondents"] >= rows[unit, area]["respondents"]
                assert rows[parent, area]["headcount"] >= rows[unit, area]["headcount"]
    # the root's headcount is every distinct employee placed in the tree
    assert rows["U0", "all"]["headcount"] == len({e[2] for e in employees if e[4] in units})
    # row order in the truth files does not matter
    shuffled = tmp_path / f"s{seed.randint(0, 10**9)}"
    _write_truth(shuffled, *(seed.sample(part, len(part)) for part in truth))
    pd.testing.assert_frame_equal(frame, expected_digital_maturity(shuffled, min_cell=min_cell))
