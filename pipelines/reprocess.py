"""Re-processing: send a municipality's processed files back to the landing zone (no Dagster here).

`withdraw` takes the files of one municipality (optionally only some sources and periods) out of
the warehouse and puts them back in `landing/`, where the normal lifecycle loads them again:

    1. one transaction: their rows leave every raw table and meta.rejected_rows, each file gets a
       'withdrawn' record in meta.files (moved_to = its place in landing/), the marts are marked stale;
    2. then each file moves from archive/ (or quarantine/) back to landing/, with a fresh mtime, so
       the landing sensor sees a new delivery (its run key differs from the original delivery's).

A fingerprint whose newest record is 'withdrawn' is unknown to the registry, so triage loads it
again instead of archiving it as a duplicate. A crash between 1 and 2 is finished by the next
`withdraw` or triage (`finish_withdrawals`), like the lifecycle's other interrupted moves. The
re-loaded rows keep their original place in the load order (see `Warehouse.load_tables`).

Two selected files with the same name (a corrected file delivered again under its name) cannot both
be in landing/ at once: one per name goes back in a call, the rest in the next call (`digilead
reprocess` repeats until all are done; a Dagster re-launch takes the least recently re-processed).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterable

import duckdb

from pipelines.landing import delivery_fingerprint
from pipelines.settings import Settings
from pipelines.sources.registry import SOURCES_BY_NAME
from pipelines.warehouse import FileRecord, FileState, Warehouse, current_files, transaction
from pipelines.warehouse.schema import RAW_TABLES
from pipelines.warehouse.state import mark_marts_stale

log = logging.getLogger("digilead")

KOMMUNEKODE = re.compile(r"[0-9]{4}")


class ReprocessError(Exception):
    """Re-processing cannot go ahead as asked; the message says why and what to do."""


def withdraw(
    settings: Settings,
    kommunekode: str | None,
    sources: Iterable[str] | None = None,
    periods: Iterable[str] | None = None,
    include_quarantined: bool = False,
    run_id: str | None = None,
    progress: Callable[[str], None] = log.info,
    requested_by: str = "digilead reprocess",
) -> list[str]:
    """Send the municipality's accepted (and, if asked, quarantined) files back to landing/; every
    municipality's where `kommunekode` is None (changing the pseudonym key needs all of them).

    Returns the names of the files now back in landing/ for this municipality: those withdrawn now,
    and those of an earlier, interrupted withdrawal this call finished. Files already withdrawn under
    the same `run_id` are not withdrawn again (so a caller can repeat until nothing is left).
    """
    if kommunekode is not None and not KOMMUNEKODE.fullmatch(kommunekode):
        raise ReprocessError(f"{kommunekode!r} is not a kommunekode: four digits with the leading zero, e.g. 0751")
    sources = sorted(set(sources or ()))
    unknown = [source for source in sources if source not in SOURCES_BY_NAME]
    if unknown:
        raise ReprocessError(
            f"unknown source(s) {', '.join(unknown)}; the sources are {', '.join(sorted(SOURCES_BY_NAME))}"
        )
    periods = sorted({period.strip().upper() for period in periods or ()})
    statuses = ("accepted", "quarantined") if include_quarantined else ("accepted",)
    run_id = run_id or f"reprocess-{uuid.uuid4().hex[:12]}"

    settings.make_dirs()
    warehouse = Warehouse(settings.warehouse)
    warehouse.ensure_schema()
    with warehouse.connect() as con:
        back = [
            record.file_name
            for record in finish_withdrawals(settings, con, progress)
            if kommunekode is None or record.kommunekode == kommunekode
        ]
        chosen, held_back = _choose(
            [
                newest
                for newest in _newest(con, run_id)
                if (kommunekode is None or newest.record.kommunekode == kommunekode)
                and newest.record.status in statuses
                and (not sources or newest.record.source in sources)
                and (not periods or (newest.record.period or "").upper() in periods)
            ]
        )
        occupied = [n.record.file_name for n in chosen if (settings.landing / n.record.file_name).exists()]
        if occupied:
            raise ReprocessError(
                f"landing/ already holds a file named {', '.join(occupied)}; a file is never overwritten. "
                "Process or remove it first (`digilead run`), then re-process again. Nothing was withdrawn."
            )
        # Re-keying (every municipality) must leave no row keyed with the old key: the later deliveries
        # of a name are withdrawn now too and wait in archive/ until landing/ is clear (finish_withdrawals).
        withdrawn_now = chosen + held_back if kommunekode is None else chosen
        missing = [
            n.record.moved_to
            for n in withdrawn_now
            if not n.record.moved_to or not (settings.home / n.record.moved_to).exists()
        ]
        if missing:  # its rows would go and nothing could load them again
            raise ReprocessError(
                f"{', '.join(map(str, missing))} not found under {settings.home}, so it cannot be "
                "processed again. Nothing was withdrawn."
            )
        if withdrawn_now:
            whose = kommunekode or "all municipalities"
            _record_withdrawals(
                settings, con, withdrawn_now, f"withdrawn for re-processing ({requested_by} {whose})", run_id
            )
    errors = []
    for newest in chosen:
        try:
            _move_back(settings, newest.record.file_name, newest.record.fingerprint, newest.record.moved_to, progress)
            back.append(newest.record.file_name)
        except ReprocessError as error:  # the other files still go back; this one is finished later
            errors.append(str(error))
    for waiting in held_back:
        progress(
            f"{waiting.record.file_name}: another delivery under the same name goes back first; this one follows in "
            "the next re-processing pass"
        )
    if errors:
        raise ReprocessError("; ".join(errors))
    return back


def finish_withdrawals(
    settings: Settings, con: duckdb.DuckDBPyConnection, progress: Callable[[str], None] = log.info
) -> list[FileRecord]:
    """Finish the moves back to landing/ that a crash interrupted (newest record 'withdrawn', file
    still in archive/ or quarantine/). Safe to call at any time; returns the records it finished."""
    finished = []
    for newest in _newest(con, None):
        record = newest.record
        if record.status != "withdrawn" or not newest.moved_from:
            continue
        source, target = settings.home / newest.moved_from, settings.landing / record.file_name
        if not source.exists():
            continue  # moved already (it is in landing/ now)
        if target.exists() and delivery_fingerprint(target) != record.fingerprint:
            progress(
                f"{record.file_name}: cannot go back to landing/ yet, another file of that name is there; "
                f"it stays in {newest.moved_from} until landing/ is clear"
            )
            continue
        _move_back(settings, record.file_name, record.fingerprint, newest.moved_from, progress)
        finished.append(record)
    return finished


# ------------------------------------------------------------------------------------------------
def _newest(con: duckdb.DuckDBPyConnection, run_id: str | None) -> list[FileState]:
    """The state of every processed file, except those withdrawn by `run_id` already."""
    return [state for state in current_files(con) if run_id is None or run_id not in state.withdrawn_by_runs]


def _choose(candidates: list[FileState]) -> tuple[list[FileState], list[FileState]]:
    """One file per name (landing/ holds one); of several, the least recently re-processed, oldest first."""
    by_name: dict[str, list[FileState]] = {}
    for candidate in candidates:
        by_name.setdefault(candidate.record.file_name, []).append(candidate)
    chosen, held_back = [], []
    for _name, group in sorted(by_name.items()):
        group.sort(key=lambda n: (n.last_withdrawn is not None, n.last_withdrawn or 0))
        chosen.append(group[0])
        held_back += group[1:]
    return chosen, held_back


def _record_withdrawals(
    settings: Settings, con: duckdb.DuckDBPyConnection, chosen: list[FileState], reason: str, run_id: str
) -> None:
    """Rows out, 'withdrawn' records in, marts stale: all or nothing."""
    fingerprints = [newest.record.fingerprint for newest in chosen]
    with transaction(con):
        for table in RAW_TABLES:
            con.execute(
                f"delete from raw.{table} where _file_fingerprint in (select unnest(?::varchar[]))", [fingerprints]
            )
        con.execute("delete from meta.rejected_rows where fingerprint in (select unnest(?::varchar[]))", [fingerprints])
        for newest in chosen:
            old = newest.record
            Warehouse.record(
                con,
                FileRecord(
                    fingerprint=old.fingerprint,
                    file_name=old.file_name,
                    source=old.source,
                    kommunekode=old.kommunekode,
                    period=old.period,
                    status="withdrawn",
                    rows_read=0,
                    rows_loaded=0,
                    rows_rejected=0,
                    reason=f"{reason}; was {old.status} in {old.moved_to}",
                    moved_to=str((settings.landing / old.file_name).relative_to(settings.home)),
                    run_id=run_id,
                ),
            )
        mark_marts_stale(con)


def _move_back(
    settings: Settings, name: str, fingerprint: str, moved_from: str, progress: Callable[[str], None]
) -> None:
    """archive/ or quarantine/ -> landing/, never overwriting, with a new mtime.

    The landing sensor keys a delivery by (name, size, mtime, inode, fingerprint); a rename keeps
    mtime and inode, so without a fresh mtime the file would get its original delivery's run key
    and Dagster would skip the run. The mtime changes before the move, so a crash cannot skip it.
    """
    source, target = settings.home / moved_from, settings.landing / name
    if not source.exists():
        return  # moved before a crash
    now = time.time()
    os.utime(source, (now, now))
    taken = ReprocessError(
        f"landing/{name} appeared meanwhile (another file): {name} stays in {moved_from} and goes back "
        "by the next `digilead reprocess` or run once landing/ is clear"
    )
    try:
        os.link(source, target)  # fails if the name is taken: never overwrites
    except FileExistsError:
        if delivery_fingerprint(target) != fingerprint:
            raise taken from None
    except OSError:  # another file system, or no hard links there: copy beside it (hidden), then rename
        hidden = target.with_name(f".{name}.reprocessing")
        shutil.copy2(source, hidden)
        if target.exists():
            hidden.unlink()
            raise taken from None
        os.replace(hidden, target)
    source.unlink()
    reason_file = source.with_name(source.name + ".reason.json")  # a quarantined file's reason; meta.files keeps it
    if reason_file.exists():
        reason_file.unlink()
    progress(f"{name}: back in landing/ from {moved_from}, to be processed again")
