"""dbt models as Dagster assets (one `dbt build` per run) and the published serving copy."""

import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipelines.defs.dbt_project import DBT_PROJECT, prepared_manifest
from pipelines.defs.freshness import freshness_definitions, mart_keys_of
from pipelines.defs.ingest import LANDING, WAREHOUSE_POOL, raw_key
from pipelines.defs.observability import stage_timer, tell
from pipelines.defs.resources import DigileadResource
from pipelines.report.due import mark_due
from pipelines.serving.release import marts_stale, publish_build
from pipelines.transform.dbt import (
    BUILT,
    NOT_IN_PIPELINE_BUILDS,
    PROJECT_DIR,
    affected_nodes,
    build_args,
    dbt_env,
    dbt_executable,
    failed_nodes,
    fresh_target,
    in_build_order,
    keep_partial_parse,
    result_settings,
    unaffected_nodes,
    with_exclusion,
)
from pipelines.transform.scope import BuildScope, build_signature, plan_build
from pipelines.warehouse.lock import writer_lock

PUBLISHED = dg.AssetKey(["published", "marts"])


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


@dg.definitions
def defs() -> dg.Definitions:
    """The dbt models, the published copy, the marts' freshness checks and the dbt resource."""
    dbt_assets, dbt_resource = dbt_definitions()
    freshness_checks, freshness_sensor = freshness_definitions(mart_keys_of(dbt_assets))
    return dg.Definitions(
        assets=dbt_assets, asset_checks=freshness_checks, sensors=[freshness_sensor], resources={"dbt": dbt_resource}
    )


