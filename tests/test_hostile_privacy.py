"""Reasons never echo a value that could be personal: the column, the row and the kind of problem only."""

from __future__ import annotations

import json
import re

import pytest

from pipelines import ingest
from pipelines.ingest import Pipeline
from pipelines.settings import Settings

ITEMS = (
    b"item_id;question_text;competence_code;reverse_scored\n"
    b"Q01;Jeg kan finde information online;1.1;0\n"
    b"Q02;Jeg kan samarbejde digitalt;2.1;0\n"
)
PERSONAL = ("Jens Hansen", "010190-1234", "jens.hansen@aarhus.dk")
CASES = {
    "survey-answer": (
        "survey_responses_0751_2025H1.csv",
        "respondent_id;employee_ref;los_id;submitted_at;Q01;Q02\n"
        "r1;1001;3;2025-03-01;4;5\n"
        "r2;1002;3;2025-03-02;Jens Hansen 010190-1234 jens.hansen@aarhus.dk;2\n",
    ),
    "hr-fte": (
        "hr_employees_0751_2025-06.csv",
        "cpr;medarbejdernr;navn;email;los_id;stillingsbetegnelse;personalekategori;beskaeftigelsesgrad;ansat_fra;ansat_til\n"
        "010190-1234;1001;Jens Hansen;jens.hansen@aarhus.dk;3;Pædagog;PÆD;Jens Hansen 010190-1234;01-02-2019;\n",
    ),
    "training-hours": (
        "training_0751_2025-03.csv",
        "user_email;medarbejdernr;course_id;status;completed_at;hours\n"
        "jens.hansen@aarhus.dk;1001;K101;completed;2025-03-04;Jens Hansen 010190-1234\n",
    ),
    "org-unit-sector": (
        "hr_org_units_0751_2025-06.csv",
        "los_id;parent_los_id;enhedsnavn;enhedstype;sektor;gyldig_fra;gyldig_til\n"
        "1;;Aarhus Kommune;Kommune;Jens Hansen 010190-1234;01-01-2020;\n",
    ),
}


@pytest.fixture
def pipeline(digilead_home, monkeypatch) -> Pipeline:
    monkeypatch.setenv("DIGILEAD_SETTLE_SECONDS", "0")
    return Pipeline(Settings.from_env())


@pytest.mark.parametrize("case", CASES)
def test_a_quarantine_reason_tells_the_kind_of_value_never_the_value(pipeline, case, caplog):
    name, text = CASES[case]
    shown: list[str] = []
    pipeline.progress = shown.append
    pipeline.settings.landing.mkdir(parents=True, exist_ok=True)
    (pipeline.settings.landing / "survey_items_0751_2025H1.csv").write_bytes(ITEMS)
    (pipeline.settings.landing / name).write_text(text, encoding="utf-8")
    _, pending = pipeline.triage()
    for spec in ingest.loaded_sources():
        pipeline.stage(spec, pending.get(spec.name, []))
        pipeline.validate(spec)
        pipeline.load(spec)
    reason_file = pipeline.settings.quarantine / f"{name}.reason.json"
    reason = json.loads(reason_file.read_text("utf-8"))
    with pipeline.warehouse.connect(read_only=True) as con:
        recorded = con.execute("select reason from meta.files where file_name = ?", [name]).fetchone()[0]
    assert re.search(r"text, \d+ characters", json.dumps(reason, ensure_ascii=False))  # the kind, not the value
    everything = reason_file.read_text("utf-8") + recorded + "\n".join(shown) + caplog.text
    for personal in PERSONAL:
        assert personal not in everything
    assert "Jens" not in everything and "010190" not in everything


def test_a_parser_bug_quoting_a_cell_reaches_neither_the_reason_nor_the_log(pipeline, monkeypatch, caplog):
    """An unexpected error's message may quote the cell it choked on (pandas and DuckDB do): the file is
    quarantined as a digilead bug, and the log names the error's type and place, never its message."""

    def choking_parser(data, file_name, context):
        raise ValueError("invalid literal for int() with base 10: 'Jens Hansen 010190-1234'")

    monkeypatch.setattr("pipelines.sources.hr_org_units.parse", choking_parser)
    shown: list[str] = []
    pipeline.progress = shown.append
    pipeline.settings.landing.mkdir(parents=True, exist_ok=True)
    (pipeline.settings.landing / "hr_org_units_0751_2025-06.csv").write_text(ORG, encoding="utf-8")
    _process(pipeline)
    reason = (pipeline.settings.quarantine / "hr_org_units_0751_2025-06.csv.reason.json").read_text("utf-8")
    everything = reason + "\n".join(shown) + caplog.text
    assert "digilead bug" in reason and "ValueError" in caplog.text and "choking_parser" in caplog.text
    assert "Jens" not in everything and "010190" not in everything


def test_a_library_message_keeps_codes_and_numbers_and_masks_other_quoted_values():
    from pipelines.privacy.shown import masked

    assert masked("Could not convert string 'Jens Hansen' to INT32") == (
        "Could not convert string '<text, 11 characters>' to INT32"
    ).replace("'<", "<").replace(">'", ">")
    assert masked("column \"K101\" has 3 values, not '2025-06'") == "column \"K101\" has 3 values, not '2025-06'"
    assert "010190" not in masked("bad value '010190-1234'")


