"""The job the sensor starts: marts rebuild when their inputs change, never after a failed blocking check.

Runs the `ingest_and_build` job in process (what the sensor's run and its retry do) on a small delivery:
  run 1: an org tree with a cycle fails its blocking check -> the file is quarantined, the run fails,
         and nothing downstream of the check runs: no load of that source, no dbt, no publishing
  run 2 (the retry): loads the good files, builds the marts, publishes them, evaluates their freshness
  run 3 (nothing new): the marts are current, so dbt and publishing are skipped
"""

from __future__ import annotations

import time

import dagster as dg
import pytest

from tests.test_lifecycle import EMPLOYEES, ORG, ORG_WITH_CYCLE

pytestmark = pytest.mark.e2e


def _execute(instance):
    from pipelines.definitions import loaded

    defs = loaded()
    from pipelines.defs.jobs import INGEST_AND_BUILD

    return defs.resolve_job_def(INGEST_AND_BUILD).execute_in_process(instance=instance, raise_on_error=False)


def _materialized(result) -> set[str]:
    return {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}


def _executed_steps(result) -> set[str]:
    return {event.step_key for event in result.all_events if event.event_type == dg.DagsterEventType.STEP_START}


def test_marts_rebuild_after_loads_and_never_after_a_failed_blocking_check(digilead_home):
    landing = digilead_home / "landing"
    landing.mkdir()
    (landing / "hr_org_units_0751_2025-06.csv").write_bytes(ORG)
    (landing / "hr_employees_0751_2025-06.csv").write_bytes(EMPLOYEES)
    (landing / "hr_org_units_0751_2025-07.csv").write_bytes(ORG_WITH_CYCLE)
    published = digilead_home / "published" / "digilead.duckdb"

    with dg.instance_for_test() as instance:
        first = _execute(instance)
        assert not first.success
        [failed] = [e for e in first.get_asset_check_evaluations() if not e.passed]
        assert failed.asset_key.to_user_string() == "staged/hr_org_units"
        # the failure names the file, the rule and the rows
        assert "hr_org_units_0751_2025-07.csv" in failed.description and "no cycles" in failed.description
        assert "row 3" in failed.description
        steps = _executed_steps(first)
        assert "load_hr_org_units" not in steps, "a source was loaded after its blocking check failed"
        assert "digilead_dbt_models" not in steps and "published__marts" not in steps, (
            "marts built after a failed check"
        )
        assert not published.exists()
        assert (digilead_home / "quarantine" / "hr_org_units_0751_2025-07.csv").exists()

        second = _execute(instance)  # the run retry
        assert second.success
        materialized = _materialized(second)
        assert {"raw/hr_org_units", "marts/digital_maturity", "published/marts"} <= materialized
        assert published.exists()
        freshness = [e for e in second.get_asset_check_evaluations() if e.check_name == "freshness_check"]
        assert freshness and all(e.passed for e in freshness)
        publish_meta = [
            e for e in second.get_asset_materialization_events() if e.asset_key.to_user_string() == "published/marts"
        ]
        metadata = publish_meta[0].materialization.metadata
        assert metadata["rows_digital_maturity"].value >= 0 and "min_cell" in metadata

        stamp = published.stat().st_mtime_ns
        time.sleep(0.01)
        third = _execute(instance)  # nothing new arrived
        assert third.success
        assert not {key for key in _materialized(third) if key.startswith(("marts/", "published/"))}
        assert published.stat().st_mtime_ns == stamp


def _execute_for(instance, *sources: str):
    """The run the landing sensor asks for when nothing else is pending: only what these sources feed."""
    from pipelines.definitions import loaded
    from pipelines.defs.jobs import INGEST_AND_BUILD, delivery_selection
    from pipelines.sources.registry import SOURCES_BY_NAME

    defs = loaded()
    selection = delivery_selection([SOURCES_BY_NAME[source] for source in sources])
    keys = selection.resolve(defs.get_repository_def().asset_graph)
    return defs.resolve_job_def(INGEST_AND_BUILD).execute_in_process(
        instance=instance, asset_selection=sorted(keys, key=lambda key: key.to_user_string()), raise_on_error=False
    )


def test_a_delivery_s_run_builds_only_what_its_source_feeds_and_never_part_of_a_pending_build(digilead_home):
    landing = digilead_home / "landing"
    landing.mkdir()
    (landing / "hr_org_units_0751_2025-06.csv").write_bytes(ORG)
    (landing / "hr_employees_0751_2025-06.csv").write_bytes(EMPLOYEES)
    published = digilead_home / "published" / "digilead.duckdb"

    with dg.instance_for_test() as instance:
        # nothing was built yet: the build must refresh every model, which an HR-only run cannot, so it builds none
        refused = _execute_for(instance, "hr_employees")
        assert not refused.success
        assert "selects only part" in str(refused.failure_data_for_node("digilead_dbt_models").error)
        assert not published.exists()

        assert _execute(instance).success  # the whole job builds and publishes everything
        stamp = published.stat().st_mtime_ns

        (landing / "hr_employees_0751_2025-07.csv").write_bytes(EMPLOYEES)
        delivery = _execute_for(instance, "hr_employees")
        assert delivery.success
        steps = _executed_steps(delivery)
        assert "load_hr_employees" in steps and "load_hr_org_units" not in steps and "staged__training" not in steps
        materialized = _materialized(delivery)
        assert {"raw/hr_employees", "marts/digital_maturity", "published/marts"} <= materialized
        assert not {key for key in materialized if key.startswith("marts/benefit")}  # not fed by HR, not in the run
        assert published.stat().st_mtime_ns != stamp
