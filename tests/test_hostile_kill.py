"""A killed run leaves nothing behind that blocks the next: dbt dies with it; a leftover holder of the
warehouse file is waited for, not reported as a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from pipelines.warehouse import Warehouse

REPO_ROOT = Path(__file__).resolve().parents[1]

# A parent that starts a child the way digilead-dbt starts dbt, prints the child's pid, and waits.
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "from pipelines.transform.child import die_with_parent; "
                          "die_with_parent(); print('ready', flush=True); import time; time.sleep(120)"],
                         stdout=subprocess.PIPE, text=True)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (dead, not yet reaped by init) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_dbts_wrapper_dies_when_the_run_that_started_it_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not _alive(child), "the child outlived its killed parent"
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


def test_the_dbt_executable_is_the_wrapper_where_installed():
    from pipelines.transform.dbt import dbt_executable

    wrapper = Path(sys.executable).with_name("digilead-dbt")
    if wrapper.exists():
        assert dbt_executable() == str(wrapper)


def test_a_writer_waits_for_another_process_holding_the_warehouse_instead_of_failing(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; con = duckdb.connect({str(path)!r}); print('open', flush=True); time.sleep(3)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "open"
    started = time.monotonic()
    with Warehouse(path).connect() as con:
        assert con.execute("select 1").fetchone() == (1,)
    assert time.monotonic() - started > 1  # it waited for the holder rather than failing
    holder.wait()