def dbt_definitions() -> tuple[list, DbtCliResource]:
    project = DBT_PROJECT
    manifest = prepared_manifest()

    # dagster-dbt passes this exclusion to every `dbt build` of the asset, and makes no asset checks of those tests
    @dbt_assets(
        manifest=manifest,
        project=project,
        dagster_dbt_translator=DigileadDbtTranslator(),
        pool=WAREHOUSE_POOL,
        exclude=NOT_IN_PIPELINE_BUILDS,
    )
    def digilead_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, digilead: DigileadResource):
        settings = digilead.settings()
        # dbt writes the warehouse in a process of its own: hold the writer lock for it (see warehouse/lock.py)
        say = tell(context)
        with writer_lock(settings.warehouse, waiting=say):
            if not marts_stale(settings):
                # Nothing was loaded since the marts were last built and published (e.g. a delivery of duplicates):
                # the marts are current. Nothing is materialized, so publishing is skipped too.
                context.log.info(
                    "no raw table changed since the marts were last built and published: dbt build skipped"
                )
                return
            scope = plan_build(settings, manifest, result_settings(settings))
            say(f"dbt build recomputes {scope.describe()}")
            nodes = json.loads(manifest.read_text())
            if context.is_subset and (missing := models_left_out(context, nodes, scope)):
                # the sensor selects a delivery's share only when nothing else is pending; this run met more
                # (a run before it failed, or it was queued behind an upgrade): building part would mark it all built
                raise dg.Failure(
                    description=f"the warehouse needs a build of {scope.describe()}, but this run selects only part "
                    f"of it ({len(missing)} models left out, e.g. {', '.join(sorted(missing)[:5])}); nothing was built. "
                    "A run of every asset (the sensor starts one for the next delivery, or `digilead run`) builds them."
                )
            mark_due(settings.published, scope.kommuner)  # their reports are rendered after the publish
            os.environ.update(
                dbt_env(settings, scope)
            )  # the project reads the warehouse, min cell and scope at run time
            target = fresh_target(settings, context.run_id[:8])
            if scope.sources is not None and not scope.full_refresh:
                # first: Dagster wants a multi-asset's outputs in topological order, and what the build leaves
                # out is upstream of what it rebuilds, never downstream
                yield from current_marts(context, nodes, scope.sources)
            with stage_timer(context, "dbt"):
                args = build_args(scope, nodes)
                if context.is_subset:
                    # dagster-dbt then selects the selected models in place of the asset's selection, dropping its
                    # exclusion, and dbt's indirect selection adds every test on them: exclude those again
                    args = with_exclusion(args, NOT_IN_PIPELINE_BUILDS)
                invocation = dbt.cli(args, context=context, target_path=target, raise_on_error=False)
                yield from invocation.stream()
            if not invocation.is_successful():
                failed = failed_nodes(target / "run_results.json") or [str(invocation.get_error())]
                raise dg.Failure(
                    description="dbt build failed:\n"
                    + "".join(f"  {line}\n" for line in failed)
                    + f"  (dbt's log: {target / 'dbt.log'})",
                    metadata={"dbt_log": str(target / "dbt.log")},
                )
            keep_partial_parse(settings, target)

    @dg.asset(
        key=PUBLISHED,
        deps=mart_keys_of([digilead_dbt_models]),
        group_name="publish",
        pool=WAREHOUSE_POOL,
        # as soon as the marts are built, before the marts' freshness checks, which wait for the same step
        op_tags={"dagster/priority": "1"},
        kinds={"duckdb", "parquet"},
        description="The serving copy BI tools read: $DIGILEAD_HOME/published/digilead.duckdb (readable by DuckDB 1.x) and "
        "one Parquet file per mart, replaced atomically, with the dbt column descriptions; never the warehouse the pipeline "
        "writes.",
    )
    def published_marts(context: dg.AssetExecutionContext, digilead: DigileadResource) -> dg.MaterializeResult:
        settings = digilead.settings()
        with stage_timer(context, "publish") as timing:
            counts, suppressed = publish_build(settings, say=tell(context))
        return dg.MaterializeResult(
            metadata={
                **{f"rows_{name}": count for name, count in counts.items()},
                # rows whose person-level measures are nulled: a group smaller than DIGILEAD_MIN_CELL, or one derivable by subtraction
                **{f"suppressed_rows_{name}": count for name, count in suppressed.items()},
                "min_cell": settings.min_cell,
                # what the models were built with: the landing sensor compares it with today's models (scope.py)
                "build_signature": build_signature(manifest, result_settings(settings)),
                **timing,
            }
        )

    def models_left_out(context: dg.AssetExecutionContext, nodes: Mapping[str, Any], scope: BuildScope) -> set[str]:
        """The models the build's scope needs that this run did not select."""
        everything = scope.full_refresh or scope.sources is None
        needed = set(nodes["nodes"]) if everything else affected_nodes(nodes, scope.sources)
        translator = DigileadDbtTranslator()
        built = [nodes["nodes"][node] for node in needed if node in nodes["nodes"]]  # unit tests are not nodes
        return {
            node["name"]
            for node in built
            if node["resource_type"] in BUILT
            and node["resource_type"] != "test"  # tests are checks: dagster-dbt selects those of the selected models
            and translator.get_asset_key(node) not in context.selected_asset_keys
        }

    def current_marts(
        context: dg.AssetExecutionContext, nodes: Mapping[str, Any], changed: tuple[str, ...]
    ) -> Iterator[dg.Output]:
        """The marts this build left out, none of whose raw tables changed, are current as they are: say so,
        so that publishing (which depends on every mart) runs, as after a build of every model."""
        translator = DigileadDbtTranslator()
        for node in in_build_order(nodes, unaffected_nodes(nodes, changed)):  # Dagster wants them in this order
            key = translator.get_asset_key(nodes["nodes"][node])
            if node.startswith("model.") and key.path[0] == "marts" and key in context.selected_asset_keys:
                yield dg.Output(
                    None,
                    output_name=context.assets_def.get_output_name_for_asset_key(key),
                    metadata={"rebuilt": False, "why": "none of the raw tables it reads changed since the last build"},
                )

    return [digilead_dbt_models, published_marts], DbtCliResource(
        project_dir=project, profiles_dir=str(PROJECT_DIR), dbt_executable=dbt_executable()
    )
