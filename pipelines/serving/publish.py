"""Publishing: the serving copies that BI tools and analysts read.

DuckDB allows one writer or many readers, never both, so dashboards must not open the warehouse
the pipeline writes. After each build the `marts` schema (and its documentation, `marts_doc`) is copied to
`published/digilead.duckdb`, in DuckDB's v1.0 storage format, which DuckDB 1.x readers and BI drivers
can open; it is written beside the old file and renamed over it, so a reader sees the old build or the
new one, never half of either.

The Parquet copies (`published/parquet/<mart>.parquet`) are written into a folder of their own per build,
`published/parquet-<build>/`; `published/parquet` is a symbolic link that is switched to the new folder
in one rename. A reader that resolves the link once sees one whole build across every mart; the
previous build's folder stays until the next publish, older ones for ten minutes, for readers still busy.

Every path and name goes into SQL as a quoted literal or identifier (`sql_string`, `sql_identifier`):
a DIGILEAD_HOME such as `/srv/Borgerservice' filer` is a path, never SQL.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.serving.docs import DOC_SCHEMA, MartDoc, doc_rows
from pipelines.warehouse.duck import Warehouse, sql_identifier, sql_string

SERVING_STORAGE_VERSION = "v1.0.0"
PARQUET_LINK = "parquet"
PARQUET_BUILD_PREFIX = "parquet-"
BATCH_ROWS = 100_000  # rows per Arrow batch written to Parquet: memory stays flat however big a mart is
SUPERSEDED_KEPT_S = 600  # an older build's Parquet folder stays this long for readers still busy with it

DOC_TABLES_DDL = {
    "tables": "mart varchar, label_da varchar, description varchar",
    "columns": "mart varchar, column_name varchar, position integer, label_da varchar, description varchar",
}


def mart_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every table of the warehouse's `marts` schema with its column names, in order."""
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts' "
        "order by table_name, ordinal_position"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    return columns


def publish(warehouse: Warehouse, folder: Path, docs: dict[str, MartDoc] | None = None) -> dict[str, int]:
    """Copy every mart to the serving DuckDB file and to Parquet, with their documentation; rows per mart."""
    docs = docs or {}
    build = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder.mkdir(parents=True, exist_ok=True)
    parquet_build = folder / f"{PARQUET_BUILD_PREFIX}{build}"
    parquet_build.mkdir()
    database = folder / "digilead.duckdb"
    tmp_database = folder / "digilead.duckdb.tmp"
    tmp_database.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with warehouse.connect() as con:
        columns = mart_columns(con)
        # the Parquet files are written beside the serving database, from a cursor of their own: DuckDB copying
        # the tables keeps about one core busy, and a national build's marts take seconds to copy
        with ThreadPoolExecutor(max_workers=1) as parquet_writer:
            parquet = parquet_writer.submit(_write_parquet_files, con.cursor(), columns, parquet_build, docs, build)
            con.execute(
                f"attach {sql_string(tmp_database)} as serving (storage_version {sql_string(SERVING_STORAGE_VERSION)})"
            )
            try:
                con.execute("create schema serving.marts")
                for mart in columns:
                    source, target = f"marts.{sql_identifier(mart)}", f"serving.marts.{sql_identifier(mart)}"
                    con.execute(f"create table {target} as select * from {source}")
                    counts[mart] = con.execute(f"select count(*) from {target}").fetchall()[0][0]
                    _comment(con, target, columns[mart], docs.get(mart, MartDoc()))
                _write_doc_tables(con, docs, columns)
            finally:
                con.execute("detach serving")
            parquet.result()  # a failed Parquet write fails the publish before anything is switched
    os.replace(tmp_database, database)
    _switch_parquet_link(folder, parquet_build)
    return counts


def _comment(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], doc: MartDoc) -> None:
    """COMMENT ON the table and each column: what DBeaver, DuckDB's own `describe` and SQL clients show."""
    if doc.description:
        con.execute(f"comment on table {table} is {sql_string(doc.description)}")
    for name in columns:
        if description := doc.column(name).description:
            con.execute(f"comment on column {table}.{sql_identifier(name)} is {sql_string(description)}")


def _write_doc_tables(con: duckdb.DuckDBPyConnection, docs: dict[str, MartDoc], columns: dict[str, list[str]]) -> None:
    tables, column_rows = doc_rows(docs, columns)
    con.execute(f"create schema serving.{DOC_SCHEMA}")
    for name, ddl in DOC_TABLES_DDL.items():
        con.execute(f"create table serving.{DOC_SCHEMA}.{name} ({ddl})")
    con.executemany(f"insert into serving.{DOC_SCHEMA}.tables values (?, ?, ?)", tables)
    if column_rows:
        con.executemany(f"insert into serving.{DOC_SCHEMA}.columns values (?, ?, ?, ?, ?)", column_rows)


def _documented_schema(schema: pa.Schema, doc: MartDoc, build: str) -> pa.Schema:
    """The Arrow schema with each field's description and Danish label as field metadata (pyarrow and pandas
    keep it; Parquet stores it in the file's Arrow schema), and the mart's own in the schema metadata."""
    fields = []
    for arrow_field in schema:
        column = doc.column(arrow_field.name)
        metadata = {"description": column.description, "label_da": column.label_da}
        fields.append(arrow_field.with_metadata({k: v for k, v in metadata.items() if v}))
    metadata = {"digilead.build": build, "description": doc.description, "label_da": doc.label_da}
    return pa.schema(fields, metadata={k: v for k, v in metadata.items() if v})


def _write_parquet_files(
    cursor: duckdb.DuckDBPyConnection, columns: dict[str, list[str]], folder: Path, docs: dict[str, MartDoc], build: str
) -> None:
    try:
        for mart in columns:
            source = f"marts.{sql_identifier(mart)}"
            _write_parquet(cursor, source, folder / f"{mart}.parquet", docs.get(mart, MartDoc()), build)
    finally:
        cursor.close()


def _write_parquet(con: duckdb.DuckDBPyConnection, source: str, path: Path, doc: MartDoc, build: str) -> None:
    relation = con.sql(f"select * from {source}")
    # a streaming reader: DuckDB 2 calls it to_arrow_reader, 1.x fetch_record_batch (pyproject allows both)
    batches = (getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch)(BATCH_ROWS)
    schema = _documented_schema(batches.schema, doc, build)
    with pq.ParquetWriter(path, schema) as writer:
        for batch in batches:
            writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, schema=schema))


def _switch_parquet_link(folder: Path, build_folder: Path) -> None:
    """Point published/parquet at the new build in one rename; keep the previous build, remove older ones."""
    link = folder / PARQUET_LINK
    if link.is_dir() and not link.is_symlink():  # a copy published before builds had folders of their own
        shutil.rmtree(link)
    tmp_link = folder / f"{PARQUET_LINK}.link.tmp"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(build_folder.name, target_is_directory=True)
    previous = link.resolve().name if link.is_symlink() else None
    os.replace(tmp_link, link)
    expired = time.time() - SUPERSEDED_KEPT_S
    for old in folder.glob(f"{PARQUET_BUILD_PREFIX}*"):
        if old.is_dir() and old.name not in (build_folder.name, previous) and old.stat().st_mtime < expired:
            shutil.rmtree(old, ignore_errors=True)
