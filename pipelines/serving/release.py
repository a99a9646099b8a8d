"""After a build: every serving copy, then the build's record, under the writer lock together.

`marts_stale` tells whether a build is due at all (raw data changed since the last published build, or
nothing published yet); `publish_build` writes the DuckDB and Parquet copies (and PostgreSQL, if set)
and then records the build as published (`warehouse/state.py`), so no load slips in between.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from pipelines.serving.docs import project_mart_docs
from pipelines.serving.postgres import publish_postgres
from pipelines.serving.publish import publish
from pipelines.settings import Settings
from pipelines.warehouse import Warehouse, state
from pipelines.warehouse.lock import writer_lock


def marts_stale(settings: Settings) -> bool:
    """Must the marts be built and published (see state.marts_stale)?"""
    warehouse = Warehouse(settings.warehouse)
    warehouse.ensure_schema()
    with warehouse.connect() as con:
        return state.marts_stale(con, (settings.published / "digilead.duckdb").exists())


def publish_build(settings: Settings, say: Callable[[str], None]) -> tuple[dict[str, int], dict[str, int]]:
    """The copies, then the build's record; returns rows and suppressed rows per mart."""
    warehouse = Warehouse(settings.warehouse)
    with writer_lock(settings.warehouse, waiting=say):
        docs = project_mart_docs()  # descriptions and Danish labels from the dbt ymls, into every copy
        counts = publish(warehouse, settings.published, docs)
        suppressed = suppressed_rows(settings.published / "digilead.duckdb")
        if settings.postgres_url:
            publish_postgres(warehouse, settings.postgres_url, docs=docs)
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
