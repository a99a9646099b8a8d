"""The event-driven path with the real Dagster daemon: files dropped into landing/ reach the published
marts without anyone starting a run, and the same files dropped again change nothing.

    DAGSTER_HOME=<tmp> (deploy/dagster.yaml)  DIGILEAD_HOME=<tmp>
    dagster instance migrate     # the instance is created once, before any service starts (see below)
    dagster dev -w workspace.yaml -p <free port>
    1. drop a generated municipality (plus one org tree with a cycle) into landing/
       -> the landing sensor starts a run; the blocking check quarantines the bad file and fails the run;
          the run retry loads the rest, builds the marts and publishes them
    2. drop the very same files again
       -> one more run archives every one of them as a duplicate; the published marts stay as they were

Only the published copy ($DIGILEAD_HOME/published/digilead.duckdb, opened read-only) and the file
system are read while Dagster runs: the warehouse belongs to the single writer. Run states come from
the Dagster instance. Every wait is bounded and says what it was waiting for; the whole process group
is stopped at the end, and no process of this instance may be left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster_support import free_port, kill_leftovers, serving, stop_group
from table_compare import differences, rows

pytestmark = pytest.mark.daemon

REPO_ROOT = Path(__file__).resolve().parents[1]
DAGSTER = Path(sys.executable).with_name("dagster")
GENERATE = ["--employees", "300", "--waves", "1", "--seed", "5", "--no-training", "--no-benefits"]
BAD_ORG_TREE = "hr_org_units_0751_2024-12.csv"  # a month before the generated ones: it changes nothing when quarantined
STARTUP_TIMEOUT_S = 180
FIRST_DELIVERY_TIMEOUT_S = 480
SECOND_DELIVERY_TIMEOUT_S = 300
POLL_S = 2


class Dev:
    """`dagster dev` in its own process group, logging to a file."""

    def __init__(self, dagster_home: Path, digilead_home: Path, key: str, log: Path):
        self.dagster_home, self.digilead_home, self.log = dagster_home, digilead_home, log
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGILEAD_", "DAGSTER_"))}
        self.env.update(
            DAGSTER_HOME=str(dagster_home),
            DIGILEAD_HOME=str(digilead_home),
            DIGILEAD_PSEUDONYM_KEY=key,
            DIGILEAD_MIN_CELL="5",
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            GX_ANALYTICS_ENABLED="false",
            PATH=f"{DAGSTER.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )

    def migrate(self) -> None:
        """Create the fresh instance's storage in one process before the services start.

        `dagster dev` starts the webserver, the daemon and a code server at once; on an empty DAGSTER_HOME each of
        them creates the SQLite storage and stamps its schema version, and two stamping together leave
        "alembic_version has more than one head" behind (a known Dagster race). One migrate first removes the race.
        """
        migrated = subprocess.run(
            [str(DAGSTER), "instance", "migrate"],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert migrated.returncode == 0, f"dagster instance migrate failed:\n{migrated.stdout}\n{migrated.stderr}"

    def start(self) -> Dev:
        self.migrate()
        self.handle = self.log.open("w")
        self.process = subprocess.Popen(
            [str(DAGSTER), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(self.port)],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> list[int]:
        """SIGTERM to the group (dagster dev shuts its children down), then SIGKILL; return leftovers."""
        if self.alive():
            stop_group(self.process)
        for _ in range(2):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=30)
        self.handle.close()
        return kill_leftovers(self.dagster_home)


def wait_for(what: str, condition, timeout: float, dev: Dev, describe=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not dev.alive():
            pytest.fail(f"`dagster dev` exited (code {dev.process.returncode}) while waiting for {what}:\n{dev.tail()}")
        if condition():
            return
        time.sleep(POLL_S)
    pytest.fail(
        f"timed out after {timeout:.0f} s waiting for {what}. {describe()}\n--- dagster dev log ---\n{dev.tail()}"
    )


def published_marts(home: Path) -> dict[str, list[tuple]] | None:
    """Every published mart, as sorted rows (read-only; None while there is no published copy)."""
    path = home / "published" / "digilead.duckdb"
    if not path.exists():
        return None

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        return {t: rows(con, f"select * from marts.{t}") for t in tables}
    finally:
        con.close()


def actionable_in_landing(home: Path) -> list[str]:
    from pipelines.defs.sensors import actionable

    landing = home / "landing"
    return sorted(p.name for p in landing.iterdir() if p.is_file() and actionable(p.name)) if landing.exists() else []


@pytest.fixture
def dagster_dev(tmp_path, pseudonym_key, monkeypatch):
    dagster_home, digilead_home = tmp_path / "dagster_home", tmp_path / "digilead_home"
    dagster_home.mkdir()
    (digilead_home / "landing").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", dagster_home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))  # this process reads run states from the same instance
    dev = Dev(dagster_home, digilead_home, pseudonym_key, tmp_path / "dagster_dev.log").start()
    try:
        yield dev
    finally:
        leftovers = dev.stop()
    assert not leftovers, f"processes of the test's Dagster instance still running after shutdown: {leftovers}"


def runs_of(instance) -> list:
    import dagster as dg

    return list(instance.get_runs(filters=dg.RunsFilter(job_name="ingest_and_build")))


def describe_runs(instance) -> str:
    return "runs: " + ", ".join(
        f"{r.run_id[:8]} {r.status.value} (retry of {r.parent_run_id[:8] if r.parent_run_id else '-'})"
        for r in reversed(runs_of(instance))
    )


def settled(instance) -> bool:
    """No ingest run queued or in progress, and none about to be retried."""
    import dagster as dg

    runs = runs_of(instance)
    if any(not r.is_finished for r in runs):
        return False
    retried = {r.parent_run_id for r in runs if r.parent_run_id}
    pending_retry = [
        r
        for r in runs
        if r.status == dg.DagsterRunStatus.FAILURE
        and r.run_id not in retried
        and r.tags.get("dagster/will_retry", "true") != "false"
    ]
    return not pending_retry


def _drop(files: Path, landing: Path) -> None:
    """Deliver like a transfer tool: copy beside the landing zone, then rename in."""
    for path in sorted(files.iterdir()):
        tmp = landing / f".{path.name}.part"
        shutil.copyfile(path, tmp)
        os.replace(tmp, landing / path.name)


def test_files_dropped_into_landing_reach_the_published_marts_and_duplicates_change_nothing(dagster_dev, tmp_path):
    import dagster as dg

    dev = dagster_dev
    home = dev.digilead_home
    delivery = tmp_path / "delivery"
    generated = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "generate", *GENERATE, "--out", str(delivery)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert generated.returncode == 0, generated.stderr
    (delivery / BAD_ORG_TREE).write_text(
        "los_id,parent_los_id,enhedsnavn,enhedstype,sektor,gyldig_fra,gyldig_til\n"
        "1,,Aarhus Kommune,Kommune,Administration,2020-01-01,\n2,3,Ældreområdet,Område,Ældre,2020-01-01,\n"
        "3,2,Plejehjem,Institution,Ældre,2020-01-01,\n",
        encoding="utf-8",
    )
    from pipelines.defs.sensors import actionable

    delivered = sorted(p.name for p in delivery.iterdir() if actionable(p.name))

    instance = dg.DagsterInstance.get()
    wait_for("the Dagster webserver and daemon to start", lambda: serving(dev.port), STARTUP_TIMEOUT_S, dev)

    # 1. a delivery: nobody starts a run, the sensor does
    _drop(delivery, home / "landing")
    wait_for(
        "the first delivery to be processed and the marts published",
        lambda: published_marts(home) is not None and not actionable_in_landing(home) and settled(instance),
        FIRST_DELIVERY_TIMEOUT_S,
        dev,
        lambda: f"{describe_runs(instance)}; still in landing: {actionable_in_landing(home)}",
    )
    runs = runs_of(instance)
    assert runs and all(r.tags.get("dagster/sensor_name") == "landing_zone_sensor" or r.parent_run_id for r in runs), (
        describe_runs(instance)
    )
    assert runs[0].status == dg.DagsterRunStatus.SUCCESS, describe_runs(
        instance
    )  # the newest: the retry that built the marts
    assert any(r.status == dg.DagsterRunStatus.FAILURE for r in runs), (
        "the blocking check on the bad org tree did not stop a run"
    )
    assert (home / "quarantine" / BAD_ORG_TREE).exists() and (
        home / "quarantine" / f"{BAD_ORG_TREE}.reason.json"
    ).exists()
    archived = sorted(p.name for p in (home / "archive").rglob("*") if p.is_file())
    assert sorted(archived + [BAD_ORG_TREE]) == delivered
    first = published_marts(home)
    assert first and first.get("digital_maturity"), f"no digital_maturity rows published: {list(first or {})}"
    runs_before = len(runs)

    # 2. the very same files again: archived as duplicates, marts unchanged
    _drop(delivery, home / "landing")
    wait_for(
        "the re-delivered files to be archived as duplicates",
        lambda: not actionable_in_landing(home) and len(runs_of(instance)) > runs_before and settled(instance),
        SECOND_DELIVERY_TIMEOUT_S,
        dev,
        lambda: f"{describe_runs(instance)}; still in landing: {actionable_in_landing(home)}",
    )
    assert runs_of(instance)[0].status == dg.DagsterRunStatus.SUCCESS, describe_runs(instance)
    duplicates = sorted(p.name for p in (home / "archive" / "duplicates").iterdir())
    assert duplicates == delivered, "every re-delivered file is a duplicate, archived, never loaded again"
    changed = differences(first, published_marts(home))
    assert not changed, "the published marts changed although only duplicates arrived:\n" + "\n".join(changed)
