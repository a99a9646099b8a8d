"""Re-processing a municipality: files withdrawn from the warehouse go back to landing/ and load again.

The end-to-end test runs `digilead run` and `digilead reprocess` (dbt included) once for the module;
the others drive the lifecycle directly (`tests.test_lifecycle.process`), the CLI with the run
replaced by that, and the Dagster job and sensor with an ephemeral instance.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import cli, reprocess
from pipelines.generate import generate
from pipelines.ingest import Pipeline
from pipelines.landing import delivery_fingerprint, fingerprint_of
from pipelines.reprocess import ReprocessError, withdraw
from pipelines.settings import Settings
from pipelines.warehouse.schema import RAW_TABLES
from pipelines.warehouse.state import MARTS_STALE
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.test_lifecycle import EMPLOYEES, ORG, ORG_WITH_CYCLE, Crash, land, process

MUNICIPALITY = "0751"


def raw_rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Every raw table's rows without the load time, and the rejected rows."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {
            table: con.execute(f"select * exclude (_loaded_at) from raw.{table} order by all").fetchall()
            for table in RAW_TABLES
        }
        tables["meta.rejected_rows"] = con.execute("select * from meta.rejected_rows order by all").fetchall()
    return tables


def _value(v):
    # DuckDB sums floats in parallel, in no fixed order: means may differ in the last bit between two builds
    if isinstance(v, float):
        return "<NaN>" if math.isnan(v) else float(f"{v:.12g}")
    return v


def marts(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        # dq_files shows when each file was processed: a re-processed file was processed again, its rows are the same
        select = {"dq_files": "select * exclude (processed_at) from marts.dq_files"}
        return {
            name: sorted(
                (
                    tuple(map(_value, row))
                    for row in con.execute(select.get(name, f"select * from marts.{name}")).fetchall()
                ),
                key=repr,
            )
            for name in names
        }


def history(warehouse: Path) -> dict[str, list[str]]:
    """file name -> its meta.files statuses, oldest first."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select file_name, status from meta.files order by processed_at, rowid").fetchall()
    found: dict[str, list[str]] = {}
    for name, status in rows:
        found.setdefault(name, []).append(status)
    return found


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --- end to end: `digilead run`, then `digilead reprocess` ----------------------------------------
e2e = pytest.mark.e2e  # two whole runs with dbt, shared by the tests using `reprocessed` (about a minute)


