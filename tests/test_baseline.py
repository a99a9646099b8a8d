"""benchmarks/baseline.sql, the plain-DuckDB limit `make bench` measures digilead against, computes the contract's
three marts: on a small generated delivery (every survey dialect, the optional forms varied, training and benefit
registers) its digital_maturity, training_uptake and benefit_realisation equal the pipeline's published marts, row
by row on the contract's columns. And the comparison itself tells a differing value, a missing row and an extra one.

The delivery test runs the pipeline (`digilead run`): select with `pytest -m e2e`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from benchmarks.baseline import MART_COLUMNS, MART_KEYS, compare, normalise, run_baseline
from tests.test_end_to_end import MIN_CELL, _digilead, _env, _tail

# four waves: SurveyXact, Qualtrics, Forms and flat in turn; --vary: the optional columns left out or added
GENERATE = ["--municipality", "0751", "--employees", "300", "--waves", "4", "--seed", "11", "--vary"]


@pytest.mark.e2e
def test_baseline_equals_the_pipelines_marts(tmp_path: Path, pseudonym_key: str) -> None:
    delivery, home = tmp_path / "delivery", tmp_path / "home"
    env = _env(home, pseudonym_key)
    generated = _digilead(env, "generate", *GENERATE, "--out", str(delivery))
    assert generated.returncode == 0, _tail(generated)
    shutil.copytree(delivery, home / "landing")
    run = _digilead(env, "run")
    assert run.returncode == 0, _tail(run)

    counts = normalise(delivery, tmp_path / "normalised")
    assert {"surveyxact", "qualtrics", "forms", "flat", "jsonl", "xlsx"} <= counts.keys()
    run_baseline(tmp_path / "normalised", tmp_path / "baseline.duckdb", min_cell=MIN_CELL)
    comparison = compare(tmp_path / "baseline.duckdb", home / "published" / "digilead.duckdb")

    assert comparison.keys() == {"digital_maturity", "training_uptake", "benefit_realisation"}
    for mart, result in comparison.items():
        assert result["rows"] > 0, mart  # an empty mart on both sides would prove nothing
        assert result["equal"], (mart, result)
    with duckdb.connect(str(tmp_path / "baseline.duckdb"), read_only=True) as con:
        # the suppression is exercised: some rows hidden, most published
        for mart in ("digital_maturity", "training_uptake"):
            hidden, total = con.execute(f"select count(*) filter (suppressed), count(*) from {mart}").fetchone()
            assert 0 < hidden < total / 2, (mart, hidden, total)


def _mart_db(path: Path, mart: str, rows: list[tuple], schema: str | None) -> None:
    columns = MART_KEYS[mart] + MART_COLUMNS[mart]
    with duckdb.connect(str(path)) as con:
        if schema:
            con.execute(f"create schema {schema}")
        table = f"{schema}.{mart}" if schema else mart
        con.execute(f"create table {table} ({', '.join(f'{c} varchar' for c in columns)})")
        con.executemany(f"insert into {table} values ({', '.join('?' for _ in columns)})", rows)


def test_compare_names_the_differing_value_and_the_missing_and_extra_rows(tmp_path: Path) -> None:
    mart = "benefit_realisation"
    ours = [
        ("0751", "INI-1", "INI-1-G1", "2025-01-01", "1", "2", "0.5", "behind"),
        ("0751", "INI-1", "INI-1-G1", "2025-02-01", "3", "4", "0.75", "behind"),
        ("0751", "INI-1", "INI-1-G1", "2025-03-01", "5", "6", "1", "realised"),
    ]
    theirs = [
        ours[0],
        ours[1][:-1] + ("on_track",),
        ("0751", "INI-2", "INI-2-G1", "2025-01-01", "1", "1", "1", "realised"),
    ]
    _mart_db(tmp_path / "baseline.duckdb", mart, ours, None)
    _mart_db(tmp_path / "published.duckdb", mart, theirs, "marts")

    result = compare(tmp_path / "baseline.duckdb", tmp_path / "published.duckdb", [mart])[mart]

    assert not result["equal"]
    assert result["differing"] == [[["0751", "INI-1", "INI-1-G1", "2025-02-01"], "status", "'behind'", "'on_track'"]]
    assert result["differing_by_column"] == {"status": 1}
    assert result["only_baseline"] == [["0751", "INI-1", "INI-1-G1", "2025-03-01"]]
    assert result["only_pipeline"] == [["0751", "INI-2", "INI-2-G1", "2025-01-01"]]
    _mart_db(tmp_path / "same.duckdb", mart, ours, "marts")
    assert compare(tmp_path / "baseline.duckdb", tmp_path / "same.duckdb", [mart])[mart]["equal"]
