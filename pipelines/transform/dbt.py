"""Building dbt invocations: small pure functions, so they can be tested without running dbt."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from pipelines.settings import Settings
from pipelines.transform.scope import BuildScope

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MANIFEST = PROJECT_DIR / "target" / "manifest.json"


def dbt_vars(settings: Settings, kommuner: Sequence[str] | None = None) -> dict[str, object]:
    """The contract's settings that change what the models compute, and the municipalities to recompute."""
    variables: dict[str, object] = {"min_cell": settings.min_cell}
    if kommuner is not None:
        variables["kommuner"] = sorted(kommuner)
    return variables


def build_args(settings: Settings, scope: "BuildScope | None" = None) -> list[str]:
    """`dbt build` for one scope: every municipality (None, or a full refresh) or only some (incremental)."""
    scope = scope or BuildScope.everything()
    # Unit tests prove the SQL, not the data, and internal-invariant tests re-check what ingestion
    # validated: both run in `make test`; every delivery's build tests the marts users see.
    args = [
        "build", "--vars", json.dumps(dbt_vars(settings, scope.kommuner), sort_keys=True),
        "--exclude-resource-type", "unit_test", "--exclude", "tag:internal_invariant",
    ]
    if scope.full_refresh:
        args.append("--full-refresh")
    return args


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment dbt's profile reads (profiles.yml uses env_var('DIGILEAD_WAREHOUSE'))."""
    return {"DIGILEAD_WAREHOUSE": str(settings.warehouse)}


def dbt_executable() -> str:
    """The dbt installed beside this Python (the venv's), whether or not the venv is on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def manifest_is_stale(manifest: Path = MANIFEST, project_dir: Path = PROJECT_DIR) -> bool:
    """No manifest yet (a fresh clone), or a model, macro, test, seed or setting changed since it was made."""
    if not manifest.exists():
        return True
    made = manifest.stat().st_mtime
    sources = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "tests", "seeds", "snapshots"):
        sources += [path for path in (project_dir / folder).rglob("*") if path.is_file()]
    return any(path.exists() and path.stat().st_mtime > made for path in sources)


def ensure_manifest() -> Path:
    """Parse the project when its manifest is missing or stale, so the definitions match the models.

    dbt runs in a child process with its own environment: parsing must not change this process's
    settings (DIGILEAD_WAREHOUSE is only a placeholder here; parse opens no database).
    """
    if manifest_is_stale():
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
               "DIGILEAD_WAREHOUSE": str(PROJECT_DIR / "target" / "parse-only.duckdb")}
        result = subprocess.run(
            [dbt_executable(), "parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--quiet"],
            env=env, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt could not parse {PROJECT_DIR}:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
        MANIFEST.touch()  # parse may leave an unchanged manifest's time alone
    return MANIFEST