# --- a changed pseudonym key ------------------------------------------------------------------

EMPLOYEES = (
    "cpr;medarbejdernr;navn;email;los_id;stillingsbetegnelse;personalekategori;beskaeftigelsesgrad;ansat_fra;ansat_til\n"
    "010190-1234;1001;Jens Hansen;jens.hansen@aarhus.dk;1;Pædagog;PÆD;1;01-02-2019;\n"
)
ORG = "los_id;parent_los_id;enhedsnavn;enhedstype;sektor;gyldig_fra;gyldig_til\n1;;Aarhus Kommune;Kommune;Administration;01-01-2020;\n"


def _process(pipeline: Pipeline) -> None:
    _, pending = pipeline.triage()
    for spec in ingest.loaded_sources():
        pipeline.stage(spec, pending.get(spec.name, []))
        pipeline.validate(spec)
        pipeline.load(spec)


def _with_key(monkeypatch, key: str) -> Pipeline:
    monkeypatch.setenv("DIGILEAD_PSEUDONYM_KEY", key)
    return Pipeline(Settings.from_env())


def test_another_pseudonym_key_is_refused_and_re_keying_by_withdrawing_everything_works(pipeline, monkeypatch):
    from pipelines.privacy import Pseudonymiser
    from pipelines.reprocess import withdraw
    from pipelines.settings import SettingsError

    landing = pipeline.settings.landing
    landing.mkdir(parents=True, exist_ok=True)
    (landing / "hr_org_units_0751_2025-06.csv").write_text(ORG, encoding="utf-8")
    (landing / "hr_employees_0751_2025-06.csv").write_text(EMPLOYEES, encoding="utf-8")
    _process(_with_key(monkeypatch, "old-key"))

    new = _with_key(monkeypatch, "new-key")
    (landing / "hr_employees_0751_2025-07.csv").write_text(EMPLOYEES, encoding="utf-8")
    with pytest.raises(SettingsError, match="not the key this warehouse's people were pseudonymised with"):
        _process(new)
    assert (landing / "hr_employees_0751_2025-07.csv").exists()
    with new.warehouse.connect(read_only=True) as con:
        assert con.execute("select count(*) from meta.files").fetchone()[0] == 2

    # the documented way to change the key: withdraw every municipality's files, run with the new key
    withdraw(new.settings, "0751")
    _process(new)
    with new.warehouse.connect(read_only=True) as con:
        keys = {row[0] for row in con.execute("select person_key from raw.hr_employees").fetchall()}
    assert keys == {Pseudonymiser.from_secret("new-key").person_key("0751", "1001")}
    _process(_with_key(monkeypatch, "new-key"))  # and the new key is the warehouse's key from now on
    with pytest.raises(SettingsError):
        _process(_with_key(monkeypatch, "old-key"))


def test_re_keying_every_municipality_at_once_with_withdraw_all(pipeline, monkeypatch):
    """`digilead reprocess --all`: one withdrawal of every municipality, then one run with the new key."""
    from pipelines.privacy import Pseudonymiser
    from pipelines.reprocess import withdraw

    landing = pipeline.settings.landing
    landing.mkdir(parents=True, exist_ok=True)
    for kommunekode in ("0751", "0101"):
        (landing / f"hr_org_units_{kommunekode}_2025-06.csv").write_text(ORG, encoding="utf-8")
        (landing / f"hr_employees_{kommunekode}_2025-06.csv").write_text(EMPLOYEES, encoding="utf-8")
    old = _with_key(monkeypatch, "old-key")
    _process(old)
    corrected = EMPLOYEES.replace("Pædagog", "Socialpædagog")  # the same name delivered again, corrected
    (landing / "hr_employees_0751_2025-06.csv").write_text(corrected, encoding="utf-8")
    _process(old)

    new = _with_key(monkeypatch, "new-key")
    back = withdraw(new.settings, None, run_id="re-key")
    assert sorted(back) == sorted(path.name for path in landing.iterdir()) and len(back) == 4
    with new.warehouse.connect(read_only=True) as con:  # the waiting delivery's rows are gone too
        assert con.execute("select count(*) from raw.hr_employees").fetchone()[0] == 0
    _process(new)
    assert withdraw(new.settings, None, run_id="re-key") == ["hr_employees_0751_2025-06.csv"]  # its turn now
    _process(new)
    with new.warehouse.connect(read_only=True) as con:
        keys = set(con.execute("select kommunekode, person_key from raw.hr_employees").fetchall())
        statuses = {row[0] for row in con.execute("select status from meta.files").fetchall()}
    key = Pseudonymiser.from_secret("new-key")
    assert keys == {("0751", key.person_key("0751", "1001")), ("0101", key.person_key("0101", "1001"))}
    assert statuses == {"accepted", "withdrawn"} and not any(landing.iterdir())


def test_reprocess_needs_one_municipality_or_all(digilead_home, capsys):
    from pipelines.cli import main

    assert main(["reprocess"]) == 1
    assert main(["reprocess", "0751", "--all"]) == 1
    assert "give one kommunekode (e.g. 0751) or --all" in capsys.readouterr().err
