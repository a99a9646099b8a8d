"""DuckDB connection, schemas, atomic loads and the file registry (`meta.files`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.sources.base import Item
from pipelines.warehouse.lock import writer_lock
from pipelines.warehouse.schema import columns_of, ddl
from pipelines.warehouse.state import utc_now

log = logging.getLogger("digilead")

DUCKDB_LOCK_WAIT_SECONDS = 900  # at most as long as a dbt build of a large municipality


def _connect_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    """Connect, waiting while another process holds DuckDB's own lock on the file although the writer
    lock is ours: a process outside digilead's writer lock (a dbt left by a killed run of an older
    version, a developer's session). Gives up after DUCKDB_LOCK_WAIT_SECONDS with DuckDB's error."""
    deadline = time.monotonic() + DUCKDB_LOCK_WAIT_SECONDS
    said = False
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise
            if not said:
                log.warning("another process has %s open (%s): waiting until it closes it", path.name, error)
                said = True
            time.sleep(1)


@dataclass(frozen=True)
class FileRecord:
    fingerprint: str
    file_name: str
    source: str | None
    kommunekode: str | None
    period: str | None
    status: str  # accepted | quarantined | duplicate | withdrawn
    rows_read: int | None = None
    rows_loaded: int | None = None
    rows_rejected: int | None = None
    reason: str | None = None
    moved_to: str | None = None
    run_id: str | None = None


def sql_string(value: object) -> str:
    """A SQL string literal for the statements DuckDB cannot bind parameters into (ATTACH, COPY ... TO,
    COMMENT ON): the value quoted, every quote doubled, so a path like `/srv/Borgerservice' filer` stays a path."""
    return "'" + str(value).replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """A quoted SQL identifier (a schema, table or column name), every double quote doubled."""
    return '"' + name.replace('"', '""') + '"'


# Every record of meta.files but duplicates, each with what its fingerprint's history says: the one
# place that knows "the newest record of a file is its state" (a re-processed file is accepted ->
# withdrawn -> accepted; ties on processed_at go to the later insert).
FILE_HISTORY = """
    select fingerprint, file_name, source, kommunekode, period, status, rows_read, rows_loaded, rows_rejected,
           reason, moved_to, run_id, processed_at,
           row_number() over (partition by fingerprint order by processed_at desc, rowid desc) = 1 as is_newest,
           lag(moved_to) over (partition by fingerprint order by processed_at, rowid) as moved_from,
           count(*) filter (where status = 'withdrawn') over (partition by fingerprint) as times_withdrawn,
           max(processed_at) filter (where status = 'withdrawn') over (partition by fingerprint) as last_withdrawn,
           list(run_id) filter (where status = 'withdrawn') over (partition by fingerprint) as withdrawn_by_runs
    from meta.files where status <> 'duplicate'
"""


@dataclass(frozen=True)
class FileState:
    """A file's newest record (its state) and what its history adds."""

    record: FileRecord
    processed_at: datetime
    moved_from: str | None  # where the file was before its newest record (for a withdrawn file: its archive place)
    times_withdrawn: int
    last_withdrawn: datetime | None
    withdrawn_by_runs: tuple[str, ...]


def current_files(con: duckdb.DuckDBPyConnection, fingerprints: list[str] | None = None) -> list[FileState]:
    """The state of every processed file (or of these fingerprints), oldest first; duplicates are not files
    of their own (each is a record of a copy, in meta.files)."""
    where = "" if fingerprints is None else "and fingerprint in (select unnest(?::varchar[]))"
    rows = con.execute(
        f"select * from ({FILE_HISTORY}) where is_newest {where} order by processed_at, file_name",
        [] if fingerprints is None else [fingerprints],
    ).fetchall()
    return [
        FileState(
            FileRecord(*row[:12]),
            processed_at=row[12],
            moved_from=row[14],
            times_withdrawn=row[15],
            last_withdrawn=row[16],
            withdrawn_by_runs=tuple(run for run in row[17] or () if run),
        )
        for row in rows
    ]


def _first_processed(con: duckdb.DuckDBPyConnection, fingerprints: list[str]) -> dict[str, datetime]:
    """When each re-processed (withdrawn) file was first processed. Its rows keep that place in the load
    order, because "the newest delivery wins" rules (HR months, training files, survey re-deliveries)
    compare `_loaded_at`: re-processing an old delivery must not make it newer than its corrections."""
    return dict(
        con.execute(
            """select fingerprint, min(processed_at) from meta.files
               where fingerprint in (select unnest(?::varchar[])) and status in ('accepted', 'quarantined')
               group by fingerprint""",
            [fingerprints],
        ).fetchall()
    )


