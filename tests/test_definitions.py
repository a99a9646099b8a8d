"""The Dagster definitions: everything loads, is described, checks block, and the sensor keys runs by content."""

from __future__ import annotations

import os
import time

import dagster as dg
import pytest

from pipelines.definitions import loaded
from pipelines.defs.jobs import INGEST_AND_BUILD
from pipelines.ingest import loaded_sources


@pytest.fixture(scope="module")
def repository():
    return loaded().get_repository_def()


def test_every_source_has_staged_raw_assets_and_a_blocking_expectations_check(repository):
    graph = repository.asset_graph
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    checks = {key.to_user_string(): key for key in graph.asset_check_keys}
    for spec in loaded_sources():
        assert f"staged/{spec.name}" in keys
        assert {f"raw/{table}" for table in spec.raw_tables} <= keys
        check = checks[f"staged/{spec.name}:expectations"]
        assert graph.get_check_spec(check).blocking
    assert {"landing_zone", "marts/digital_maturity", "published/marts"} <= keys


def test_every_asset_is_described(repository):
    graph = repository.asset_graph
    undescribed = [
        key.to_user_string()
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_materializable and not graph.get(key).description
    ]
    assert undescribed == []


def test_raw_tables_feed_the_dbt_sources(repository):
    graph = repository.asset_graph
    staging_parents = graph.get(dg.AssetKey(["staging", "stg_hr__employees"])).parent_keys
    assert dg.AssetKey(["raw", "hr_employees"]) in staging_parents


def test_the_job_and_sensor_are_there(repository):
    assert repository.has_job(INGEST_AND_BUILD)
    assert repository.get_sensor_def("landing_zone_sensor").job_name == INGEST_AND_BUILD


def _tick(cursor=None):
    sensor = loaded().get_repository_def().get_sensor_def("landing_zone_sensor")
    with dg.build_sensor_context(cursor=cursor) as context:
        result = sensor(context)
    return result


def test_the_sensor_keys_runs_by_the_files_fingerprints(digilead_home):
    landing = digilead_home / "landing"
    landing.mkdir()
    assert not _tick().run_requests
    old = time.time() - 60
    (landing / "hr_employees_0751_2025-06.csv").write_bytes(b"a")
    (landing / "courses_0751.csv").write_bytes(b"not loaded by this version: no run for it")
    os.utime(landing / "hr_employees_0751_2025-06.csv", (old, old))
    os.utime(landing / "courses_0751.csv", (old, old))
    first = _tick()
    [request] = first.run_requests
    assert _tick().run_requests[0].run_key == request.run_key  # same delivery: Dagster will not launch twice
    assert not _tick(first.cursor).run_requests  # already handed to a run: nothing new
    (landing / "survey_items_0751_2025H1.csv").write_bytes(b"b")
    later = time.time() + 60  # modified again while the tick waited for it to settle: still being written
    os.utime(landing / "survey_items_0751_2025H1.csv", (later, later))
    assert not _tick(first.cursor).run_requests
    os.utime(landing / "survey_items_0751_2025H1.csv", (old, old))
    [second] = _tick(first.cursor).run_requests  # the next delivery: its own run
    assert second.run_key != request.run_key


def test_dg_check_defs_loads_the_project():
    """`dg check defs`, as a deployment runs it: [tool.dg] finds pipelines/definitions.py, which loads pipelines/defs/."""
    import subprocess
    import sys
    from pathlib import Path

    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIRTUAL_ENV": str(bin_dir.parent),
    }
    checked = subprocess.run(
        [str(bin_dir / "dg"), "check", "defs"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]
    assert "All definitions loaded successfully" in checked.stdout + checked.stderr
