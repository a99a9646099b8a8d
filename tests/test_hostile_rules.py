"""Structural rules the marts assume are blocking checks of ingestion, with a plain reason naming the
file and the rule, never a dbt test failing every later build; and the rules for implausible dates
and header-only HR extracts."""

from __future__ import annotations

import json

import pytest
from parser_support import context, file_name

from pipelines import ingest
from pipelines.ingest import Pipeline
from pipelines.settings import Settings
from pipelines.sources import hr_employees, hr_org_units, training
from pipelines.validation import load_suite_spec, validate_batches

ORG_HEADER = "los_id;parent_los_id;enhedsnavn;enhedstype;sektor;gyldig_fra;gyldig_til\n"
ORG_TWO_ROOTS = ORG_HEADER + (
    "1;;Aarhus Kommune;Kommune;Administration;01-01-2020;\n"
    "2;1;Ældreområdet;Område;Ældre;01-01-2020;\n"
    "9;;Odense Kommune;Kommune;Administration;01-01-2020;\n"
)
EMPLOYEES_HEADER = "cpr;medarbejdernr;navn;email;los_id;stillingsbetegnelse;personalekategori;beskaeftigelsesgrad;ansat_fra;ansat_til\n"


def failed_rules(source, parsed) -> dict[str, list[int]]:
    outcome = validate_batches(load_suite_spec(source), [parsed.validation_frame])
    return {check.rule: [example["row"] for example in check.examples] for check in outcome.failed}


def employees(ansat_fra: str, period: str = "2025-01"):
    text = EMPLOYEES_HEADER + f"010190-1234;1001;Jens Hansen;jens@aarhus.dk;1;Pædagog;PÆD;1;{ansat_fra};\n"
    return hr_employees.parse(text.encode(), file_name("hr_employees", period), context())


def test_an_org_tree_with_two_roots_is_quarantined_naming_the_file_and_the_rule(digilead_home, monkeypatch):
    monkeypatch.setenv("DIGILEAD_SETTLE_SECONDS", "0")
    pipeline = Pipeline(Settings.from_env())
    pipeline.settings.landing.mkdir(parents=True, exist_ok=True)
    (pipeline.settings.landing / "hr_org_units_0751_2025-06.csv").write_text(ORG_TWO_ROOTS, encoding="utf-8")
    _, pending = pipeline.triage()
    for spec in ingest.loaded_sources():
        pipeline.stage(spec, pending.get(spec.name, []))
        pipeline.validate(spec)
        pipeline.load(spec)
    reason = json.loads((pipeline.settings.quarantine / "hr_org_units_0751_2025-06.csv.reason.json").read_text())
    assert reason["summary"].startswith(
        "hr_org_units_0751_2025-06.csv: 2 rows break the rule 'the org tree has exactly one root"
    )
    assert "row 2 (los_id '1')" in reason["summary"] and "row 4 (los_id '9')" in reason["summary"]


def test_a_tree_with_one_root_passes_the_root_rule():
    parsed = hr_org_units.parse(
        ORG_TWO_ROOTS.replace("9;;", "9;1;").encode(), file_name("hr_org_units", "2025-06"), context()
    )
    assert failed_rules("hr_org_units", parsed) == {}


@pytest.mark.parametrize("source, header", [("hr_employees", EMPLOYEES_HEADER), ("hr_org_units", ORG_HEADER)])
def test_a_header_only_hr_extract_is_blocked(source, header):
    module = hr_employees if source == "hr_employees" else hr_org_units
    parsed = module.parse(header.encode(), file_name(source, "2025-06"), context())
    [rule] = failed_rules(source, parsed)
    assert "at least one" in rule


def test_ansat_fra_years_after_the_extract_month_is_blocked_a_starter_registered_early_is_not():
    assert list(failed_rules("hr_employees", employees("01-03-2031"))) == [
        "ansat_fra is at most a year after the extract's month (a later date is a typo, not a future hire)"
    ]
    assert failed_rules("hr_employees", employees("01-03-2025")) == {}


def test_a_completion_years_after_the_files_month_is_blocked_naming_the_row_months_later_is_not():
    text = (
        "user_email;medarbejdernr;course_id;status;completed_at;hours\n"
        "a@aarhus.dk;1;K101;completed;2025-12-20;2\n"
        "b@aarhus.dk;2;K101;completed;2031-01-20;2\n"
    )
    parsed = training.parse(text.encode(), file_name("training", "2025-01"), context())
    assert failed_rules("training", parsed) == {
        "no record is dated more than a year after the file's month (completed_at / timestamp)": [3]
    }


def test_an_xapi_completion_late_on_the_last_day_in_utc_is_accepted():
    line = (
        '{"id": "11111111-1111-4111-8111-111111111111", "actor": {"mbox": "mailto:a@aarhus.dk"}, '
        '"verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}, '
        '"object": {"id": "https://lms/course/K101"}, "timestamp": "2025-01-31T23:30:00Z"}\n'
    )
    parsed = training.parse(line.encode(), file_name("training", "2025-01", "jsonl"), context())
    assert failed_rules("training", parsed) == {}
