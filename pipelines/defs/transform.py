"""dbt models as Dagster assets (one `dbt build` per run) and the published serving copy."""

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.defs.ingest import LANDING, WAREHOUSE_POOL, raw_key
from pipelines.defs.observability import stage_timer
from pipelines.defs.resources import DigileadResource
from pipelines.ingest import MARTS_STALE, marts_stale
from pipelines.serving.docs import project_mart_docs
from pipelines.serving.postgres import publish_postgres
from pipelines.serving.publish import publish
from pipelines.transform.dbt import (
    PROJECT_DIR,
    build_args,
    dbt_env,
    dbt_executable,
    ensure_manifest,
    fresh_target,
    keep_partial_parse,
    result_settings,
)
from pipelines.transform.scope import BuildScope, build_signature, record_build, scope_for
from pipelines.warehouse import Warehouse, utc_now
from pipelines.warehouse.lock import writer_lock

BUILD_IN_PROGRESS = "marts_build_in_progress"  # meta.state: the start and signature of a build not yet published


class DigileadDbtTranslator(DagsterDbtTranslator):
    """raw.<table> dbt sources are the raw/<table> assets the loaders make, meta.files is the triaged landing
    zone's registry; models are keyed <schema>/<model>."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            if dbt_resource_props["source_name"] == "meta":
                return LANDING  # the file registry: triage records duplicates there
            return raw_key(dbt_resource_props["name"])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("schema") if dbt_resource_props["resource_type"] != "source" else "ingest"


def dbt_definitions() -> list:
    project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)
    manifest = ensure_manifest()

    # internal-invariant tests are not run by pipeline builds (see build_args): not asset checks either
    @dbt_assets(
        manifest=manifest,
        project=project,
        dagster_dbt_translator=DigileadDbtTranslator(),
        pool=WAREHOUSE_POOL,
        exclude="tag:internal_invariant",
    )
    def digilead_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, digilead: DigileadResource):
        settings = digilead.settings()
        # dbt writes the warehouse in a process of its own: hold the writer lock for it (see warehouse/lock.py)
        with writer_lock(settings.warehouse, waiting=context.log.info):
            if not marts_stale(settings):
                # Nothing was loaded since the marts were last built and published (e.g. a delivery of duplicates):
                # the marts are current. Nothing is materialized, so publishing is skipped too.
                context.log.info(
                    "no raw table changed since the marts were last built and published: dbt build skipped"
                )
                return
            scope = plan_build(settings, manifest)
            context.log.info(f"dbt build recomputes {scope.describe()}")
            os.environ.update(
                dbt_env(settings, scope)
            )  # the project reads the warehouse, min cell and scope at run time
            target = fresh_target(settings, context.run_id[:8])
            with stage_timer(context, "dbt"):
                yield from dbt.cli(build_args(scope), context=context, target_path=target).stream()
            keep_partial_parse(settings, target)

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
        "one Parquet file per mart, replaced atomically, with the dbt column descriptions; never the warehouse the pipeline "
        "writes.",
    )
    def published_marts(context: dg.AssetExecutionContext, digilead: DigileadResource) -> dg.MaterializeResult:
        settings = digilead.settings()
        warehouse = Warehouse(settings.warehouse)
        with (
            stage_timer(context, "publish") as timing,
            writer_lock(settings.warehouse, waiting=context.log.info),  # the copies and the record of them together
        ):
            docs = project_mart_docs()  # descriptions and Danish labels from the dbt ymls, into every copy
            counts = publish(warehouse, settings.published, docs)
            suppressed = _suppressed_rows(settings.published / "digilead.duckdb")
            if settings.postgres_url:
                publish_postgres(warehouse, settings.postgres_url, docs=docs)
                context.log.info("published the marts to PostgreSQL (schema marts)")
            with warehouse.connect() as con:
                finish_build(con)
        context.log.info(f"published {len(counts)} marts to {settings.published}")
        return dg.MaterializeResult(
            metadata={
                **{f"rows_{name}": count for name, count in counts.items()},
                # rows whose person-level measures are nulled: a group smaller than DIGILEAD_MIN_CELL, or one derivable by subtraction
                **{f"suppressed_rows_{name}": count for name, count in suppressed.items()},
                "min_cell": settings.min_cell,
                **timing,
            }
        )

    return [digilead_dbt_models, published_marts], DbtCliResource(
        project_dir=project, profiles_dir=str(PROJECT_DIR), dbt_executable=dbt_executable()
    )


def plan_build(settings, manifest) -> BuildScope:
    """Decide what the build recomputes, and remember when it started (publishing records it as done)."""
    signature = build_signature(manifest, result_settings(settings))
    warehouse = Warehouse(settings.warehouse)
    warehouse.ensure_schema()
    with warehouse.connect() as con:
        scope = scope_for(con, signature)
        Warehouse.set_state(
            con, BUILD_IN_PROGRESS, json.dumps({"started": utc_now().isoformat(sep=" "), "signature": signature})
        )
    return scope


def finish_build(con) -> None:
    """The marts are built and published: current, and the next build starts from this one. A file
    loaded while the build ran (by another writer, between steps) keeps the marts stale for the next."""
    pending = Warehouse.get_state(con, BUILD_IN_PROGRESS)
    stale_since = Warehouse.get_state(con, MARTS_STALE)
    still_stale = False
    con.execute("begin transaction")
    if pending:
        build = json.loads(pending)
        record_build(con, build["started"], build["signature"])
        still_stale = stale_since is not None and _as_utc(stale_since) >= _as_utc(build["started"])
    con.execute("delete from meta.state where key in (?, ?)", [BUILD_IN_PROGRESS, "" if still_stale else MARTS_STALE])
    con.execute("commit")


def _as_utc(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _suppressed_rows(published_database) -> dict[str, int]:
    """Per published mart with a `suppressed` column: how many rows are suppressed (small cells)."""
    import duckdb

    con = duckdb.connect(str(published_database), read_only=True)
    try:
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_columns() where schema_name = 'marts' and column_name = 'suppressed' order by 1"
            ).fetchall()
        ]
        return {
            mart: con.execute(f"select count(*) from marts.{mart} where suppressed").fetchone()[0] for mart in marts
        }
    finally:
        con.close()


def _manifest_nodes(manifest_path) -> list[dict]:
    import json

    return list(json.loads(open(manifest_path).read())["nodes"].values())
