"""One writer at a time, across processes: an advisory lock beside the warehouse file.

DuckDB lets one process write a database file and refuses a second one with a lock error. Dagster's
run pool (deploy/dagster.yaml) already serialises the daemon's runs, but not a `digilead run` started
by hand or by cron while the daemon works, nor a developer's `dbt build`. So every write connection
(`Warehouse.connect`) and every dbt build holds `<warehouse>.lock` (flock): a second writer waits for
the first and says so, instead of failing. The lock is re-entrant within a process (a `digilead run`
executes Dagster steps in-process that connect again), and the kernel releases it when its process
dies, so a killed run never leaves it behind.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_guard = threading.Lock()
_held: dict[Path, tuple[int, int]] = {}  # lock file -> (file descriptor, depth) held by this process


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


@contextmanager
def writer_lock(warehouse: Path, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the warehouse's writer lock; if another process holds it, say so (`waiting`) and wait."""
    path = lock_path(Path(warehouse).resolve())
    with _guard:
        if path in _held:  # this process holds it already: nested use
            descriptor, depth = _held[path]
            _held[path] = (descriptor, depth + 1)
            acquired_here = False
        else:
            acquired_here = True
    if acquired_here:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting:
                    waiting(
                        f"another digilead process is writing {path.with_suffix('').name}: waiting until it is done"
                    )
                fcntl.flock(descriptor, fcntl.LOCK_EX)
        except BaseException:
            os.close(descriptor)
            raise
        with _guard:
            _held[path] = (descriptor, 1)
    try:
        yield
    finally:
        with _guard:
            descriptor, depth = _held[path]
            if depth > 1:
                _held[path] = (descriptor, depth - 1)
            else:
                del _held[path]
                os.close(descriptor)  # releases the lock
