"""The job the sensor and `digilead run` start: ingest what is waiting, rebuild what depends on it."""

import dagster as dg

INGEST_AND_BUILD = "ingest_and_build"

# In-process: one writer at a time inside a run (DuckDB's rule), and no per-step process start-up.
ingest_and_build = dg.define_asset_job(
    INGEST_AND_BUILD,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Triage the landing zone, parse, validate (blocking GE checks), load raw tables, build the dbt models, publish.",
)
