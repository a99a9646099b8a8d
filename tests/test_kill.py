"""Crash safety with a real process (docs/files.md): SIGKILL `digilead run` while it parses, loads or
runs dbt, run it again normally, and the warehouse, archive and quarantine must be exactly what a
run that never crashed leaves behind.

    digilead generate --employees 300 --waves 2 --seed 3 --bad-files   (once; every home gets a copy)
    reference:  digilead run                                         (never interrupted)
    per phase:  digilead run  ──SIGKILL at the first progress line of the phase──▶  digilead run

The kill goes to the run's whole process group (the Python process and the dbt process it started),
as when a machine or container dies. The phases are recognised from the run's own progress lines:
"read N rows" (staging), "loaded N rows" (loading; the first file's transaction has committed, the
others are in flight) and "Running dbt command" (dbt building the models, killed a few seconds in).

Compared: every raw table without `_loaded_at`, `meta.files` (status, counts, destination per file),
`meta.rejected_rows`, every `marts.*` table, the published copy, the file listings of archive/ and
quarantine/ (and the reason files, without their timestamps), what is left in landing/ and staging/.

The reference and the three crash scenarios run side by side, each in its own DIGILEAD_HOME.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from table_compare import differences, rows

REPO_ROOT = Path(__file__).resolve().parents[1]
GENERATE = ["--employees", "300", "--waves", "2", "--seed", "3", "--bad-files"]
RUN_TIMEOUT_S = 420
PHASES = {
    "parse": (re.compile(r": read \d+ rows"), 0.0),
    "load": (re.compile(r": loaded \d+ rows"), 0.0),
    "dbt": (re.compile(r"Running dbt command"), 4.0),  # seconds to wait: well inside `dbt build`
}


def _env(home: Path, key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGILEAD_", "DAGSTER_"))}
    env.update(DIGILEAD_HOME=str(home), DIGILEAD_PSEUDONYM_KEY=key, DIGILEAD_MIN_CELL="5", PYTHONUNBUFFERED="1")
    return env


@dataclass
class Run:
    """`digilead run` in its own process group, its output read line by line on a thread."""

    home: Path
    key: str
    kill_at: tuple[re.Pattern, float] | None = None
    only_the_run: bool = False  # SIGKILL the run's process alone, not the dbt it started (an OOM kill)
    lines: list[str] = field(default_factory=list)
    killed_after: str | None = None
    orphaned: bool = False

    def start(self) -> Run:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "run", "--verbose"],  # the kill points are lines of the full log
            cwd=REPO_ROOT,
            env=_env(self.home, self.key),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        return self

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if self.kill_at and self.killed_after is None and self.kill_at[0].search(line):
                time.sleep(self.kill_at[1])
                self.killed_after = line.strip()[-160:]
                if self.only_the_run:
                    try:
                        os.kill(self.process.pid, signal.SIGKILL)
                    except ProcessLookupError:  # it finished first: the test then says it was never killed
                        pass
                else:
                    self.kill()

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the run and everything it started (dbt)
        except ProcessLookupError:
            pass

    def wait(self) -> int:
        try:
            code = self.process.wait(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            self.process.wait()
            pytest.fail(f"`digilead run` in {self.home} did not finish within {RUN_TIMEOUT_S} s:\n{self.tail()}")
        self.reader.join(timeout=10)
        if self.only_the_run:  # the dbt it started must die with it, by itself
            deadline = time.monotonic() + 10
            while self.group_alive() and time.monotonic() < deadline:
                time.sleep(0.2)
            self.orphaned = self.group_alive()
        self.kill()  # nothing it started may outlive it
        return code

    def group_alive(self) -> bool:
        """Whether any process the run started is still alive (its process group has members)."""
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def tail(self, n: int = 30) -> str:
        return "\n".join(self.lines[-n:])


def _generate(landing: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "generate", *GENERATE, "--out", str(landing)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


# ----------------------------------------------------------------------------- what a home holds


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = ? and database_name = current_database() order by 1",
            [schema],
        ).fetchall()
    ]


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _reasons(quarantine: Path) -> dict[str, dict]:
    reasons = {}
    for path in sorted(quarantine.glob("*.reason.json")):
        reason = json.loads(path.read_text(encoding="utf-8"))
        reason.pop("quarantined_at", None)
        reasons[path.name] = reason
    return reasons


def _without_clock(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The columns to compare: all but when a file was processed (dq_files shows it; a re-run after a
    crash processes the files again, later)."""
    columns = {
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
            "and database_name = current_database()",
            [table],
        ).fetchall()
    }
    return "* exclude (processed_at)" if "processed_at" in columns else "*"


