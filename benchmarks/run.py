"""`make bench`: how long digilead takes against the limit (plain DuckDB), how quickly a landed file reaches the
marts, how much memory.

    (s) scale: for S, M and L (`digilead generate --scale`), two workloads:
          maturity  one wave (2025H1) of flat survey exports + item catalogues, with each municipality's HR
                    extract and org tree of June (issue 14's target: `digilead run` <= 5x plain DuckDB, peak
                    memory <= 2 GB; 4 files per municipality)
          full      two waves in all four dialects, HR, training, benefits (target for L: <= 10 min)
        Each sample: `digilead run` on a fresh DIGILEAD_HOME (wall, peak RSS, seconds per stage from the run's
        'stage timing' lines) and, right after it, benchmarks/baseline.sql over the same files (normalised
        where DuckDB cannot read them as delivered): the contract's three marts, digital_maturity,
        training_uptake and benefit_realisation, from every dialect; ratio = pipeline / baseline per pair,
        medians over the samples. Each of the baseline's marts is compared with the pipeline's published one,
        row by row on the contract's columns (the first differing rows are printed when they differ).
    (b) latency under `dagster dev` with default settings (sensor every 5 s, 2 s settle): a municipality of 3,000 employees is loaded first;
        then, one at a time, a new monthly HR extract is dropped into landing/ and the clock runs until the
        published marts have been replaced; median of the samples
    (c) memory: the peak resident set of the largest process of the demo-sized `digilead run` (dbt included),
        from resource.getrusage(RUSAGE_CHILDREN) in a process of its own
    (d) incremental (issue 5, target < 2x): three years (6 waves from 2023H1, every source) of 3,000 employees
        are loaded, less the newest month's training file; then `digilead run` is timed after adding that
        month (each sample on a fresh copy of the loaded DIGILEAD_HOME), against the same month loaded into
        an empty warehouse; medians, their ratio, raw row counts and the dbt command's share of each run

Every figure carries the 1-minute load average when it was taken (the machine may be shared).
Prints a small table and writes benchmarks/results.json. Nothing is asserted: numbers depend on the machine.
Options: --samples N (default 3), --scales S,M (add L: --scales S,M,L), --workloads maturity,full, --sources DIR,
--skip-latency, --skip-incremental, --incremental-employees N, --only demo|scale|latency|incremental.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results.json"
KEY = "benchmark-key-not-secret"
EMPLOYEES = 3000
DAGSTER = Path(sys.executable).with_name("dagster")
LATENCY_TIMEOUT_S = 600
PARTS = ("demo", "scale", "latency", "incremental")
STAGES = ("triage", "parse", "validate", "load", "dbt", "publish")
STAGE_LINE = re.compile(r"stage timing: (\w+)(?: (\w+))? (\d+(?:\.\d+)?) s")
WORKLOADS = {
    "maturity": ["--waves", "1", "--dialect", "flat", "--classic", "--no-training", "--no-benefits"],
    "full": [],
}


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGILEAD_", "DAGSTER_"))}
    env.update(
        DIGILEAD_HOME=str(home),
        DIGILEAD_PSEUDONYM_KEY=KEY,
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        GX_ANALYTICS_ENABLED="false",
        **extra,
    )
    return env


def measured(command: list[str], env: dict[str, str], log: Path | None = None) -> dict:
    """Run `command` under benchmarks.child (its own process, so its rusage is its own); its output to `log`."""
    logging = ["--log", str(log)] if log else []
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.child", *logging, *command],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def digilead(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", *args]


# ----------------------------------------------------------------------------- (a) and (c)


def bench_demo_run(root: Path) -> dict:
    home = root / "demo"
    env = _env(home)
    generate = measured(
        digilead("generate", "--employees", str(EMPLOYEES), "--waves", "2", "--out", str(home / "landing")), env
    )
    files = len(list((home / "landing").iterdir()))
    run = measured(digilead("run", "--verbose"), env)
    return {"files": files, "generate": generate, "run": run}


# ----------------------------------------------------------------------------- (s)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def stage_seconds(log: str) -> dict[str, float]:
    """Seconds per lifecycle stage, summed over sources and passes, from the run's 'stage timing' lines."""
    totals = dict.fromkeys(STAGES, 0.0)
    for stage, _source, seconds in STAGE_LINE.findall(log):
        totals[stage] = round(totals.get(stage, 0.0) + float(seconds), 2)
    return totals


