"""DuckDB functions the dbt project calls, registered on dbt's connection by a dbt-duckdb plugin
(dbt_project/profiles.yml, `plugins:`).

digilead_two_way_hidden(groups, totals, min_cell, closure_steps, rounds): one partition of a staff-group
mart (its group rows and unit totals, each aggregated into a list of structs) -> the group rows its
two-way suppression hides beyond those already hidden, as a list of {los_id, personalekategori}. The
algorithm is pipelines/privacy/two_way.py; macros/two_way_suppression.sql calls it.
"""

from __future__ import annotations

import functools

import duckdb
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection
from duckdb.sqltypes import BIGINT, BOOLEAN, VARCHAR

from pipelines.privacy.two_way import GroupRow, UnitTotal, two_way_hidden

GROUPS_TYPE = duckdb.list_type(
    duckdb.struct_type({"los_id": VARCHAR, "personalekategori": VARCHAR, "people": BIGINT, "is_hidden": BOOLEAN})
)
TOTALS_TYPE = duckdb.list_type(
    duckdb.struct_type({"los_id": VARCHAR, "parent_los_id": VARCHAR, "people": BIGINT, "is_published": BOOLEAN})
)
HIDDEN_TYPE = duckdb.list_type(duckdb.struct_type({"los_id": VARCHAR, "personalekategori": VARCHAR}))
HIDDEN_ARROW_TYPE = pa.list_(pa.struct([("los_id", pa.string()), ("personalekategori", pa.string())]))


def two_way_hidden_batch(
    groups: pa.Array, totals: pa.Array, min_cell: pa.Array, closure_steps: pa.Array, rounds: pa.Array
) -> pa.Array:
    """The vectorised (Arrow) body: one output list per input row, i.e. per partition."""
    results = []
    for partition_groups, partition_totals, cell, steps, round_limit in zip(
        groups.to_pylist(),
        totals.to_pylist(),
        min_cell.to_pylist(),
        closure_steps.to_pylist(),
        rounds.to_pylist(),
        strict=True,
    ):
        hidden = _partition_hidden(
            tuple(
                (g["los_id"], g["personalekategori"], g["people"] or 0, bool(g["is_hidden"]))
                for g in partition_groups or ()
            ),
            tuple(
                (t["los_id"], t["parent_los_id"], t["people"] or 0, bool(t["is_published"]))
                for t in partition_totals or ()
            ),
            cell,
            steps,
            round_limit,
        )
        results.append([{"los_id": los_id, "personalekategori": group} for los_id, group in hidden])
    return pa.array(results, type=HIDDEN_ARROW_TYPE)


# A municipality's partitions often hold the same rows (every competence area of a wave when everyone
# answered every area), and the macro lists them in a fixed order: such a partition is computed once. The result depends on the rows
# alone, so a repeat is the same answer; the cache holds a batch of municipalities' partitions.
@functools.lru_cache(maxsize=128)
def _partition_hidden(
    groups: tuple[tuple[str, str, int, bool], ...],
    totals: tuple[tuple[str, str | None, int, bool], ...],
    min_cell: int,
    closure_steps: int,
    rounds: int,
) -> tuple[tuple[str, str], ...]:
    hidden = two_way_hidden(
        [UnitTotal(*total) for total in totals],
        [GroupRow(*group) for group in groups],
        min_cell=min_cell,
        closure_steps=closure_steps,
        rounds=rounds,
    )
    return tuple(sorted(hidden))


def register_functions(connection: DuckDBPyConnection) -> None:
    """Register the project's functions on a DuckDB connection (the plugin; tests call it directly)."""
    connection.create_function(
        "digilead_two_way_hidden",
        two_way_hidden_batch,
        [GROUPS_TYPE, TOTALS_TYPE, BIGINT, BIGINT, BIGINT],
        HIDDEN_TYPE,
        type="arrow",
    )


class Plugin(BasePlugin):
    """dbt-duckdb plugin: the project's Python functions on every connection dbt opens."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register_functions(conn)
