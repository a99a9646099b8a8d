"""Incremental builds: recomputing only the municipalities whose files changed, and only the models
their raw tables feed, gives the same tables as recomputing everything.

Two municipalities are loaded; then a later delivery for one of them (a new HR month, a training
month, a survey wave with its catalogue) is run, so dbt recomputes that municipality only and leaves
the benefit models alone; then that municipality's register snapshot, so dbt rebuilds the benefit
models (and the data-quality marts) only. The result is compared, table by table, with a full
refresh of the same warehouse (itself held to the independent oracles in tests/test_end_to_end.py).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.generate import generate
from pipelines.settings import Settings
from pipelines.transform.dbt import PROJECT_DIR, build_args, dbt_env, dbt_executable
from pipelines.transform.scope import BuildScope

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[1]
CHANGED, UNCHANGED = "0751", "0101"
# The later delivery of CHANGED: a file of every kind a month or wave brings.
LATER = (
    "hr_employees_0751_2025-12",
    "training_0751_2025-12",
    "survey_items_0751_2025H2",
    "survey_responses_0751_2025H2",
    "benefits_0751_2025-12-31",
)


def _run(home: Path, key: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGILEAD_")}
    env.update(DIGILEAD_HOME=str(home), DIGILEAD_PSEUDONYM_KEY=key, DIGILEAD_MIN_CELL="5")
    process = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return process


def _built_tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every intermediate and mart table, rows sorted, floats rounded (summation order may differ)."""

    def value(v):
        if isinstance(v, float):
            return "<NaN>" if math.isnan(v) else round(v, 9)
        return v

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ('intermediate', 'marts') order by 1, 2"
        ).fetchall()
        return {
            f"{s}.{t}": sorted(
                (tuple(value(v) for v in row) for row in con.execute(f"select * from {s}.{t}").fetchall()), key=repr
            )
            for s, t in tables
        }
    finally:
        con.close()


MARKER = "marker-row-not-from-any-file"


def _mark_a_row(warehouse: Path, kommunekode: str) -> None:
    """A copy of one of the municipality's mart rows under a made-up unit: only a recomputation removes it.
    The unit hangs under no other (parent null): below a real unit it would add respondents the parent does
    not count, which the build's tests of the mart (a unit minus its sub-units, never less than a sub-unit)
    rightly fail on."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            f"""insert into marts.digital_maturity
                        select * replace ('{MARKER}' as los_id, false as is_root, null as parent_los_id)
                        from marts.digital_maturity
                        where kommunekode = ? order by wave, los_id, competence_area limit 1""",
            [kommunekode],
        )
    finally:
        con.close()


def _unmark(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse))
    try:
        return con.execute("delete from marts.digital_maturity where los_id = ?", [MARKER]).fetchone()[0]
    finally:
        con.close()


def test_a_build_scoped_to_one_municipality_equals_a_full_build(tmp_path: Path, pseudonym_key: str) -> None:
    home = tmp_path / "home"
    landing = home / "landing"
    generated = tmp_path / "generated"
    generate(generated, municipality=CHANGED, employees=150, waves=2)
    generate(generated, municipality=UNCHANGED, employees=150, waves=2, seed=7)
    # Both municipalities use the same questionnaire: byte-identical catalogues, each loaded for its
    # own municipality and wave (a file means its name and its bytes), so each municipality and wave
    # has its catalogue and a later one rebuilds its own municipality.
    later = [path for path in generated.iterdir() if path.name.startswith(LATER)]
    assert len(later) >= len(LATER), sorted(p.name for p in later)
    landing.mkdir(parents=True)
    for path in generated.iterdir():
        if path not in later:
            shutil.copy(path, landing / path.name)

    first = _run(home, pseudonym_key)
    assert "recomputes every municipality" in first.stdout + first.stderr
    assert not list(landing.iterdir()), "every file of the first delivery is loaded"
    untouched_before = _built_tables(home / "warehouse.duckdb")
    _mark_a_row(home / "warehouse.duckdb", UNCHANGED)

    register = [path for path in later if path.name.startswith("benefits_")]
    for path in later:
        if path not in register:
            shutil.copy(path, landing / path.name)
    second = _run(home, pseudonym_key)
    said = second.stdout + second.stderr
    assert f"recomputes municipalities {CHANGED} only (incremental); only the models fed by raw." in said, said[-3000:]
    assert "raw.benefit" not in said.split("only the models fed by")[1].splitlines()[0]
    assert not list(landing.iterdir()), "every file of the later delivery is loaded"
    # the benefit marts were left out of the build, and the rebuilt marts were published all the same
    published = duckdb.connect(str(home / "published" / "digilead.duckdb"), read_only=True)
    try:
        assert published.execute(
            "select count(*) from marts.digital_maturity where kommunekode = ? and wave = '2025H2'", [CHANGED]
        ).fetchone()[0]
    finally:
        published.close()
    # really scoped: the other municipality's rows were left alone (a recomputation would drop the marker)
    assert _unmark(home / "warehouse.duckdb") == 1, "the scoped build recomputed the other municipality too"
    for path in register:
        shutil.copy(path, landing / path.name)
    third = _run(home, pseudonym_key)
    assert "only the models fed by raw.benefit" in third.stdout + third.stderr
    scoped = _built_tables(home / "warehouse.duckdb")
    # the other municipality's rows were not recomputed, and are what they were (the full tables that
    # compare or list every municipality, benchmark_municipality and dq_files, are rebuilt whole by design)
    for table, rows in scoped.items():
        if table in ("marts.benchmark_municipality", "marts.dq_files"):
            continue
        assert [r for r in rows if UNCHANGED in r] == [r for r in untouched_before.get(table, []) if UNCHANGED in r], (
            table
        )

    settings = Settings.from_env({"DIGILEAD_HOME": str(home), "DIGILEAD_PSEUDONYM_KEY": pseudonym_key})
    full = subprocess.run(
        [
            dbt_executable(),
            *build_args(BuildScope.everything(full_refresh=True)),
            # every municipality a batch of its own in the staff-group marts (macros/kommune_batched.sql),
            # where the builds above computed both in one batch: batching must not change a row
            "--vars",
            "{kommune_batch_rows: 1}",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
        ],
        env={
            **os.environ,
            **dbt_env(settings, BuildScope.everything(full_refresh=True)),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert full.returncode == 0, full.stdout[-3000:]
    refreshed = _built_tables(home / "warehouse.duckdb")

    assert scoped.keys() == refreshed.keys()
    different = {
        table: (len(scoped[table]), len(refreshed[table])) for table in scoped if scoped[table] != refreshed[table]
    }
    assert not different, f"tables that differ after a scoped build (rows scoped, rows full): {json.dumps(different)}"
    assert any(
        CHANGED in row and "2025H2" in row for row in refreshed["marts.digital_maturity"]
    )  # the later wave is in
