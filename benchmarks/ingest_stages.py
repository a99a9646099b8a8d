"""Ingestion stages alone, without Dagster or dbt: triage, then parse, validate and load of every source, timed
(wall and CPU seconds of this process, its threads and its parse workers included) in one process on a fresh DIGILEAD_HOME.

    python -m benchmarks.ingest_stages SOURCES_DIR [--municipalities N] [--home DIR] [--profile STAGE:SOURCE ...]

SOURCES_DIR holds generated files (e.g. `/tmp/x/L_maturity_source` from `benchmarks.run --sources /tmp/x`);
the first N municipalities' files (all by default) are copied into landing/. `--profile parse:survey_responses`
prints a cProfile of that step. Comparing two commits: run it from each checkout, back to back, and compare the
CPU seconds (the wall times follow the machine's load).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sources", type=Path)
    parser.add_argument("--municipalities", type=int, default=None)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--profile", nargs="*", default=[])
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="digilead-ingest-"))
    shutil.rmtree(home, ignore_errors=True)
    (home / "landing").mkdir(parents=True)
    codes = sorted({path.name.split("_")[-2] for path in args.sources.iterdir()})[: args.municipalities]
    for path in args.sources.iterdir():
        if path.name.split("_")[-2] in codes:
            shutil.copy(path, home / "landing" / path.name)
    os.environ.update(
        DIGILEAD_HOME=str(home),
        DIGILEAD_PSEUDONYM_KEY="benchmark-key-not-secret",
        DIGILEAD_SETTLE_SECONDS="0",
        GX_ANALYTICS_ENABLED="false",
    )
    from pipelines.ingest import Pipeline, loaded_sources
    from pipelines.settings import Settings

    pipeline = Pipeline(Settings.from_env(), progress=lambda message: None)
    started = time.perf_counter()
    _, pending = pipeline.triage()
    print(f"triage: {time.perf_counter() - started:.2f} s wall; {len(codes)} municipalities, home {home}")
    totals: dict[str, list[float]] = {}
    for spec in loaded_sources():
        if spec.name not in pending:
            continue
        steps = {
            "parse": lambda spec=spec: pipeline.stage(spec, pending[spec.name]),
            "validate": lambda spec=spec: pipeline.validate(spec)[0],
            "load": lambda spec=spec: pipeline.load(spec),
        }
        for stage, step in steps.items():
            profile = cProfile.Profile() if f"{stage}:{spec.name}" in args.profile else None
            wall, cpu = time.perf_counter(), _cpu_seconds()
            if profile:
                profile.enable()
            result = step()
            if profile:
                profile.disable()
            wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
            total = totals.setdefault(stage, [0.0, 0.0])
            total[0] += wall
            total[1] += cpu
            print(
                f"{stage} {spec.name}: {wall:.2f} s wall, {cpu:.2f} s CPU "
                f"({len(result.accepted) or len(result.staged)} files, {len(result.quarantined)} quarantined)"
            )
            if profile:
                pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    for stage, (wall, cpu) in totals.items():
        print(f"total {stage}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"peak memory (this process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    print(f"peak memory (a parse worker): {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024} MB")


def _cpu_seconds() -> float:
    """This process's CPU seconds and those of its finished children (the parse workers of a large delivery)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
