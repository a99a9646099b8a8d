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


def test_dbt_build_with_unit_tests_passes_on_an_empty_warehouse(tmp_path: Path):
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    warehouse.ensure_schema()
    result = subprocess.run(
        [
            dbt_executable(),
            "build",
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
    assert result.returncode == 0, result.stdout[-4000:]
    summary = [line for line in result.stdout.splitlines() if "PASS=" in line][-1]
    assert "ERROR=0" in summary
    finished = re.search(r"Finished running .*?(\d+) unit tests", result.stdout)
    assert finished and int(finished.group(1)) >= 10, "the build ran (almost) no dbt unit tests"
