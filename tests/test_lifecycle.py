"""The file lifecycle (docs/files.md) through `pipelines.ingest.Pipeline`, step by step, without Dagster.

Each bad input must end in quarantine with a reason, with nothing loaded; each good file in the
archive with its rows in raw.* carrying lineage; and a crash at any point must converge on the
same warehouse once the next run has happened.
"""

from __future__ import annotations

import json

import pytest

from pipelines import ingest, parsing
from pipelines.ingest import Pipeline
from pipelines.settings import Settings
from pipelines.sources.registry import SOURCES_BY_NAME

ORG = (
    "los_id;parent_los_id;enhedsnavn;enhedstype;sektor;gyldig_fra;gyldig_til\r\n"
    "1;;Aarhus Kommune;Kommune;Administration;01-01-2020;\r\n"
    "2;1;Ældreområdet;Område;Ældre;01-01-2020;\r\n"
    "3;2;Plejehjem Søndergården;Institution;Ældre;01-01-2020;\r\n"
).encode("cp1252")
ORG_WITH_CYCLE = (
    "los_id,parent_los_id,enhedsnavn,enhedstype,sektor,gyldig_fra,gyldig_til\n"
    "1,,Aarhus Kommune,Kommune,Administration,2020-01-01,\n"
    "2,3,Ældreområdet,Område,Ældre,2020-01-01,\n"
    "3,2,Plejehjem,Institution,Ældre,2020-01-01,\n"
).encode()
EMPLOYEES = (
    "\ufeffcpr;medarbejdernr;navn;email;los_id;stillingsbetegnelse;personalekategori;beskaeftigelsesgrad;ansat_fra;ansat_til\n"
    "010190-1234;1001;Jens Ærø;jens@aarhus.dk;3;SOSU-assistent;Omsorg;0,8;01.02.2019;\n"
    "0203851234;1002;Søs Åberg;soes@aarhus.dk;2;Leder;Ledelse;1;2018-05-01;31-03-2025\n"
).encode("utf-8")


@pytest.fixture
def pipeline(digilead_home) -> Pipeline:
    return Pipeline(Settings.from_env())


def land(pipeline: Pipeline, name: str, data: bytes) -> None:
    pipeline.settings.landing.mkdir(parents=True, exist_ok=True)
    (pipeline.settings.landing / name).write_bytes(data)


def process(pipeline: Pipeline) -> None:
    """What one run does, source by source, in the order the asset graph gives."""
    _, pending = pipeline.triage()
    for spec in ingest.loaded_sources():
        pipeline.stage(spec, pending.get(spec.name, []))
        pipeline.validate(spec)
        pipeline.load(spec)


def rows(pipeline: Pipeline, sql: str) -> list[tuple]:
    with pipeline.warehouse.connect(read_only=True) as con:
        return con.execute(sql).fetchall()


def statuses(pipeline: Pipeline) -> dict[str, str]:
    return dict(rows(pipeline, "select file_name, status from meta.files"))


def reason_of(pipeline: Pipeline, name: str) -> dict:
    return json.loads((pipeline.settings.quarantine / f"{name}.reason.json").read_text(encoding="utf-8"))


def test_good_files_are_loaded_with_lineage_and_archived(pipeline):
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    land(pipeline, "hr_employees_0751_2025-06.csv", EMPLOYEES)
    process(pipeline)
    assert statuses(pipeline) == {
        "hr_org_units_0751_2025-06.csv": "accepted",
        "hr_employees_0751_2025-06.csv": "accepted",
    }
    assert (pipeline.settings.archive / "hr_employees" / "hr_employees_0751_2025-06.csv").exists()
    assert not any(pipeline.settings.landing.iterdir())
    assert rows(pipeline, "select enhedsnavn, _row_number from raw.hr_org_units order by _row_number") == [
        ("Aarhus Kommune", 2),
        ("Ældreområdet", 3),
        ("Plejehjem Søndergården", 4),
    ]
    fingerprints = rows(pipeline, "select distinct _file_fingerprint from raw.hr_employees")
    assert len(fingerprints) == 1 and len(fingerprints[0][0]) == 64
    assert rows(
        pipeline, "select rows_read, rows_loaded, rows_rejected from meta.files where source = 'hr_employees'"
    ) == [(2, 2, 0)]


def test_no_clear_identifier_reaches_the_warehouse(pipeline):
    land(pipeline, "hr_employees_0751_2025-06.csv", EMPLOYEES)
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    process(pipeline)
    text = " ".join(str(v) for row in rows(pipeline, "select * from raw.hr_employees") for v in row)
    for clear in ("jens@aarhus.dk", "Jens", "010190", "0203851234", "1001", "Søs"):
        assert clear not in text


