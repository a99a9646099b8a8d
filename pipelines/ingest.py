"""The one path every landing file takes (docs/files.md), step by step.

    triage   fingerprint; duplicate -> archive/duplicates; unknown name -> quarantine;
             a move a crash interrupted is finished
    stage    parse + pseudonymise -> staging/<fingerprint>/ (unreadable -> quarantine; waiting -> stays)
    validate the source's GE suite on the staged validation frame, in batches (fail -> quarantine)
    load     one transaction per file into raw.*, with lineage; then archive/<source>/

Dagster assets and checks call these functions (and `digilead run` runs those assets), so there is
one implementation of the lifecycle for every source. Each step is idempotent: re-running after a
crash at any point converges on the same warehouse, archive and quarantine.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from pipelines.landing import (
    ARRIVING,
    NOT_A_FILE,
    SYMLINK,
    UNREADABLE,
    LandingFile,
    delivery_fingerprint,
    free_name,
    move,
    reason_path,
    scan,
    write_json_atomically,
)
from pipelines.parsing import ParseJob, ParseOutcome, parse_jobs
from pipelines.privacy import Pseudonymiser
from pipelines.reprocess import finish_withdrawals
from pipelines.settings import Settings, SettingsError
from pipelines.sources.base import FileName, Unreadable
from pipelines.sources.registry import SOURCES, SourceSpec, detect
from pipelines.staging import StagedFile, staged_files
from pipelines.validation import ValidationOutcome, load_suite_spec, prepare_in_background, validate_files
from pipelines.warehouse import FileLoad, FileRecord, Warehouse, current_files, lookup, state, transaction, utc_now
from pipelines.warehouse.state import mark_marts_stale

log = logging.getLogger("digilead")
# one record per file that reached its place (archive/ or quarantine/): `digilead run` counts them as progress
files_log = logging.getLogger("digilead.files")


def finished(name: str, outcome: str) -> None:
    files_log.debug("%s: %s", name, outcome, extra={"finished_file": name})


# rows (all raw tables) loaded per transaction: about 25 survey exports of a large municipality; DuckDB
# writes a transaction's full row groups to the database file as it goes, so memory stays bounded
LOAD_TRANSACTION_ROWS = 2_000_000


@dataclass
class Step:
    """What one step did, for Dagster metadata and the CLI summary. Never holds personal data."""

    accepted: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    arriving: list[str] = field(default_factory=list)  # still being written: left for the next run
    not_files: list[str] = field(default_factory=list)  # directories with a delivery's name: reported, left alone
    skipped: list[str] = field(default_factory=list)  # could not even be moved: left, with a message
    staged: list[str] = field(default_factory=list)
    rows: int = 0
    rows_by_table: dict[str, int] = field(default_factory=dict)
    fingerprints: list[str] = field(default_factory=list)

    def metadata(self) -> dict[str, object]:
        return {key: value for key, value in vars(self).items() if value}


@dataclass
class Pipeline:
    """The settings and helpers every step needs; made at run time from the environment."""

    settings: Settings
    run_id: str = "manual"
    progress: Callable[[str], None] = log.info

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(self.settings.warehouse)

    def pseudonymiser(self, con: duckdb.DuckDBPyConnection) -> Pseudonymiser:
        """The key's pseudonymiser, once the warehouse agrees it is the key its people were keyed with."""
        pseudonymiser = Pseudonymiser.from_secret(self.settings.require_key())
        check_key(con, pseudonymiser)
        return pseudonymiser

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.settings.home))

    # ------------------------------------------------------------------------------------------
    def triage(self) -> tuple[Step, dict[str, list[LandingFile]]]:
        """Sort the landing zone: which files are pending for which source; settle the rest."""
        self.settings.make_dirs()
        self.warehouse.ensure_schema()
        step = Step()
        pending: dict[str, list[LandingFile]] = defaultdict(list)
        seen_now: set[str] = set()
        with self.warehouse.connect() as con:
            finish_withdrawals(self.settings, con, self.progress)  # files a crash left between archive and landing
            self.pseudonymiser(con)  # a changed key stops the run before any file is touched
            known = self.warehouse.records_by_fingerprint(con)
            for file in scan(self.settings.landing, settle_seconds=self.settings.settle_seconds):
                if file.problem == ARRIVING:
                    step.arriving.append(file.name)
                    self.progress(f"{file.name}: still being written; left in landing/ for the next run")
                    continue
                if file.problem == NOT_A_FILE:
                    step.not_files.append(file.name)
                    self.progress(f"{file.name}: {file.detail}, not a file; digilead leaves it alone (remove it)")
                    continue
                try:
                    self._triage_file(con, file, known, seen_now, step, pending)
                except OSError as error:  # e.g. landing/ does not let us move it: never block the others
                    step.skipped.append(file.name)
                    self.progress(
                        f"{file.name}: cannot be moved out of landing/ ({os.strerror(error.errno or 5)}); skipped"
                    )
        self._drop_orphaned_staging({f.fingerprint for files in pending.values() for f in files})
        return step, pending

    def _triage_file(
        self,
        con: duckdb.DuckDBPyConnection,
        file: LandingFile,
        known: dict[str, FileRecord],
        seen_now: set[str],
        step: Step,
        pending: dict[str, list[LandingFile]],
    ) -> None:
        record = known.get(file.fingerprint)
        if (
            record
            and record.file_name == file.name
            and record.moved_to
            and not os.path.lexists(self.settings.home / record.moved_to)
        ):
            # A crash came between recording and moving: finish the move, record nothing new.
            move(file.path, self.settings.home / record.moved_to)
            return
        if file.problem:  # a symbolic link or an unreadable file: quarantined, never read or followed
            self.quarantine(con, file, None, _reason_not_deliverable(file))
            step.quarantined.append(file.name)
            return
        if record or file.fingerprint in seen_now:
            self._settle_duplicate(con, file, record)
            step.duplicates.append(file.name)
            return
        detected = detect(file.name)
        if detected is None:
            self.quarantine(con, file, None, _reason_unknown_name(file))
            step.quarantined.append(file.name)
            return
        spec, _ = detected
        seen_now.add(file.fingerprint)
        pending[spec.name].append(file)

    def _settle_duplicate(self, con: duckdb.DuckDBPyConnection, file: LandingFile, original: FileRecord | None) -> None:
        for (moved_to,) in con.execute(
            "select moved_to from meta.files where fingerprint = ? and file_name = ? and status = 'duplicate' and moved_to is not null",
            [file.fingerprint, file.name],
        ).fetchall():
            if not (self.settings.home / moved_to).exists():
                # A crash came between recording this duplicate and moving it: finish the move, record nothing new.
                move(file.path, self.settings.home / moved_to)
                return
        target = free_name(self.settings.archive / "duplicates", file.name, file.fingerprint)
        detected = detect(file.name)
        first = f"{original.file_name} ({original.status})" if original else "another file in the same delivery"
        Warehouse.record(
            con,
            FileRecord(
                fingerprint=file.fingerprint,
                file_name=file.name,
                source=detected[0].name if detected else None,
                kommunekode=detected[1].kommunekode if detected else None,
                period=detected[1].period if detected else None,
                status="duplicate",
                rows_read=0,
                rows_loaded=0,
                rows_rejected=0,
                reason=f"same content as {first}; not loaded again",
                moved_to=self.relative(target),
                run_id=self.run_id,
            ),
        )
        move(file.path, target)
        self.progress(f"{file.name}: duplicate of {first}, archived, not loaded again")
        finished(file.name, "duplicate")

    def _drop_orphaned_staging(self, pending_fingerprints: set[str]) -> None:
        for staged in staged_files(self.settings.staging):
            if staged.fingerprint not in pending_fingerprints:
                staged.remove()

    # ------------------------------------------------------------------------------------------
    def stage(self, spec: SourceSpec, files: list[LandingFile]) -> Step:
        """Parse and pseudonymise each pending file of one source into staging (pipelines/parsing.py:
        a large delivery is parsed on every core)."""
        step = Step()
        already = {staged.fingerprint for staged in staged_files(self.settings.staging)}
        with self.warehouse.connect() as con:
            pseudonymiser = self.pseudonymiser(con)
            known = self.warehouse.records_by_fingerprint(con)
            jobs: list[ParseJob] = []
            landing_files: dict[str, LandingFile] = {}
            for file in files:
                if file.problem:
                    continue  # triage settles or reports it
                if file.fingerprint in known:
                    continue  # arrived after this run's triage as a duplicate: the next triage settles it
                if file.fingerprint in already:
                    step.staged.append(file.name)
                    continue
                _, file_name = detect(file.name)
                jobs.append(
                    ParseJob(
                        source=spec.name,
                        path=file.path,
                        name=file.name,
                        fingerprint=file.fingerprint,
                        file_name=file_name,
                        needed=_needed(con, spec, file_name) if spec.needs else None,
                        staging=self.settings.staging,
                        size=file.size,
                    )
                )
                landing_files[file.fingerprint] = file
            # while workers parse, this process imports the validation's library (the next step's)
            for job, outcome in parse_jobs(jobs, pseudonymiser, meanwhile=prepare_in_background):
                file = landing_files[job.fingerprint]
                if outcome.kind == "staged" and self._recently_changed(file):
                    # written to since it was fingerprinted: read it once it is done
                    shutil.rmtree(self.settings.staging / job.fingerprint, ignore_errors=True)
                    outcome = ParseOutcome("arriving")
                self._settle_parsed(con, spec, file, outcome, step)
        return step

    def _settle_parsed(
        self, con: duckdb.DuckDBPyConnection, spec: SourceSpec, file: LandingFile, outcome: ParseOutcome, step: Step
    ) -> None:
        """What parsing one file came to: staged, left in landing/ for the next run, or quarantined."""
        if outcome.kind == "gone":
            return  # taken by another run since the scan
        if outcome.kind == "staged":
            step.staged.append(file.name)
            step.rows += outcome.rows_read
            step.fingerprints.append(file.fingerprint)
            self.progress(f"{file.name}: read {outcome.rows_read} rows ({spec.name})")
            return
        if outcome.kind == "arriving":
            step.arriving.append(file.name)
            self.progress(f"{file.name}: still being written; left in landing/ for the next run")
            return
        if outcome.kind == "waiting":
            step.waiting.append(file.name)
            self.progress(f"{file.name}: waiting for {outcome.detail}; it stays in landing/")
            return
        if outcome.kind == "unreadable_io":
            reason = _reason_not_deliverable(replace(file, problem=UNREADABLE, detail=outcome.detail))
        elif outcome.kind == "unreadable":
            reason = _reason_unreadable(file, spec, Unreadable(outcome.detail, row=outcome.row))
        else:  # a parser bug must not lose the file: quarantine it, say so
            log.error("parser of %s failed on %s: %s", spec.name, file.name, outcome.detail)
            reason = _reason_unreadable(
                file,
                spec,
                Unreadable(
                    f"the file could not be read ({outcome.error_type}); this is a digilead bug, please report it"
                ),
            )
        self.quarantine(con, file, spec, reason)
        step.quarantined.append(file.name)

    def _recently_changed(self, file: LandingFile) -> bool:
        try:
            return time.time() - file.path.stat().st_mtime < self.settings.settle_seconds
        except FileNotFoundError:
            return True

    def staged_of(self, spec: SourceSpec) -> list[StagedFile]:
        return [staged for staged in staged_files(self.settings.staging) if staged.manifest.source == spec.name]

    # ------------------------------------------------------------------------------------------
    def validate(self, spec: SourceSpec) -> tuple[Step, dict[str, ValidationOutcome]]:
        """Run the source's suite on every staged file not yet validated; quarantine failures."""
        step = Step()
        outcomes: dict[str, ValidationOutcome] = {}
        suite = load_suite_spec(spec.suite)
        todo = [staged for staged in self.staged_of(spec) if not staged.manifest.validated]
        by_fingerprint: dict[str, ValidationOutcome] = {}
        # Files with the same columns share GE runs (its fixed cost per run dominates small files).
        alike: dict[tuple, list[StagedFile]] = defaultdict(list)
        for staged in todo:
            alike[(tuple(staged.validation_columns()), tuple(staged.manifest.item_columns))].append(staged)
        with self.warehouse.connect() as con:
            for (_, item_columns), group in alike.items():
                results = validate_files(suite, [staged.validation_batches() for staged in group], list(item_columns))
                for staged, outcome in zip(group, results, strict=True):
                    by_fingerprint[staged.fingerprint] = outcome
            for staged in todo:
                outcome = outcomes[staged.manifest.file_name] = by_fingerprint[staged.fingerprint]
                if outcome.success:
                    staged.mark_validated()
                    step.accepted.append(staged.manifest.file_name)
                    continue
                file = LandingFile(Path(staged.manifest.landing_path), staged.fingerprint, 0)
                self.quarantine(
                    con,
                    file,
                    spec,
                    _reason_failed_checks(staged, outcome),
                    rejected=outcome.rejected_rows(),
                    rows_read=staged.manifest.rows_read,
                )
                staged.remove()
                step.quarantined.append(staged.manifest.file_name)
        return step, outcomes

    # ------------------------------------------------------------------------------------------
    def load(self, spec: SourceSpec) -> Step:
        """Load the validated staged files, then archive them.

        Files are loaded in transactions of up to LOAD_TRANSACTION_ROWS rows: each file all or nothing
        (its rows, rejected rows and registry record commit together), and the files of one transaction
        together. A commit per file of a national delivery cost more than its rows (each small commit
        writes its rows through the WAL; a larger one writes them to the database file once).
        """
        step = Step()
        with self.warehouse.connect() as con:
            ready = []
            for staged in self.staged_of(spec):
                if not staged.manifest.validated:
                    continue
                landing_path = Path(staged.manifest.landing_path)
                if landing_path.exists() and delivery_fingerprint(landing_path) != staged.manifest.fingerprint:
                    # written to since it was read: not archived under the old fingerprint, read again next run
                    staged.remove()
                    step.arriving.append(staged.manifest.file_name)
                    self.progress(
                        f"{staged.manifest.file_name}: changed since it was read; left in landing/ for the next run"
                    )
                    continue
                ready.append(staged)
            # in municipality order: a raw table's row groups then hold few municipalities, so a model
            # built in batches of municipalities reads only its own (staging keeps no order)
            ready.sort(key=lambda staged: (staged.manifest.kommunekode or "", staged.manifest.file_name))
            for group in _transactions_of(ready, LOAD_TRANSACTION_ROWS):
                targets = [
                    free_name(self.settings.archive / spec.name, staged.manifest.file_name, staged.fingerprint)
                    for staged in group
                ]
                with transaction(con):
                    loaded = self.warehouse.load_files(
                        con,
                        [self._file_load(spec, staged, target) for staged, target in zip(group, targets, strict=True)],
                    )
                    mark_marts_stale(con)
                for staged, target in zip(group, targets, strict=True):
                    manifest = staged.manifest
                    loaded_by_table = loaded[manifest.fingerprint]
                    move(Path(manifest.landing_path), target)
                    staged.remove()
                    step.accepted.append(manifest.file_name)
                    step.rows += loaded_by_table[next(iter(loaded_by_table))]
                    for table, rows in loaded_by_table.items():
                        step.rows_by_table[table] = step.rows_by_table.get(table, 0) + rows
                    step.fingerprints.append(manifest.fingerprint)
                    counts = ", ".join(f"{rows} rows into raw.{table}" for table, rows in loaded_by_table.items())
                    self.progress(f"{manifest.file_name}: loaded {counts}; archived")
                    finished(manifest.file_name, "accepted")
        return step

    def _file_load(self, spec: SourceSpec, staged: StagedFile, target: Path) -> FileLoad:
        """What loading one staged file writes: its rows, its rows not loaded, its record (archived at `target`)."""
        manifest = staged.manifest
        not_loaded = staged.not_loaded_rows()
        return FileLoad(
            record=FileRecord(
                fingerprint=manifest.fingerprint,
                file_name=manifest.file_name,
                source=spec.name,
                kommunekode=manifest.kommunekode,
                period=manifest.period,
                status="accepted",
                rows_read=manifest.rows_read,
                rows_loaded=manifest.rows_read - not_loaded,
                rows_rejected=not_loaded,
                reason=None,
                moved_to=self.relative(target),
                run_id=self.run_id,
            ),
            # a file fills the source's tables it has rows for (one part of a CSV register fills one)
            tables={table: staged.table_path(table) for table in spec.raw_tables if table in manifest.tables},
            rejected_rows=staged.not_loaded_path,
        )

    # ------------------------------------------------------------------------------------------
    def ready_to_retry(self) -> list[str]:
        """Files still in landing whose source needs earlier data that is now loaded (a register
        part whose sibling part a pass has just loaded): another pass would take them."""
        if not self.settings.landing.exists():
            return []
        ready = []
        with self.warehouse.connect() as con:
            for path in sorted(self.settings.landing.iterdir()):
                detected = detect(path.name) if path.is_file() else None
                if detected and detected[0].needs:
                    spec, file_name = detected
                    if _needed(con, spec, file_name) is not None:
                        ready.append(path.name)
        return ready

    # ------------------------------------------------------------------------------------------
    def quarantine(
        self,
        con: duckdb.DuckDBPyConnection,
        file: LandingFile,
        spec: SourceSpec | None,
        reason: dict,
        rejected: dict[int, str] | None = None,
        rows_read: int = 0,
    ) -> None:
        """Reason file, then registry row, then the move: each step safe to repeat after a crash."""
        target = free_name(self.settings.quarantine, file.name, file.fingerprint)
        write_json_atomically(reason_path(target), reason)
        detected = detect(file.name)
        with transaction(con):
            Warehouse.record_rejected_rows(con, file.fingerprint, rejected or {})
            Warehouse.record(
                con,
                FileRecord(
                    fingerprint=file.fingerprint,
                    file_name=file.name,
                    source=spec.name if spec else None,
                    kommunekode=detected[1].kommunekode if detected else None,
                    period=detected[1].period if detected else None,
                    status="quarantined",
                    rows_read=rows_read,
                    rows_loaded=0,
                    rows_rejected=rows_read,
                    reason=reason["summary"],
                    moved_to=self.relative(target),
                    run_id=self.run_id,
                ),
            )
        move(file.path, target)
        self.progress(f"{file.name}: QUARANTINED: {reason['summary']}")
        finished(file.name, "quarantined")


