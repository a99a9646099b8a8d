"""Unit tests of the small rooms: settings, privacy, registry, landing moves, validation, dbt args."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.landing import fingerprint_of, free_name, move, scan
from pipelines.privacy import Pseudonymiser
from pipelines.settings import Settings, SettingsError
from pipelines.sources.registry import SOURCES, detect
from pipelines.transform import dbt as transform_dbt
from pipelines.transform.dbt import (
    affected_nodes,
    build_args,
    dbt_env,
    dbt_threads,
    finish_parse_ahead,
    fresh_target,
    in_build_order,
    keep_partial_parse,
    result_settings,
    start_parse_ahead,
    unaffected_nodes,
)
from pipelines.transform.scope import BuildScope
from pipelines.validation import load_suite_spec, validate_batches
from pipelines.validation.suites import SuiteSpec, expectations_dir


# --- settings ---------------------------------------------------------------------------------
def test_settings_defaults_follow_the_contract(tmp_path):
    settings = Settings.from_env({"DIGILEAD_HOME": str(tmp_path)})
    assert settings.warehouse == tmp_path / "warehouse.duckdb"
    assert settings.min_cell == 5
    assert settings.pseudonym_key is None
    with pytest.raises(SettingsError, match="DIGILEAD_PSEUDONYM_KEY"):
        settings.require_key()


@pytest.mark.parametrize("value", ["five", "0", "-2"])
def test_settings_reject_a_bad_min_cell(value):
    with pytest.raises(SettingsError, match="DIGILEAD_MIN_CELL"):
        Settings.from_env({"DIGILEAD_MIN_CELL": value})


@pytest.mark.parametrize("value", ["1.5GB", "100"])
def test_settings_reject_a_bad_dbt_memory_limit(value):
    with pytest.raises(SettingsError, match="DIGILEAD_DBT_MEMORY_MB"):
        Settings.from_env({"DIGILEAD_DBT_MEMORY_MB": value})


def test_dbt_memory_limit_reaches_dbt_in_megabytes(tmp_path):
    settings = Settings.from_env({"DIGILEAD_HOME": str(tmp_path), "DIGILEAD_DBT_MEMORY_MB": "4096"})
    assert dbt_env(settings)["DIGILEAD_DBT_MEMORY_LIMIT"] == "4096MB"


def test_demo_key_is_made_once_and_kept(tmp_path):
    first = Settings.from_env({"DIGILEAD_HOME": str(tmp_path)}).with_demo_key()
    second = Settings.from_env({"DIGILEAD_HOME": str(tmp_path)}).with_demo_key()
    assert first.pseudonym_key and first.pseudonym_key == second.pseudonym_key
    assert oct((tmp_path / "pseudonym.key").stat().st_mode)[-3:] == "600"


# --- privacy ----------------------------------------------------------------------------------
def test_person_key_is_the_contracts_hmac():
    expected = hmac.new(b"secret", b"0751:12345", hashlib.sha256).hexdigest()
    assert Pseudonymiser.from_secret("secret").person_key("0751", "12345") == expected


@pytest.mark.parametrize("secret", ["s", "a secret of exactly sixty-four bytes, SHA-256's block size....", "ø" * 80])
def test_keying_from_kept_hash_states_is_hmac_for_every_key_length_and_value(secret):
    p = Pseudonymiser.from_secret(secret)
    for number in ["12345", "12345", "æøå-7", ""]:  # the same value twice: the kept states are copied, not used up
        message = f"0751:{number}".encode()
        assert p.person_key("0751", number) == hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    assert (
        p.key_fingerprint() == hmac.new(secret.encode(), b"digilead pseudonym key check v1", hashlib.sha256).hexdigest()
    )


def test_keying_a_list_is_keying_each_value_in_order():
    p = Pseudonymiser.from_secret("secret")
    refs = [" Anna@Aarhus.dk", "12345", None, "", "mailto:b@c.dk", " 12345 ", "anna@aarhus.dk"]
    keys = p.link_keys("0751", refs)
    assert keys == [p.link_key("0751", ref) for ref in refs]
    assert keys[0] == keys[-1] and keys[1] == keys[5] and keys[2:4] == [None, None]
    assert p.person_keys("0751", ["1", " 2"]) == [p.person_key("0751", "1"), p.person_key("0751", "2")]


def test_link_keys_ignore_email_case_and_spaces_and_tell_numbers_from_emails():
    p = Pseudonymiser.from_secret("secret")
    assert p.link_key("0751", "  Anna.Hansen@Aarhus.DK ") == p.link_key("0751", "anna.hansen@aarhus.dk")
    assert (
        p.link_key("0751", "mailto:anna.hansen@aarhus.dk")
        == hmac.new(b"secret", b"0751:email:anna.hansen@aarhus.dk", hashlib.sha256).hexdigest()
    )
    assert p.link_key("0751", " 12345 ") == hmac.new(b"secret", b"0751:empno:12345", hashlib.sha256).hexdigest()
    assert p.link_key("0751", "12345") != p.link_key("0101", "12345")
    assert p.link_key("0751", "") is None and p.link_key("0751", None) is None


# --- registry ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, source, period",
    [
        ("hr_employees_0751_2025-06.csv", "hr_employees", "2025-06"),
        ("HR_ORG_UNITS_0101_2024-12.CSV", "hr_org_units", "2024-12"),
        ("survey_items_0751_2025h2.csv", "survey_items", "2025H2"),
        ("survey_responses_0751_2025H1.zip", "survey_responses", "2025H1"),
        ("survey_responses_0751_2025H1.xlsx", "survey_responses", "2025H1"),
        ("courses_0751.csv", "courses", ""),
        ("training_0751_2025-03.jsonl", "training", "2025-03"),
        ("benefits_0751_2026-06-30_gevinster.csv", "benefits", "2026-06-30"),
    ],
)
def test_files_are_matched_by_name_case_insensitively(name, source, period):
    spec, file = detect(name)
    assert (spec.name, file.period, file.kommunekode[:1]) == (source, period, "0")


@pytest.mark.parametrize(
    "name",
    [
        "hr_employees_751_2025-06.csv",
        "hr_employees_0751_2025-13.csv",
        "survey_responses_0751_2025H3.csv",
        "survey_responses_0751_2025H1.pdf",
        "loenudtraek_0751.csv",
        "hr_employees_0751_2025-06.csv.bak",
    ],
)
def test_names_no_source_matches(name):
    assert detect(name) is None


def test_every_source_has_a_suite():
    for spec in SOURCES:
        assert load_suite_spec(spec.suite).expectations


# --- landing ----------------------------------------------------------------------------------
def test_scan_fingerprints_and_skips_files_in_transfer(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"abc")
    (tmp_path / "b.csv.part").write_bytes(b"half")
    (tmp_path / ".hidden").write_bytes(b"x")
    files = scan(tmp_path)
    assert [f.name for f in files] == ["a.csv"]
    assert files[0].fingerprint == hashlib.sha256(b"abc").hexdigest() == fingerprint_of(tmp_path / "a.csv")


def test_moves_never_overwrite_and_tolerate_a_file_already_moved(tmp_path):
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "x.csv").write_bytes(b"old")
    (tmp_path / "x.csv").write_bytes(b"new")
    target = free_name(tmp_path / "archive", "x.csv", "ab" * 32)
    assert target.name == "x.abababababab.csv"
    move(tmp_path / "x.csv", target)
    assert target.read_bytes() == b"new" and (tmp_path / "archive" / "x.csv").read_bytes() == b"old"
    assert move(tmp_path / "x.csv", target) == target  # second time: already gone, nothing happens


# --- validation -------------------------------------------------------------------------------
def test_suites_are_data_with_a_plain_words_rule_each():
    for path in expectations_dir().glob("*.json"):
        suite = json.loads(path.read_text())
        assert suite["name"] == path.stem
        assert all(expectation["meta"]["rule"] for expectation in suite["expectations"])


def test_item_columns_and_unreadable_values_expand_into_expectations():
    spec = SuiteSpec(
        "s",
        (
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "{item}", "value_set": [1]},
                "meta": {"rule": "r"},
            },
        ),
    )
    expanded = spec.expand(["_row_number", "Q1", "Q2", "Q2__unparsed"], ["Q1", "Q2"])
    assert [(e["type"], e["kwargs"]["column"]) for e in expanded] == [
        ("expect_column_values_to_be_in_set", "Q1"),
        ("expect_column_values_to_be_in_set", "Q2"),
        ("expect_column_values_to_be_null", "Q2__unparsed"),
    ]


def test_failures_are_merged_across_batches_and_name_rows_and_values():
    spec = SuiteSpec(
        "s",
        (
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "fte", "min_value": 0, "max_value": 1.5},
                "meta": {"rule": "fte between 0 and 1.5"},
            },
        ),
    )
    batches = [
        pd.DataFrame({"_row_number": [2, 3], "fte": pd.array([0.5, 2.0], dtype="float64[pyarrow]")}),
        pd.DataFrame({"_row_number": [4, 5], "fte": pd.array([9.0, 1.0], dtype="float64[pyarrow]")}),
    ]
    outcome = validate_batches(spec, batches)
    assert not outcome.success and outcome.rows_validated == 4
    [check] = outcome.failed
    assert check.failing_rows == 2 and check.rows == [3, 4]
    assert check.sentence() == "2 rows break the rule 'fte between 0 and 1.5': row 3 (2.0), row 4 (9.0)"
    assert outcome.rejected_rows() == {3: "fte between 0 and 1.5", 4: "fte between 0 and 1.5"}


def test_a_missing_column_is_a_failure_not_a_crash():
    spec = SuiteSpec(
        "s",
        (
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "los_id"},
                "meta": {"rule": "los_id given"},
            },
        ),
    )
    outcome = validate_batches(spec, [pd.DataFrame({"_row_number": [2]})])
    assert not outcome.success and "could not be checked" in outcome.failed[0].rule


# --- dbt arguments ----------------------------------------------------------------------------
def test_dbt_reads_min_cell_and_the_scope_from_the_environment_not_vars(tmp_path):
    settings = Settings.from_env({"DIGILEAD_HOME": str(tmp_path), "DIGILEAD_MIN_CELL": "7"})
    assert result_settings(settings) == {"min_cell": 7}
    assert build_args() == ["build", "--exclude-resource-type", "unit_test"]  # the dbt asset adds its exclusion
    assert build_args(BuildScope.everything(full_refresh=True))[-1] == "--full-refresh"
    assert dbt_env(settings, BuildScope(("0751", "0101"))) == {
        "DIGILEAD_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "DIGILEAD_MIN_CELL": "7",
        "DIGILEAD_DBT_KOMMUNER": "0101,0751",
        "DIGILEAD_DBT_MEMORY_LIMIT": "1536MB",
        "DIGILEAD_DBT_THREADS": str(dbt_threads()),
    }
    assert dbt_env(settings, BuildScope.everything())["DIGILEAD_DBT_KOMMUNER"] == ""  # every municipality


@pytest.mark.parametrize(("cores", "threads"), [(1, 1), (2, 2), (4, 4), (64, 4)])
def test_dbt_builds_one_model_per_usable_core_at_most_four(monkeypatch, cores, threads):
    monkeypatch.setattr(transform_dbt, "usable_cores", lambda: cores)
    assert dbt_threads() == threads


def _manifest(edges: dict[str, list[str]]) -> dict:
    """A manifest of these parent -> children edges ("source.p.raw.a", "model.p.x", "test.p.t", "seed.p.s")."""
    keys = set(edges) | {child for children in edges.values() for child in children}
    sources = {
        key: {"source_name": key.split(".")[2], "name": key.split(".")[3]} for key in keys if key.startswith("source.")
    }
    nodes = {
        key: {"resource_type": key.split(".")[0], "name": key.split(".")[-1]}
        for key in keys
        if not key.startswith("source.")
    }
    parents: dict[str, list[str]] = {}
    for parent, children in edges.items():
        for child in children:
            parents.setdefault(child, []).append(parent)
    return {"sources": sources, "nodes": nodes, "child_map": edges, "parent_map": parents}


TWO_SOURCES = _manifest(
    {
        "source.p.raw.a": ["model.p.stg_a", "test.p.source_not_null_a"],
        "source.p.raw.b": ["model.p.stg_b"],
        "source.p.meta.files": ["model.p.dq_files"],
        "seed.p.catalogue": ["model.p.dim"],
        "model.p.stg_a": ["model.p.mart_ab"],
        "model.p.stg_b": ["model.p.mart_ab", "model.p.mart_b"],
        "model.p.mart_ab": ["test.p.not_null_mart_ab", "test.p.relationships_mart_ab_dim"],
        "model.p.dim": ["test.p.relationships_mart_ab_dim", "test.p.unique_dim"],
        "model.p.mart_b": ["test.p.not_null_mart_b"],
        "model.p.dq_files": ["test.p.not_null_dq_files"],
    }
)


def test_a_build_runs_only_what_the_changed_sources_feed():
    affected = affected_nodes(TWO_SOURCES, ["raw.a"])
    # a mart reading a changed and an unchanged source is rebuilt, so is every test of a rebuilt node;
    # the file registry always changed
    assert affected == {
        "model.p.stg_a",
        "model.p.mart_ab",
        "test.p.source_not_null_a",
        "test.p.not_null_mart_ab",
        "test.p.relationships_mart_ab_dim",
        "model.p.dq_files",
        "test.p.not_null_dq_files",
    }
    assert unaffected_nodes(TWO_SOURCES, ["raw.a"]) == {
        "model.p.stg_b",
        "model.p.mart_b",
        "test.p.not_null_mart_b",
        "seed.p.catalogue",
        "model.p.dim",
        "test.p.unique_dim",
    }
    assert unaffected_nodes(TWO_SOURCES, ["raw.a", "raw.b"]) == {"seed.p.catalogue", "model.p.dim", "test.p.unique_dim"}


def test_nodes_left_out_are_listed_after_what_they_depend_on():
    assert in_build_order(TWO_SOURCES, ["test.p.unique_dim", "model.p.mart_b", "model.p.dim", "model.p.stg_b"]) == [
        "model.p.dim",
        "model.p.stg_b",
        "model.p.mart_b",
        "test.p.unique_dim",
    ]


def test_dbt_args_leave_out_the_unaffected_nodes_of_an_incremental_build_only():
    scoped = BuildScope(("0751",), sources=("raw.b",))
    assert build_args(scoped, TWO_SOURCES) == [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--exclude",
        "catalogue dim source_not_null_a stg_a unique_dim",
    ]
    # a full refresh, or changes not known per source, build everything
    assert "--exclude" not in build_args(BuildScope(None, True, ("raw.b",)), TWO_SOURCES)
    assert "--exclude" not in build_args(BuildScope(("0751",)), TWO_SOURCES)


def test_the_real_project_rebuilds_only_the_marts_a_source_feeds():
    from pipelines.defs.dbt_project import prepared_manifest

    manifest = json.loads(prepared_manifest().read_text())
    benefits = affected_nodes(manifest, ["raw.benefit_initiativer", "raw.benefit_gevinster", "raw.benefit_maalinger"])
    assert "model.digilead.benefit_realisation" in benefits
    assert "model.digilead.digital_maturity" not in benefits and "model.digilead.training_uptake" not in benefits
    # an HR extract changes the periods and placements every survey and training mart depends on
    hr = affected_nodes(manifest, ["raw.hr_employees"])
    assert {"model.digilead.digital_maturity", "model.digilead.training_uptake", "model.digilead.data_quality"} <= hr
    assert "model.digilead.benefit_realisation" not in hr
    assert "model.digilead.dq_files" in affected_nodes(manifest, [])


def test_dbt_targets_are_pruned_and_carry_the_last_partial_parse(tmp_path):
    import os

    settings = Settings.from_env({"DIGILEAD_HOME": str(tmp_path)})
    first = fresh_target(settings, "run1")
    (first / "partial_parse.msgpack").write_bytes(b"parse of run1")
    keep_partial_parse(settings, first)
    targets = [first]
    for number, run in enumerate(["run2", "run3", "run4"], start=2):
        os.utime(targets[-1], (number, number))  # an older modification time than the next one
        targets.append(fresh_target(settings, run, keep=3))
    assert (targets[-1] / "partial_parse.msgpack").read_bytes() == b"parse of run1"
    assert sorted(path.name for path in (tmp_path / "dbt").glob("target-*")) == [
        "target-run2",
        "target-run3",
        "target-run4",
    ]


def test_a_new_warehouse_is_parsed_ahead_and_its_build_reuses_the_parse(tmp_path):
    import os

    from pipelines.transform.dbt import PROJECT_DIR, dbt_executable

    settings = Settings.from_env({"DIGILEAD_HOME": str(tmp_path)})
    parse = start_parse_ahead(settings)
    assert parse is not None
    assert finish_parse_ahead(settings, parse)
    assert not (tmp_path / "dbt" / "target-parse-ahead").exists()
    assert start_parse_ahead(settings) is None  # saved: nothing to parse ahead for this warehouse again
    # what the build then does: a target seeded with the saved parse, the build's environment
    target = fresh_target(settings, "run1")
    rerun = subprocess.run(
        [dbt_executable(), "parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
        + ["--target-path", str(target), "--log-path", str(target)],
        env={**os.environ, **dbt_env(settings)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Unable to do partial parsing" not in rerun.stdout
    assert "Starting full parse" not in rerun.stdout


def test_a_failed_parse_ahead_is_dropped_and_the_build_parses_for_itself(tmp_path):
    settings = Settings.from_env({"DIGILEAD_HOME": str(tmp_path)})
    (tmp_path / "dbt" / "target-parse-ahead").mkdir(parents=True)
    (tmp_path / "dbt" / "target-parse-ahead" / "partial_parse.msgpack").write_bytes(b"half a parse")
    assert not finish_parse_ahead(settings, subprocess.Popen(["false"]))
    assert not (tmp_path / "dbt" / "partial_parse.msgpack").exists()
    assert not (tmp_path / "dbt" / "target-parse-ahead").exists()


def _registry_with(files: list[tuple[str, str, str]]) -> duckdb.DuckDBPyConnection:
    from pipelines.warehouse.schema import META_DDL

    con = duckdb.connect()
    con.execute(META_DDL)
    for kommunekode, status, processed_at in files:
        con.execute(
            "insert into meta.files (fingerprint, file_name, kommunekode, status, processed_at) values ('f', 'n', ?, ?, ?)",
            [kommunekode, status, processed_at],
        )
    return con


def record_build(con, started: str, signature: str) -> None:
    """As publishing leaves it: the last published build started at `started`, built with `signature`."""
    from pipelines.warehouse import state

    state.put(con, state.BUILT_AT, started)
    state.put(con, state.BUILD_SIGNATURE, signature)


def test_the_first_build_and_a_changed_signature_refresh_everything():
    from pipelines.transform.scope import scope_for

    con = _registry_with([("0751", "accepted", "2026-01-01 10:00:00")])
    assert scope_for(con, "sig-1") == BuildScope.everything(full_refresh=True)  # nothing built yet
    record_build(con, "2026-01-01 09:00:00", "sig-1")
    assert scope_for(con, "sig-2") == BuildScope.everything(full_refresh=True)  # other models or settings


def test_a_build_recomputes_the_municipalities_loaded_or_withdrawn_since_the_last_build_started():
    from pipelines.transform.scope import scope_for

    con = _registry_with(
        [
            ("0751", "accepted", "2026-01-01 08:00:00"),  # before the last build: built already
            ("0101", "accepted", "2026-01-01 09:30:00"),  # during it (it started at 09:00): not certainly in it
            ("0147", "withdrawn", "2026-01-02 10:00:00"),  # re-processing removed its rows
            ("0153", "quarantined", "2026-01-02 10:00:00"),  # nothing loaded
            ("0155", "duplicate", "2026-01-02 10:00:00"),  # nothing loaded
        ]
    )
    record_build(con, "2026-01-01 09:00:00", "sig")
    assert scope_for(con, "sig") == BuildScope(("0101", "0147"))
    record_build(con, "2026-01-03 00:00:00", "sig")
    assert scope_for(con, "sig") == BuildScope.everything()  # stale without a changed file: all, to be safe


def test_a_build_knows_the_raw_tables_its_files_changed():
    from pipelines.transform.scope import scope_for

    con = _registry_with([])
    for kommunekode, source, status in [
        ("0751", "hr_employees", "accepted"),
        ("0101", "survey_responses", "withdrawn"),
        ("0147", "benefits", "quarantined"),  # nothing loaded
    ]:
        con.execute(
            "insert into meta.files (fingerprint, file_name, source, kommunekode, status, processed_at) "
            "values ('f', 'n', ?, ?, ?, '2026-01-02 10:00:00')",
            [source, kommunekode, status],
        )
    record_build(con, "2026-01-01 09:00:00", "sig")
    assert scope_for(con, "sig") == BuildScope(
        ("0101", "0751"),
        sources=("raw.hr_employees", "raw.survey_answers", "raw.survey_item_coverage", "raw.survey_responses"),
    )


def test_the_build_signature_follows_models_macros_and_settings(tmp_path):
    import json

    from pipelines.transform.scope import build_signature

    def manifest(model_sql_checksum: str, macro_sql: str):
        path = tmp_path / "manifest.json"
        path.write_text(
            json.dumps(
                {
                    "nodes": {
                        "model.digilead.m": {"resource_type": "model", "checksum": {"checksum": model_sql_checksum}},
                        "test.digilead.t": {"resource_type": "test", "checksum": {"checksum": "any"}},
                    },
                    "macros": {
                        "macro.digilead.x": {"package_name": "digilead", "macro_sql": macro_sql},
                        "macro.dbt.y": {"package_name": "dbt", "macro_sql": "ignored"},
                    },
                }
            )
        )
        return path

    base = build_signature(manifest("a", "m1"), {"min_cell": 5})
    assert base == build_signature(manifest("a", "m1"), {"min_cell": 5})
    assert base != build_signature(manifest("b", "m1"), {"min_cell": 5})
    assert base != build_signature(manifest("a", "m2"), {"min_cell": 5})
    assert base != build_signature(manifest("a", "m1"), {"min_cell": 6})


def test_a_changed_model_makes_the_manifest_stale(tmp_path):
    import os
    import time

    from pipelines.transform.dbt import manifest_is_stale

    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: x\n")
    manifest = project / "target" / "manifest.json"
    assert manifest_is_stale(manifest, project)
    manifest.parent.mkdir()
    manifest.write_text("{}")
    assert not manifest_is_stale(manifest, project)
    model = project / "models" / "m.sql"
    model.write_text("select 1")
    later = time.time() + 5
    os.utime(model, (later, later))
    assert manifest_is_stale(manifest, project)


def test_files_validated_together_keep_their_own_failures_and_uniqueness():
    from pipelines.validation import validate_files

    spec = SuiteSpec(
        "s",
        (
            {
                "type": "expect_column_values_to_be_unique",
                "kwargs": {"column": "key", "row_condition": "fte <= 1.5", "condition_parser": "pandas"},
                "meta": {"rule": "key unique in a file"},
            },
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "fte", "min_value": 0, "max_value": 1.5},
                "meta": {"rule": "fte between 0 and 1.5"},
            },
        ),
    )

    def file(keys, ftes):
        return [
            pd.DataFrame(
                {
                    "_row_number": range(2, 2 + len(keys)),
                    "key": pd.array(keys, dtype="string[pyarrow]"),
                    "fte": pd.array(ftes, dtype="float64[pyarrow]"),
                }
            )
        ]

    january, february, march = validate_files(
        spec,
        [
            file(["a", "b"], [1.0, 0.5]),  # the same keys as february: fine, other file
            file(
                ["a", "b", None, None], [1.0, 9.0, 1.0, 1.0]
            ),  # fte out of range in row 3; empty keys are not duplicates
            file(
                ["c", "c", "c"], [1.0, 1.0, 7.0]
            ),  # a duplicate within the file (the third row is outside the condition)
        ],
    )
    assert january.success and january.rows_validated == 2
    assert [(c.rule, c.rows) for c in february.failed] == [("fte between 0 and 1.5", [3])]
    assert [(c.rule, sorted(c.rows), c.column) for c in march.failed] == [
        ("key unique in a file", [2, 3], "key"),
        ("fte between 0 and 1.5", [4], "fte"),
    ]


def test_a_file_loaded_while_the_marts_were_built_keeps_them_stale():
    import time

    from pipelines.warehouse import state

    for loaded_during_the_build in (False, True):
        con = _registry_with([])
        state.mark_marts_stale(con)  # a load before the build
        state.start_build(con, "sig")
        started = json.loads(state.get(con, state.BUILD_IN_PROGRESS))["started"]
        if loaded_during_the_build:
            time.sleep(0.001)  # another writer loads a file between the build's steps
            state.mark_marts_stale(con)
        state.finish_build(con)
        assert state.last_build(con) == (started, "sig") and state.get(con, state.BUILD_IN_PROGRESS) is None
        assert state.marts_stale(con, published_copy_exists=True) is loaded_during_the_build


def test_the_marts_are_stale_until_a_copy_is_published():
    from pipelines.warehouse import state

    con = _registry_with([])
    assert state.marts_stale(con, published_copy_exists=False)  # nothing published yet
    assert not state.marts_stale(con, published_copy_exists=True)  # published, nothing loaded since
    state.mark_marts_stale(con)
    assert state.marts_stale(con, published_copy_exists=True)
    state.finish_build(con)  # published without a recorded build start: current
    assert not state.marts_stale(con, published_copy_exists=True)


def test_staging_keys_each_value_once_and_forgets_everything_when_full():
    from pipelines.parsing import _remembering

    asked = []

    def keys_of(kommunekode, values):
        asked.append(list(values))
        return [f"{kommunekode}:{value}" for value in values]

    keys = _remembering(keys_of, size=3)
    assert keys("0751", ["a", "b"]) == ["0751:a", "0751:b"]
    assert keys("0751", ["b", "c", "a"]) == ["0751:b", "0751:c", "0751:a"]
    assert keys("0101", ["a"]) == ["0101:a"]  # a fourth key: everything remembered is forgotten
    assert keys("0751", ["a"]) == ["0751:a"]
    assert asked == [["a", "b"], ["c"], ["a"], ["a"]]


def test_staging_keys_a_remembered_value_again_when_a_call_fills_the_memory():
    """A national delivery fills the memory in the middle of a file: the values of that call which were
    remembered before are forgotten with the rest, and must be keyed again (a KeyError quarantined
    such files as parser bugs)."""
    from pipelines.parsing import _remembering

    asked = []

    def keys_of(kommunekode, values):
        asked.append(list(values))
        return [f"{kommunekode}:{value}" for value in values]

    keys = _remembering(keys_of, size=3)
    assert keys("0751", ["a", "b", "a"]) == ["0751:a", "0751:b", "0751:a"]
    assert keys("0751", ["a", "c", "d"]) == ["0751:a", "0751:c", "0751:d"]  # c, d: 4 keys, memory full
    assert asked == [["a", "b"], ["a", "c", "d"]]


def test_an_exclusion_is_added_to_the_one_the_build_has():
    from pipelines.transform.dbt import with_exclusion

    assert with_exclusion(["build"], "tag:x") == ["build", "--exclude", "tag:x"]
    assert with_exclusion(["build", "--exclude", "a b", "--full-refresh"], "tag:x") == [
        "build",
        "--exclude",
        "a b tag:x",
        "--full-refresh",
    ]


def test_staging_drops_what_a_killed_removal_left_and_removes_in_one_step(tmp_path):
    import json
    from dataclasses import asdict

    from pipelines.staging import MANIFEST, Manifest, StagedFile, staged_files

    manifest = Manifest("fp1", "a.csv", "landing/a.csv", "benefits", "0751", "2025-03-31", 3, {"t": 3})
    (tmp_path / "fp1").mkdir()
    (tmp_path / "fp1" / MANIFEST).write_text(json.dumps(asdict(manifest)))
    (tmp_path / "fp1" / "t.parquet").write_bytes(b"rows")
    # a run killed while deleting a loaded file's folder: the manifest gone, one table left
    (tmp_path / "fp2").mkdir()
    (tmp_path / "fp2" / "benefit_register_parts.parquet").write_bytes(b"rows")
    (tmp_path / "fp3.removed.tmp").mkdir()
    assert [staged.fingerprint for staged in staged_files(tmp_path)] == ["fp1"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["fp1"]
    StagedFile(tmp_path / "fp1", manifest).remove()
    assert list(tmp_path.iterdir()) == []
    StagedFile(tmp_path / "fp1", manifest).remove()  # removing twice is no error


def test_a_failed_build_names_each_failing_model_and_test_with_dbt_reason(tmp_path):
    import json

    from pipelines.transform.dbt import failed_nodes

    results = tmp_path / "run_results.json"
    results.write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "model.digilead.stg_hr__employees", "status": "success", "message": "OK"},
                    {
                        "unique_id": "model.digilead.int_org__closure",
                        "status": "error",
                        "message": "Runtime Error in model int_org__closure (models/intermediate/int_org__closure.sql)\n"
                        '  Binder Error: Referenced column "parent_id" not found',
                    },
                    {
                        "unique_id": "test.digilead.not_null_digital_maturity_los_id.1a2b3c",
                        "status": "fail",
                        "message": "Got 3 results, configured to fail if != 0",
                    },
                    {"unique_id": "model.digilead.digital_maturity", "status": "skipped", "message": None},
                    {"unique_id": "test.digilead.unlinked.4d5e", "status": "warn", "message": "Got 2 results"},
                ]
            }
        )
    )
    assert failed_nodes(results) == [
        'model int_org__closure: Binder Error: Referenced column "parent_id" not found',
        "test not_null_digital_maturity_los_id: Got 3 results, configured to fail if != 0",
    ]
    assert failed_nodes(tmp_path / "absent.json") == []  # dbt failed before it ran anything
    many = {"results": [{"unique_id": f"test.digilead.t{i}.x", "status": "fail", "message": "m"} for i in range(12)]}
    results.write_text(json.dumps(many))
    assert failed_nodes(results, most=10)[-1].startswith("… and 2 more")


def test_a_run_failure_keeps_digileads_own_description_whole_and_an_exceptions_first_line():
    import dagster as dg

    from pipelines.defs.execution import first_failure

    @dg.asset
    def described() -> None:
        raise dg.Failure(description="dbt build failed:\n  test t: Got 3 results")

    @dg.asset
    def crashed() -> None:
        raise ValueError("first line\nsecond line")

    said = first_failure(dg.materialize([described], raise_on_error=False))
    assert said == "step described failed: dbt build failed:\n  test t: Got 3 results", said
    said = first_failure(dg.materialize([crashed], raise_on_error=False))
    assert said.endswith("ValueError: first line"), said


def _staged_parquet(path, columns: dict) -> object:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    return path


def test_files_loaded_together_keep_their_own_rows_lineage_and_records(tmp_path):
    """Several files in one load: each file's rows carry its own fingerprint; a column empty in one file
    (Parquet's null type) and text in the other still loads; rows not loaded and records are written;
    a file loaded before loses its old rows and keeps its first load time."""
    from datetime import datetime

    import pyarrow as pa

    from pipelines.warehouse import FileLoad, FileRecord, Warehouse
    from pipelines.warehouse.schema import ddl

    con = duckdb.connect()
    con.execute(ddl())

    def courses(folder, ids, names):
        return _staged_parquet(
            tmp_path / folder / "courses.parquet",
            {
                "_row_number": pa.array(range(2, 2 + len(ids)), pa.int64()),
                "kommunekode": ["0101"] * len(ids),
                "course_id": ids,
                "course_name": names,
                "competence_code": pa.array([None] * len(ids), pa.null()),
                "nominal_hours": [1.5] * len(ids),
            },
        )

    def rejected(folder, rows):
        return _staged_parquet(
            tmp_path / folder / "not_loaded.parquet",
            {"_row_number": pa.array([row for row, _ in rows], pa.int64()), "reason": [why for _, why in rows]},
        )

    def load(fingerprint, tables, not_loaded):
        record = FileRecord(fingerprint, f"courses_0101_{fingerprint}.csv", "courses", "0101", None, "accepted", 3)
        return FileLoad(record, tables, not_loaded)

    a = load("a", {"courses": courses("a", ["K1", "K2"], ["Excel", "Word"])}, rejected("a", [(4, "no course id")]))
    b = load("b", {"courses": courses("b", ["K3"], pa.array([None], pa.null()))}, rejected("b", []))
    assert Warehouse.load_files(con, [a, b]) == {"a": {"courses": 2}, "b": {"courses": 1}}
    assert con.execute(
        "select _file_fingerprint, _row_number, course_id, course_name from raw.courses order by all"
    ).fetchall() == [("a", 2, "K1", "Excel"), ("a", 3, "K2", "Word"), ("b", 2, "K3", None)]
    assert con.execute("select * from meta.rejected_rows").fetchall() == [("a", 4, "no course id")]
    assert con.execute("select fingerprint, status, rows_read from meta.files order by 1").fetchall() == [
        ("a", "accepted", 3),
        ("b", "accepted", 3),
    ]

    # "a" withdrawn and loaded again (now with one row): its old rows go, its first load time stays
    first_loaded = con.execute(
        "select any_value(_loaded_at) from raw.courses where _file_fingerprint = 'a'"
    ).fetchone()[0]
    con.execute("update meta.files set processed_at = ? where fingerprint = 'a'", [first_loaded])
    again = load("a", {"courses": courses("a2", ["K9"], ["Teams"])}, rejected("a2", []))
    assert Warehouse.load_files(con, [again]) == {"a": {"courses": 1}}
    assert con.execute(
        "select _file_fingerprint, course_id, _loaded_at = ? from raw.courses order by all", [first_loaded]
    ).fetchall() == [("a", "K9", True), ("b", "K3", True)]
    assert con.execute("select count(*) from meta.rejected_rows").fetchone()[0] == 0
    assert isinstance(first_loaded, datetime)


def test_a_load_that_would_lose_staged_rows_fails_instead(tmp_path):
    """The load joins each staged row to its file by path: a row that found no file would be lost, so the
    load fails (and the caller's transaction rolls back) rather than record a file with rows missing."""
    import pyarrow as pa

    from pipelines.warehouse.duck import _insert_staged

    con = duckdb.connect()
    con.execute("create table t (x integer, fingerprint varchar)")
    path = _staged_parquet(tmp_path / "f" / "t.parquet", {"x": pa.array([1, 2], pa.int32())})
    assert _insert_staged(con, "t", "x, plan.fingerprint as fingerprint", [(path, "f", None)]) == {"f": 2}
    # a path DuckDB reads as a pattern: the rows come from the file it matches, under that file's own name
    with pytest.raises(RuntimeError, match="0 rows inserted from 1 staged files holding 2"):
        _insert_staged(con, "t", "x, plan.fingerprint as fingerprint", [(tmp_path / "?" / "t.parquet", "g", None)])
    assert con.execute("select count(*) from t").fetchone()[0] == 2


def test_digilead_dbt_is_dbts_command_line_with_its_exit_codes():
    """digilead-dbt runs dbt's own command line (in its process): dbt's usage, and dbt's exit code for a misuse."""
    digilead_dbt = str(Path(sys.executable).with_name("digilead-dbt"))
    shown = subprocess.run([digilead_dbt, "--help"], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and "Usage: dbt" in shown.stdout
    misused = subprocess.run([digilead_dbt, "no-such-command"], capture_output=True, text=True, timeout=120)
    assert misused.returncode == 2 and "no-such-command" in misused.stderr
