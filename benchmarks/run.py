"""`make bench`: how long digilead takes, how quickly a landed file reaches the marts, how much memory.

    (a) demo-sized run: `digilead generate` (0751, 3,000 employees, 2 waves, every source) and `digilead run`
    (b) latency under `dagster dev` with default settings (sensor every 10 s, 3 s settle): a municipality of
        3,000 employees is loaded first; then, one at a time, a new monthly HR extract is dropped into
        landing/ and the clock runs until the published marts have been replaced; median of the samples
    (c) memory: the peak resident set of the largest process of the demo-sized `digilead run` (dbt included),
        from resource.getrusage(RUSAGE_CHILDREN) in a process of its own

Prints a small table and writes benchmarks/results.json. Nothing is asserted: numbers depend on the machine.
Options: --samples N (latency samples, default 3), --skip-latency.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results.json"
KEY = "benchmark-key-not-secret"
EMPLOYEES = 3000
DAGSTER = Path(sys.executable).with_name("dagster")
LATENCY_TIMEOUT_S = 600


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGILEAD_", "DAGSTER_"))}
    env.update(DIGILEAD_HOME=str(home), DIGILEAD_PSEUDONYM_KEY=KEY, DBT_SEND_ANONYMOUS_USAGE_STATS="false",
               GX_ANALYTICS_ENABLED="false", **extra)
    return env


def measured(command: list[str], env: dict[str, str]) -> dict:
    """Run `command` under benchmarks.child (its own process, so its rusage is its own)."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.child", *command], cwd=REPO_ROOT, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def digilead(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", *args]


# ----------------------------------------------------------------------------- (a) and (c)


def bench_demo_run(root: Path) -> dict:
    home = root / "demo"
    env = _env(home)
    generate = measured(digilead("generate", "--employees", str(EMPLOYEES), "--waves", "2", "--out", str(home / "landing")), env)
    files = len(list((home / "landing").iterdir()))
    run = measured(digilead("run"), env)
    return {"files": files, "generate": generate, "run": run}


# ----------------------------------------------------------------------------- (b)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _published(home: Path) -> Path:
    return home / "published" / "digilead.duckdb"


def _wait(what: str, condition, timeout: float, process: subprocess.Popen) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"dagster dev exited while waiting for {what}")
        if condition():
            return time.monotonic() - started
        time.sleep(0.25)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def _idle(home: Path) -> bool:
    """Nothing waiting in landing/ that a run would take, and no staged file."""
    sys.path.insert(0, str(REPO_ROOT))
    from pipelines.defs.sensors import actionable

    landing, staging = home / "landing", home / "staging"
    return not any(actionable(p.name) for p in landing.iterdir()) and not (staging.exists() and any(staging.iterdir()))


def bench_latency(root: Path, samples: int) -> dict:
    home, dagster_home = root / "latency", root / "dagster_home"
    (home / "landing").mkdir(parents=True)
    dagster_home.mkdir()
    shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", dagster_home / "dagster.yaml")
    initial, later = root / "initial", root / "later"
    for out, first_wave in ((initial, "2025H1"), (later, "2026H1")):
        subprocess.run(digilead("generate", "--employees", str(EMPLOYEES), "--waves", "1", "--first-wave", first_wave,
                                "--out", str(out), "--no-training", "--no-benefits"),
                       cwd=REPO_ROOT, env=_env(home), check=True, capture_output=True)
    new_files = sorted(p for p in later.iterdir() if p.name.startswith("hr_employees_"))[:samples]
    log = (root / "dagster_dev.log").open("w")
    process = subprocess.Popen([str(DAGSTER), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(_free_port())],
                               cwd=REPO_ROOT, env=_env(home, DAGSTER_HOME=str(dagster_home)), stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    result: dict = {"employees": EMPLOYEES, "file": "hr_employees_<month>.csv (new month)", "samples_s": []}
    try:
        started = time.monotonic()
        for path in sorted(initial.iterdir()):
            shutil.copy(path, home / "landing" / path.name)
        _wait("the initial municipality to be published", lambda: _published(home).exists() and _idle(home), LATENCY_TIMEOUT_S, process)
        result["initial_load_s"] = round(time.monotonic() - started, 1)
        for path in new_files:
            time.sleep(15)  # let the sensor see an idle landing zone first
            before = _published(home).stat().st_mtime_ns
            tmp = home / "landing" / f".{path.name}.part"
            shutil.copy(path, tmp)
            dropped = time.monotonic()
            os.replace(tmp, home / "landing" / path.name)
            _wait(f"{path.name} to reach the published marts",
                  lambda: _published(home).stat().st_mtime_ns != before and _idle(home), LATENCY_TIMEOUT_S, process)
            result["samples_s"].append(round(time.monotonic() - dropped, 1))
        result["median_s"] = statistics.median(result["samples_s"]) if result["samples_s"] else None
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
    return result


# ----------------------------------------------------------------------------- report


def table(results: dict) -> str:
    demo = results["demo"]
    rows = [
        ("(a) generate, 3,000 employees, 2 waves", f"{demo['generate']['wall_s']:.1f} s", f"{demo['files']} files"),
        ("(a) digilead run on it (demo-sized)", f"{demo['run']['wall_s']:.1f} s",
         f"cpu {demo['run']['user_s'] + demo['run']['sys_s']:.0f} s, exit {demo['run']['exit_code']}"),
    ]
    latency = results.get("latency")
    if latency and latency.get("samples_s"):
        rows.append(("(b) file landed -> marts published (median)", f"{latency['median_s']:.1f} s",
                     f"samples {latency['samples_s']} s; initial load {latency['initial_load_s']} s"))
    rows.append(("(c) memory peak of the run (largest process)", f"{demo['run']['max_rss_mb']:.0f} MB", "ru_maxrss, RUSAGE_CHILDREN"))
    width = max(len(r[0]) for r in rows)
    lines = [f"{'benchmark':<{width}}  {'result':>9}  notes", "-" * (width + 40)]
    lines += [f"{name:<{width}}  {value:>9}  {note}" for name, value, note in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="digilead-bench-"))
    try:
        results: dict = {
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "demo": bench_demo_run(root),
        }
        if not args.skip_latency:
            results["latency"] = bench_latency(root, args.samples)
    finally:
        for _ in range(5):  # dagster's children may still be closing their files for a moment
            shutil.rmtree(root, ignore_errors=True)
            if not root.exists():
                break
            time.sleep(2)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nwritten to {RESULTS.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
