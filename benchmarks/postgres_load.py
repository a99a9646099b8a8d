"""How fast the marts reach PostgreSQL, and with how much memory: the former row loop against today's publish.

    .venv/bin/python -m benchmarks.postgres_load [--rows 1000000] [--samples 2] [--url postgresql://...]

A warehouse with one mart of `--rows` rows × 12 columns (text, integers, doubles, a date, a boolean, nulls) is
published to a fresh schema by
    row_loop  the former way (until this change): rows fetched from DuckDB in batches and handed to psycopg's
              COPY one by one (`copy.write_row`), into a new schema swapped in by rename
    publish   pipelines.serving.postgres.publish_postgres: DuckDB streams Arrow batches, ADBC loads them (binary COPY)
each in a process of its own (best of --samples), which reports its wall time, its CPU time plus that of the
PostgreSQL backend serving it (/proc, when the server runs on this machine: a measure that does not depend
on how busy the machine is) and its peak resident memory (ru_maxrss). Prints a table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
METHODS = ("row_loop", "publish")


def make_warehouse(path: Path, rows: int) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        """create table marts.wide as
           select '0751' as kommunekode, 'U' || (i % 5000) as los_id, 'Enhed nummer ' || (i % 997) as enhedsnavn,
                  case when i % 7 = 0 then null else 'Ældre' end as sektor,
                  i::bigint as row_id, (i % 300)::bigint as respondents, (i % 1000)::bigint as headcount,
                  (i % 97) / 97.0 as response_rate, case when i % 5 = 0 then null else 1 + (i % 400) / 100.0 end::double as mean_score,
                  (i % 13) / 13.0 as share_basic, date '2025-06-30' - (i % 365)::integer as wave_end_date, i % 5 = 0 as suppressed
           from range(?) t(i)""",
        [rows],
    )
    con.close()


def row_loop(warehouse: Path, url: str, schema: str) -> int:
    """The publish_postgres this change replaced (pipelines/warehouse/postgres.py before), unchanged in substance."""
    import duckdb
    import psycopg

    from pipelines.serving.postgres import postgres_type

    incoming, count = f"{schema}_incoming", 0
    con = duckdb.connect(str(warehouse), read_only=True)
    with psycopg.connect(url) as pg, pg.transaction():
        pg.execute(f'drop schema if exists "{incoming}" cascade')
        pg.execute(f'create schema "{incoming}"')
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'wide' order by ordinal_position"
        ).fetchall()
        pg.execute(f'create table "{incoming}".wide ({", ".join(f"{n} {postgres_type(k)}" for n, k in columns)})')
        result = con.execute("select * from marts.wide")
        with pg.cursor().copy(f'copy "{incoming}".wide from stdin') as copy:
            while rows := result.fetchmany(50_000):
                for row in rows:
                    copy.write_row(row)
                count += len(rows)
        pg.execute(f'drop schema if exists "{schema}" cascade')
        pg.execute(f'alter schema "{incoming}" rename to "{schema}"')
    con.close()
    return count


def _backend_cpu_s() -> float:
    """CPU seconds of PostgreSQL on this machine: its live processes and the backends that ended (the postmaster's
    reaped children), so a backend that closed with its connection still counts. 0 where /proc shows none."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "comm").read_text().strip() in ("postgres", "postmaster"):
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                total += sum(int(value) for value in fields[11:15]) / tick  # utime, stime, cutime, cstime
        except OSError:
            continue
    return total


def child(method: str, warehouse: Path, url: str) -> None:
    import psycopg

    from pipelines.serving.postgres import publish_postgres
    from pipelines.warehouse import Warehouse

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    before = resource.getrusage(resource.RUSAGE_SELF)
    server_before, started = _backend_cpu_s(), time.perf_counter()
    try:
        if method == "row_loop":
            rows = row_loop(warehouse, url, schema)
        else:
            rows = publish_postgres(Warehouse(warehouse), url, schema=schema)["wide"]
        seconds = time.perf_counter() - started
        server_cpu = _backend_cpu_s() - server_before
    finally:
        with psycopg.connect(url, autocommit=True) as pg:
            for name in (schema, f"{schema}_incoming", f"{schema}_doc"):
                pg.execute(f'drop schema if exists "{name}" cascade')
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "method": method,
        "rows": rows,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
    }
    client_cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    result["cpu_s"] = round(client_cpu + server_cpu, 2)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.warehouse, args.url)
        return
    with tempfile.TemporaryDirectory(prefix="digilead-pgbench-") as scratch:
        warehouse = Path(scratch) / "warehouse.duckdb"
        make_warehouse(warehouse, args.rows)
        best = {}
        for _ in range(args.samples):
            for method in METHODS:
                out = subprocess.run(
                    [sys.executable, "-m", "benchmarks.postgres_load", "--child", method, "--warehouse", str(warehouse)]
                    + ["--url", args.url],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(out.stdout.strip().splitlines()[-1])
                if method not in best or result["seconds"] < best[method]["seconds"]:
                    best[method] = result
    print(f"{args.rows:,} rows x 12 columns to PostgreSQL, best of {args.samples}:")
    for result in best.values():
        print(
            f"  {result['method']:<9} {result['seconds']:>6.2f} s wall  {result['cpu_s']:>6.2f} s CPU (client + server)"
            f"  peak RSS {result['peak_rss_mb']:>5} MB"
        )
    print(
        f"  speed-up {best['row_loop']['seconds'] / best['publish']['seconds']:.1f}x wall, "
        f"{best['row_loop']['cpu_s'] / best['publish']['cpu_s']:.1f}x CPU; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
