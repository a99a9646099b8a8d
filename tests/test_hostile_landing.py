"""Hostile landing zones: one bad entry never blocks the rest, nothing is followed, half-written files wait.

Each case ends in quarantine with a reason (or is left and reported when it cannot be acted on), and
the next run over the same landing zone has nothing left to trip over.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from pipelines import ingest
from pipelines.ingest import Pipeline
from pipelines.landing import files as landing_files
from pipelines.landing.moves import NAME_MAX
from pipelines.run import RunOutcome, _collect
from pipelines.settings import Settings
from pipelines.sources.registry import detect
from pipelines.warehouse import utc_now

ORG = (
    "los_id;parent_los_id;enhedsnavn;enhedstype;sektor;gyldig_fra;gyldig_til\n"
    "1;;Aarhus Kommune;Kommune;Administration;01-01-2020;\n"
    "2;1;Ældreområdet;Område;Ældre;01-01-2020;\n"
).encode()
MORE_ORG = "3;2;Plejehjem Søndergården;Institution;Ældre;01-01-2020;\n".encode()


@pytest.fixture
def pipeline(digilead_home, monkeypatch) -> Pipeline:
    monkeypatch.setenv("DIGILEAD_SETTLE_SECONDS", "0")
    return Pipeline(Settings.from_env())


def land(pipeline: Pipeline, name: str, data: bytes) -> Path:
    pipeline.settings.landing.mkdir(parents=True, exist_ok=True)
    path = pipeline.settings.landing / name
    path.write_bytes(data)
    return path


def process(pipeline: Pipeline) -> ingest.Step:
    step, pending = pipeline.triage()
    for spec in ingest.loaded_sources():
        pipeline.stage(spec, pending.get(spec.name, []))
        pipeline.validate(spec)
        pipeline.load(spec)
    return step


def rows(pipeline: Pipeline, sql: str) -> list[tuple]:
    with pipeline.warehouse.connect(read_only=True) as con:
        return con.execute(sql).fetchall()


def statuses(pipeline: Pipeline) -> dict[str, str]:
    return dict(rows(pipeline, "select file_name, status from meta.files"))


def reasons(pipeline: Pipeline) -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in pipeline.settings.quarantine.glob("*.reason.json")]


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["courses_\uff10\uff17\uff15\uff11.csv", "benefits_0751_2026-06-3\u0660.xlsx", "hr_org_units_0751_2025-06.csv\n"],
    ids=["full-width-kommunekode", "arabic-indic-digit-in-day", "trailing-newline"],
)
def test_a_name_matches_a_source_only_with_ascii_digits_and_nothing_after_the_extension(name):
    assert detect(name) is None


def test_a_trailing_newline_in_a_name_is_quarantined_as_an_unknown_name(pipeline):
    land(pipeline, "hr_org_units_0751_2025-06.csv\n", ORG)
    process(pipeline)
    assert statuses(pipeline) == {"hr_org_units_0751_2025-06.csv\n": "quarantined"}
    assert rows(pipeline, "select count(*) from raw.hr_org_units") == [(0,)]


def test_a_250_character_name_is_quarantined_with_a_reason_file_that_fits_the_name_limit(pipeline):
    name = "x" * 246 + ".csv"
    land(pipeline, name, ORG)
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG.replace(b"Aarhus", b"Odense"))
    process(pipeline)
    assert statuses(pipeline) == {name: "quarantined", "hr_org_units_0751_2025-06.csv": "accepted"}
    [reason_file] = pipeline.settings.quarantine.glob("*.reason.json")
    assert len(reason_file.name.encode()) <= NAME_MAX
    assert json.loads(reason_file.read_text("utf-8"))["file"] == name
    [quarantined] = [p for p in pipeline.settings.quarantine.iterdir() if not p.name.endswith(".reason.json")]
    assert reason_file.name == quarantined.name + ".reason.json"
    assert not any(pipeline.settings.landing.iterdir())
    process(pipeline)  # the next run has nothing left to trip over


def test_the_same_long_name_twice_gets_two_places_in_quarantine(pipeline):
    name = "y" * 250 + ".csv"
    land(pipeline, name, b"one")
    process(pipeline)
    land(pipeline, name, b"two")
    process(pipeline)
    assert len(list(pipeline.settings.quarantine.glob("*.reason.json"))) == 2


# --- unreadable files, symlinks, directories -------------------------------------------------


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_quarantined_and_does_not_block_the_others(pipeline):
    blocked = land(pipeline, "hr_org_units_0751_2025-05.csv", ORG)
    blocked.chmod(0)
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG.replace(b"Aarhus", b"Odense"))
    process(pipeline)
    assert statuses(pipeline) == {
        "hr_org_units_0751_2025-05.csv": "quarantined",
        "hr_org_units_0751_2025-06.csv": "accepted",
    }
    [reason] = reasons(pipeline)
    assert "could not be read from disk (permission denied)" in reason["summary"]
    assert not any(pipeline.settings.landing.iterdir())
    process(pipeline)


def test_a_file_that_cannot_be_opened_is_quarantined_without_blocking_the_others(pipeline, monkeypatch):
    land(pipeline, "hr_org_units_0751_2025-05.csv", ORG)
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG.replace(b"Aarhus", b"Odense"))
    real = landing_files.fingerprint_of

    def denied(path, *args, **kwargs):
        if path.name == "hr_org_units_0751_2025-05.csv":
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(landing_files, "fingerprint_of", denied)
    process(pipeline)
    assert statuses(pipeline) == {
        "hr_org_units_0751_2025-05.csv": "quarantined",
        "hr_org_units_0751_2025-06.csv": "accepted",
    }
    [reason] = reasons(pipeline)
    assert "could not be read from disk (permission denied)" in reason["summary"]
    assert not any(pipeline.settings.landing.iterdir())


def test_an_io_error_while_reading_quarantines_the_file(pipeline, monkeypatch):
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    real = Path.read_bytes

    def failing(path):
        if path.name == "hr_org_units_0751_2025-06.csv":
            raise OSError(5, "Input/output error")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", failing)
    process(pipeline)
    assert statuses(pipeline) == {"hr_org_units_0751_2025-06.csv": "quarantined"}
    [reason] = reasons(pipeline)
    assert "could not be read from disk (Input/output error)" in reason["summary"]


def test_a_symlink_is_quarantined_itself_and_its_target_is_never_read(pipeline, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_bytes(ORG)
    pipeline.settings.landing.mkdir(parents=True, exist_ok=True)
    link = pipeline.settings.landing / "hr_org_units_0751_2025-06.csv"
    link.symlink_to(outside)
    process(pipeline)
    assert statuses(pipeline) == {"hr_org_units_0751_2025-06.csv": "quarantined"}
    assert rows(pipeline, "select count(*) from raw.hr_org_units") == [(0,)]
    moved = pipeline.settings.quarantine / "hr_org_units_0751_2025-06.csv"
    assert moved.is_symlink() and os.readlink(moved) == str(outside)
    assert outside.read_bytes() == ORG
    [reason] = reasons(pipeline)
    assert "symbolic link" in reason["summary"]


def test_a_dangling_symlink_is_quarantined_too(pipeline, tmp_path):
    pipeline.settings.landing.mkdir(parents=True, exist_ok=True)
    (pipeline.settings.landing / "hr_org_units_0751_2025-06.csv").symlink_to(tmp_path / "gone.csv")
    process(pipeline)
    assert statuses(pipeline) == {"hr_org_units_0751_2025-06.csv": "quarantined"}
    assert (pipeline.settings.quarantine / "hr_org_units_0751_2025-06.csv").is_symlink()


def test_a_directory_with_a_delivery_name_is_reported_not_left_silently(pipeline):
    from pipelines.status import status_report

    (pipeline.settings.landing / "hr_org_units_0751_2025-06.csv").mkdir(parents=True)
    step = process(pipeline)
    assert step.not_files == ["hr_org_units_0751_2025-06.csv"]
    report = status_report(pipeline.settings)
    assert "hr_org_units_0751_2025-06.csv" in report and "not a file" in report
    outcome = RunOutcome(run_ids=[pipeline.run_id])
    _collect(pipeline.settings, outcome, utc_now(), "test")
    assert outcome.not_files == ["hr_org_units_0751_2025-06.csv"]
    assert "not a file" in outcome.summary()


# --- files still being written ----------------------------------------------------------------


def test_a_file_still_being_written_when_the_run_starts_waits_for_the_next_run(pipeline, monkeypatch):
    monkeypatch.setattr(pipeline, "settings", Settings.from_env({**os.environ, "DIGILEAD_SETTLE_SECONDS": "30"}))
    path = land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    waits, real_sleep = [], time.sleep

    def writer_appends_while_we_wait(seconds):  # instead of sleeping: the transfer goes on meanwhile
        waits.append(seconds)
        with path.open("ab") as handle:
            handle.write(MORE_ORG)

    monkeypatch.setattr(landing_files.time, "sleep", writer_appends_while_we_wait)
    step = process(pipeline)
    assert len(waits) == 1 and 0 < waits[0] <= 30  # one wait for the whole landing zone, at most the settle time
    assert step.arriving == ["hr_org_units_0751_2025-06.csv"]
    assert path.exists() and rows(pipeline, "select count(*) from meta.files") == [(0,)]
    monkeypatch.setattr(landing_files.time, "sleep", real_sleep)
    old = time.time() - 60  # the transfer has finished since
    os.utime(path, (old, old))
    process(Pipeline(Settings.from_env({**os.environ, "DIGILEAD_SETTLE_SECONDS": "30"})))
    assert rows(pipeline, "select count(*) from raw.hr_org_units") == [(3,)]


def test_a_file_changed_after_it_was_read_is_not_archived_under_the_old_fingerprint(pipeline):
    path = land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    _, pending = pipeline.triage()
    [spec] = [spec for spec in ingest.loaded_sources() if spec.name == "hr_org_units"]
    pipeline.stage(spec, pending[spec.name])
    pipeline.validate(spec)
    with path.open("ab") as handle:  # the writer was not done after all
        handle.write(MORE_ORG)
    pipeline.load(spec)
    assert path.exists()
    assert rows(pipeline, "select count(*) from raw.hr_org_units") == [(0,)]
    assert not (pipeline.settings.archive / "hr_org_units").exists()
    process(pipeline)
    assert rows(pipeline, "select count(*) from raw.hr_org_units") == [(3,)]
    archived = pipeline.settings.archive / "hr_org_units" / "hr_org_units_0751_2025-06.csv"
    assert archived.read_bytes() == ORG + MORE_ORG


# --- owner-only files -------------------------------------------------------------------------


def test_archive_quarantine_warehouse_and_staging_are_owner_only(pipeline):
    os.umask(0o022)  # as a login shell has it
    good = land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    good.chmod(0o644)
    land(pipeline, "loenudtraek_0751.csv", b"cpr;navn\n010190-1234;Jens\n").chmod(0o644)
    process(pipeline)
    home = pipeline.settings.home
    private = [home / "archive", home / "quarantine", home / "staging", home / "published", home / "dbt"]
    private += [p for folder in private for p in folder.rglob("*")] + [pipeline.settings.warehouse]
    for path in private:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path.relative_to(home)} is {oct(mode)}"
    assert len([p for p in private if p.is_file()]) >= 4  # archived, quarantined, its reason, the warehouse


# --- concurrent runs --------------------------------------------------------------------------


def test_a_run_reports_only_the_files_of_its_own_dagster_runs(pipeline):
    started = utc_now()
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    process(pipeline)
    other = Pipeline(pipeline.settings, run_id="another-run")
    land(other, "hr_org_units_0751_2025-07.csv", ORG.replace(b"Aarhus", b"Odense"))
    process(other)
    outcome = RunOutcome(run_ids=[pipeline.run_id])
    _collect(pipeline.settings, outcome, started, "this-invocation")
    assert outcome.accepted == ["hr_org_units_0751_2025-06.csv"]
    assert rows(pipeline, "select files_accepted from meta.runs where run_id = 'this-invocation'") == [(1,)]