@dataclass(frozen=True)
class FileLoad:
    """One accepted file to load: its registry record, its staged Parquet per raw table it fills, and the
    Parquet of its rows not loaded (`_row_number`, `reason`)."""

    record: FileRecord
    tables: dict[str, Path]
    rejected_rows: Path


def _insert_staged(
    con: duckdb.DuckDBPyConnection, target: str, select: str, files: list[tuple[Path, str, datetime]]
) -> dict[str, int]:
    """Insert the rows of several staged Parquet files (path, fingerprint, loaded_at) into `target` with one
    statement, `select` naming the columns taken (the file's fingerprint is `plan.fingerprint`, its load time
    `plan.loaded_at`); the rows of each file, by fingerprint. Checks that every staged row arrived: a file
    the join missed would otherwise lose its rows without a word."""
    paths = [str(path) for path, _, _ in files]
    inserted = con.execute(
        f"""insert into {target} by name
            select {select}
            from read_parquet($paths, filename = true, union_by_name = true) as staged
            join (select unnest($paths) as filename, unnest($fingerprints) as fingerprint,
                         unnest($loaded_at::timestamp[]) as loaded_at) as plan using (filename)""",
        {
            "paths": paths,
            "fingerprints": [fingerprint for _, fingerprint, _ in files],
            "loaded_at": [loaded_at for _, _, loaded_at in files],
        },
    ).fetchone()[0]
    rows_of = dict(con.execute("select file_name, num_rows from parquet_file_metadata(?)", [paths]).fetchall())
    by_fingerprint = {fingerprint: rows_of.get(str(path), -1) for path, fingerprint, _ in files}
    if inserted != sum(by_fingerprint.values()) or -1 in by_fingerprint.values():
        raise RuntimeError(
            f"{target}: {inserted} rows inserted from {len(files)} staged files holding "
            f"{sum(rows_of.values())}: a file's rows were not matched to it (a path DuckDB reads as a pattern?)"
        )
    return by_fingerprint


