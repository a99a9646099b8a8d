"""`digilead run`'s two jobs, executed in this process (the Dagster side of `pipelines/run.py`).

run.py decides what to run and when (settle the landing zone, then build once); this module runs a
job and reports its outcome in the terms run.py needs, so run.py itself never imports Dagster.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable

import dagster as dg

from pipelines.defs.jobs import BUILD_ONLY, INGEST_ONLY
from pipelines.defs.reprocess import register_municipalities
from pipelines.run import JobOutcome

log = logging.getLogger("digilead")


class InProcessJobs:
    """The ingest_only and build_only jobs of `defs`, on the Dagster instance of DAGSTER_HOME (or a
    throw-away one), tagged with one invocation id."""

    def __init__(self, defs: dg.Definitions, verbose: bool = False):
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        self._ingest = defs.resolve_job_def(INGEST_ONLY)
        self._build = defs.resolve_job_def(BUILD_ONLY)
        self.instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
        self.invocation = uuid.uuid4().hex[:12]
        # Dagster's own run log (every step event, dbt's output) only with --verbose: by default `digilead run`
        # prints its compact log, and an expected quarantine is no STEP_FAILURE with a stack trace
        self.log_level = "INFO" if verbose else "CRITICAL"

    def ingest(self) -> JobOutcome:
        return self._execute(self._ingest)

    def build(self) -> JobOutcome:
        return self._execute(self._build)

    def finish(self, kommunekoder: Iterable[str]) -> None:
        """Every municipality in the warehouse is a partition of `reprocess_municipality`, so a user of the
        CLI finds it in the UI too (the landing sensor registers those of the files it sees)."""
        try:
            register_municipalities(self.instance, kommunekoder)
        except Exception as error:  # a convenience for the UI: never what fails a run
            log.warning("could not add municipalities as Dagster partitions: %s", error)

    def _execute(self, job) -> JobOutcome:
        result = job.execute_in_process(
            instance=self.instance,
            raise_on_error=False,
            tags={"digilead/invocation": self.invocation, "digilead/trigger": "cli"},
            run_config={"loggers": {"console": {"config": {"log_level": self.log_level}}}},
        )
        if result.success:
            return JobOutcome(result.run_id, success=True)
        return JobOutcome(
            result.run_id,
            success=False,
            check_failed=any(not evaluation.passed for evaluation in result.get_asset_check_evaluations()),
            failure=first_failure(result),
        )


def first_failure(result) -> str:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None:  # the user-code error, not Dagster's wrapper around it
                error = error.cause
            message = error.message.strip()
            if error.cls_name == "Failure":  # the description is digilead's own, in plain words: all of it
                return f"step {event.step_key} failed: {message.partition('Failure: ')[2] or message}"
            return f"step {event.step_key} failed: {error.cls_name}: {message.splitlines()[0]}"
    return "the run failed (`digilead run --verbose` shows Dagster's log)"
