"""The writer lock: a second process that wants to write the warehouse waits for the first, says so,
and is never blocked by a process that died holding it; nested use within a process never waits."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from pipelines.warehouse import Warehouse
from pipelines.warehouse.lock import writer_lock

REPO_ROOT = Path(__file__).resolve().parents[1]


def _holder(warehouse: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the lock for `seconds` (it prints 'held' once it has it)."""
    code = textwrap.dedent(f"""
        import sys, time
        from pipelines.warehouse.lock import writer_lock
        with writer_lock({str(warehouse)!r}):
            print("held", flush=True)
            time.sleep({seconds})
    """)
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def _in_thread(action, timeout: float) -> tuple[bool, float]:
    """Run `action` in a thread: (finished within timeout, seconds it took)."""
    started = time.monotonic()
    worker = threading.Thread(target=action, daemon=True)
    worker.start()
    worker.join(timeout)
    return not worker.is_alive(), time.monotonic() - started


def test_nested_use_in_one_process_does_not_wait(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"

    def nested():
        with writer_lock(warehouse), writer_lock(warehouse), Warehouse(warehouse).connect() as con:
            con.execute("select 1")

    finished, _ = _in_thread(nested, timeout=20)
    assert finished, "a nested writer_lock waited for the lock its own process holds"


def test_a_second_writer_waits_for_the_first_and_says_so(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    holder = _holder(warehouse, seconds=2)
    said: list[str] = []

    def write():
        with writer_lock(warehouse, waiting=said.append):
            pass

    finished, took = _in_thread(write, timeout=30)
    holder.wait(timeout=30)
    assert finished and took >= 1.0, f"did not wait for the other writer (took {took:.2f} s)"
    assert said and "waiting" in said[0]


def test_a_warehouse_connection_waits_for_another_processes_writer(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    Warehouse(warehouse).ensure_schema()
    holder = _holder(warehouse, seconds=2)

    def connect():
        with Warehouse(warehouse).connect() as con:
            con.execute("insert into meta.state values ('k', 'v')")

    finished, took = _in_thread(connect, timeout=30)
    holder.wait(timeout=30)
    assert finished and took >= 1.0, f"opened the warehouse while another process was writing (took {took:.2f} s)"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_writer_killed_holding_the_lock_does_not_block_the_next(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    holder = _holder(warehouse, seconds=60)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)

    def write():
        with writer_lock(warehouse):
            pass

    finished, took = _in_thread(write, timeout=10)
    assert finished and took < 5, "the lock of a killed process was not released"
