"""`digilead run`: the Dagster job the landing sensor starts, executed in this process until settled."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from pipelines.defs.sensors import actionable
from pipelines.ingest import Pipeline, marts_stale
from pipelines.settings import Settings
from pipelines.staging import staged_files
from pipelines.warehouse import Warehouse, utc_now

MAX_PASSES = 20

log = logging.getLogger("digilead")


@dataclass
class RunOutcome:
    run_ids: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    duplicates: list[str] = field(default_factory=list)
    still_in_landing: list[str] = field(default_factory=list)
    not_files: list[str] = field(default_factory=list)  # directories (or other non-files) in landing
    failed: str | None = None

    def summary(self) -> str:
        lines = [
            f"run finished: {len(self.accepted)} accepted, {len(self.quarantined)} quarantined, "
            f"{len(self.duplicates)} duplicates archived, {len(self.still_in_landing)} left in landing (waiting or not loaded by this version)"
        ]
        lines += [f"  quarantined {name}: {reason}" for name, reason in self.quarantined]
        lines += [
            f"  left in landing: {name}" + (" (not a file: digilead leaves it alone)" if name in self.not_files else "")
            for name in self.still_in_landing
        ]
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


def run_pipeline(settings: Settings, progress: Callable[[str], None] = print) -> RunOutcome:
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.defs.jobs import BUILD_ONLY, INGEST_ONLY

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    ingest_job, build_job = defs.resolve_job_def(INGEST_ONLY), defs.resolve_job_def(BUILD_ONLY)
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    invocation = uuid.uuid4().hex[:12]
    started = utc_now()
    outcome = RunOutcome()

    def execute(job, checks_quarantine: bool):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={"digilead/invocation": invocation, "digilead/trigger": "cli"},
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
        outcome.run_ids.append(result.run_id)
        if result.success:
            return True
        if checks_quarantine and any(not evaluation.passed for evaluation in result.get_asset_check_evaluations()):
            progress("a blocking check failed: its files are quarantined; processing the rest")
            return False
        outcome.failed = _first_failure(result)
        return False

    _finish_withdrawals(settings, progress)
    # Settle the landing zone without dbt: passes repeat while a check quarantined something or a
    # waiting file became ready (a register part whose sibling this pass loaded).
    for _ in range(MAX_PASSES):
        if not files_waiting(settings):
            break
        if execute(ingest_job, checks_quarantine=True) and not Pipeline(settings).ready_to_retry():
            break
        if outcome.failed:
            break
    # Then build and publish once.
    if not outcome.failed and marts_stale(settings):
        execute(build_job, checks_quarantine=False)  # a failing dbt test fails the run
    _collect(settings, outcome, started, invocation)
    _register_municipalities(settings, instance)
    return outcome


def _finish_withdrawals(settings: Settings, progress: Callable[[str], None]) -> None:
    """Files a crashed `reprocess` left between archive/ and landing/ go to landing/ first, so this run loads them."""
    from pipelines.reprocess import finish_withdrawals

    if not settings.warehouse.exists():
        return
    warehouse = Warehouse(settings.warehouse)
    warehouse.ensure_schema()
    with warehouse.connect() as con:
        finish_withdrawals(settings, con, progress)


def _register_municipalities(settings: Settings, instance) -> None:
    """Every municipality in the warehouse is a partition of `reprocess_municipality`, so a user of the
    CLI finds it in the UI too (the landing sensor registers those of the files it sees)."""
    from pipelines.defs.reprocess import register_municipalities

    with Warehouse(settings.warehouse).connect() as con:
        kommunekoder = [
            row[0]
            for row in con.execute(
                "select distinct kommunekode from meta.files where kommunekode is not null order by 1"
            ).fetchall()
        ]
    try:
        register_municipalities(instance, kommunekoder)
    except Exception as error:  # a convenience for the UI: never what fails a run
        log.warning("could not add municipalities as Dagster partitions: %s", error)


def _first_failure(result) -> str:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None:  # the user-code error, not Dagster's wrapper around it
                error = error.cause
            return f"step {event.step_key} failed: {error.cls_name}: {error.message.strip().splitlines()[0]}"
    return "the run failed (see the Dagster log above)"


def _landing_names(settings: Settings) -> set[str]:
    return {p.name for p in settings.landing.iterdir()} if settings.landing.exists() else set()


def _collect(settings: Settings, outcome: RunOutcome, started: datetime, invocation: str) -> None:
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
                "failed" if outcome.failed else ("quarantined" if outcome.quarantined else "ok"),
                len(outcome.accepted),
                len(outcome.quarantined),
                len(outcome.duplicates),
                len(outcome.still_in_landing),
            ],
        )
