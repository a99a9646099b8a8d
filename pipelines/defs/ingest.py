"""Ingestion assets, made by one factory for every source the registry loads.

    landing_zone ─▶ staged/<source> ─[expectations: blocking GE check]─▶ raw/<source> ─▶ dbt models

A failed blocking check stops that source's load (and what depends on it) for the run; the failing
files are already in quarantine with their reasons, so the next run loads the rest.
"""

import dagster as dg

from pipelines.defs.observability import check_failures, file_counts, stage_timer
from pipelines.defs.resources import DigileadResource
from pipelines.ingest import loaded_sources
from pipelines.landing import scan
from pipelines.sources.registry import SourceSpec, detect

LANDING = dg.AssetKey(["landing_zone"])
WAREHOUSE_POOL = "digilead_warehouse"  # one writer at a time (DuckDB's rule), across runs


def staged_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["staged", source])


def raw_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source])


@dg.asset(
    key=LANDING,
    group_name="ingest",
    pool=WAREHOUSE_POOL,
    kinds={"filesystem"},
    description="The landing zone, triaged: every file fingerprinted (SHA-256); duplicates recorded and archived, "
    "unknown names quarantined with a reason, moves interrupted by a crash finished.",
)
def landing_zone(context: dg.AssetExecutionContext, digilead: DigileadResource) -> dg.MaterializeResult:
    with stage_timer(context, "triage") as timing:
        step, pending = digilead.pipeline(context).triage()
    return dg.MaterializeResult(
        metadata={
            **step.metadata(),
            **timing,
            "pending": {source: len(files) for source, files in pending.items()},
        }
    )


def source_assets(spec: SourceSpec) -> list:
    """The staged asset, its blocking expectations check and the raw asset of one source."""
    # parsing needs what other sources loaded (survey responses: the item catalogue); a need within the
    # source itself (a register part waiting for its sibling) cannot be a dependency: the next pass meets it
    needed = [table for table in (spec.needs.raw_tables if spec.needs else ()) if table not in spec.raw_tables]
    upstream = [LANDING] + [raw_key(table) for table in needed]

    @dg.asset(
        key=staged_key(spec.name),
        deps=upstream,
        group_name="ingest",
        pool=WAREHOUSE_POOL,
        kinds={"pandas", "parquet"},
        description=f"{spec.description}: files parsed and pseudonymised into staging (unreadable files quarantined).",
    )
    def staged(context: dg.AssetExecutionContext, digilead: DigileadResource) -> dg.MaterializeResult:
        with stage_timer(context, "parse", spec.name) as timing:
            pipeline = digilead.pipeline(context)
            files = scan(pipeline.settings.landing, only=lambda name: _is(spec, name))
            step = pipeline.stage(spec, files)
        return dg.MaterializeResult(metadata={**step.metadata(), **timing})

    @dg.asset_check(
        asset=staged_key(spec.name),
        name="expectations",
        blocking=True,
        description=f"Great Expectations suite expectations/{spec.suite}.json on every staged file; a failing file is "
        "quarantined with the failed rules and example rows.",
    )
    def expectations(context: dg.AssetCheckExecutionContext, digilead: DigileadResource) -> dg.AssetCheckResult:
        with stage_timer(context, "validate", spec.name) as timing:
            pipeline = digilead.pipeline(context)
            step, outcomes = pipeline.validate(spec)
        failures = {name: outcome.failed[0].sentence() for name, outcome in outcomes.items() if not outcome.success}
        if failures:  # the run fails on this check: say which file broke which rule in which rows
            context.log.error(
                f"quarantined, so {spec.name} is not loaded and the marts are not rebuilt in this run: "
                f"{check_failures(failures)}"
            )
        return dg.AssetCheckResult(
            passed=not failures,
            severity=dg.AssetCheckSeverity.ERROR,
            description=check_failures(failures),
            metadata={
                "files_validated": len(outcomes),
                "files_passed": len(step.accepted),
                "files_quarantined": step.quarantined,
                "rows_validated": sum(outcome.rows_validated for outcome in outcomes.values()),
                **timing,
                **({"failures": failures} if failures else {}),
            },
        )

    @dg.multi_asset(
        name=f"load_{spec.name}",
        specs=[
            dg.AssetSpec(
                raw_key(table),
                deps=[staged_key(spec.name)],
                group_name="ingest",
                kinds={"duckdb"},
                description=f"raw.{table}: validated rows of {spec.description.split(':')[0]} files, with lineage "
                "(file fingerprint, row number); each file loaded in one transaction, then archived.",
            )
            for table in spec.raw_tables
        ],
        pool=WAREHOUSE_POOL,
    )
    def raw(context: dg.AssetExecutionContext, digilead: DigileadResource):
        with stage_timer(context, "load", spec.name) as timing:
            pipeline = digilead.pipeline(context)
            step = pipeline.load(spec)
        counts = file_counts(pipeline.warehouse, step.fingerprints)
        for table in spec.raw_tables:
            yield dg.MaterializeResult(
                asset_key=raw_key(table),
                metadata={**step.metadata(), **counts, "rows_loaded": step.rows_by_table.get(table, 0), **timing},
            )

    return [staged, expectations, raw]


def _is(spec: SourceSpec, name: str) -> bool:
    detected = detect(name)
    return detected is not None and detected[0] is spec


def ingest_definitions() -> list:
    return [landing_zone] + [definition for spec in loaded_sources() for definition in source_assets(spec)]


@dg.definitions
def defs() -> dg.Definitions:
    """The landing zone and, for every source, its staged files, blocking checks and raw tables."""
    return dg.Definitions(assets=ingest_definitions())
