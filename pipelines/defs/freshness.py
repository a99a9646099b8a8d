"""Freshness checks on the marts: is what BI tools read still current?

Every run rebuilds every mart, or reports it current when none of the raw tables it reads changed
(pipelines/defs/transform.py), and municipalities deliver at least a monthly HR extract, so a mart
not rebuilt for `MARTS_FRESH_FOR` means deliveries have stopped (or runs keep failing): the check
warns. The ingest job evaluates the checks right after it rebuilds the marts; the freshness sensor
re-evaluates them when they may have become overdue (it only reads Dagster's event log, never the
warehouse).

Dagster 1.13 marks these factories as superseded by `FreshnessPolicy` (evaluated by an opt-in
freshness daemon, shown as asset health). Checks are kept on purpose: they are evaluated inside the
very run that rebuilds the marts (also under `digilead run`, which has no daemon), they appear in
the job's check results and they can be tested without a daemon.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

import dagster as dg

MARTS_FRESH_FOR = timedelta(days=35)  # a monthly extract, plus a few days' grace
FRESHNESS_SENSOR = "marts_freshness_sensor"


def freshness_definitions(mart_keys: list[dg.AssetKey]) -> tuple[list, dg.SensorDefinition]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is superseded.*")
        checks = list(
            dg.build_last_update_freshness_checks(
                assets=sorted(mart_keys, key=lambda key: key.to_user_string()),
                lower_bound_delta=MARTS_FRESH_FOR,
                severity=dg.AssetCheckSeverity.WARN,
            )
        )
        sensor = dg.build_sensor_for_freshness_checks(
            freshness_checks=checks,
            name=FRESHNESS_SENSOR,
            minimum_interval_seconds=3600,  # the window is 35 days: hourly is plenty
            default_status=dg.DefaultSensorStatus.RUNNING,
        )
    return checks, sensor


def mart_keys_of(assets: list) -> list[dg.AssetKey]:
    """The dbt models in schema `marts` (keyed marts/<model> by the dbt translator)."""
    keys: list[dg.AssetKey] = []
    for definition in assets:
        if isinstance(definition, dg.AssetsDefinition):
            keys += [key for key in definition.keys if key.path[0] == "marts"]
    return keys
