"""The dbt project as dagster-dbt sees it, and its preparation (the manifest the dbt assets are made from).

- `make install` (and `make test`/`demo`/`dev` whenever a model, macro or setting changed) runs
  `dagster-dbt project prepare-and-package --file pipelines/defs/dbt_project.py`;
- wherever the definitions load (`dg dev`/`dagster dev`, the daemon's code server, every run's process,
  `digilead run`) dagster-dbt prepares it again when it is missing or older than the project's files: the build
  signature, which decides between an incremental build and a full refresh, comes from the manifest, so a build
  must never be planned from yesterday's models.

Not `prepare_if_dev`: under `dagster dev` it runs `dbt parse` on every load of the definitions, and every run's
process loads them again (about 2 s of CPU before the run's first step); the staleness check covers the same
edits (the project has no packages to install).
"""

import logging
import os
import sys
from pathlib import Path

import filelock
from dagster_dbt import DbtProject

from pipelines.transform.dbt import PROJECT_DIR, manifest_is_stale

log = logging.getLogger("digilead")

DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)


def prepared_manifest() -> Path:
    _dbt_beside_python_on_path()
    if manifest_is_stale(DBT_PROJECT.manifest_path, PROJECT_DIR):
        try:
            DBT_PROJECT.preparer.prepare(DBT_PROJECT)
            DBT_PROJECT.manifest_path.touch()  # dbt may leave an unchanged manifest's time alone
        except filelock.Timeout:
            if not DBT_PROJECT.manifest_path.exists():
                raise
            # another process has been preparing it for longer than dagster-dbt waits: use the manifest there is
            log.warning("the dbt manifest is being prepared by another process; using the one there is")
    return DBT_PROJECT.manifest_path


def _dbt_beside_python_on_path() -> None:
    """dagster-dbt's preparation runs `dbt` from PATH: the dbt installed beside this Python (the venv's, the
    version digilead pins) must be found there also when the venv is not activated (cron, systemd)."""
    here = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if here not in path.split(os.pathsep):
        os.environ["PATH"] = here + os.pathsep + path