class Warehouse:
    def __init__(self, path: Path):
        self.path = Path(path)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if read_only and not self.path.exists():
            raise FileNotFoundError(f"no warehouse at {self.path} yet: run `digilead run` first")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with nullcontext() if read_only else writer_lock(self.path, waiting=log.info):
            connection = (
                duckdb.connect(str(self.path), read_only=True) if read_only else _connect_for_writing(self.path)
            )
            try:
                yield connection
            finally:
                connection.close()

    def ensure_schema(self) -> None:
        with self.connect() as con:
            con.execute(ddl())

    # --- the file registry -------------------------------------------------------------
    def records_by_fingerprint(self, con: duckdb.DuckDBPyConnection) -> dict[str, FileRecord]:
        """The fingerprints already processed, each with its newest record. A fingerprint whose newest
        record is 'withdrawn' (sent back to landing for re-processing) is not known: it loads again."""
        return {
            state.record.fingerprint: state.record for state in current_files(con) if state.record.status != "withdrawn"
        }

    @staticmethod
    def record(con: duckdb.DuckDBPyConnection, record: FileRecord) -> None:
        Warehouse.record_files(con, [record])

    @staticmethod
    def record_files(con: duckdb.DuckDBPyConnection, records: list[FileRecord]) -> None:
        """Add records to meta.files, processed now: one statement for all of them."""
        if not records:
            return
        columns = list(asdict(records[0]))
        con.execute(
            f"""insert into meta.files by name
                select {", ".join(f"unnest(${column}) as {column}" for column in columns)}, $now::timestamp as processed_at""",
            {column: [getattr(record, column) for record in records] for column in columns} | {"now": utc_now()},
        )

    @staticmethod
    def record_rejected_rows(con: duckdb.DuckDBPyConnection, fingerprint: str, rejected: dict[int, str]) -> None:
        con.execute("delete from meta.rejected_rows where fingerprint = ?", [fingerprint])
        if rejected:
            con.executemany(
                "insert into meta.rejected_rows values (?, ?, ?)",
                [(fingerprint, row, why) for row, why in sorted(rejected.items())],
            )

    # --- loading ---------------------------------------------------------------------------
    @staticmethod
    def load_files(con: duckdb.DuckDBPyConnection, loads: list[FileLoad]) -> dict[str, dict[str, int]]:
        """Load accepted files (rows, rows not loaded, registry records) in the caller's transaction; the rows
        each file loaded, by fingerprint and table. One INSERT per raw table takes all the files: DuckDB reads
        them on every core, where an INSERT per file ran on one and paid its fixed cost per file.

        A file processed before (re-processed after a withdrawal, or after a crash) has its old rows deleted
        first, which makes a load idempotent, and keeps its first load time (see `_first_processed`).
        """
        fingerprints = [load.record.fingerprint for load in loads]
        # raw rows are only ever inserted here, in the transaction that records the file: a fingerprint
        # meta.files has never seen has no rows to delete (and a delete scans the whole, growing table)
        seen = [
            fingerprint
            for (fingerprint,) in con.execute(
                "select distinct fingerprint from meta.files where fingerprint in (select unnest(?::varchar[]))",
                [fingerprints],
            ).fetchall()
        ]
        first = _first_processed(con, seen) if seen else {}
        now = utc_now()
        loaded: dict[str, dict[str, int]] = {fingerprint: {} for fingerprint in fingerprints}
        tables = dict.fromkeys(table for load in loads for table in load.tables)
        for table in tables:
            if seen:
                con.execute(f"delete from raw.{table} where _file_fingerprint in (select unnest(?::varchar[]))", [seen])
            files = [
                (load.tables[table], load.record.fingerprint, first.get(load.record.fingerprint, now))
                for load in loads
                if table in load.tables
            ]
            columns = ", ".join(columns_of(table) + ["_row_number"])
            select = f"{columns}, plan.fingerprint as _file_fingerprint, plan.loaded_at as _loaded_at"
            for fingerprint, rows in _insert_staged(con, f"raw.{table}", select, files).items():
                loaded[fingerprint][table] = rows
        if seen:
            con.execute("delete from meta.rejected_rows where fingerprint in (select unnest(?::varchar[]))", [seen])
        _insert_staged(
            con,
            "meta.rejected_rows",
            "plan.fingerprint as fingerprint, _row_number, reason",
            [(load.rejected_rows, load.record.fingerprint, now) for load in loads],
        )
        Warehouse.record_files(con, [load.record for load in loads])
        return loaded

    # --- what parsers need from earlier files ------------------------------------------------
    @staticmethod
    def items_for(con: duckdb.DuckDBPyConnection, kommunekode: str, wave: str) -> dict[str, Item] | None:
        """The newest item catalogue loaded for a municipality and wave, or None if none has arrived.
        (A catalogue byte-identical to another municipality's or wave's is loaded for its own: a file
        means its name and its bytes, pipelines/landing/files.py.)"""
        rows = con.execute(
            """select item_id, question_text, competence_code, reverse_scored from raw.survey_items
               where kommunekode = $kommunekode and upper(wave) = upper($wave)
               qualify (_loaded_at, _file_fingerprint) = max((_loaded_at, _file_fingerprint)) over ()""",
            {"kommunekode": kommunekode, "wave": wave},
        ).fetchall()
        if not rows:
            return None
        return {
            row[0]: Item(item_id=row[0], question_text=row[1], competence_code=row[2], reverse_scored=bool(row[3]))
            for row in rows
        }

    @staticmethod
    def benefit_register_part(
        con: duckdb.DuckDBPyConnection, kommunekode: str, snapshot_date: str, part: str
    ) -> dict[str, Any] | None:
        """The loaded `part` of a municipality's register snapshot (the newest loaded file of it), or
        None if that part has not been loaded: initiativer as initiative_id -> start_dato, gevinster
        as benefit_id -> initiative_id."""
        newest = con.execute(
            """select _file_fingerprint from raw.benefit_register_parts
               where kommunekode = ? and snapshot_date = ?::date and part = ?
               order by _loaded_at desc, _file_fingerprint desc limit 1""",
            [kommunekode, snapshot_date, part],
        ).fetchone()
        if newest is None:
            return None
        table, key, value = {
            "initiativer": ("benefit_initiativer", "initiative_id", "start_dato"),
            "gevinster": ("benefit_gevinster", "benefit_id", "initiative_id"),
        }[part]
        rows = con.execute(
            f"select {key}, {value} from raw.{table} where _file_fingerprint = ? and snapshot_date = ?::date",
            [newest[0], snapshot_date],
        ).fetchall()
        return dict(rows)


# --- lookups: queries for what a source's parser needs from files loaded before (SourceSpec.needs) ----
LOOKUPS: dict[str, Callable[..., Any]] = {
    "survey_items": Warehouse.items_for,
    "benefit_register_part": Warehouse.benefit_register_part,
}


def lookup(con: duckdb.DuckDBPyConnection, name: str, **arguments: str) -> Any:
    """What the named lookup finds (None: not loaded yet)."""
    return LOOKUPS[name](con, **arguments)
