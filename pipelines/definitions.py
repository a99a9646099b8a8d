"""digilead's Dagster definitions: `dagster dev` (workspace.yaml) and `digilead run` load these."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.freshness import freshness_definitions, mart_keys_of
from pipelines.defs.ingest import ingest_definitions
from pipelines.defs.jobs import INGEST_AND_BUILD, build_only, ingest_and_build, ingest_only
from pipelines.defs.report import published_reports
from pipelines.defs.reprocess import reprocess_municipality
from pipelines.defs.resources import DigileadResource
from pipelines.defs.sensors import landing_sensor_for
from pipelines.defs.transform import dbt_definitions


def build_definitions() -> dg.Definitions:
    dbt_assets, dbt_resource = dbt_definitions()
    freshness_checks, freshness_sensor = freshness_definitions(mart_keys_of(dbt_assets))
    return dg.Definitions(
        assets=[*ingest_definitions(), *dbt_assets, published_reports],
        asset_checks=freshness_checks,
        jobs=[ingest_and_build, ingest_only, build_only, reprocess_municipality],
        sensors=[landing_sensor_for(INGEST_AND_BUILD), freshness_sensor],
        resources={"digilead": DigileadResource(), "dbt": dbt_resource},
    )


defs = build_definitions()
