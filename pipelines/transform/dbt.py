"""Building dbt invocations: small pure functions, so they can be tested without running dbt."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from pipelines.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MANIFEST = PROJECT_DIR / "target" / "manifest.json"


def dbt_vars(settings: Settings) -> dict[str, object]:
    """The contract's settings that change what the models compute."""
    return {"min_cell": settings.min_cell}


def build_args(settings: Settings, select: list[str] | None = None) -> list[str]:
    # Unit tests prove the SQL, not the data: they run in `make test`, not on every delivery.
    args = ["build", "--vars", json.dumps(dbt_vars(settings), sort_keys=True), "--exclude-resource-type", "unit_test"]
    if select:
        args += ["--select", *select]
    return args


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment dbt's profile reads (profiles.yml uses env_var('DIGILEAD_WAREHOUSE'))."""
    return {"DIGILEAD_WAREHOUSE": str(settings.warehouse)}


def dbt_executable() -> str:
    """The dbt installed beside this Python (the venv's), whether or not the venv is on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def ensure_manifest() -> Path:
    """Parse the project once if no manifest exists yet (a fresh clone), so definitions can load."""
    if not MANIFEST.exists():
        from dbt.cli.main import dbtRunner

        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        os.environ.setdefault("DIGILEAD_WAREHOUSE", str(PROJECT_DIR / "target" / "parse-only.duckdb"))  # parse opens nothing
        result = dbtRunner().invoke(["parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--quiet"])
        if not result.success:
            raise RuntimeError(f"dbt could not parse {PROJECT_DIR}: {result.exception}")
    return MANIFEST