def _pipeline_sample(source: Path, home: Path) -> dict:
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(source, home / "landing")
    log = home.with_name(f"{home.name}.log")
    load = load_average()
    result = measured(digilead("run", "--verbose"), _env(home), log)
    return result | {"load_avg": load, "stages": stage_seconds(log.read_text(errors="replace"))}


def _keep_wave_end_extracts(source: Path) -> None:
    """The maturity workload of issue 14: per municipality the wave's survey files, the HR extract of the
    wave's last month and the org tree in force then (the newest one up to that month); other months go."""
    wave_end = "2025-06"  # the generated wave is 2025H1
    org: dict[str, list[Path]] = {}
    for path in source.iterdir():
        parts = path.stem.split("_")
        if path.name.startswith("hr_employees_") and parts[-1] != wave_end:
            path.unlink()
        elif path.name.startswith("hr_org_units_"):
            org.setdefault(parts[-2], []).append(path)
    for trees in org.values():
        in_force = max((p for p in trees if p.stem.split("_")[-1] <= wave_end), key=lambda p: p.stem)
        for path in trees:
            if path != in_force:
                path.unlink()


def bench_scale(root: Path, scale: str, workload: str, samples: int, sources: Path | None = None) -> dict:
    """`sources`: keep the generated files there and reuse them next time (generating L takes minutes)."""
    from benchmarks.baseline import compare, normalise, run_baseline

    work = root / f"{scale}_{workload}"
    source = (sources or work) / f"{scale}_{workload}_source"
    load = load_average()
    generate = {"wall_s": 0.0, "user_s": 0.0, "sys_s": 0.0, "reused": True}
    if not source.exists():
        partial = source.with_name(source.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        command = digilead("generate", "--scale", scale, "--out", str(partial), *WORKLOADS[workload])
        generate = measured(command, _env(work))
        if workload == "maturity":
            _keep_wave_end_extracts(partial)
        partial.rename(source)
    files = sorted(source.iterdir())
    result: dict = {
        "scale": scale,
        "workload": workload,
        "files": len(files),
        "megabytes": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "generate": generate | {"load_avg": load},
        "runs": [],
        "baseline_s": [],
    }
    started = time.monotonic()
    result["normalised_files"] = normalise(source, work / "normalised")
    result["normalise_s"] = round(time.monotonic() - started, 2)
    for sample in range(samples):  # interleaved: a slow spell of the machine hits both alike
        result["runs"].append(_pipeline_sample(source, work / "home"))
        load = load_average()
        result["baseline_s"].append(run_baseline(work / "normalised", work / "baseline.duckdb") | {"load_avg": load})
        if sample == 0:
            result["equal_to_pipeline"] = compare(
                work / "baseline.duckdb", work / "home" / "published" / "digilead.duckdb"
            )
    runs, baselines = result["runs"], result["baseline_s"]
    result["median_wall_s"] = statistics.median(r["wall_s"] for r in runs)
    result["max_rss_mb"] = max(r["max_rss_mb"] for r in runs)
    result["median_stages"] = {stage: statistics.median(r["stages"][stage] for r in runs) for stage in STAGES}
    result["median_baseline_s"] = statistics.median(b["wall_s"] for b in baselines)
    pairs = list(zip(runs, baselines, strict=True))
    result["median_ratio"] = round(statistics.median(r["wall_s"] / b["wall_s"] for r, b in pairs), 2)
    result["median_cpu_ratio"] = round(statistics.median((r["user_s"] + r["sys_s"]) / b["cpu_s"] for r, b in pairs), 2)
    shutil.rmtree(work, ignore_errors=True)
    return result


def scale_rows(scales: list[dict]) -> list[tuple[str, str, str]]:
    rows = []
    for r in scales:
        name = f"(s) {r['scale']} {r['workload']}: digilead run ({r['files']} files, {r['megabytes']} MB)"
        stages = ", ".join(f"{stage} {seconds:.0f}" for stage, seconds in r["median_stages"].items())
        loads = ", ".join(f"{run['load_avg']}" for run in r["runs"])
        cpu = statistics.median(run["user_s"] + run["sys_s"] for run in r["runs"])
        rows.append(
            (
                name,
                f"{r['median_wall_s']:.1f} s",
                f"cpu {cpu:.0f} s; peak {r['max_rss_mb']:.0f} MB; stages (s) {stages}; load {loads}",
            )
        )
        rows.append(
            (
                f"(s) {r['scale']} {r['workload']}: plain DuckDB (baseline.sql)",
                f"{r['median_baseline_s']:.1f} s",
                f"cpu {statistics.median(b['cpu_s'] for b in r['baseline_s']):.1f} s; ratio {r['median_ratio']:.1f}x "
                f"(cpu {r['median_cpu_ratio']:.1f}x); load {', '.join(str(b['load_avg']) for b in r['baseline_s'])}",
            )
        )
        rows.append((f"(s) {r['scale']} {r['workload']}: marts equal", *equality(r["equal_to_pipeline"])))
        if r["generate"].get("reused"):
            continue
        rows.append(
            (
                f"(s) {r['scale']} {r['workload']}: generate",
                f"{r['generate']['wall_s']:.1f} s",
                f"cpu {r['generate']['user_s'] + r['generate']['sys_s']:.0f} s; load {r['generate']['load_avg']}",
            )
        )
    return rows


def equality(comparison: dict[str, dict]) -> tuple[str, str]:
    """'yes'/'NO' over all marts, and per mart its verdict, row count and (when unequal) its first differences."""
    notes = []
    for mart, c in comparison.items():
        if c["equal"]:
            notes.append(f"{mart} yes ({c['rows']:,} rows)")
            continue
        first = [
            f"{key} {column}: baseline {ours}, pipeline {theirs}" for key, column, ours, theirs in c["differing"][:3]
        ]
        first += [f"only in the baseline: {key}" for key in c["only_baseline"][:2]]
        first += [f"only in the pipeline: {key}" for key in c["only_pipeline"][:2]]
        notes.append(
            f"{mart} NO ({c['rows']:,} rows, pipeline {c['pipeline_rows']:,}; "
            f"{c['differing_count']:,} differing values; first: {'; '.join(first)})"
        )
    return ("yes" if all(c["equal"] for c in comparison.values()) else "NO"), "; ".join(notes)


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
        subprocess.run(
            digilead(
                "generate",
                "--employees",
                str(EMPLOYEES),
                "--waves",
                "1",
                "--first-wave",
                first_wave,
                "--out",
                str(out),
                "--no-training",
                "--no-benefits",
            ),
            cwd=REPO_ROOT,
            env=_env(home),
            check=True,
            capture_output=True,
        )
    new_files = sorted(p for p in later.iterdir() if p.name.startswith("hr_employees_"))[:samples]
    # one process creates the instance before dagster dev's services start together (Dagster's alembic-head race)
    subprocess.run(
        [str(DAGSTER), "instance", "migrate"],
        cwd=REPO_ROOT,
        env=_env(home, DAGSTER_HOME=str(dagster_home)),
        check=True,
        capture_output=True,
    )
    log = (root / "dagster_dev.log").open("w")
    process = subprocess.Popen(
        [str(DAGSTER), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(_free_port())],
        cwd=REPO_ROOT,
        env=_env(home, DAGSTER_HOME=str(dagster_home)),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    result: dict = {"employees": EMPLOYEES, "file": "hr_employees_<month>.csv (new month)", "samples_s": []}
    try:
        started = time.monotonic()
        for path in sorted(initial.iterdir()):
            shutil.copy(path, home / "landing" / path.name)
        _wait(
            "the initial municipality to be published",
            lambda: _published(home).exists() and _idle(home),
            LATENCY_TIMEOUT_S,
            process,
        )
        result["initial_load_s"] = round(time.monotonic() - started, 1)
        for path in new_files:
            time.sleep(15)  # let the sensor see an idle landing zone first
            before = _published(home).stat().st_mtime_ns
            tmp = home / "landing" / f".{path.name}.part"
            shutil.copy(path, tmp)
            dropped = time.monotonic()
            os.replace(tmp, home / "landing" / path.name)
            _wait(
                f"{path.name} to reach the published marts",
                lambda before=before: _published(home).stat().st_mtime_ns != before and _idle(home),
                LATENCY_TIMEOUT_S,
                process,
            )
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


# ----------------------------------------------------------------------------- (d)

HISTORY_FIRST_WAVE, HISTORY_WAVES = "2023H1", 6  # six half-years: three years of monthly files
DBT_COMMAND_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) [+-]\d{4} - dagster - .* - (Running|Finished) dbt command", re.M
)
DBT_NODES_LINE = re.compile(r"^Finished running .* \((\d+(?:\.\d+)?)s\)\.$", re.M)
ERROR_LINE = re.compile(r"\b(Error|ERROR|Failure|FAIL)\b")


