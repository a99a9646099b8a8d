"""The landing sensor: one run per delivery, keyed by the files' fingerprints, never the warehouse."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs import sensors
from pipelines.defs.sensors import MAX_BATCH_WAIT_SECONDS, SENSOR_NAME, Cursor, evaluate, run_key_of, settle_wait
from pipelines.landing.files import SETTLE_SECONDS

OLD = time.time() - 600


def drop(landing: Path, name: str, data: bytes, settled: bool = True) -> Path:
    landing.mkdir(parents=True, exist_ok=True)
    path = landing / name
    path.write_bytes(data)
    if settled:
        os.utime(path, (OLD, OLD))
    return path


def tick(landing: Path, cursor: Cursor | None = None, now: float | None = None):
    return evaluate(landing, cursor or Cursor({}), now)


def test_a_delivery_is_requested_once_however_often_the_sensor_ticks(tmp_path):
    landing = tmp_path / "landing"
    drop(landing, "hr_employees_0751_2025-06.csv", b"a")
    drop(landing, "hr_org_units_0751_2025-06.csv", b"b")
    delivery, cursor, _ = tick(landing)
    assert sorted(delivery) == ["hr_employees_0751_2025-06.csv", "hr_org_units_0751_2025-06.csv"]
    for _ in range(3):
        again, cursor, why = tick(landing, cursor)
        assert again == {} and "nothing new" in why


def test_the_run_key_is_stable_across_restarts_and_derived_from_fingerprints(tmp_path):
    landing = tmp_path / "landing"
    drop(landing, "hr_employees_0751_2025-06.csv", b"a")
    first, _, _ = tick(landing)
    # The daemon died after launching the run but before storing the cursor: the same tick again.
    second, _, _ = tick(landing)
    assert run_key_of(first) == run_key_of(second)
    [seen] = first.values()
    import hashlib

    assert seen.fingerprint == hashlib.sha256(b"a").hexdigest()


def test_a_new_file_is_its_own_delivery_and_a_redelivered_copy_is_another(tmp_path):
    landing = tmp_path / "landing"
    drop(landing, "hr_employees_0751_2025-06.csv", b"a")
    first, cursor, _ = tick(landing)
    drop(landing, "survey_items_0751_2025H1.csv", b"b")
    second, cursor, _ = tick(landing, cursor)
    assert sorted(second) == ["survey_items_0751_2025H1.csv"]  # not the file already requested
    # the run archives both; later the same bytes arrive again under the same name
    for path in landing.iterdir():
        path.unlink()
    _, cursor, _ = tick(landing, cursor)
    assert cursor.requested == {}
    again = drop(landing, "hr_employees_0751_2025-06.csv", b"a")
    os.utime(again, (OLD + 5, OLD + 5))
    third, cursor, _ = tick(landing, cursor)
    assert list(third) == ["hr_employees_0751_2025-06.csv"]
    assert run_key_of(third) != run_key_of(first)  # a run that archives it as a duplicate


def test_files_still_arriving_hold_back_the_delivery_for_a_while(tmp_path):
    landing = tmp_path / "landing"
    drop(landing, "hr_employees_0751_2025-06.csv", b"a")
    drop(landing, "hr_employees_0751_2025-07.csv", b"b", settled=False)  # being copied right now
    now = time.time()
    delivery, cursor, why = tick(landing, now=now)
    assert delivery == {} and "still arriving" in why
    delivery, cursor, _ = tick(landing, cursor, now=now + 1)
    assert delivery == {}
    # a steady trickle (the file keeps growing) must not hold a delivery back for ever
    later = now + MAX_BATCH_WAIT_SECONDS + 1
    os.utime(landing / "hr_employees_0751_2025-07.csv", (later, later))
    delivery, cursor, _ = tick(landing, cursor, now=later)
    assert list(delivery) == ["hr_employees_0751_2025-06.csv"]
    # once the last file has settled, it follows in the next delivery
    os.utime(landing / "hr_employees_0751_2025-07.csv", (OLD, OLD))
    delivery, cursor, _ = tick(landing, cursor)
    assert list(delivery) == ["hr_employees_0751_2025-07.csv"]


def test_a_tick_waits_once_for_a_file_that_just_landed_instead_of_leaving_it_to_the_next(tmp_path):
    landing = tmp_path / "landing"
    now = time.time()
    drop(landing, "hr_employees_0751_2025-05.csv", b"a")
    drop(landing, ".hr_employees_0751_2025-07.csv.part", b"c", settled=False)  # a transfer: no delivery yet
    assert settle_wait(landing, Cursor({}), now) == 0
    fresh = drop(landing, "hr_employees_0751_2025-06.csv", b"b", settled=False)
    os.utime(fresh, (now - 0.5, now - 0.5))
    assert abs(settle_wait(landing, Cursor({}), now) - (SETTLE_SECONDS - 0.5)) < 0.01
    delivery, cursor, _ = tick(landing, now=now + SETTLE_SECONDS)  # after that wait it has settled
    assert "hr_employees_0751_2025-06.csv" in delivery
    assert settle_wait(landing, cursor, now) == 0  # handed to a run: not waited for again
    os.utime(fresh, (now + 60, now + 60))  # written again (a clock ahead, even): never more than the settle time
    assert settle_wait(landing, cursor, now) == SETTLE_SECONDS


def test_only_files_a_run_acts_on_count(tmp_path):
    landing = tmp_path / "landing"
    drop(landing, "survey_responses_0751_2025H1.csv.part", b"x")  # a transfer still in progress
    drop(landing, ".hidden", b"x")
    (landing / "subfolder").mkdir()
    delivery, _, _ = tick(landing)
    assert delivery == {}
    drop(landing, "loenudtraek_0751.csv", b"x")  # unknown names too: the run quarantines them
    delivery, _, _ = tick(landing)
    assert list(delivery) == ["loenudtraek_0751.csv"]


def test_the_sensor_never_opens_the_warehouse(digilead_home, monkeypatch):
    from pipelines.definitions import loaded

    defs = loaded()

    # A run holds the warehouse (an open write connection); the sensor must not even try to open it.
    warehouse = duckdb.connect(str(digilead_home / "warehouse.duckdb"))
    try:

        def no_duckdb(*args, **kwargs):
            raise AssertionError("the landing sensor opened DuckDB")

        monkeypatch.setattr(duckdb, "connect", no_duckdb)
        drop(digilead_home / "landing", "hr_employees_0751_2025-06.csv", b"a")
        sensor = defs.get_repository_def().get_sensor_def(SENSOR_NAME)
        with dg.build_sensor_context() as context:
            result = sensor(context)
        [request] = result.run_requests
        assert request.run_key.startswith("delivery-")
        assert request.tags["digilead/files"] == "1"
        with dg.build_sensor_context(cursor=result.cursor) as context:
            assert sensor(context).run_requests == []
    finally:
        warehouse.close()


def test_an_old_cursor_is_read_as_empty():
    assert Cursor.parse('{"hr_employees_0751_2025-06.csv": [1, 2, "ab"]}').requested == {}
    cursor = Cursor({"a.csv": sensors.Seen(1, 2, 3, "ff")}, 12.5)
    assert Cursor.parse(cursor.dump()) == cursor


def test_files_still_waiting_after_a_run_that_loaded_something_get_one_follow_up(digilead_home, monkeypatch):
    from pipelines.definitions import loaded

    defs = loaded()

    monkeypatch.setattr(sensors, "ingest_idle_and_last_succeeded", lambda instance, job: True)
    sensor = defs.get_repository_def().get_sensor_def(SENSOR_NAME)
    drop(digilead_home / "landing", "survey_responses_0751_2025H1.csv", b"waits for its item catalogue")
    with dg.instance_for_test() as instance:

        def tick_with(cursor):
            with dg.build_sensor_context(instance=instance, cursor=cursor) as context:
                return sensor(context)

        delivery = tick_with(None)
        [request] = delivery.run_requests
        # its run loaded nothing (the file waits): no follow-up
        assert tick_with(delivery.cursor).run_requests == []
        # a later run loads a raw table (here: reported directly); the waiting file gets one more chance
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=dg.AssetKey(["raw", "survey_items"])))
        followed = tick_with(delivery.cursor)
        [again] = followed.run_requests
        assert again.run_key != request.run_key and again.tags["digilead/trigger"] == "sensor follow-up"
        # nothing loaded since: waiting ends, no loop
        assert tick_with(followed.cursor).run_requests == []


def _published(instance: dg.DagsterInstance, signature: str) -> None:
    from pipelines.defs.transform import PUBLISHED

    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=PUBLISHED, metadata={"build_signature": signature})
    )


def _current_signature() -> str:
    from pipelines.defs.dbt_project import DBT_PROJECT
    from pipelines.settings import Settings
    from pipelines.transform.dbt import result_settings
    from pipelines.transform.scope import build_signature

    return build_signature(DBT_PROJECT.manifest_path, result_settings(Settings.from_env()))


def test_a_delivery_s_run_selects_only_what_its_sources_feed_once_everything_before_it_is_published(
    digilead_home, monkeypatch
):
    from pipelines.definitions import loaded

    repository = loaded().get_repository_def()
    sensor = repository.get_sensor_def(SENSOR_NAME)
    monkeypatch.setattr(sensors, "newest_run_succeeded", lambda instance, job: True)
    drop(digilead_home / "landing", "hr_employees_0751_2025-06.csv", b"a")
    with dg.instance_for_test() as instance:

        def selected():
            with dg.build_sensor_context(instance=instance, repository_def=repository) as context:
                [request] = sensor(context).run_requests
            return (
                None if request.asset_selection is None else {key.to_user_string() for key in request.asset_selection}
            )

        # nothing published yet: the first run is a full build of every model
        assert selected() is None
        _published(instance, "built with yesterday's models")
        assert selected() is None  # an upgrade changed the models: full refresh, every asset
        _published(instance, _current_signature())
        keys = selected()
        assert {
            "landing_zone",
            "staged/hr_employees",
            "raw/hr_employees",
            "published/marts",
            "published/reports",
        } <= keys
        assert "marts/digital_maturity" in keys  # an HR extract feeds the maturity marts (headcounts)
        assert not {key for key in keys if key.startswith(("staged/", "raw/")) and "hr_employees" not in key}
        assert "marts/benefit_realisation" not in keys  # a benefit mart reads no HR data
        # a run before it failed: what it loaded may not be built yet, so the whole job again
        monkeypatch.setattr(sensors, "newest_run_succeeded", lambda instance, job: False)
        assert selected() is None


def test_the_selection_of_several_sources_files_is_the_union_and_unknown_names_only_triage():
    from pipelines.definitions import loaded
    from pipelines.defs.jobs import delivery_selection
    from pipelines.sources.registry import SOURCES_BY_NAME

    graph = loaded().get_repository_def().asset_graph
    hr, training = SOURCES_BY_NAME["hr_employees"], SOURCES_BY_NAME["training"]
    both = delivery_selection([hr, training]).resolve(graph)
    assert both == delivery_selection([hr]).resolve(graph) | delivery_selection([training]).resolve(graph)
    assert dg.AssetKey(["staged", "training"]) in both and dg.AssetKey(["staged", "benefits"]) not in both
    checks = delivery_selection([hr]).resolve_checks(graph)
    assert dg.AssetCheckKey(dg.AssetKey(["staged", "hr_employees"]), "expectations") in checks  # blocking GE check
    assert dg.AssetCheckKey(dg.AssetKey(["staged", "training"]), "expectations") not in checks
    assert delivery_selection([]).resolve(graph) == {dg.AssetKey(["landing_zone"])}