def check_key(con: duckdb.DuckDBPyConnection, pseudonymiser: Pseudonymiser) -> None:
    """Refuse a pseudonym key other than the one the loaded rows were keyed with: with another key no
    person links to anyone loaded before. While nothing is loaded (a new warehouse, or every file
    withdrawn to re-key), the key in use becomes the warehouse's key."""
    remembered = state.get(con, state.KEY_FINGERPRINT)
    current = pseudonymiser.key_fingerprint()
    if remembered == current:
        return
    loaded = sum(1 for file in current_files(con) if file.record.status == "accepted")
    if remembered is not None and loaded:
        raise SettingsError(
            "DIGILEAD_PSEUDONYM_KEY is not the key this warehouse's people were pseudonymised with "
            f"({loaded} loaded files used another one); with it nobody would link to the data already loaded. "
            "Nothing was processed. Set the key used before; or, to change the key, withdraw every "
            "municipality's files (`digilead reprocess <kommunekode>` for each) and run with the new key "
            "(see the README, 'Changing the pseudonym key')."
        )
    state.put(con, state.KEY_FINGERPRINT, current)


def loaded_sources() -> list[SourceSpec]:
    """Every source, in processing order (what others depend on goes first)."""
    return sorted(SOURCES, key=lambda spec: spec.rank)


