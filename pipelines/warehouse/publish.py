"""Publishing: the serving copy that BI tools and analysts read.

DuckDB allows one writer or many readers, never both, so dashboards must not open the warehouse
the pipeline writes. After each build the `marts` schema is copied to
`published/digilead.duckdb` (in DuckDB's v1.0 storage format, which DuckDB 1.x readers and BI
drivers can open) and to `published/parquet/<mart>.parquet`, each written beside the old one and
renamed over it: a reader sees the old copy or the new one, never half of either.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.warehouse.duck import Warehouse

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
