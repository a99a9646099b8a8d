"""`digilead-dbt`: dbt, but dying with the process that started it.

dagster-dbt starts dbt as a child process. If that parent is killed outright (SIGKILL, an OOM kill),
a plain child runs on, holding DuckDB's lock on the warehouse while the writer lock, which the kernel
released with the parent, tells the next run that the warehouse is free. This wrapper asks Linux to
send it SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG), then runs dbt's command line in the same
process (or execs a `dbt` found on PATH where this Python has none; the request is kept across exec).

`digilead-dbt --version` answers from the installed packages' metadata instead: dagster-dbt asks it before
every dbt command, and the real `dbt --version` costs a dbt start-up (and asks the internet for the latest
release) on the way from a landed file to the published marts.
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import importlib.metadata
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def installed_version() -> str | None:
    """What `dbt --version` says of the dbt beside this Python (the one `main` runs), in its words; None when
    that dbt is not installed here."""
    if not Path(sys.executable).with_name("dbt").exists():
        return None
    try:
        core, duckdb = (importlib.metadata.version(name) for name in ("dbt-core", "dbt-duckdb"))
    except importlib.metadata.PackageNotFoundError:
        return None
    return f"Core:\n  - installed: {core}\n\nPlugins:\n  - duckdb: {duckdb}"


def main() -> None:
    if sys.argv[1:] == ["--version"] and (version := installed_version()):
        print(version)
        return
    die_with_parent()
    # Registered before dbt is imported, so it runs last of the exit handlers: Python's shutdown then leaves dbt's
    # objects (its manifest, the modules) to the system instead of searching them for reference cycles (0.8 s of
    # every build)
    atexit.register(gc.freeze)
    try:
        from dbt.cli.main import cli
    except ImportError:  # no dbt in this Python: the one on PATH
        os.execvp("dbt", ["dbt", *sys.argv[1:]])
    sys.argv[0] = "dbt"
    sys.exit(cli())


if __name__ == "__main__":
    main()