def _transactions_of(files: list[StagedFile], max_rows: int) -> Iterator[list[StagedFile]]:
    """The files in order, grouped into runs of at most `max_rows` staged rows (a larger file alone)."""
    group: list[StagedFile] = []
    rows = 0
    for staged in files:
        size = sum(staged.manifest.tables.values())
        if group and rows + size > max_rows:
            yield group
            group, rows = [], 0
        group.append(staged)
        rows += size
    if group:
        yield group


def _needed(con: duckdb.DuckDBPyConnection, spec: SourceSpec, file: FileName) -> object:
    """What the file's source needs from earlier files ({}: nothing; None: not loaded yet)."""
    arguments = spec.needs.arguments(file)
    return {} if arguments is None else lookup(con, spec.needs.lookup, **arguments)


# --- reasons in plain words --------------------------------------------------------------------
def _reason(file: LandingFile, source: str | None, stage: str, summary: str, **details: object) -> dict:
    return {
        "file": file.name,
        "fingerprint": file.fingerprint,
        "source": source,
        "stage": stage,
        "summary": summary,
        **details,
        "quarantined_at": utc_now().isoformat() + "+00:00",  # the one clock, in UTC
    }


def _reason_unknown_name(file: LandingFile) -> dict:
    patterns = [spec.pattern.pattern for spec in SOURCES]
    return _reason(
        file,
        None,
        "name",
        f"{file.name}: the name matches no known source, so digilead cannot tell what the file holds",
        known_name_patterns=patterns,
        what_to_do="rename the file to one of the names in docs/files.md and drop it into landing/ again",
    )