def test_a_redelivered_file_is_archived_as_a_duplicate_and_never_loaded_twice(pipeline):
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    process(pipeline)
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    process(pipeline)
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    process(pipeline)
    assert rows(pipeline, "select count(*) from raw.hr_org_units") == [(3,)]
    assert len(list((pipeline.settings.archive / "duplicates").iterdir())) == 2
    assert rows(pipeline, "select count(*) from meta.files where status = 'duplicate'") == [(2,)]


def test_of_two_spellings_of_one_delivery_in_one_run_the_lower_case_one_is_loaded(pipeline):
    land(pipeline, "HR_ORG_UNITS_0751_2025-06.CSV", ORG)
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    process(pipeline)
    assert statuses(pipeline) == {
        "hr_org_units_0751_2025-06.csv": "accepted",
        "HR_ORG_UNITS_0751_2025-06.CSV": "duplicate",
    }


def test_the_same_bytes_under_a_name_that_is_no_delivery_are_quarantined_for_the_name(pipeline):
    """A file means its name and its bytes: a copy named outside the contract delivers nothing, even
    when its bytes were loaded before (it is not silently archived as a duplicate)."""
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    process(pipeline)
    land(pipeline, "hr_org_units_0751_2025-06 (kopi).csv", ORG)
    process(pipeline)
    assert statuses(pipeline)["hr_org_units_0751_2025-06 (kopi).csv"] == "quarantined"
    assert rows(pipeline, "select count(*) from raw.hr_org_units") == [(3,)]


def test_the_same_bytes_for_another_municipality_or_month_are_that_ones_delivery(pipeline):
    """A file means its name and its bytes: an org tree two municipalities share, or one kept from
    month to month, serves every municipality and month it was delivered for (not a duplicate)."""
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    land(pipeline, "hr_org_units_0101_2025-06.csv", ORG)  # another municipality, same bytes, same run
    process(pipeline)
    land(pipeline, "hr_org_units_0751_2025-07.csv", ORG)  # the next month, same bytes, a later run
    land(pipeline, "HR_ORG_UNITS_0461_2025-06.CSV", ORG)
    process(pipeline)
    assert statuses(pipeline) == {
        "hr_org_units_0751_2025-06.csv": "accepted",
        "hr_org_units_0101_2025-06.csv": "accepted",
        "hr_org_units_0751_2025-07.csv": "accepted",
        "HR_ORG_UNITS_0461_2025-06.CSV": "accepted",
    }
    assert rows(
        pipeline,
        "select kommunekode, strftime(snapshot_month, '%Y-%m'), count(*), count(distinct _file_fingerprint) "
        "from raw.hr_org_units group by all order by all",
    ) == [("0101", "2025-06", 3, 1), ("0461", "2025-06", 3, 1), ("0751", "2025-06", 3, 1), ("0751", "2025-07", 3, 1)]
    assert rows(pipeline, "select count(distinct fingerprint) from meta.files") == [(4,)]
    assert not (pipeline.settings.archive / "duplicates").exists() or not any(
        (pipeline.settings.archive / "duplicates").iterdir()
    )


def test_the_same_bytes_for_the_same_municipality_and_period_under_another_spelling_are_a_duplicate(pipeline):
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    process(pipeline)
    land(pipeline, "HR_Org_Units_0751_2025-06.CSV", ORG)  # the same delivery, named in other case
    process(pipeline)
    assert statuses(pipeline) == {
        "hr_org_units_0751_2025-06.csv": "accepted",
        "HR_Org_Units_0751_2025-06.CSV": "duplicate",
    }
    assert rows(pipeline, "select count(*) from raw.hr_org_units") == [(3,)]


ITEMS_CSV = (
    b"item_id;question_text;competence_code;reverse_scored\n"
    b"Q01;Jeg kan finde information;1.1;0\n"
    b"Q02;Jeg deler filer sikkert;2.1;1\n"
)


