"""Re-processing one municipality from Dagster: municipalities are dynamic partitions.

    Jobs → reprocess_municipality → pick partitions (kommunekoder) → launch backfill
    dagster job backfill -j reprocess_municipality --partitions 0751

A run withdraws the partition's files (`pipelines.reprocess.withdraw`): their rows leave the raw
tables and the files go back to landing/, where the landing sensor starts the usual
`ingest_and_build` run that loads them again and rebuilds the marts. Ingestion itself stays
file-driven (files arrive irregularly, their periods differ per source, one delivery may hold many
municipalities); the partitions are the unit a user re-processes by.

This is an op job, not an asset: `ingest_and_build` and `build_only` select every asset, so a
partitioned asset would make them partitioned and run with every delivery.
"""

# no `from __future__ import annotations`: Dagster reads the op's config annotation at definition time
from collections.abc import Iterable

import dagster as dg

from pipelines.defs.ingest import WAREHOUSE_POOL
from pipelines.defs.resources import DigileadResource

MUNICIPALITIES = dg.DynamicPartitionsDefinition(name="municipality")
REPROCESS = "reprocess_municipality"


class ReprocessConfig(dg.Config):
    """Which of the municipality's files to re-process; empty lists mean all."""

    sources: list[str] = []  # source names, e.g. hr_employees
    periods: list[str] = []  # periods as in the file names: 2025-03, 2025H1, 2026-06-30
    include_quarantined: bool = False  # also quarantined files (after fixing a rule or a parser)


@dg.op(
    pool=WAREHOUSE_POOL,
    description="Withdraw the partition's (municipality's) files: rows out of the raw tables, files back to landing/ "
    "with a new identity, marts marked stale. The landing sensor's next run loads them again.",
)
def withdraw_municipality(
    context: dg.OpExecutionContext, config: ReprocessConfig, digilead: DigileadResource
) -> dg.Output[int]:
    from pipelines.reprocess import withdraw

    kommunekode = context.partition_key
    names = withdraw(
        digilead.settings(),
        kommunekode,
        sources=config.sources,
        periods=config.periods,
        include_quarantined=config.include_quarantined,
        run_id=context.run_id,
        progress=context.log.info,
        requested_by=f"Dagster job {REPROCESS}, partition",
    )
    if names:
        context.log.info(
            f"{len(names)} file(s) of {kommunekode} back in landing/: the landing sensor starts the run that loads them"
        )
    else:
        context.log.warning(
            f"nothing to re-process for {kommunekode} with this selection: no matching file in the warehouse"
        )
    return dg.Output(
        len(names),
        metadata={"kommunekode": kommunekode, "files_withdrawn": len(names), "files": dg.MetadataValue.json(names)},
    )


@dg.job(
    name=REPROCESS,
    partitions_def=MUNICIPALITIES,
    executor_def=dg.in_process_executor,
    description="Re-process one municipality (a partition; several: a backfill): its files go back to the landing zone "
    "and the landing sensor loads them again and rebuilds the marts.",
)
def reprocess_municipality() -> None:
    withdraw_municipality()


def new_municipalities(instance: dg.DagsterInstance | None, kommunekoder: Iterable[str]) -> list[str]:
    """Those not yet partitions (all of them when there is no instance to ask)."""
    wanted = sorted(set(kommunekoder))
    if instance is None or not wanted:
        return wanted
    known = set(instance.get_dynamic_partitions(MUNICIPALITIES.name))
    return [key for key in wanted if key not in known]


def register_municipalities(instance: dg.DagsterInstance, kommunekoder: Iterable[str]) -> list[str]:
    added = new_municipalities(instance, kommunekoder)
    if added:
        instance.add_dynamic_partitions(MUNICIPALITIES.name, added)
    return added


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[reprocess_municipality])