def _training_month(path: Path) -> str:
    return path.stem.rsplit("_", 1)[1]  # training_<kommunekode>_<YYYY-MM>


def _newest_training_month(landing: Path) -> list[Path]:
    """The newest month's training file(s): the generator writes one a month, LMS .csv and xAPI .jsonl in turn."""
    training = list(landing.glob("training_*"))
    newest = max(_training_month(p) for p in training)
    return sorted(p for p in training if _training_month(p) == newest)


def _warehouse(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)


def _raw_rows(home: Path) -> dict[str, int]:
    with _warehouse(home) as con:
        return {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in ("training_records", "hr_employees")
        }


def _dbt_timings(log: str) -> dict:
    """dbt's share of a run, from its log: the dbt command as Dagster logged it (whole seconds; dbt's
    start-up and parsing included) and dbt's own 'Finished running ... (N s)' (executing the nodes)."""
    timings = {}
    stamps = {kind: datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S") for stamp, kind in DBT_COMMAND_LINE.findall(log)}
    if stamps.keys() == {"Running", "Finished"}:
        timings["dbt_command_s"] = (stamps["Finished"] - stamps["Running"]).total_seconds()
    if nodes := DBT_NODES_LINE.findall(log):
        timings["dbt_nodes_s"] = float(nodes[-1])
    return timings


def _timed_run(home: Path, month: list[Path]) -> dict:
    """Copy `month` into home's landing zone and time `digilead run`; stop if the run failed or did not
    load the month, since its time would mean nothing."""
    (home / "landing").mkdir(parents=True, exist_ok=True)
    for path in month:
        shutil.copy(path, home / "landing" / path.name)
    log = home.with_name(f"{home.name}.log")
    result = measured(digilead("run", "--verbose"), _env(home), log)
    output = log.read_text()
    with _warehouse(home) as con:
        accepted = {
            name for (name,) in con.execute("select file_name from meta.files where status = 'accepted'").fetchall()
        }
    missing = sorted({p.name for p in month} - accepted)
    if result["exit_code"] != 0 or missing:
        errors = [line for line in output.splitlines() if ERROR_LINE.search(line)][
            :10
        ]  # the log goes with the temp dir
        raise RuntimeError(
            "\n".join(
                [
                    f"digilead run in {home} failed (exit {result['exit_code']}, not loaded: {missing}):",
                    *errors,
                    *result["stderr_tail"],
                ]
            )
        )
    return result | _dbt_timings(output)


def _medians(runs: list[dict]) -> dict:
    summary: dict = {"samples_s": [r["wall_s"] for r in runs]}
    for key in ("wall_s", "dbt_command_s", "dbt_nodes_s"):
        if values := [r[key] for r in runs if key in r]:
            summary[f"median_{key}"] = statistics.median(values)
    return summary | {"runs": runs}


def bench_incremental(root: Path, employees: int, samples: int) -> dict:
    """Three years loaded less the newest training month; then that month added, against it alone."""
    root = root / "incremental"
    history, held_back = root / "history", root / "held_back"
    subprocess.run(
        digilead(
            "generate",
            "--employees",
            str(employees),
            "--waves",
            str(HISTORY_WAVES),
            "--first-wave",
            HISTORY_FIRST_WAVE,
            "--out",
            str(history / "landing"),
        ),
        cwd=REPO_ROOT,
        env=_env(history),
        check=True,
        capture_output=True,
    )
    held_back.mkdir()
    month = [Path(shutil.move(p, held_back / p.name)) for p in _newest_training_month(history / "landing")]
    initial = _timed_run(history, [])
    added, alone = [], []
    for sample in range(samples):  # interleaved, so a slow spell of the machine hits both alike
        copy = shutil.copytree(history, root / f"added_{sample}")  # the 3-year warehouse as it was before the month
        added.append(_timed_run(copy, month))
        shutil.rmtree(copy)
        alone.append(_timed_run(root / f"alone_{sample}", month))
    result = {
        "employees": employees,
        "history": f"{HISTORY_WAVES} half-years from {HISTORY_FIRST_WAVE}, every source",
        "month_files": [p.name for p in month],
        "history_raw_rows": _raw_rows(history),
        "initial_load": initial,
        "added_to_history": _medians(added),
        "into_empty": _medians(alone),
    }
    if samples:
        result["ratio"] = round(result["added_to_history"]["median_wall_s"] / result["into_empty"]["median_wall_s"], 2)
    return result


# ----------------------------------------------------------------------------- report


def table(results: dict) -> str:
    rows = scale_rows(results.get("scale", []))
    demo = results.get("demo")
    if demo:
        rows += [
            ("(a) generate, 3,000 employees, 2 waves", f"{demo['generate']['wall_s']:.1f} s", f"{demo['files']} files"),
            (
                "(a) digilead run on it (demo-sized)",
                f"{demo['run']['wall_s']:.1f} s",
                f"cpu {demo['run']['user_s'] + demo['run']['sys_s']:.0f} s, exit {demo['run']['exit_code']}",
            ),
        ]
    latency = results.get("latency")
    if latency and latency.get("samples_s"):
        rows.append(
            (
                "(b) file landed -> marts published (median)",
                f"{latency['median_s']:.1f} s",
                f"samples {latency['samples_s']} s; initial load {latency['initial_load_s']} s",
            )
        )
    if demo:
        rows.append(
            (
                "(c) memory peak of the run (largest process)",
                f"{demo['run']['max_rss_mb']:.0f} MB",
                "ru_maxrss, RUSAGE_CHILDREN",
            )
        )
    rows += incremental_rows(results.get("incremental"))
    width = max(len(r[0]) for r in rows)
    lines = [f"{'benchmark':<{width}}  {'result':>9}  notes", "-" * (width + 40)]
    lines += [f"{name:<{width}}  {value:>9}  {note}" for name, value, note in rows]
    return "\n".join(lines)


def incremental_rows(incremental: dict | None) -> list[tuple[str, str, str]]:
    if not incremental or "ratio" not in incremental:
        return []

    def dbt(runs: dict) -> str:
        command = f"; dbt command {runs['median_dbt_command_s']:.0f} s" if "median_dbt_command_s" in runs else ""
        nodes = f", dbt's nodes {runs['median_dbt_nodes_s']:.1f} s" if "median_dbt_nodes_s" in runs else ""
        return command + nodes

    added, empty, rows = incremental["added_to_history"], incremental["into_empty"], incremental["history_raw_rows"]
    scale = f"{incremental['employees']:,} employees"
    return [
        (
            f"(d) +1 training month, 3-year warehouse ({scale})",
            f"{added['median_wall_s']:.1f} s",
            f"samples {added['samples_s']} s{dbt(added)}; {rows['training_records']:,} training, {rows['hr_employees']:,} HR rows",
        ),
        (
            "(d) the same month into an empty warehouse",
            f"{empty['median_wall_s']:.1f} s",
            f"samples {empty['samples_s']} s{dbt(empty)}",
        ),
        (
            "(d) ratio (target < 2x)",
            f"{incremental['ratio']:.2f}x",
            f"{', '.join(incremental['month_files'])}; initial 3-year load {incremental['initial_load']['wall_s']:.0f} s",
        ),
    ]


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "platform": platform.platform(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-incremental", action="store_true")
    parser.add_argument("--incremental-employees", type=int, default=EMPLOYEES)
    parser.add_argument("--scales", default="S,M", help="comma-separated: S, M, L")
    parser.add_argument("--workloads", default="maturity,full", help="comma-separated: maturity, full")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--sources", type=Path, help="keep generated scale files here and reuse them")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--only", choices=PARTS, help="run one part: demo is (a) and (c)")
    args = parser.parse_args(argv)
    wanted = [args.only] if args.only else [part for part in PARTS if not getattr(args, f"skip_{part}", False)]
    root = Path(tempfile.mkdtemp(prefix="digilead-bench-"))
    try:
        results: dict = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
        }
        if "demo" in wanted:
            results["demo"] = bench_demo_run(root)
        if "scale" in wanted:
            results["scale"] = [
                bench_scale(root, scale, workload, args.samples, args.sources)
                for scale in args.scales.split(",")
                for workload in args.workloads.split(",")
            ]
        if "latency" in wanted:
            results["latency"] = bench_latency(root, args.samples)
        if "incremental" in wanted:
            results["incremental"] = bench_incremental(root, args.incremental_employees, args.samples)
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
