"""End to end: generate a municipality, `digilead run` it, and hold the warehouse to the contract.

For each scenario (clean, and with `--bad-files`), once per module:
  digilead generate --municipality 0751 --employees 600 --waves 4 --seed 7 --out $DIGILEAD_HOME/landing --truth T
  digilead run          (first run: exit 0 when every file is accepted, 3 when some were quarantined)
  digilead run          (second run: nothing new, exit 0, the warehouse unchanged)
Then the tests compare `marts.digital_maturity` row by row with the independent oracle computed from the
generator's truth CSVs (tests/oracle/maturity.py), check each landed file's fate against truth `files.csv`,
and scan the warehouse, the published outputs, the reason files and the run's output for personal data.

Select with `pytest -m e2e`; leave out with `pytest -m "not e2e"`.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import duckdb
import pandas as pd
import pytest

from tests.oracle.maturity import COLUMNS, KEY, expected_digital_maturity

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[1]

MUNICIPALITY = "0751"
MIN_CELL = 5
GENERATE = ["--municipality", MUNICIPALITY, "--employees", "600", "--waves", "4", "--seed", "7"]
# varied: every optional form the contract allows (flat without employee_ref and submitted_at, SurveyXact
# without a close time, Qualtrics numeric values with extra columns and test rows), so those paths run too
SCENARIOS = {"clean": [], "bad_files": ["--bad-files"], "varied": ["--vary"]}
TIMEOUT_S = 1800
FLOAT_TOLERANCE = 1e-9

# A CPR number (DDMMYY-SSSS or 10 digits) standing on its own, so digit runs inside hex keys do not count.
CPR = re.compile(r"(?<![0-9A-Za-z])\d{6}-?\d{4}(?![0-9A-Za-z])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
CSS_AT_RULE = re.compile(r"@(?:media|page|supports|font-face|keyframes|import)\b")
NOT_COMPARED_ON_RERUN = {("meta", "runs")}  # a run is recorded by definition; everything else must stay


# --------------------------------------------------------------------------- running the CLI


def _env(home: Path, key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGILEAD_")}
    env.update(DIGILEAD_HOME=str(home), DIGILEAD_PSEUDONYM_KEY=key, DIGILEAD_MIN_CELL=str(MIN_CELL))
    return env


def _digilead(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )


def _tail(process: subprocess.CompletedProcess, lines: int = 40) -> str:
    text = (process.stdout or "") + "\n--- stderr ---\n" + (process.stderr or "")
    return "\n".join(text.splitlines()[-lines:])


# --------------------------------------------------------------------------- reading what a run left behind


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _user_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        """
        select schema_name, table_name from duckdb_tables() where database_name = current_database() and not internal
        union
        select schema_name, view_name from duckdb_views() where database_name = current_database() and not internal
        order by 1, 2
        """
    ).fetchall()
    return [(s, t) for s, t in rows]


def _snapshot(warehouse: Path) -> dict[tuple[str, str], list[tuple]] | str:
    """Every table and view, as a sorted list of rows (order-free comparison; NaN equal to NaN);
    or, where the warehouse cannot be opened (e.g. still locked by a process the run left behind), why."""
    if not warehouse.exists():
        return f"no warehouse at {warehouse}"

    def row(values: tuple) -> tuple:
        return tuple("<NaN>" if isinstance(v, float) and math.isnan(v) else v for v in values)

    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        return f"cannot open the warehouse after the run: {error}"
    try:
        return {
            (s, t): sorted((row(r) for r in con.execute(f'select * from "{s}"."{t}"').fetchall()), key=repr)
            for s, t in _user_tables(con)
        }
    finally:
        con.close()


def _string_values(con: duckdb.DuckDBPyConnection, where: str) -> list[tuple[str, str]]:
    """(place, value) for every distinct text value of every table of every schema (lists/structs as text)."""
    columns = con.execute(
        """
        select schema_name, table_name, column_name from duckdb_columns()
        where database_name = current_database() and not internal
          and (data_type like '%VARCHAR%' or data_type like '%JSON%' or data_type like 'STRUCT%'
               or data_type like 'MAP%' or data_type like '%[]')
        order by 1, 2, 3
        """
    ).fetchall()
    values = []
    for schema, table, column in columns:
        rows = con.execute(
            f'select distinct cast("{column}" as varchar) from "{schema}"."{table}" where "{column}" is not null'
        ).fetchall()
        values.extend((f"{where}{schema}.{table}.{column}", value) for (value,) in rows)
    return values


@dataclass
class Personal:
    """Clear personal data the generator put into the landing files (and the truth)."""

    emails: set[str]
    names: set[str]
    cprs: set[str]

    def findings(self, place: str, text: str) -> list[str]:
        found = []
        lowered = text.lower()
        # the report's print CSS has at-rules (@media, @page): the only '@' a published file may hold
        if "@" in CSS_AT_RULE.sub("", text):
            found.append(f"{place}: '@' in {text[:80]!r}")
        found += [f"{place}: CPR-like {m!r} in {text[:80]!r}" for m in CPR.findall(text)[:1]]
        if " " in text:  # only full names are looked for
            found += [f"{place}: name {n!r} in {text[:80]!r}" for n in self.names if n in lowered][:1]
        return found


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_records(data: bytes) -> list[dict[str, str]]:
    text = _decode(data)
    first = text.splitlines()[0] if text else ""
    delimiter = max([";", ",", "\t"], key=first.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    return [dict(zip(header, (c.strip() for c in row), strict=False)) for row in rows[1:]]


def _xlsx_records(data: bytes) -> list[dict[str, str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a bad file pretending to be XLSX
        return []
    records = []
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if rows:
            header = [str(h or "").strip().lower() for h in rows[0]]
            records += [
                dict(zip(header, ("" if c is None else str(c).strip() for c in row), strict=False)) for row in rows[1:]
            ]
    return records


def _personal_data(landing_files: list[Path], truth: Path) -> Personal:
    emails: set[str] = set()
    names: set[str] = set()
    cprs: set[str] = set()
    for path in landing_files:
        data = path.read_bytes()
        lower = path.name.lower()
        if lower.startswith("benefits_"):  # the benefit register holds no people (its `navn` names initiatives)
            continue
        try:
            if lower.endswith(".xlsx"):
                records = _xlsx_records(data)
            elif lower.endswith((".csv", ".txt")):
                records = _csv_records(data)
            elif lower.endswith(".jsonl"):
                records = []
                emails.update(m.lower() for m in EMAIL.findall(_decode(data)))
            else:
                records = []
        except Exception:  # deliberately broken files: whatever cannot be read holds nothing to look for
            records = []
        for record in records:
            for column in ("navn", "name"):
                value = record.get(column, "")
                if " " in value and len(value) >= 5:  # full names only: single words would match unit names
                    names.add(value.lower())
            for column in ("email", "recipientemail", "user_email", "employee_ref", "externalreference"):
                value = record.get(column, "")
                if "@" in value:
                    emails.add(value.strip().lower())
            cpr = re.sub(r"\D", "", record.get("cpr", ""))
            if len(cpr) == 10:
                cprs.add(cpr)
    for row in csv.DictReader((truth / "employees.csv").open(encoding="utf-8")):
        if row.get("email"):
            emails.add(row["email"].strip().lower())
    for row in csv.DictReader((truth / "responses.csv").open(encoding="utf-8")):
        if "@" in row.get("employee_ref", ""):
            emails.add(row["employee_ref"].strip().lower())
    return Personal(emails=emails, names=names, cprs=cprs)


# --------------------------------------------------------------------------- the scenario, run once per module


@dataclass
class Scenario:
    name: str
    home: Path
    truth: Path
    landed: list[str]  # file names in landing/ before the first run
    personal: Personal
    run1: subprocess.CompletedProcess
    run2: subprocess.CompletedProcess | None
    after_run1: dict[str, list[str]]  # folder -> relative paths of files, after the first run
    after_run2: dict[str, list[str]]
    snapshot1: dict | str  # str: why there is none
    snapshot2: dict | str

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    def files_truth(self) -> pd.DataFrame:
        return pd.read_csv(self.truth / "files.csv", dtype=str, keep_default_na=False)

    def require_warehouse(self) -> None:
        if not self.warehouse.exists():
            pytest.fail(f"no warehouse at {self.warehouse}; first run exit {self.run1.returncode}:\n{_tail(self.run1)}")

    def fail_with_run_output(self, message: str) -> NoReturn:
        pytest.fail(f"{message}\nfirst run exit {self.run1.returncode}:\n{_tail(self.run1)}")

    @contextlib.contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The warehouse, read only; one that is missing or cannot be opened fails with the first run's output."""
        self.require_warehouse()
        try:
            con = duckdb.connect(str(self.warehouse), read_only=True)
        except duckdb.Error as error:
            self.fail_with_run_output(str(error))
        try:
            yield con
        finally:
            con.close()

    def query(self, sql: str) -> pd.DataFrame:
        with self.connection() as con:
            try:
                return con.execute(sql).df()
            except duckdb.CatalogException as error:
                message = str(error)
        self.fail_with_run_output(message)


