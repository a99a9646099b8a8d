"""Shared by the tests that start Dagster services (dagster dev; webserver and daemon): ports, readiness,
and making sure nothing they started outlives the test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serving(port: int) -> bool:
    """Whether a Dagster webserver answers on the port."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def pids_of_instance(dagster_home: Path) -> list[int]:
    """Processes whose environment points at this DAGSTER_HOME (webserver, daemon, code server, runs, dbt)."""
    marker = f"DAGSTER_HOME={dagster_home}".encode()
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker in (proc / "environ").read_bytes().split(b"\0"):
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL what is left after 45 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=45)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def kill_leftovers(dagster_home: Path, grace_s: float = 20) -> list[int]:
    """Wait up to `grace_s` for the instance's processes to end, SIGKILL the rest; returns those that were left
    (the caller reports them as a failure)."""
    deadline = time.monotonic() + grace_s
    while (left := pids_of_instance(dagster_home)) and time.monotonic() < deadline:
        time.sleep(0.5)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left
