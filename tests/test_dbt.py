"""The dbt project builds on an empty warehouse with every data test and unit test passing.

The unit tests (dbt_project/models/**/*.yml `unit_tests:`) prove the tricky rules — reverse
scoring, duplicate respondents, missing answers, suppression, previous wave, roll-up over a moved
unit, headcount boundaries — independently of any data; pipeline runs skip them for speed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from pipelines.transform.dbt import PROJECT_DIR, dbt_executable
from pipelines.warehouse import Warehouse


def _dbt(tmp_path: Path, warehouse: Warehouse, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            dbt_executable(),
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        env={
            "PATH": str(Path(sys.executable).parent),
            "DIGILEAD_WAREHOUSE": str(warehouse.path),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "HOME": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_dbt_build_with_unit_tests_passes_on_an_empty_warehouse(tmp_path: Path):
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    warehouse.ensure_schema()
    result = _dbt(tmp_path, warehouse, "build")
    assert result.returncode == 0, result.stdout[-4000:]
    summary = [line for line in result.stdout.splitlines() if "PASS=" in line][-1]
    assert "ERROR=0" in summary
    finished = re.search(r"Finished running .*?(\d+) unit tests", result.stdout)
    assert finished and int(finished.group(1)) >= 10, "the build ran (almost) no dbt unit tests"


def test_the_published_file_list_withholds_a_name_that_matches_no_source(tmp_path: Path):
    """A name nobody checked ("CV Jens Hansen 010190-1234.pdf") may hold anything: marts.dq_files, which BI
    tools read, tells its length only, in the name and in the reason; a source's file keeps its name."""
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    warehouse.ensure_schema()
    unknown = "CV Jens Hansen 010190-1234.pdf"
    with warehouse.connect() as con:
        for name, source, kommunekode in (
            (unknown, None, None),
            ("hr_org_units_0751_2025-06.csv", "hr_org_units", "0751"),
        ):
            values = {
                "fingerprint": name,
                "file_name": name,
                "source": source,
                "kommunekode": kommunekode,
                "status": "quarantined",
                "reason": f"{name}: the name matches no known source",
                "processed_at": "2025-07-01 10:00:00",
            }
            con.execute(
                f"insert into meta.files ({', '.join(values)}) values ({', '.join('?' for _ in values)})",
                list(values.values()),
            )
    result = _dbt(tmp_path, warehouse, "run", "--select", "dq_files")
    assert result.returncode == 0, result.stdout[-4000:]
    with warehouse.connect(read_only=True) as con:
        rows = con.execute("select file_name, reason from marts.dq_files order by source nulls first").fetchall()
    assert rows[0] == ("a name matching no source, 30 characters", "the file: the name matches no known source")
    assert rows[1][0] == "hr_org_units_0751_2025-06.csv"
    assert "Jens" not in repr(rows) and "010190" not in repr(rows)
