"""The parse of the stage step (pipelines/ingest.py): one landing file read, parsed, pseudonymised and
written to staging/<fingerprint>/, in this process or, for a large delivery, in worker processes.

Parsing is the CPU-bound part of ingestion (CSV and date parsing, scoring, one HMAC per identifier) and
each file is parsed on its own, so a national delivery is parsed on every core: a pool of spawned
worker processes, each taking all the files of one municipality (its monthly extracts hold the same
people, whose keys a worker remembers). Everything that decides a file's fate (the registry, the
quarantine, progress) stays in the calling process: a worker only returns what happened
(`ParseOutcome`), and a worker's crash or a parser's bug never loses a file.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipelines.landing.files import delivery_identity, fingerprint_of_bytes
from pipelines.machine import usable_cores
from pipelines.privacy import Pseudonymiser
from pipelines.privacy.shown import described
from pipelines.sources.base import FileName, ParseContext, Unreadable, WaitingFor
from pipelines.sources.registry import SOURCES_BY_NAME
from pipelines.staging import Manifest, write_staged

KEYS_REMEMBERED = 250_000  # pseudonyms kept per parse (~40 MB): a large municipality's people, 3 keys each
# A pool's start-up (a Python process and its imports per core, about a second) pays off from this much data...
POOL_MIN_BYTES = 32_000_000
# ...or from this many files: a small file costs a fixed 20-130 ms whatever its size (opening a workbook, typing
# a small frame's columns), so a national delivery of small files (98 municipalities' org trees for a year, their
# benefit registers) is minutes of work in one process although it is only a few megabytes
POOL_MIN_FILES = 200


@dataclass(frozen=True)
class ParseJob:
    """One landing file to parse: what the calling process knows of it."""

    source: str
    path: Path
    name: str  # the name in landing/
    fingerprint: str
    file_name: FileName
    needed: object  # what the source's lookup found (ParseContext.needed)
    staging: Path
    size: int


@dataclass(frozen=True)
class ParseOutcome:
    """What became of a job: 'staged' (rows_read), 'gone' (taken by another run), 'arriving' (written to
    since it was fingerprinted), 'unreadable_io' (detail: why the bytes could not be read), 'waiting'
    (detail: what for), 'unreadable' (detail, row: the parser's plain-words reason) or 'bug' (detail:
    the error described without personal data, error_type: its class)."""

    kind: str
    rows_read: int = 0
    detail: str = ""
    row: int | None = None
    error_type: str = ""


def parse_job(job: ParseJob, context: ParseContext) -> ParseOutcome:
    """Read, check, parse and stage one file (the parsers' exceptions become outcomes)."""
    try:
        data = job.path.read_bytes()
    except FileNotFoundError:
        return ParseOutcome("gone")
    except OSError as error:  # an I/O error or lost permission: the file cannot be read
        detail = "permission denied" if isinstance(error, PermissionError) else os.strerror(error.errno or 5)
        return ParseOutcome("unreadable_io", detail=detail)
    if fingerprint_of_bytes(data, delivery_identity(job.name)) != job.fingerprint:
        return ParseOutcome("arriving")
    spec = SOURCES_BY_NAME[job.source]
    try:
        parsed = spec.parser()(data, job.file_name, context)
    except WaitingFor as waiting:
        return ParseOutcome("waiting", detail=str(waiting))
    except Unreadable as error:
        return ParseOutcome("unreadable", detail=str(error), row=error.row)
    except Exception as error:  # a parser bug must not lose the file: the caller quarantines it and says so
        return ParseOutcome("bug", detail=described(error), error_type=type(error).__name__)
    manifest = Manifest(
        fingerprint=job.fingerprint,
        file_name=job.name,
        landing_path=str(job.path),
        source=job.source,
        kommunekode=job.file_name.kommunekode,
        period=job.file_name.period,
        rows_read=parsed.rows_read,
        tables={table: len(frame) for table, frame in parsed.tables.items()},
        item_columns=list(parsed.item_columns),
        notes={key: value for key, value in parsed.notes.items() if isinstance(value, (str, int, float, bool))},
    )
    write_staged(job.staging, manifest, parsed)
    return ParseOutcome("staged", rows_read=parsed.rows_read)


def parse_jobs(
    jobs: list[ParseJob], pseudonymiser: Pseudonymiser, meanwhile: Callable[[], None] | None = None
) -> Iterator[tuple[ParseJob, ParseOutcome]]:
    """Each job with its outcome: in order in this process for a small delivery; for a large one (and
    more than one core) municipality by municipality in worker processes, as each municipality finishes.
    `meanwhile` is called once the workers start, for work this process can do while it waits on them."""
    workers = parse_workers(jobs, usable_cores(), running=_kept is not None)
    if workers < 2:
        context = keyed_context(pseudonymiser)
        for job in jobs:
            yield job, parse_job(job, _with_needed(context, job))
        return
    by_municipality: dict[str, list[ParseJob]] = defaultdict(list)
    for job in jobs:
        by_municipality[job.file_name.kommunekode].append(job)
    with _workers(workers, pseudonymiser) as pool:
        # the largest municipalities first, so that no worker is left with a large one at the end
        groups = sorted(by_municipality.values(), key=lambda group: -sum(job.size for job in group))
        futures = {pool.submit(_parse_group, group): group for group in groups}
        if meanwhile:
            meanwhile()
        for future in as_completed(futures):
            yield from zip(futures[future], future.result(), strict=True)


# Within keep_workers(): the pool the first large delivery started, with the pseudonymiser its workers key with
_keeping = False
_kept: tuple[ProcessPoolExecutor, Pseudonymiser] | None = None


@contextmanager
def keep_workers() -> Iterator[None]:
    """Inside this block (one `digilead run`'s ingestion), worker processes started for one source's delivery
    parse the next sources' too, also a delivery too small to pay for workers of its own: each pool's start-up
    (a process and its imports per core) is paid once. They stop when the block ends."""
    global _keeping
    _keeping = True
    try:
        yield
    finally:
        _keeping = False
        _drop_kept()


@contextmanager
def _workers(count: int, pseudonymiser: Pseudonymiser) -> Iterator[ProcessPoolExecutor]:
    """A pool of `count` workers keying with `pseudonymiser`: the kept one where there is one, else a new one,
    shut down after use unless keep_workers() keeps it. A pool that failed is never kept."""
    global _kept
    if _kept is not None and _kept[1] != pseudonymiser:
        _drop_kept()
    if _kept is not None:
        pool = _kept[0]
    else:
        # spawned, not forked: the caller (a Dagster run) has threads and DuckDB connections of its own
        pool = ProcessPoolExecutor(
            count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(pseudonymiser,),
        )
        if _keeping:
            _kept = (pool, pseudonymiser)
    try:
        yield pool
    except BaseException:
        if _kept is not None and _kept[0] is pool:
            _kept = None
        pool.shutdown(cancel_futures=True)
        raise
    if _kept is None or _kept[0] is not pool:
        pool.shutdown()


def _drop_kept() -> None:
    global _kept
    if _kept is not None:
        pool, _kept = _kept[0], None
        pool.shutdown(cancel_futures=True)


def parse_workers(jobs: list[ParseJob], cores: int, running: bool = False) -> int:
    """How many worker processes parse these jobs: one per core (at most one per municipality, as a worker takes
    a municipality's files) for a delivery large in bytes or in files, or for any when workers are `running`
    already (kept from an earlier delivery, they cost nothing to start); 1, this process, for a small one."""
    workers = min(cores, len({job.file_name.kommunekode for job in jobs}))
    large = sum(job.size for job in jobs) >= POOL_MIN_BYTES or len(jobs) >= POOL_MIN_FILES
    return workers if large or running else 1


def keyed_context(pseudonymiser: Pseudonymiser) -> ParseContext:
    """A parse context whose key functions remember the keys of the identifiers they have seen: the same
    people are in every monthly extract, and each identifier is keyed (HMAC) once."""
    return ParseContext(
        person_keys=_remembering(pseudonymiser.person_keys, KEYS_REMEMBERED),
        link_keys=_remembering(pseudonymiser.link_keys, KEYS_REMEMBERED),
    )


def _with_needed(context: ParseContext, job: ParseJob) -> ParseContext:
    return ParseContext(person_keys=context.person_keys, link_keys=context.link_keys, needed=job.needed)


_worker_context: ParseContext | None = None  # a worker process's keyed context, for all its jobs


def _start_worker(pseudonymiser: Pseudonymiser) -> None:
    global _worker_context
    _worker_context = keyed_context(pseudonymiser)


def _parse_group(jobs: list[ParseJob]) -> list[ParseOutcome]:
    assert _worker_context is not None, "a parse worker is started with its pseudonymiser"
    return [parse_job(job, _with_needed(_worker_context, job)) for job in jobs]


def _remembering(keys_of: Callable[[str, list[str]], list], size: int) -> Callable[[str, list[str]], list]:
    """`keys_of` (kommunekode, values) -> keys, remembering up to about `size` keys (forgotten all at once
    when full); only the values not remembered are keyed."""
    remembered: dict[str, dict[str, object]] = {}  # kommunekode -> value -> key

    def keys(kommunekode: str, values: list[str]) -> list:
        known = remembered.setdefault(kommunekode, {})
        new = [value for value in dict.fromkeys(values) if value not in known]
        if new:
            if sum(map(len, remembered.values())) + len(new) > size:
                # forgotten: also the values of this call that were remembered, so they are keyed again
                remembered.clear()
                known = remembered[kommunekode] = {}
                new = list(dict.fromkeys(values))
            known.update(zip(new, keys_of(kommunekode, new), strict=True))
        return list(map(known.__getitem__, values))

    return keys
