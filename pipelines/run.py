"""`digilead run`: the jobs the landing sensor starts, executed in this process until the landing zone is settled.

Ingest passes repeat while a blocking check quarantined something or a waiting file became ready, then the
marts are built and published once. The outcome names every file's fate and the data-quality counts of the
municipalities the run loaded; a municipality period whose people cannot be placed at all fails the run
(after publishing what is sound).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from pipelines.ingest import Pipeline
from pipelines.landing import actionable
from pipelines.parsing import keep_workers
from pipelines.reprocess import finish_withdrawals
from pipelines.serving.release import marts_stale
from pipelines.settings import Settings
from pipelines.staging import staged_files
from pipelines.status import Issue, data_quality_issues, issue_lines, without_name
from pipelines.transform.dbt import finish_parse_ahead, start_parse_ahead
from pipelines.warehouse import Warehouse, utc_now

MAX_PASSES = 20

log = logging.getLogger("digilead")


@dataclass(frozen=True)
class JobOutcome:
    run_id: str
    success: bool
    check_failed: bool = False  # a blocking check failed (its files are quarantined by now)
    failure: str | None = None  # what failed, in one line


class Jobs(Protocol):
    """The two jobs `digilead run` executes (the Dagster glue provides them: pipelines/defs/execution.py)."""

    invocation: str  # one id for the whole `digilead run` (meta.runs.run_id)

    def ingest(self) -> JobOutcome: ...  # triage, parse, validate, load what is waiting; no dbt

    def build(self) -> JobOutcome: ...  # build the dbt models with the marts' tests, publish

    def finish(self, kommunekoder: Iterable[str]) -> None: ...  # after the run: the municipalities it knows


@dataclass
class RunOutcome:
    run_ids: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    duplicates: list[str] = field(default_factory=list)
    still_in_landing: list[str] = field(default_factory=list)
    not_files: list[str] = field(default_factory=list)  # directories (or other non-files) in landing
    failed: str | None = None
    # data-quality counts (marts.data_quality) of the municipalities this run loaded files of, info left out
    issues: list[Issue] = field(default_factory=list)

    @property
    def unplaceable(self) -> list[Issue]:
        """Municipality periods whose people cannot be placed at all: an error of this run (exit 1)."""
        return [issue for issue in self.issues if issue.severity == "error"]

    def summary(self) -> str:
        lines = [
            f"run finished: {len(self.accepted)} accepted, {len(self.quarantined)} quarantined, "
            f"{len(self.duplicates)} duplicates archived, {len(self.still_in_landing)} left in landing (waiting, or still being written)"
        ]
        lines += [f"  quarantined {name}: {without_name(reason or '', name)}" for name, reason in self.quarantined]
        lines += [
            f"  left in landing: {name}" + (" (not a file: digilead leaves it alone)" if name in self.not_files else "")
            for name in self.still_in_landing
        ]
        if self.issues:
            lines.append("records that could not be placed or linked (marts.data_quality; docs/marts.md):")
            lines += issue_lines(self.issues, with_kommunekode=True)
        if self.unplaceable:
            periods = sorted({f"{issue.kommunekode} {issue.period}" for issue in self.unplaceable})
            lines.append(
                f"ERROR: the people of {', '.join(periods)} cannot be placed at all (no org tree or HR snapshot for "
                "the period, or none of their units in it); everything else is published"
            )
        if self.failed:
            lines.append(f"RUN FAILED: {self.failed}")
        return "\n".join(lines)


def files_waiting(settings: Settings) -> bool:
    """New files in landing, or files staged but not yet loaded?"""
    if settings.landing.exists() and any(
        (p.is_file() or p.is_symlink()) and actionable(p.name) for p in settings.landing.iterdir()
    ):
        return True
    return bool(staged_files(settings.staging))


def run_pipeline(settings: Settings, jobs: Jobs, progress: Callable[[str], None] = print) -> RunOutcome:
    """Settle the landing zone with ingest passes, then build and publish once."""
    started = utc_now()
    outcome = RunOutcome()

    def execute(job: Callable[[], JobOutcome], checks_quarantine: bool) -> bool:
        result = job()
        outcome.run_ids.append(result.run_id)
        if result.success:
            return True
        if checks_quarantine and result.check_failed:
            progress("a blocking check failed: its files are quarantined; processing the rest")
            return False
        outcome.failed = result.failure
        return False

    _finish_withdrawals(settings, progress)
    # a new warehouse's first build would parse the whole dbt project: parse it while the files are ingested
    parse_ahead = start_parse_ahead(settings) if files_waiting(settings) else None
    try:
        # Settle the landing zone without dbt: passes repeat while a check quarantined something or a
        # waiting file became ready (a register part whose sibling this pass loaded). Parse workers, once
        # started, serve every source of every pass, and stop before the build.
        with keep_workers():
            for _ in range(MAX_PASSES):
                if not files_waiting(settings):
                    break
                if execute(jobs.ingest, checks_quarantine=True) and not Pipeline(settings).ready_to_retry():
                    break
                if outcome.failed:
                    break
        if parse_ahead is not None:
            finish_parse_ahead(settings, parse_ahead)
        # Then build and publish once.
        if not outcome.failed and marts_stale(settings):
            execute(jobs.build, checks_quarantine=False)  # a failing dbt test fails the run
    finally:
        if parse_ahead is not None and parse_ahead.poll() is None:  # interrupted during the ingestion
            parse_ahead.kill()
            parse_ahead.wait()
    kommunekoder = _collect(settings, outcome, started, jobs.invocation)
    jobs.finish(kommunekoder)
    return outcome


def _finish_withdrawals(settings: Settings, progress: Callable[[str], None]) -> None:
    """Files a crashed `reprocess` left between archive/ and landing/ go to landing/ first, so this run loads them."""
    if not settings.warehouse.exists():
        return
    warehouse = Warehouse(settings.warehouse)
    warehouse.ensure_schema()
    with warehouse.connect() as con:
        finish_withdrawals(settings, con, progress)


def _landing_names(settings: Settings) -> set[str]:
    return {p.name for p in settings.landing.iterdir()} if settings.landing.exists() else set()


def _collect(settings: Settings, outcome: RunOutcome, started: datetime, invocation: str) -> list[str]:
    """The run's files from meta.files into the outcome, and its row in meta.runs; returns the
    municipalities the warehouse knows."""
    warehouse = Warehouse(settings.warehouse)
    warehouse.ensure_schema()
    with warehouse.connect() as con:
        # this invocation's own Dagster runs only: another run at the same time reports its files itself
        rows = con.execute(
            "select file_name, status, reason from meta.files where run_id in (select unnest(?)) order by processed_at",
            [outcome.run_ids],
        ).fetchall()
        for name, status, reason in rows:
            if status == "accepted":
                outcome.accepted.append(name)
            elif status == "quarantined":
                outcome.quarantined.append((name, reason))
            elif status == "duplicate":
                outcome.duplicates.append(name)
        loaded = sorted(
            {
                row[0]
                for row in con.execute(
                    """select distinct kommunekode from meta.files
                       where run_id in (select unnest(?)) and status = 'accepted' and kommunekode is not null""",
                    [outcome.run_ids],
                ).fetchall()
            }
        )
        if loaded:
            outcome.issues = [issue for issue in data_quality_issues(con, loaded) if issue.severity != "info"]
        outcome.still_in_landing = sorted(_landing_names(settings))
        outcome.not_files = sorted(
            name
            for name in outcome.still_in_landing
            if not (settings.landing / name).is_file() and not (settings.landing / name).is_symlink()
        )
        con.execute(
            "insert into meta.runs values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                invocation,
                started,
                utc_now(),
                "failed" if outcome.failed or outcome.unplaceable else ("quarantined" if outcome.quarantined else "ok"),
                len(outcome.accepted),
                len(outcome.quarantined),
                len(outcome.duplicates),
                len(outcome.still_in_landing),
            ],
        )
        return [
            row[0]
            for row in con.execute(
                "select distinct kommunekode from meta.files where kommunekode is not null order by 1"
            ).fetchall()
        ]