def snapshot(home: Path) -> dict[str, object]:
    state: dict[str, object] = {}
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        for table in _tables(con, "raw"):
            state[f"raw.{table}"] = rows(con, f"select * exclude (_loaded_at) from raw.{table}")
        state["meta.files"] = rows(
            con,
            "select file_name, status, source, kommunekode, period, rows_read, rows_loaded, rows_rejected, moved_to from meta.files",
        )
        state["meta.rejected_rows"] = rows(con, "select * from meta.rejected_rows")
        for table in _tables(con, "marts"):
            state[f"marts.{table}"] = rows(con, f"select {_without_clock(con, table)} from marts.{table}")
    finally:
        con.close()
    published = duckdb.connect(str(home / "published" / "digilead.duckdb"), read_only=True)
    try:
        for table in _tables(published, "marts"):
            state[f"published.marts.{table}"] = rows(
                published, f"select {_without_clock(published, table)} from marts.{table}"
            )
    finally:
        published.close()
    for folder in ("archive", "quarantine", "landing", "staging"):
        state[f"{folder}/"] = _listing(home / folder)
    state["quarantine reasons"] = _reasons(home / "quarantine")
    return state


# ----------------------------------------------------------------------------- the scenarios

# By default one home goes through every crash in a row beside the reference: killed while parsing;
# the restart killed while loading (it also recovers from the first crash); the next restart killed
# inside dbt; then a normal run. Three kills for the price of about three runs (a run costs about a
# CPU-minute here). DIGILEAD_KILL_EACH=1 gives every phase its own home instead (killed once, then a
# normal run): more CPU, for a thorough check.
SCENARIOS = (
    {phase: [phase] for phase in PHASES} if os.environ.get("DIGILEAD_KILL_EACH") else {"parse,load,dbt": list(PHASES)}
)
# The run alone killed inside dbt, as an OOM kill does: the dbt it started must die with it (not hold
# DuckDB's lock while the writer lock says the warehouse is free), and the next run must just work.
ONLY_THE_RUN = "dbt, the run alone"
SCENARIOS[ONLY_THE_RUN] = ["dbt"]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, pseudonym_key):
    """Run the reference and the crash scenarios side by side; return each home and how it went."""
    root = tmp_path_factory.mktemp("kill")
    template = root / "template" / "landing"
    _generate(template)
    homes = {name: root / name for name in ["reference", *SCENARIOS]}
    for home in homes.values():
        shutil.copytree(template, home / "landing")

    reference = Run(homes["reference"], pseudonym_key).start()
    threads, notes = [], {}

    def scenario(name: str, phases: list[str]) -> None:
        note = notes[name] = {"kills": []}
        for phase in phases:
            started = time.monotonic()
            run = Run(homes[name], pseudonym_key, kill_at=PHASES[phase], only_the_run=name == ONLY_THE_RUN).start()
            code = run.wait()
            note["kills"].append(
                {
                    "phase": phase,
                    "code": code,
                    "orphaned": run.orphaned,
                    "killed_after": run.killed_after,
                    "tail": run.tail(),
                    "seconds": round(time.monotonic() - started),
                }
            )
            if run.killed_after is None:
                break
        started = time.monotonic()
        run = Run(homes[name], pseudonym_key).start()
        note["code"], note["tail"] = run.wait(), run.tail()
        note["seconds"] = round(time.monotonic() - started)

    try:
        for name, phases in SCENARIOS.items():
            threads.append(threading.Thread(target=scenario, args=(name, phases)))
            threads[-1].start()
        started = time.monotonic()
        notes["reference"] = {
            "code": reference.wait(),
            "tail": reference.tail(),
            "seconds": round(time.monotonic() - started),
        }
        for thread in threads:
            thread.join(timeout=RUN_TIMEOUT_S * 5)
    finally:
        reference.kill()
    print(
        "kill test timings (s):",
        {name: [k.get("seconds") for k in note.get("kills", [])] + [note["seconds"]] for name, note in notes.items()},
    )
    return homes, notes


