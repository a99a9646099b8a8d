"""dbt models as Dagster assets (one `dbt build` per run) and the published serving copy."""

import os
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.defs.ingest import WAREHOUSE_POOL, raw_key
from pipelines.defs.resources import DigileadResource
from pipelines.ingest import MARTS_STALE
from pipelines.transform.dbt import PROJECT_DIR, build_args, dbt_env, dbt_executable, ensure_manifest
from pipelines.warehouse import Warehouse
from pipelines.warehouse.postgres import publish_postgres
from pipelines.warehouse.publish import publish


class DigileadDbtTranslator(DagsterDbtTranslator):
    """raw.<table> dbt sources are the raw/<table> assets the loaders make; models are keyed <schema>/<model>."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return raw_key(dbt_resource_props["name"])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("schema") if dbt_resource_props["resource_type"] != "source" else "ingest"


def dbt_definitions() -> list:
    project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)
    manifest = ensure_manifest()

    @dbt_assets(manifest=manifest, project=project, dagster_dbt_translator=DigileadDbtTranslator(), pool=WAREHOUSE_POOL)
    def digilead_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, digilead: DigileadResource):
        settings = digilead.settings()
        os.environ.update(dbt_env(settings))  # the profile reads the warehouse path at run time
        yield from dbt.cli(build_args(settings), context=context).stream()

    mart_keys = [
        dg.AssetKey(["marts", node["name"]])
        for node in _manifest_nodes(manifest)
        if node["resource_type"] == "model" and node["schema"] == "marts"
    ]

    @dg.asset(
        key=["published", "marts"],
        deps=mart_keys,
        group_name="publish",
        pool=WAREHOUSE_POOL,
        kinds={"duckdb", "parquet"},
        description="The serving copy BI tools read: $DIGILEAD_HOME/published/digilead.duckdb (readable by DuckDB 1.x) and "
        "one Parquet file per mart, replaced atomically; never the warehouse the pipeline writes.",
    )
    def published_marts(context: dg.AssetExecutionContext, digilead: DigileadResource) -> dg.MaterializeResult:
        settings = digilead.settings()
        warehouse = Warehouse(settings.warehouse)
        counts = publish(warehouse, settings.published)
        if settings.postgres_url:
            publish_postgres(warehouse, settings.postgres_url)
            context.log.info("published the marts to PostgreSQL (schema marts)")
        with warehouse.connect() as con:
            con.execute("delete from meta.state where key = ?", [MARTS_STALE])
        context.log.info(f"published {len(counts)} marts to {settings.published}")
        return dg.MaterializeResult(metadata={f"rows_{name}": count for name, count in counts.items()})

    return [digilead_dbt_models, published_marts], DbtCliResource(project_dir=project, profiles_dir=str(PROJECT_DIR), dbt_executable=dbt_executable())


def _manifest_nodes(manifest_path) -> list[dict]:
    import json

    return list(json.loads(open(manifest_path).read())["nodes"].values())
