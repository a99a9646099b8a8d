"""The benefits oracle on a tiny hand-made truth, against numbers worked out by hand from the contract."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from tests.oracle.benefits import (
    expected_benefit_realisation,
    expected_by_org_unit,
    expected_by_sektor,
    expected_status_changes,
    register_as_of,
)

K = "0751"
INITIATIVES = [
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
]
BENEFITS = [
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
]
MEASUREMENTS = ["kommunekode", "snapshot_date", "benefit_id", "periode", "vaerdi", "maalt_dato"]
ORG = ["kommunekode", "snapshot_month", "los_id", "parent_los_id", "enhedsnavn", "sektor", "gyldig_fra", "gyldig_til"]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def truth(tmp_path: Path) -> Path:
    old, new = "2025-02-28", "2025-06-30"
    initiatives = []
    for day, status in ((old, "igang"), (new, "stoppet")):
        initiatives += [
            [K, day, "I1", "Robot", "Administration", "B", "2025-01-15", "", "igang", "1000"],
            [K, day, "I2", "Nøglebokse", "Ældre", "C", "2025-01-01", "", status, "500"],
        ]
    benefits = []
    for day in (old, new):
        benefits += [
            [K, day, "F1", "I1", "tid_timer", "", "0", "800", "2025-04-30", "nej"],
            [K, day, "L1", "I1", "kvalitet_indeks", "", "60", "80", "2025-04-30", "nej"],
            [K, day, "M1", "I2", "oekonomi_dkk", "", "0", "1000", "2025-02-28", "ja"],
        ]
    measurements = [[K, old, "F1", "2025-01", "181", "2025-02-10"], [K, old, "M1", "2025-01", "100", "2025-02-05"]]
    measurements += [
        [K, new, "F1", "2025-01", "181", "2025-02-10"],
        [K, new, "F1", "2025-03", "300", "2025-04-02"],
        [K, new, "F1", "2025-03", "250", "2025-05-20"],  # corrected
        [K, new, "F1", "2025-06", "400", "2025-07-03"],
        [K, new, "L1", "2025-02", "68", "2025-03-03"],
        [K, new, "L1", "2025-03", "64", "2025-04-03"],
        [K, new, "L1", "2025-05", "81", "2025-06-03"],
        [K, new, "M1", "2025-01", "100", "2025-02-05"],
    ]
    _write(tmp_path / "benefits_initiativer.csv", INITIATIVES, initiatives)
    _write(tmp_path / "benefits_gevinster.csv", BENEFITS, benefits)
    _write(tmp_path / "benefits_maalinger.csv", MEASUREMENTS, measurements)
    _write(
        tmp_path / "org_units.csv",
        ORG,
        [
            [K, "2025-03", "A", "", "Kommune", "Administration", "2020-01-01", ""],
            [K, "2025-03", "B", "A", "Adm", "Administration", "2020-01-01", ""],
            [K, "2025-03", "C", "A", "Ældre", "Ældre", "2020-01-01", ""],
        ],
    )
    return tmp_path


def _month(text: str) -> dt.date:
    return dt.date.fromisoformat(text + "-01")


def _by(rows, benefit_id):
    return [
        (r["month"], r["realised_cumulative"], r["planned_cumulative"], r["status"])
        for r in rows
        if r["benefit_id"] == benefit_id
    ]


def test_flow_sums_with_the_correction_and_the_cap(truth):
    rows = expected_benefit_realisation(truth)
    assert _by(rows, "F1") == [
        (_month("2025-01"), 181, 200, "on_track"),
        (_month("2025-02"), 181, 400, "behind"),
        (_month("2025-03"), 431, 600, "at_risk"),
        (_month("2025-04"), 431, 800, "behind"),
        (_month("2025-05"), 431, 800, "behind"),
        (_month("2025-06"), 831, 800, "realised"),
    ]


def test_level_is_the_newest_value_minus_the_baseline(truth):
    rows = expected_benefit_realisation(truth)
    assert _by(rows, "L1") == [
        (_month("2025-01"), 0, 5, "behind"),
        (_month("2025-02"), 8, 10, "at_risk"),
        (_month("2025-03"), 4, 15, "behind"),
        (_month("2025-04"), 4, 20, "behind"),
        (_month("2025-05"), 21, 20, "realised"),
    ]
    assert [r["target"] for r in rows if r["benefit_id"] == "L1"] == [20] * 5


def test_stopped_initiative_and_realisation_pct(truth):
    rows = expected_benefit_realisation(truth)
    assert _by(rows, "M1") == [(_month("2025-01"), 100, 500, "stopped"), (_month("2025-02"), 100, 1000, "stopped")]
    assert [r["realisation_pct"] for r in rows if r["benefit_id"] == "M1"] == [0.1, 0.1]


def test_rollups(truth):
    sektor = expected_by_sektor(truth)
    assert sektor[(K, _month("2025-06"), "Administration", "hours")] == {
        "benefits": 1,
        "target": 800,
        "planned_cumulative": 800,
        "realised_cumulative": 831,
    }
    assert (K, _month("2025-06"), "Administration", "index points") not in sektor  # levels are not added up
    org = expected_by_org_unit(truth)
    assert (K, _month("2025-02"), "A", "DKK") not in org  # before the first org extract: no tree
    assert org[(K, _month("2025-03"), "A", "hours")]["realised_cumulative"] == 431  # the root covers B
    assert org[(K, _month("2025-03"), "C", "hours")] == {
        "benefits": 0,
        "target": 0.0,
        "planned_cumulative": 0.0,
        "realised_cumulative": 0.0,
    }
    assert org[(K, _month("2025-03"), "B", "DKK")]["benefits"] == 0


def test_status_changes_between_snapshots(truth):
    changes = expected_status_changes(truth)
    new = dt.date(2025, 6, 30)
    assert changes[(K, new, "M1")] == ("behind", "stopped")  # February: 100 of a planned 1000; then I2 was stopped
    assert changes[(K, new, "F1")] == (
        "behind",
        "realised",
    )  # February: 181 of 400; June (the snapshot's month): 831 of 800
    assert changes[(K, new, "L1")] == ("behind", "realised")  # no measurement yet; then May (its last row): 21 of 20


def test_register_as_of(truth):
    assert register_as_of(truth, K, dt.date(2025, 1, 31)) is None
    assert register_as_of(truth, K, dt.date(2025, 5, 1))["I2"]["status"] == "igang"
    assert register_as_of(truth, K, dt.date(2025, 7, 1))["I2"]["status"] == "stoppet"