@pytest.mark.e2e
def test_the_reference_run_processes_the_delivery(outcomes):
    homes, notes = outcomes
    assert notes["reference"]["code"] == 3, notes["reference"]["tail"]  # the bad files are quarantined
    state = snapshot(homes["reference"])
    assert state["raw.survey_answers"] and state["marts.digital_maturity"], "the reference run built nothing"
    assert state["quarantine/"] and state["archive/"]


@pytest.mark.e2e
@pytest.mark.parametrize(
    "scenario",
    list(SCENARIOS),
)
def test_a_run_killed_mid_phase_then_run_again_equals_a_run_that_never_crashed(outcomes, scenario):
    homes, notes = outcomes
    note = notes[scenario]
    for kill in note["kills"]:
        assert kill["killed_after"], (
            f"the run finished (exit {kill['code']}) before reaching the {kill['phase']} phase, so it was never killed:\n{kill['tail']}"
        )
        assert kill["code"] == -signal.SIGKILL, f"the run was not killed by SIGKILL (exit {kill['code']})"
        assert not kill["orphaned"], "the dbt the killed run started outlived it by 10 s"
    assert note["code"] in (0, 3), f"the run after the crash failed (exit {note['code']}):\n{note['tail']}"
    problems = differences(snapshot(homes["reference"]), snapshot(homes[scenario]))
    killed = "; ".join(f"{kill['phase']}: after {kill['killed_after']!r}" for kill in note["kills"])
    assert not problems, f"killed ({killed}), then run again; differences:\n" + "\n".join(problems)


# ----------------------------------------------------------------------------- a narrow window, without a process


def test_a_crash_between_recording_a_duplicate_and_moving_it_records_it_once(digilead_home, monkeypatch):
    """SIGKILL right after the registry row of a duplicate was written (DuckDB commits it) and before the move."""
    from pipelines import ingest
    from pipelines.ingest import Pipeline
    from pipelines.settings import Settings

    pipeline = Pipeline(Settings.from_env())
    landing = pipeline.settings.landing
    landing.mkdir(parents=True)
    (landing / "loenudtraek_0751.csv").write_bytes(b"a;b\n1;2\n")
    pipeline.triage()  # quarantined: an unknown name
    (landing / "loenudtraek_0751.csv").write_bytes(b"a;b\n1;2\n")  # the same bytes again: a duplicate
    real_move = ingest.move

    def killed(path, target):
        raise KeyboardInterrupt("killed between recording and moving")

    monkeypatch.setattr(ingest, "move", killed)
    with pytest.raises(KeyboardInterrupt):
        pipeline.triage()
    monkeypatch.setattr(ingest, "move", real_move)
    pipeline.triage()  # the next run
    with pipeline.warehouse.connect(read_only=True) as con:
        rows = con.execute("select status, moved_to from meta.files order by status").fetchall()
    assert rows == [
        ("duplicate", "archive/duplicates/loenudtraek_0751.csv"),
        ("quarantined", "quarantine/loenudtraek_0751.csv"),
    ]
    assert not any(landing.iterdir())
    assert (pipeline.settings.archive / "duplicates" / "loenudtraek_0751.csv").exists()
