"""The job the sensor and `digilead run` start: ingest what is waiting, rebuild what depends on it.

One job, every asset: triage → parse → blocking GE checks → load → dbt build → publish. A failed
blocking check stops that source's load and everything downstream of it (the marts and the
published copy) for the run; the run fails, naming the files and rules, and is retried once the
failing files are in quarantine: the retry (all steps, see deploy/dagster.yaml `run_retries`) loads
the good files and rebuilds the marts. `digilead run` does the same with its passes.

The landing sensor's run of a delivery selects only part of the job when nothing else is pending
(`delivery_selection`, see pipelines/defs/sensors.py): what the delivered sources feed.
"""

from collections.abc import Iterable

import dagster as dg

from pipelines.defs.ingest import LANDING, raw_key, staged_key
from pipelines.sources.registry import SourceSpec

INGEST_AND_BUILD = "ingest_and_build"
INGEST_ONLY = "ingest_only"
BUILD_ONLY = "build_only"

RETRY_TAGS = {
    # A retry starts from the top: it triages landing/ again, so it also picks up what arrived meanwhile.
    "dagster/retry_strategy": "ALL_STEPS",
    # Blocking-check failures are step failures: retry them (quarantined files are gone by then).
    "dagster/retry_on_asset_or_op_failure": "true",
}


def ingest_and_build_job():
    # Every asset and check, the marts' freshness checks too: a run that rebuilds a mart re-evaluates its
    # freshness at once (the freshness sensor only re-evaluates checks that may have become overdue).
    # In-process: one writer at a time inside a run (DuckDB's rule), and no per-step process start-up.
    return dg.define_asset_job(
        INGEST_AND_BUILD,
        selection=dg.AssetSelection.all(),
        executor_def=dg.in_process_executor,
        tags=RETRY_TAGS,
        description="Triage the landing zone, parse, validate (blocking GE checks), load raw tables, build the dbt models, publish.",
    )


ingest_and_build = ingest_and_build_job()


def delivery_selection(sources: Iterable[SourceSpec]) -> dg.AssetSelection:
    """What a run of `ingest_and_build` needs for files of these sources: triage, the sources' staged and raw
    assets (their blocking checks come with them), and everything downstream of their raw tables and of the
    file registry (the dbt models reading meta.files, the marts, publish, the reports; with their checks).
    The other sources' steps and the models none of these feed stay out of the run: a run's event log then
    holds what it does, not the whole project's plan."""
    ingest: list[dg.AssetKey] = [LANDING]
    raw: list[dg.AssetKey] = []
    for spec in sources:
        ingest.append(staged_key(spec.name))
        raw += [raw_key(table) for table in spec.raw_tables]
    if not raw:  # unknown names only: triage quarantines them, nothing is loaded or built
        return dg.AssetSelection.assets(*ingest)
    file_registry_readers = dg.AssetSelection.assets(LANDING).downstream(depth=1) - dg.AssetSelection.groups("ingest")
    return (
        dg.AssetSelection.assets(*ingest, *raw) | (dg.AssetSelection.assets(*raw) | file_registry_readers).downstream()
    )


# `digilead run` settles the landing zone with this job first (a benefit register's CSV parts wait
# for each other, a failed check is followed by a pass loading the rest), then builds dbt once.
ingest_only = dg.define_asset_job(
    INGEST_ONLY,
    selection=dg.AssetSelection.groups("ingest"),
    executor_def=dg.in_process_executor,
    description="Triage, parse, validate (blocking GE checks) and load raw tables; no dbt build.",
)

# ...and then builds and publishes once, without going over the (settled) landing zone again.
build_only = dg.define_asset_job(
    BUILD_ONLY,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("ingest"),
    executor_def=dg.in_process_executor,
    description="Build the dbt models (with the marts' tests) and publish the serving copy; no ingestion.",
)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[ingest_and_build, ingest_only, build_only])