def _listing(home: Path) -> dict[str, list[str]]:
    return {
        folder: [str(p.relative_to(home / folder)) for p in _files_under(home / folder)]
        for folder in ("landing", "archive", "quarantine")
    }


@pytest.fixture(scope="module", params=list(SCENARIOS))
def scenario(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, pseudonym_key: str) -> Scenario:
    name = request.param
    base = tmp_path_factory.mktemp(f"e2e_{name}")
    home, truth = base / "home", base / "truth"
    env = _env(home, pseudonym_key)
    generated = _digilead(
        env, "generate", *GENERATE, *SCENARIOS[name], "--out", str(home / "landing"), "--truth", str(truth)
    )
    if generated.returncode != 0:
        pytest.fail(f"`digilead generate` exited {generated.returncode}:\n{_tail(generated)}")
    landing_files = _files_under(home / "landing")
    personal = _personal_data(landing_files, truth)

    run1 = _digilead(env, "run")
    after_run1 = _listing(home)
    warehouse = home / "warehouse.duckdb"
    snapshot1 = _snapshot(warehouse)
    run2 = _digilead(env, "run") if run1.returncode in (0, 3) else None
    after_run2 = _listing(home)
    snapshot2 = _snapshot(warehouse) if run2 is not None else "no second run"
    return Scenario(
        name=name,
        home=home,
        truth=truth,
        landed=[p.name for p in landing_files],
        personal=personal,
        run1=run1,
        run2=run2,
        after_run1=after_run1,
        after_run2=after_run2,
        snapshot1=snapshot1,
        snapshot2=snapshot2,
    )