def test_a_survey_wave_without_submission_times_is_accepted(pipeline):
    """A submission time is optional in every dialect: a SurveyXact export without a close-time
    variable, and a flat export whose submitted_at is empty, are loaded, not quarantined."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("dataset.csv", "respondent;employee_ref;los_id;Q01;Q02\r\n1;1001;3;5;1\r\n2;1002;2;4;2\r\n")
        archive.writestr(
            "labels.csv", "Q01;1;Helt uenig\r\nQ01;4;Enig\r\nQ01;5;Helt enig\r\nQ02;1;Helt uenig\r\nQ02;2;Uenig\r\n"
        )
    land(pipeline, "survey_items_0751_2025H1.csv", ITEMS_CSV)
    land(pipeline, "survey_items_0751_2025H2.csv", ITEMS_CSV)
    land(pipeline, "survey_responses_0751_2025H1.zip", buffer.getvalue())
    land(pipeline, "survey_responses_0751_2025H2.csv", b"respondent_id;los_id;submitted_at;Q01\nr1;3;;4\n")
    process(pipeline)
    assert statuses(pipeline) == {
        "survey_items_0751_2025H1.csv": "accepted",
        "survey_items_0751_2025H2.csv": "accepted",  # the same bytes for another wave: its own delivery
        "survey_responses_0751_2025H1.zip": "accepted",
        "survey_responses_0751_2025H2.csv": "accepted",
    }
    assert rows(
        pipeline, "select wave, count(*), count(submitted_at) from raw.survey_responses group by all order by 1"
    ) == [
        ("2025H1", 2, 0),
        ("2025H2", 1, 0),
    ]


def test_an_unknown_name_is_quarantined_with_a_reason(pipeline):
    land(pipeline, "loenudtraek_0751.csv", b"a;b\n1;2\n")
    process(pipeline)
    assert statuses(pipeline) == {"loenudtraek_0751.csv": "quarantined"}
    assert "matches no known source" in reason_of(pipeline, "loenudtraek_0751.csv")["summary"]


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("hr_employees_0751_2025-06.csv", b"", "empty"),
        ("hr_employees_0751_2025-06.csv", bytes(range(256)) * 4, "read"),
        ("hr_org_units_0751_2025-06.csv", "los_id;enhedsnavn\n1;Rådhus\n".encode(), "parent_los_id"),
    ],
    ids=["empty", "binary-garbage", "missing-columns"],
)
def test_unreadable_files_are_quarantined_naming_the_problem(pipeline, name, data, words):
    land(pipeline, name, data)
    process(pipeline)
    reason = reason_of(pipeline, name)
    assert reason["stage"] == "read" and words in reason["summary"]
    assert rows(pipeline, f"select count(*) from raw.{SOURCES_BY_NAME[name.rsplit('_', 2)[0]].raw_tables[0]}") == [(0,)]


def test_an_org_tree_with_a_cycle_fails_its_suite_naming_rows(pipeline):
    land(pipeline, "hr_org_units_0751_2025-07.csv", ORG_WITH_CYCLE)
    process(pipeline)
    reason = reason_of(pipeline, "hr_org_units_0751_2025-07.csv")
    assert reason["stage"] == "validate" and "no cycles" in reason["summary"]
    [check] = [c for c in reason["failed_checks"] if c["column"] == "ancestry_ok"]
    assert {example["row"] for example in check["examples"]} == {3, 4}
    assert rows(pipeline, "select count(*) from raw.hr_org_units") == [(0,)]
    assert rows(pipeline, "select rows_read, rows_loaded, rows_rejected from meta.files") == [(3, 0, 3)]
    assert rows(pipeline, "select _row_number from meta.rejected_rows order by 1") == [(3,), (4,)]


def test_a_failing_file_does_not_stop_the_others(pipeline):
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    land(pipeline, "hr_org_units_0751_2025-07.csv", ORG_WITH_CYCLE)
    process(pipeline)
    assert statuses(pipeline) == {
        "hr_org_units_0751_2025-06.csv": "accepted",
        "hr_org_units_0751_2025-07.csv": "quarantined",
    }


class Crash(Exception):
    pass


def crash_once(monkeypatch, target, name):
    original = getattr(target, name)
    calls = {"n": 0}

    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Crash(f"simulated crash in {name}")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, crashing)


@pytest.mark.parametrize(
    "target, name",
    [
        (ingest, "move"),  # after the load committed, before the file moved
        (parsing, "write_staged"),  # while staging
        (ingest.Warehouse, "record"),  # inside the load transaction, after the rows went in
    ],
)
def test_a_crash_at_any_step_converges_on_the_same_warehouse(pipeline, monkeypatch, tmp_path, target, name):
    land(pipeline, "hr_org_units_0751_2025-06.csv", ORG)
    land(pipeline, "hr_employees_0751_2025-06.csv", EMPLOYEES)
    land(pipeline, "hr_org_units_0751_2025-07.csv", ORG_WITH_CYCLE)
    crash_once(monkeypatch, target, name)
    with pytest.raises(Crash):
        process(pipeline)
    process(pipeline)  # the next, normal run
    assert statuses(pipeline) == {
        "hr_org_units_0751_2025-06.csv": "accepted",
        "hr_employees_0751_2025-06.csv": "accepted",
        "hr_org_units_0751_2025-07.csv": "quarantined",
    }
    assert rows(pipeline, "select count(*), count(distinct _file_fingerprint) from raw.hr_org_units") == [(3, 1)]
    assert rows(pipeline, "select count(*) from raw.hr_employees") == [(2,)]
    assert not any(pipeline.settings.landing.iterdir())
    assert not any(pipeline.settings.staging.iterdir())
    assert sorted(p.name for p in pipeline.settings.quarantine.iterdir()) == [
        "hr_org_units_0751_2025-07.csv",
        "hr_org_units_0751_2025-07.csv.reason.json",
    ]