@pytest.fixture(scope="module")
def reprocessed(tmp_path_factory):
    """Run the pipeline on a small municipality, then re-process its HR extracts through the CLI."""
    home = tmp_path_factory.mktemp("reprocess") / "home"
    dagster_home = home.parent / "dagster_home"
    dagster_home.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DIGILEAD_HOME", str(home))
        env.delenv("DIGILEAD_WAREHOUSE", raising=False)
        env.setenv("DIGILEAD_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
        env.setenv("DIGILEAD_MIN_CELL", "5")
        env.setenv("DAGSTER_HOME", str(dagster_home))  # so `digilead run` registers partitions where the UI looks
        generate(home / "landing", employees=150, waves=1, training=False, benefits=False)
        first_code = cli.main(["run"])
        warehouse = home / "warehouse.duckdb"
        before = {"raw": raw_rows(warehouse), "marts": marts(warehouse), "archive": files_in(home / "archive")}
        code = cli.main(["reprocess", MUNICIPALITY, "--source", "hr_employees"])
        after = {"raw": raw_rows(warehouse), "marts": marts(warehouse), "archive": files_in(home / "archive")}
        with dg.DagsterInstance.get() as instance:
            partitions = instance.get_dynamic_partitions("municipality")
        yield {
            "home": home,
            "first_code": first_code,
            "code": code,
            "before": before,
            "after": after,
            "history": history(warehouse),
            "partitions": partitions,
        }


@e2e
def test_reprocessing_a_source_gives_the_same_raw_rows_and_marts(reprocessed):
    assert reprocessed["first_code"] == 0 and reprocessed["code"] == 0
    before, after = reprocessed["before"], reprocessed["after"]
    assert before["raw"]["hr_employees"], "nothing was loaded to re-process"
    assert after["raw"] == before["raw"]
    assert after["marts"] == before["marts"] and before["marts"]["digital_maturity"]
    assert after["archive"] == before["archive"]  # every file back in its place, no stray copies
    assert files_in(reprocessed["home"] / "landing") == []


@e2e
def test_the_registry_tells_the_story_of_each_reprocessed_file(reprocessed):
    hr = {name: statuses for name, statuses in reprocessed["history"].items() if name.startswith("hr_employees_")}
    assert len(hr) == 6
    assert set(map(tuple, hr.values())) == {("accepted", "withdrawn", "accepted")}
    others = [statuses for name, statuses in reprocessed["history"].items() if not name.startswith("hr_employees_")]
    assert others and all(
        statuses == ["accepted"] for statuses in others
    )  # other sources untouched, nothing duplicated


@e2e
def test_the_withdrawn_record_says_why_and_where_the_file_went(reprocessed):
    with duckdb.connect(str(reprocessed["home"] / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("select file_name, reason, moved_to from meta.files where status = 'withdrawn'").fetchall()
        assert con.execute("select count(*) from meta.state where key = ?", [MARTS_STALE]).fetchone() == (0,)  # rebuilt
    for name, reason, moved_to in rows:
        assert (
            "withdrawn for re-processing (digilead reprocess 0751)" in reason
            and f"archive/hr_employees/{name}" in reason
        )
        assert moved_to == f"landing/{name}"


@e2e
def test_digilead_run_registers_municipalities_as_partitions(reprocessed):
    assert reprocessed["partitions"] == [MUNICIPALITY]


@e2e
def test_status_counts_each_file_once(reprocessed, monkeypatch):
    from pipelines.status import collect_status

    monkeypatch.setenv("DIGILEAD_HOME", str(reprocessed["home"]))
    files = collect_status(Settings.from_env()).files
    assert [file["status"] for file in files].count("accepted") == 11
    assert [file["times_reprocessed"] for file in files].count(1) == 6


# --- the lifecycle, without dbt ----------------------------------------------------------------------
@pytest.fixture
def loaded(digilead_home) -> Pipeline:
    """A small municipality, processed (raw tables only)."""
    pipeline = Pipeline(Settings.from_env())
    generate(pipeline.settings.landing, employees=150, waves=1, training=False, benefits=False)
    process(pipeline)
    assert files_in(pipeline.settings.landing) == []
    return pipeline


def test_reprocessing_one_period_touches_only_that_period(loaded):
    warehouse = loaded.settings.warehouse
    before = raw_rows(warehouse)
    names = withdraw(loaded.settings, MUNICIPALITY, periods=["2025-03"])
    assert names == ["hr_employees_0751_2025-03.csv", "hr_org_units_0751_2025-03.csv"]
    assert files_in(loaded.settings.landing) == names
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.hr_employees where snapshot_month = '2025-03-01'").fetchone() == (
            0,
        )
        assert (
            con.execute("select count(*) from raw.hr_employees where snapshot_month = '2025-02-01'").fetchone()[0] > 0
        )
        assert con.execute("select count(*) from meta.state where key = ?", [MARTS_STALE]).fetchone() == (1,)
    process(loaded)
    assert raw_rows(warehouse) == before
    assert files_in(loaded.settings.landing) == []
    assert history(warehouse)["hr_employees_0751_2025-03.csv"] == ["accepted", "withdrawn", "accepted"]
    assert history(warehouse)["hr_employees_0751_2025-02.csv"] == ["accepted"]
    # survey periods are waves, as in the file names (any case)
    assert withdraw(loaded.settings, MUNICIPALITY, sources=["survey_items"], periods=["2025h1"]) == [
        "survey_items_0751_2025H1.csv"
    ]


def test_a_crash_between_commit_and_moves_is_finished_by_the_next_withdraw(loaded, monkeypatch):
    before = raw_rows(loaded.settings.warehouse)
    archived = files_in(loaded.settings.archive / "hr_org_units")
    original = reprocess._move_back
    moved = []

    def crash_on_second(*args, **kwargs):  # the process dies after the first file went back
        if moved:
            raise Crash("killed while moving files back")
        moved.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(reprocess, "_move_back", crash_on_second)
    with pytest.raises(Crash):
        withdraw(loaded.settings, MUNICIPALITY, sources=["hr_org_units"])
    monkeypatch.setattr(reprocess, "_move_back", original)
    assert len(files_in(loaded.settings.landing)) == 1 and len(files_in(loaded.settings.archive / "hr_org_units")) == 2
    assert raw_rows(loaded.settings.warehouse)["hr_org_units"] == []  # the transaction committed

    again = withdraw(loaded.settings, MUNICIPALITY, sources=["hr_org_units"])
    assert sorted(again) == sorted(set(archived) - set(moved))  # the moves the crash interrupted
    assert files_in(loaded.settings.landing) == archived  # every file there, none lost
    assert files_in(loaded.settings.archive / "hr_org_units") == []
    process(loaded)
    assert raw_rows(loaded.settings.warehouse) == before
    assert files_in(loaded.settings.archive / "hr_org_units") == archived


def test_a_crash_before_any_move_is_finished_by_the_next_run(loaded, monkeypatch):
    before = raw_rows(loaded.settings.warehouse)

    def killed(*args, **kwargs):
        raise Crash("killed right after the commit")

    monkeypatch.setattr(reprocess, "_move_back", killed)
    with pytest.raises(Crash):
        withdraw(loaded.settings, MUNICIPALITY, sources=["survey_items", "survey_responses"])
    monkeypatch.undo()
    assert files_in(loaded.settings.landing) == []
    process(loaded)  # triage finishes the moves, and the run loads the files again
    assert raw_rows(loaded.settings.warehouse) == before
    assert history(loaded.settings.warehouse)["survey_items_0751_2025H1.csv"] == ["accepted", "withdrawn", "accepted"]


def test_a_file_of_the_same_name_in_landing_is_never_overwritten(loaded):
    land(loaded, "hr_org_units_0751_2025-02.csv", b"a new delivery waiting to be processed")
    waiting = loaded.settings.landing / "hr_org_units_0751_2025-02.csv"
    with pytest.raises(ReprocessError, match="already holds a file named hr_org_units_0751_2025-02.csv"):
        withdraw(loaded.settings, MUNICIPALITY, sources=["hr_org_units"])
    assert waiting.read_bytes() == b"a new delivery waiting to be processed"
    assert set(history(loaded.settings.warehouse)["hr_org_units_0751_2025-01.csv"]) == {"accepted"}  # nothing withdrawn


def test_quarantined_files_are_reprocessed_only_when_asked(digilead_home):
    pipeline = Pipeline(Settings.from_env())
    land(pipeline, "hr_org_units_0751_2025-07.csv", ORG_WITH_CYCLE)
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    process(pipeline)
    assert withdraw(pipeline.settings, MUNICIPALITY, periods=["2025-07"]) == []
    assert withdraw(pipeline.settings, MUNICIPALITY, periods=["2025-07"], include_quarantined=True) == [
        "hr_org_units_0751_2025-07.csv"
    ]
    assert not (pipeline.settings.quarantine / "hr_org_units_0751_2025-07.csv.reason.json").exists()
    with duckdb.connect(str(pipeline.settings.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from meta.rejected_rows").fetchone() == (0,)
    process(pipeline)  # still a cycle: quarantined again, with its reason
    assert history(pipeline.settings.warehouse)["hr_org_units_0751_2025-07.csv"] == [
        "quarantined",
        "withdrawn",
        "quarantined",
    ]
    assert (pipeline.settings.quarantine / "hr_org_units_0751_2025-07.csv.reason.json").exists()


def test_a_reprocessed_delivery_keeps_its_place_behind_its_correction(digilead_home):
    """Two deliveries of one month under one name: the correction must stay the newest after re-processing."""
    pipeline = Pipeline(Settings.from_env())
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    land(pipeline, "hr_employees_0751_2025-06.csv", EMPLOYEES)
    process(pipeline)
    corrected = EMPLOYEES.replace(b"SOSU-assistent", b"SOSU-hjaelper")
    land(pipeline, "hr_employees_0751_2025-06.csv", corrected)
    process(pipeline)
    assert len(files_in(pipeline.settings.archive / "hr_employees")) == 2

    def newest_fingerprint() -> str:
        with duckdb.connect(str(pipeline.settings.warehouse), read_only=True) as con:
            return con.execute(
                "select _file_fingerprint from raw.hr_employees order by _loaded_at desc limit 1"
            ).fetchone()[0]

    correction = newest_fingerprint()
    assert correction == delivery_fingerprint(
        pipeline.settings.archive / "hr_employees" / f"hr_employees_0751_2025-06.{correction[:12]}.csv",
        "hr_employees_0751_2025-06.csv",
    )
    # landing/ holds one file of a name: the first delivery goes back first, the correction waits
    assert withdraw(pipeline.settings, MUNICIPALITY, sources=["hr_employees"], run_id="pass") == [
        "hr_employees_0751_2025-06.csv"
    ]
    assert delivery_fingerprint(pipeline.settings.landing / "hr_employees_0751_2025-06.csv") != correction
    process(pipeline)
    assert newest_fingerprint() == correction  # re-loading the old delivery did not make it newer
    assert withdraw(pipeline.settings, MUNICIPALITY, sources=["hr_employees"], run_id="pass") == [
        "hr_employees_0751_2025-06.csv"
    ]
    assert delivery_fingerprint(pipeline.settings.landing / "hr_employees_0751_2025-06.csv") == correction
    process(pipeline)
    assert newest_fingerprint() == correction
    assert (
        withdraw(pipeline.settings, MUNICIPALITY, sources=["hr_employees"], run_id="pass") == []
    )  # both done in this pass


# --- the command ---------------------------------------------------------------------------------
@pytest.fixture
def fake_run(monkeypatch):
    """`digilead run` as the lifecycle without dbt; exit code 3 once something is quarantined."""
    runs = []

    def quarantined(settings) -> int:
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            return con.execute("select count(*) from meta.files where status = 'quarantined'").fetchone()[0]

    def run(settings):
        before = quarantined(settings)
        process(Pipeline(settings))
        runs.append(files_in(settings.archive))
        return cli.EXIT_QUARANTINED if quarantined(settings) > before else cli.EXIT_OK

    monkeypatch.setattr(cli, "command_run", run)
    return runs


def test_reprocess_exit_codes(digilead_home, fake_run, capsys):
    pipeline = Pipeline(Settings.from_env())
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    land(pipeline, "hr_org_units_0751_2025-07.csv", ORG_WITH_CYCLE)
    process(pipeline)
    assert cli.main(["reprocess", MUNICIPALITY, "--source", "hr_org_units"]) == cli.EXIT_OK and len(fake_run) == 1
    assert "withdrew 1 file(s) of 0751 for re-processing: hr_org_units_0751_2025-06.csv" in capsys.readouterr().out
    # quarantined again: 3, as `digilead run`
    assert cli.main(["reprocess", MUNICIPALITY, "--period", "2025-07", "--include-quarantined"]) == cli.EXIT_QUARANTINED
    for argv, words in [
        (["reprocess", MUNICIPALITY, "--period", "2024-01"], "nothing to re-process"),
        (["reprocess", "0101"], "no accepted file of municipality 0101"),
        (["reprocess", "751"], "not a kommunekode"),
        (["reprocess", MUNICIPALITY, "--source", "payroll"], "unknown source(s) payroll"),
    ]:
        assert cli.main(argv) == cli.EXIT_FAILURE, argv
        assert words in capsys.readouterr().err
    assert len(fake_run) == 2  # no run when nothing was withdrawn


def test_reprocess_repeats_for_files_of_the_same_name(digilead_home, fake_run):
    pipeline = Pipeline(Settings.from_env())
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    process(pipeline)
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG.replace("Søndergården".encode("cp1252"), b"Nordgaarden"))
    process(pipeline)
    assert cli.main(["reprocess", MUNICIPALITY]) == cli.EXIT_OK
    assert len(fake_run) == 2  # one pass per delivery of the name
    statuses = [status for status in history(pipeline.settings.warehouse)["hr_org_units_0751_2025-06.csv"]]
    assert statuses.count("withdrawn") == 2 and statuses.count("accepted") == 4


# --- Dagster: the partitioned job and the sensor -------------------------------------------------
def test_the_job_withdraws_the_partitions_files(loaded):
    from pipelines import definitions

    defs = definitions.loaded()
    from pipelines.defs.reprocess import REPROCESS

    job = defs.resolve_job_def(REPROCESS)
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("municipality", [MUNICIPALITY])
        result = job.execute_in_process(
            instance=instance,
            partition_key=MUNICIPALITY,
            run_config={
                "ops": {"withdraw_municipality": {"config": {"sources": ["hr_org_units"], "periods": ["2025-01"]}}}
            },
        )
    assert result.success
    assert result.output_for_node("withdraw_municipality") == 1
    assert files_in(loaded.settings.landing) == ["hr_org_units_0751_2025-01.csv"]
    with duckdb.connect(str(loaded.settings.warehouse), read_only=True) as con:
        assert con.execute("select run_id, reason from meta.files where status = 'withdrawn'").fetchall() == [
            (
                result.run_id,
                "withdrawn for re-processing (Dagster job reprocess_municipality, partition 0751); "
                "was accepted in archive/hr_org_units/hr_org_units_0751_2025-01.csv",
            )
        ]


def test_the_job_is_partitioned_by_municipality_and_selects_no_asset():
    from pipelines import definitions

    defs = definitions.loaded()
    from pipelines.defs.jobs import INGEST_AND_BUILD
    from pipelines.defs.reprocess import REPROCESS

    job = defs.resolve_job_def(REPROCESS)
    assert isinstance(job.partitions_def, dg.DynamicPartitionsDefinition) and job.partitions_def.name == "municipality"
    assert defs.resolve_job_def(INGEST_AND_BUILD).partitions_def is None  # ingestion stays file-driven


def _sensor_tick(instance, cursor=None):
    from pipelines import definitions

    defs = definitions.loaded()

    sensor = defs.get_repository_def().get_sensor_def("landing_zone_sensor")
    with dg.build_sensor_context(instance=instance, cursor=cursor) as context:
        return sensor(context)


def settle(landing: Path) -> None:
    old = time.time() - 600
    for path in landing.iterdir():
        os.utime(path, (old, old))


def test_the_sensor_adds_new_municipalities_as_partitions(digilead_home):
    landing = digilead_home / "landing"
    landing.mkdir()
    (landing / "hr_employees_0101_2025-06.csv").write_bytes(b"a")
    (landing / "hr_org_units_0751_2025-06.csv").write_bytes(b"b")
    (landing / "loenudtraek_0461.csv").write_bytes(b"c")  # no source: no municipality either
    settle(landing)
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("municipality", ["0751"])
        first = _sensor_tick(instance)
        [request] = first.dynamic_partitions_requests
        assert request.partitions_def_name == "municipality" and list(request.partition_keys) == ["0101"]
        assert len(first.run_requests) == 1
        instance.add_dynamic_partitions("municipality", ["0101"])
        (landing / "hr_employees_0101_2025-07.csv").write_bytes(b"d")
        settle(landing)
        second = _sensor_tick(instance, first.cursor)
        assert len(second.run_requests) == 1 and not second.dynamic_partitions_requests  # known already


def test_a_withdrawn_file_is_a_new_delivery_for_the_sensor(loaded):
    from pipelines.defs.sensors import Cursor, Seen, evaluate, run_key_of

    landing = loaded.settings.landing
    # the original delivery as the sensor saw it (a move into the archive keeps size, mtime and inode)
    archived = loaded.settings.archive / "survey_items" / "survey_items_0751_2025H1.csv"
    stat = archived.stat()
    original = {
        "survey_items_0751_2025H1.csv": Seen(stat.st_size, stat.st_mtime_ns, stat.st_ino, fingerprint_of(archived))
    }
    cursor = Cursor(dict(original))  # the daemon has not ticked since the run: the cursor still lists it
    withdraw(loaded.settings, MUNICIPALITY, sources=["survey_items"])
    delivery, _, why = evaluate(landing, cursor, now=time.time() + 10)
    assert list(delivery) == ["survey_items_0751_2025H1.csv"], why
    assert delivery["survey_items_0751_2025H1.csv"].fingerprint == original["survey_items_0751_2025H1.csv"].fingerprint
    assert run_key_of(delivery) != run_key_of(original)
