"""Publishing: the serving copy that BI tools and analysts read.

DuckDB allows one writer or many readers, never both, so dashboards must not open the warehouse
the pipeline writes. After each build the `marts` schema is copied to
`published/digilead.duckdb` (in DuckDB's v1.0 storage format, which DuckDB 1.x readers and BI
drivers can open) and to `published/parquet/<mart>.parquet`, each written beside the old one and
renamed over it: a reader sees the old copy or the new one, never half of either.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from pipelines.settings import Settings
from pipelines.warehouse import state
from pipelines.warehouse.duck import Warehouse
from pipelines.warehouse.lock import writer_lock
from pipelines.warehouse.postgres import publish_postgres

SERVING_STORAGE_VERSION = "v1.0.0"


def publish(warehouse: Warehouse, folder: Path) -> dict[str, int]:
    parquet_folder = folder / "parquet"
    parquet_folder.mkdir(parents=True, exist_ok=True)
    database = folder / "digilead.duckdb"
    tmp_database = folder / "digilead.duckdb.tmp"
    tmp_database.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with warehouse.connect() as con:
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
            ).fetchall()
        ]
        con.execute(f"attach '{tmp_database}' as serving (storage_version '{SERVING_STORAGE_VERSION}')")
        try:
            con.execute("create schema serving.marts")
            for mart in marts:
                con.execute(f"create table serving.marts.{mart} as select * from marts.{mart}")
                counts[mart] = con.execute(f"select count(*) from serving.marts.{mart}").fetchone()[0]
                tmp_parquet = parquet_folder / f"{mart}.parquet.tmp"
                con.execute(f"copy (select * from marts.{mart}) to '{tmp_parquet}' (format parquet)")
                os.replace(tmp_parquet, parquet_folder / f"{mart}.parquet")
        finally:
            con.execute("detach serving")
    os.replace(tmp_database, database)
    return counts


def marts_stale(settings: Settings) -> bool:
    """Must the marts be built and published (see state.marts_stale)?"""
    warehouse = Warehouse(settings.warehouse)
    warehouse.ensure_schema()
    with warehouse.connect() as con:
        return state.marts_stale(con, (settings.published / "digilead.duckdb").exists())


def publish_build(settings: Settings, say: Callable[[str], None]) -> tuple[dict[str, int], dict[str, int]]:
    """After a build: the serving copies (and PostgreSQL, if set), then the build's record, under the
    writer lock together (so no load slips in between). Returns rows and suppressed rows per mart."""
    warehouse = Warehouse(settings.warehouse)
    with writer_lock(settings.warehouse, waiting=say):
        counts = publish(warehouse, settings.published)
        suppressed = suppressed_rows(settings.published / "digilead.duckdb")
        if settings.postgres_url:
            publish_postgres(warehouse, settings.postgres_url)
            say("published the marts to PostgreSQL (schema marts)")
        with warehouse.connect() as con:
            state.finish_build(con)
    say(f"published {len(counts)} marts to {settings.published}")
    return counts, suppressed


def suppressed_rows(published_database: Path) -> dict[str, int]:
    """Per published mart with a `suppressed` column: how many rows are suppressed (small cells)."""
    con = duckdb.connect(str(published_database), read_only=True)
    try:
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_columns() where schema_name = 'marts' and column_name = 'suppressed' order by 1"
            ).fetchall()
        ]
        return {
            mart: con.execute(f"select count(*) from marts.{mart} where suppressed").fetchone()[0] for mart in marts
        }
    finally:
        con.close()