def _reason_not_deliverable(file: LandingFile) -> dict:
    if file.problem == SYMLINK:
        summary = f"{file.name}: is a symbolic link; digilead never follows links (the link was moved here, its target left alone)"
        what = "copy the file itself into landing/, not a link to it"
    else:
        summary = f"{file.name}: could not be read from disk ({file.detail})"
        what = (
            "make the file readable by the user digilead runs as (or deliver it again) and drop it into landing/ again"
        )
    return _reason(file, None, "read", summary, what_to_do=what)


def _reason_unreadable(file: LandingFile, spec: SourceSpec, error: Unreadable) -> dict:
    where = f", row {error.row}" if error.row else ""
    return _reason(file, spec.name, "read", f"{file.name}{where}: could not be read: {error}")


def _reason_failed_checks(staged: StagedFile, outcome: ValidationOutcome) -> dict:
    file = LandingFile(Path(staged.manifest.landing_path), staged.fingerprint, 0)
    first = outcome.failed[0]
    more = f" (and {len(outcome.failed) - 1} more failed checks)" if len(outcome.failed) > 1 else ""
    return _reason(
        file,
        staged.manifest.source,
        "validate",
        f"{file.name}: {first.sentence()}{more}",
        suite=outcome.suite,
        rows_read=staged.manifest.rows_read,
        rows_breaking_rules=len(outcome.rejected_rows()),
        failed_checks=[check.as_dict() for check in outcome.failed],
    )
