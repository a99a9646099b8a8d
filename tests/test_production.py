"""The production set-up of deploy/: Dagster's instance in PostgreSQL, the webserver and the daemon as separate
services (as deploy/systemd/ starts them), the instance migrated once before either starts.

    DAGSTER_HOME=<tmp> (deploy/production/dagster.yaml)  DAGSTER_PG_*=<a database of its own>
    dagster instance migrate
    dagster-webserver -w workspace.yaml -p <free port>   and   dagster-daemon run -w workspace.yaml
    drop a generated municipality into landing/ -> the sensor's run builds and publishes the marts, to the serving
    DuckDB file and (DIGILEAD_POSTGRES_URL) to PostgreSQL; the instance's runs are in PostgreSQL.

Needs the PostgreSQL server at 127.0.0.1:5432 (skips without it, fails when DIGILEAD_REQUIRE_POSTGRES is set).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster_support import free_port, kill_leftovers, serving, stop_group
from serving_support import POSTGRES_URL, fresh_database

pytestmark = [pytest.mark.daemon, pytest.mark.postgres]

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
INSTANCE_DB = "digilead_dagster_test"
MARTS_DB = "digilead_marts_test"
GENERATE = ["--employees", "150", "--waves", "1", "--seed", "11", "--no-training", "--no-benefits"]
TIMEOUT_S = 480


def test_the_production_instance_differs_from_the_development_one_only_in_its_storage():
    development = yaml.safe_load((REPO_ROOT / "deploy" / "dagster.yaml").read_text())
    production = yaml.safe_load((REPO_ROOT / "deploy" / "production" / "dagster.yaml").read_text())
    storage = production.pop("storage")
    assert production == development, "deploy/production/dagster.yaml drifted from deploy/dagster.yaml"
    connection = storage["postgres"]["postgres_db"]
    assert connection.pop("scheme") == "postgresql+psycopg2"
    assert set(connection) == {"hostname", "port", "username", "password", "db_name"}
    assert all("env" in value for value in connection.values()), "connection settings come from the environment"


def _published_counts(home: Path) -> dict[str, int] | None:
    path = home / "published" / "digilead.duckdb"
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        marts = [
            r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
        ]
        return {m: con.execute(f'select count(*) from marts."{m}"').fetchall()[0][0] for m in marts}


def test_webserver_and_daemon_on_a_postgres_instance_publish_dropped_files(tmp_path, pseudonym_key):
    import psycopg

    instance_url, marts_url = fresh_database(INSTANCE_DB), fresh_database(MARTS_DB)
    server = psycopg.conninfo.conninfo_to_dict(POSTGRES_URL)
    dagster_home, home = tmp_path / "dagster_home", tmp_path / "digilead_home"
    dagster_home.mkdir()
    (home / "landing").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "deploy" / "production" / "dagster.yaml", dagster_home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGILEAD_", "DAGSTER_"))}
    env.update(
        DAGSTER_HOME=str(dagster_home),
        DAGSTER_PG_HOST=str(server.get("host", "127.0.0.1")),
        DAGSTER_PG_PORT=str(server.get("port", 5432)),
        DAGSTER_PG_USER=str(server.get("user", "postgres")),
        DAGSTER_PG_PASSWORD=str(server.get("password", "")),
        DAGSTER_PG_DB=INSTANCE_DB,
        DIGILEAD_HOME=str(home),
        DIGILEAD_PSEUDONYM_KEY=pseudonym_key,
        DIGILEAD_POSTGRES_URL=marts_url,
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        GX_ANALYTICS_ENABLED="false",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    migrated = subprocess.run(
        [str(BIN / "dagster"), "instance", "migrate"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    with psycopg.connect(instance_url) as pg:
        tables = {r[0] for r in pg.execute("select tablename from pg_tables where schemaname = 'public'").fetchall()}
    assert {"runs", "event_logs", "instigators"} <= tables, f"the instance's storage is not in PostgreSQL: {tables}"

    delivery = tmp_path / "delivery"
    generated = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "generate", *GENERATE, "--out", str(delivery)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert generated.returncode == 0, generated.stderr

    web_port, logs, services = free_port(), {}, {}
    commands = {
        "webserver": [str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(web_port)],
        "daemon": [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
    }
    try:
        for name, command in commands.items():
            logs[name] = (tmp_path / f"{name}.log").open("w")
            services[name] = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT, start_new_session=True
            )

        def tails() -> str:
            return "\n".join(
                f"--- {name} ---\n"
                + "\n".join((tmp_path / f"{name}.log").read_text(errors="replace").splitlines()[-25:])
                for name in commands
            )

        def wait_for(what: str, condition) -> None:
            deadline = time.monotonic() + TIMEOUT_S
            while time.monotonic() < deadline:
                for name, process in services.items():
                    if process.poll() is not None:
                        pytest.fail(f"{name} exited ({process.returncode}) while waiting for {what}\n{tails()}")
                if condition():
                    return
                time.sleep(2)
            pytest.fail(f"timed out waiting for {what}\n{tails()}")

        wait_for("the webserver", lambda: serving(web_port))
        for path in sorted(delivery.iterdir()):
            tmp = home / "landing" / f".{path.name}.part"
            shutil.copyfile(path, tmp)
            os.replace(tmp, home / "landing" / path.name)

        def done() -> bool:
            """Landing empty, the delivery's run succeeded and none is queued or running (the instance is read in
            PostgreSQL). The delivery's own run: another run's success (a freshness check's) proves nothing."""
            if any(p.is_file() and not p.name.startswith(".") for p in (home / "landing").iterdir()):
                return False
            with psycopg.connect(instance_url) as pg:
                runs = set(pg.execute("select pipeline_name, status from runs").fetchall())
            statuses = {status for _, status in runs}
            return ("ingest_and_build", "SUCCESS") in runs and not statuses & {
                "QUEUED",
                "NOT_STARTED",
                "STARTING",
                "STARTED",
            }

        wait_for("the delivery to be published", done)
        counts = _published_counts(home)
        assert counts and counts.get("digital_maturity"), counts
        with psycopg.connect(instance_url) as pg:
            runs = pg.execute("select status from runs where pipeline_name = 'ingest_and_build'").fetchall()
        assert ("SUCCESS",) in runs, f"no successful run recorded in the PostgreSQL instance: {runs}"
        with psycopg.connect(marts_url) as pg:
            in_postgres = {mart: pg.execute(f'select count(*) from marts."{mart}"').fetchone()[0] for mart in counts}
        assert in_postgres == counts, "the PostgreSQL copy differs from the serving DuckDB file"
    finally:
        for process in services.values():
            stop_group(process)
        for handle in logs.values():
            handle.close()
        left = kill_leftovers(dagster_home)
    assert not left, f"processes of the test's Dagster instance still running after shutdown: {left}"