# --------------------------------------------------------------------------- the mart against the oracle


def _normalise_mart(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in KEY:
        frame[column] = frame[column].astype(str).str.strip()
    return frame


def _same(got, want, kind: str) -> bool:
    got_null = got is None or got is pd.NA or (isinstance(got, float) and math.isnan(got))
    want_null = want is None or want is pd.NA or (isinstance(want, float) and math.isnan(want))
    if got_null or want_null:
        return got_null and want_null
    if kind == "float":
        return abs(float(got) - float(want)) <= FLOAT_TOLERANCE
    if kind == "bool":
        return bool(got) == bool(want)
    if kind == "text":
        return str(got) == str(want)
    return int(got) == int(want)


KINDS = {
    "respondents": "int",
    "headcount": "int",
    "suppressed": "bool",
    "suppression_reason": "text",
    **{
        c: "float"
        for c in ("response_rate", "mean_score", "share_basic", "share_advanced", "prev_mean_score", "change")
    },
}


def compare_to_oracle(actual: pd.DataFrame, expected: pd.DataFrame, examples: int = 5) -> list[str]:
    """Plain-words differences between the warehouse mart and the oracle (empty when they agree)."""
    missing_columns = [c for c in COLUMNS if c not in actual.columns]
    if missing_columns:
        return [f"marts.digital_maturity lacks columns {missing_columns} (has {list(actual.columns)})"]
    problems = []
    actual = _normalise_mart(actual)
    duplicated = actual[actual.duplicated(KEY, keep=False)]
    if len(duplicated):
        problems.append(f"{len(duplicated)} rows share a key, e.g. {duplicated[KEY].head(examples).values.tolist()}")
    got = {tuple(r[k] for k in KEY): r for r in actual.to_dict("records")}
    want = {tuple(r[k] for k in KEY): r for r in expected.to_dict("records")}
    for label, keys in (
        ("missing from the warehouse", want.keys() - got.keys()),
        ("not expected by the oracle", got.keys() - want.keys()),
    ):
        if keys:
            by_wave = pd.Series([k[1] for k in keys]).value_counts().to_dict()
            problems.append(f"{len(keys)} keys {label} (per wave {by_wave}), e.g. {sorted(keys)[:examples]}")
    common = sorted(want.keys() & got.keys())
    for column, kind in KINDS.items():
        wrong = [k for k in common if not _same(got[k][column], want[k][column], kind)]
        if wrong:
            shown = "; ".join(
                f"{k}: warehouse {got[k][column]!r}, oracle {want[k][column]!r}" for k in wrong[:examples]
            )
            problems.append(f"{column}: {len(wrong)} of {len(common)} rows differ, e.g. {shown}")
    return problems


def test_digital_maturity_matches_the_oracle(scenario: Scenario) -> None:
    scenario.require_warehouse()
    actual = scenario.query("select * from marts.digital_maturity")
    expected = expected_digital_maturity(scenario.truth, min_cell=MIN_CELL)
    assert len(expected) > 0, "the oracle expects no rows: is the truth empty?"
    assert (~expected["suppressed"]).any(), "every expected row is suppressed: the comparison would be weak"
    problems = compare_to_oracle(actual, expected)
    assert not problems, f"marts.digital_maturity ({len(actual)} rows) vs oracle ({len(expected)} rows):\n" + "\n".join(
        problems
    )


def test_survey_dialects_all_exercised(scenario: Scenario) -> None:
    """The 4 waves are meant to cover the four survey dialects; check the run really loaded each of them."""
    if scenario.name != "clean":
        pytest.skip("checked on the clean scenario")
    scenario.require_warehouse()
    dialects = set(scenario.query("select distinct dialect from raw.survey_responses")["dialect"])
    assert dialects >= {"flat", "qualtrics", "forms", "surveyxact"}, dialects


# --------------------------------------------------------------------------- the file lifecycle


def test_truth_lists_every_landed_file(scenario: Scenario) -> None:
    listed = set(scenario.files_truth()["file_name"])
    assert set(scenario.landed) == listed, (
        f"landed but not in files.csv: {sorted(set(scenario.landed) - listed)}; "
        f"in files.csv but not landed: {sorted(listed - set(scenario.landed))}"
    )


def test_first_run_exit_code(scenario: Scenario) -> None:
    quarantined = (scenario.files_truth()["expected_outcome"] == "quarantined").any()
    want = 3 if quarantined else 0
    assert scenario.run1.returncode == want, (
        f"first `digilead run` exited {scenario.run1.returncode}, want {want}:\n{_tail(scenario.run1)}"
    )


def test_every_file_ends_where_files_csv_says(scenario: Scenario) -> None:
    after = scenario.after_run1
    archived = [Path(p).name for p in after["archive"]]
    quarantined = [Path(p).name for p in after["quarantine"] if not p.endswith(".reason.json")]
    reasons = {Path(p).name for p in after["quarantine"] if p.endswith(".reason.json")}
    in_landing = {Path(p).name for p in after["landing"]}
    problems = []
    for row in scenario.files_truth().itertuples(index=False):
        name, outcome = row.file_name, row.expected_outcome
        where = {
            "archive": archived.count(name),
            "quarantine": quarantined.count(name),
            "landing": int(name in in_landing),
        }
        if outcome in ("accepted", "duplicate"):
            ok = where == {"archive": 1, "quarantine": 0, "landing": 0}
        elif outcome == "quarantined":
            ok = where == {"archive": 0, "quarantine": 1, "landing": 0}
            if ok and f"{name}.reason.json" not in reasons:
                problems.append(f"{name}: quarantined without {name}.reason.json beside it")
        elif outcome in ("waiting", "ignored"):  # not a delivery yet: left untouched in the landing zone
            ok = where == {"archive": 0, "quarantine": 0, "landing": 1}
        else:
            problems.append(f"{name}: unknown expected_outcome {outcome!r} in files.csv")
            continue
        if not ok:
            problems.append(f"{name}: expected {outcome} ({row.why}), found {where}")
    for path in after["quarantine"]:
        if path.endswith(".reason.json") and Path(path[: -len(".reason.json")]).name not in quarantined:
            problems.append(f"{path}: a reason file without its quarantined file")
    known = set(scenario.files_truth()["file_name"])
    strays = sorted(n for n in archived + quarantined if n not in known)
    if strays:
        problems.append(f"files in archive/quarantine that were never landed (renamed?): {strays[:10]}")
    assert not problems, "\n".join(problems)


def test_accepted_files_are_archived_by_source(scenario: Scenario) -> None:
    """docs/files.md: an accepted file moves to archive/<source>/."""
    where = {Path(p).name: Path(p).parts[0] for p in scenario.after_run1["archive"]}
    wrong = [
        f"{row.file_name}: in archive/{where[row.file_name]}/, want archive/{row.source}/"
        for row in scenario.files_truth().itertuples(index=False)
        if row.expected_outcome == "accepted" and row.file_name in where and where[row.file_name] != row.source
    ]
    assert not wrong, "\n".join(wrong)


def test_reason_files_name_the_failed_checks(scenario: Scenario) -> None:
    for path in _files_under(scenario.home / "quarantine"):
        if path.name.endswith(".reason.json"):
            reason = json.loads(path.read_text(encoding="utf-8"))
            assert isinstance(reason, dict) and reason, f"{path.name}: empty reason"


def test_registry_outcomes_match_files_csv(scenario: Scenario) -> None:
    """meta.files (docs/internals.md §5) tells accepted from duplicate, which the folders alone cannot."""
    scenario.require_warehouse()
    recorded = scenario.query("select file_name, status from meta.files").itertuples(index=False)
    statuses: dict[str, list[str]] = {}
    for name, status in recorded:
        statuses.setdefault(name, []).append(status)
    problems = []
    for row in scenario.files_truth().itertuples(index=False):
        if row.expected_outcome in ("accepted", "quarantined", "duplicate"):
            if statuses.get(row.file_name) != [row.expected_outcome]:
                problems.append(
                    f"{row.file_name}: meta.files says {statuses.get(row.file_name)}, files.csv {row.expected_outcome} ({row.why})"
                )
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- privacy


def test_no_personal_data_in_the_warehouse(scenario: Scenario) -> None:
    scenario.require_warehouse()
    assert scenario.personal.emails and scenario.personal.names and scenario.personal.cprs, (
        "found no personal data to look for"
    )
    with scenario.connection() as con:
        values = _string_values(con, "")
    assert values, "no text values in the warehouse at all?"
    findings = [f for place, value in values for f in scenario.personal.findings(place, value)]
    assert not findings, f"{len(findings)} findings, e.g.:\n" + "\n".join(findings[:20])


def test_no_personal_data_in_published_outputs(scenario: Scenario) -> None:
    findings = []
    for path in _files_under(scenario.home / "published"):
        if path.suffix == ".parquet":
            con = duckdb.connect()
            try:
                con.execute(f"create view published as select * from read_parquet('{path}')")
                values = _string_values(con, f"{path.name}:")
            finally:
                con.close()
        elif path.suffix == ".duckdb":
            con = duckdb.connect(str(path), read_only=True)
            try:
                values = _string_values(con, f"{path.name}:")
            finally:
                con.close()
        else:
            values = [(path.name, _decode(path.read_bytes()))]
        findings += [f for place, value in values for f in scenario.personal.findings(place, value)]
    assert not findings, f"{len(findings)} findings, e.g.:\n" + "\n".join(findings[:20])


def test_no_personal_data_in_reason_files_or_run_output(scenario: Scenario) -> None:
    texts = [
        (p.name, p.read_text(encoding="utf-8"))
        for p in _files_under(scenario.home / "quarantine")
        if p.name.endswith(".reason.json")
    ]
    for label, process in (("run 1", scenario.run1), ("run 2", scenario.run2)):
        if process is not None:
            texts += [(f"{label} stdout", process.stdout or ""), (f"{label} stderr", process.stderr or "")]
    findings = []
    for place, text in texts:
        for line in text.splitlines():
            findings += scenario.personal.findings(place, line)
    assert not findings, f"{len(findings)} findings, e.g.:\n" + "\n".join(findings[:20])


# --------------------------------------------------------------------------- idempotence


def test_second_run_changes_nothing(scenario: Scenario) -> None:
    scenario.require_warehouse()
    assert scenario.run2 is not None, f"first run failed (exit {scenario.run1.returncode}):\n{_tail(scenario.run1)}"
    assert scenario.run2.returncode == 0, (
        f"second `digilead run` exited {scenario.run2.returncode}:\n{_tail(scenario.run2)}"
    )
    assert scenario.after_run2 == scenario.after_run1, "the second run moved files"
    before, after = scenario.snapshot1, scenario.snapshot2
    assert isinstance(before, dict), before
    assert isinstance(after, dict), after
    changed = []
    for table in sorted(set(before) | set(after)):
        if table in NOT_COMPARED_ON_RERUN:
            continue
        if table not in before or table not in after:
            changed.append(f"{'.'.join(table)}: {'appeared' if table in after else 'disappeared'}")
        elif before[table] != after[table]:
            gone = [r for r in before[table] if r not in after[table]][:2]
            new = [r for r in after[table] if r not in before[table]][:2]
            changed.append(
                f"{'.'.join(table)}: {len(before[table])} -> {len(after[table])} rows; e.g. gone {gone}, new {new}"
            )
    assert not changed, "the second run changed the warehouse:\n" + "\n".join(changed)


# --------------------------------------------------------------------------- training (slice 2)


def _compare_rows(
    actual: pd.DataFrame, expected: pd.DataFrame, key: list[str], kinds: dict[str, str], name: str, examples: int = 5
) -> list[str]:
    """Plain-words differences between a warehouse mart and an oracle frame, keyed by `key`."""
    missing_columns = [c for c in key + list(kinds) if c not in actual.columns]
    if missing_columns:
        return [f"{name} lacks columns {missing_columns} (has {list(actual.columns)})"]
    actual = actual.copy()
    for column in key:
        actual[column] = actual[column].astype(str).str.strip()
    problems = []
    duplicated = actual[actual.duplicated(key, keep=False)]
    if len(duplicated):
        problems.append(f"{len(duplicated)} rows share a key, e.g. {duplicated[key].head(examples).values.tolist()}")
    got = {tuple(r[k] for k in key): r for r in actual.to_dict("records")}
    want = {tuple(str(r[k]) for k in key): r for r in expected.to_dict("records")}
    for label, keys in (
        ("missing from the warehouse", want.keys() - got.keys()),
        ("not expected by the oracle", got.keys() - want.keys()),
    ):
        if keys:
            problems.append(f"{len(keys)} keys {label}, e.g. {sorted(keys)[:examples]}")
    common = sorted(want.keys() & got.keys())
    for column, kind in kinds.items():
        wrong = [k for k in common if not _same(got[k][column], want[k][column], kind)]
        if wrong:
            shown = "; ".join(
                f"{k}: warehouse {got[k][column]!r}, oracle {want[k][column]!r}" for k in wrong[:examples]
            )
            problems.append(f"{column}: {len(wrong)} of {len(common)} rows differ, e.g. {shown}")
    return problems


UPTAKE_KINDS = {
    "headcount": "int",
    "fte": "float",
    "completions": "int",
    "people_trained": "int",
    "training_hours": "float",
    "hours_per_fte": "float",
    "coverage_12m": "float",
    "suppressed": "bool",
    "suppression_reason": "text",
}
FOLLOWUP_KINDS = {
    "linked_respondents": "int",
    "basic_respondents": "int",
    "basic_trained_6m": "int",
    "share_basic_trained_6m": "float",
    "trained_6m": "int",
    "share_trained_6m": "float",
    "suppressed": "bool",
    "suppression_reason": "text",
    "followup_months_loaded": "int",
}


def test_training_uptake_matches_the_oracle(scenario: Scenario) -> None:
    from tests.oracle.training import UPTAKE_KEY, expected_training_uptake

    actual = scenario.query("select * exclude (month), strftime(month, '%Y-%m') as month from marts.training_uptake")
    expected = expected_training_uptake(scenario.truth, min_cell=MIN_CELL)
    assert len(expected) > 0, "the oracle expects no training_uptake rows: is the training truth empty?"
    assert expected["completions"].notna().any() and expected["coverage_12m"].notna().any(), (
        "every expected row is suppressed: the comparison would be weak"
    )
    problems = _compare_rows(actual, expected, UPTAKE_KEY, UPTAKE_KINDS, "marts.training_uptake")
    assert not problems, f"marts.training_uptake ({len(actual)} rows) vs oracle ({len(expected)} rows):\n" + "\n".join(
        problems
    )


def test_training_after_maturity_matches_the_oracle(scenario: Scenario) -> None:
    from tests.oracle.training import FOLLOWUP_KEY, expected_training_after_maturity

    actual = scenario.query("select * from marts.training_after_maturity")
    expected = expected_training_after_maturity(scenario.truth, min_cell=MIN_CELL)
    assert len(expected) > 0 and expected["share_basic_trained_6m"].notna().any(), (
        "the oracle publishes no share: weak comparison"
    )
    problems = _compare_rows(actual, expected, FOLLOWUP_KEY, FOLLOWUP_KINDS, "marts.training_after_maturity")
    assert not problems, (
        f"marts.training_after_maturity ({len(actual)} rows) vs oracle ({len(expected)} rows):\n" + "\n".join(problems)
    )


def test_training_linking_follows_the_generators_intent(scenario: Scenario) -> None:
    """The contract's linking rule (oracle) finds exactly the people the generator meant, so the
    oracle's comparison above also holds the pipeline to the generator's intent."""
    from tests.oracle.training import Linker

    training = pd.read_csv(scenario.truth / "training.csv", dtype=str, keep_default_na=False)
    employees = pd.read_csv(scenario.truth / "employees.csv", dtype=str, keep_default_na=False)
    linker = Linker(employees)
    found = [linker.person(row.medarbejdernr, row.user_email) or "" for row in training.itertuples(index=False)]
    differ = [(i, f, m) for i, (f, m) in enumerate(zip(found, training["linked_medarbejdernr"], strict=True)) if f != m]
    assert not differ, f"{len(differ)} records link otherwise than the generator meant, e.g. rows {differ[:5]}"


def test_training_unlinked_completions_are_counted(scenario: Scenario) -> None:
    """docs/privacy.md: completions of learners HR does not know are counted per file month, not dropped."""
    training = pd.read_csv(scenario.truth / "training.csv", dtype=str, keep_default_na=False)
    completions = training[training["is_completion"] == "1"]
    want = completions[completions["linked_medarbejdernr"] == ""].groupby("file_month").size().to_dict()
    assert sum(want.values()) > 0, "the truth has no unlinked completion to count"
    counted = scenario.query(
        "select period, issue_count from marts.data_quality where source = 'training' and check_name = 'unlinked_completions'"
    )
    got = {row.period: int(row.issue_count) for row in counted.itertuples(index=False)}
    assert {month: got.get(month, 0) for month in want} == want
    assert sum(got.values()) == sum(want.values())


def test_training_both_record_formats_loaded(scenario: Scenario) -> None:
    formats = set(scenario.query("select distinct record_format from raw.training_records")["record_format"])
    assert formats == {"lms_csv", "xapi"}, formats
    assert int(scenario.query("select count(*) as n from raw.courses")["n"].iloc[0]) > 0


# --------------------------------------------------------------------------- benefit realisation (slice 3)


def _benefit_frame(scenario: Scenario, table: str) -> pd.DataFrame:
    return scenario.query(f"select * from marts.{table}")


def _benefit_differences(got: dict, want: dict, columns: dict[str, str], name: str, examples: int = 5) -> list[str]:
    problems = []
    for label, keys in (
        ("missing from the warehouse", want.keys() - got.keys()),
        ("not expected by the oracle", got.keys() - want.keys()),
    ):
        if keys:
            problems.append(f"{name}: {len(keys)} keys {label}, e.g. {sorted(keys, key=repr)[:examples]}")
    common = sorted(want.keys() & got.keys(), key=repr)
    for column, kind in columns.items():
        if kind == "text":
            wrong = [k for k in common if got[k][column] != want[k][column]]
        else:
            wrong = [k for k in common if not _same(got[k][column], want[k][column], kind)]
        if wrong:
            shown = "; ".join(
                f"{k}: warehouse {got[k][column]!r}, oracle {want[k][column]!r}" for k in wrong[:examples]
            )
            problems.append(f"{name}.{column}: {len(wrong)} of {len(common)} rows differ, e.g. {shown}")
    return problems


def _day(value) -> dt.date:
    return value.date() if hasattr(value, "date") else value


def test_benefit_realisation_matches_the_oracle(scenario: Scenario) -> None:
    from tests.oracle.benefits import expected_benefit_realisation

    expected = expected_benefit_realisation(scenario.truth)
    assert expected, "the oracle expects no benefit_realisation rows: is the benefits truth empty?"
    assert {"realised", "on_track", "at_risk", "behind", "stopped"} & {r["status"] for r in expected} >= {
        "realised",
        "behind",
        "stopped",
    }
    actual = _benefit_frame(scenario, "benefit_realisation")
    key = ("kommunekode", "initiative_id", "benefit_id", "month")
    got = {
        (r["kommunekode"], r["initiative_id"], r["benefit_id"], _day(r["month"])): r for r in actual.to_dict("records")
    }
    assert len(got) == len(actual), "marts.benefit_realisation has rows sharing a key"
    want = {tuple(r[k] for k in key): r for r in expected}
    columns = {
        "gevinsttype": "text",
        "sektor": "text",
        "los_id": "text",
        "status": "text",
        "target": "float",
        "realised_cumulative": "float",
        "planned_cumulative": "float",
        "realisation_pct": "float",
    }
    problems = _benefit_differences(got, want, columns, "marts.benefit_realisation")
    assert not problems, "\n".join(problems)


def test_benefit_rollups_match_the_oracle(scenario: Scenario) -> None:
    from tests.oracle.benefits import expected_by_org_unit, expected_by_sektor

    columns = {"benefits": "int", "target": "float", "planned_cumulative": "float", "realised_cumulative": "float"}
    problems = []
    for table, expected, dimension in (
        ("benefit_realisation_by_sektor", expected_by_sektor(scenario.truth), "sektor"),
        ("benefit_realisation_by_org_unit", expected_by_org_unit(scenario.truth), "los_id"),
    ):
        assert expected, f"the oracle expects no {table} rows"
        actual = _benefit_frame(scenario, table)
        got = {(r["kommunekode"], _day(r["month"]), r[dimension], r["unit"]): r for r in actual.to_dict("records")}
        problems += _benefit_differences(got, expected, columns, f"marts.{table}")
    assert not problems, "\n".join(problems)


def test_benefit_status_changes_match_the_oracle(scenario: Scenario) -> None:
    from tests.oracle.benefits import expected_status_changes

    expected = expected_status_changes(scenario.truth)
    actual = _benefit_frame(scenario, "benefit_status_changes")
    got = {
        (r["kommunekode"], _day(r["snapshot_date"]), r["benefit_id"]): (r["previous_status"], r["status"])
        for r in actual.to_dict("records")
    }
    assert got == expected


def test_benefit_register_history_tells_what_the_register_said(scenario: Scenario) -> None:
    """dim_initiative as of any day = the initiativer of the newest register dated on or before it."""
    from tests.oracle.benefits import register_as_of, snapshots

    history = _benefit_frame(scenario, "dim_initiative")
    for kommunekode, dates in snapshots(scenario.truth).items():
        days = [dates[0] - dt.timedelta(days=1), *dates, *(d + dt.timedelta(days=1) for d in dates)]
        for day in days:
            said = history[
                (history["kommunekode"] == kommunekode)
                & history["valid_from"].map(_day).le(day)
                & (
                    history["valid_to"].isna()
                    | history["valid_to"].map(lambda v, day=day: pd.notna(v) and _day(v) > day)
                )
            ]
            want = register_as_of(scenario.truth, kommunekode, day)
            got = {row.initiative_id: row.initiative_status for row in said.itertuples(index=False)}
            assert got == ({i: row["status"] for i, row in want.items()} if want else {}), f"{kommunekode} as of {day}"


def test_every_benefit_register_snapshot_is_counted_once(scenario: Scenario) -> None:
    """The newest snapshot replaces the older ones: the mart reads one snapshot per municipality."""
    from tests.oracle.benefits import snapshots

    newest = {k: dates[-1] for k, dates in snapshots(scenario.truth).items()}
    used = scenario.query("select kommunekode, snapshot_date from marts.benefit_realisation group by all")
    assert {r.kommunekode: _day(r.snapshot_date) for r in used.itertuples(index=False)} == newest
    assert len(used) == len(newest)
