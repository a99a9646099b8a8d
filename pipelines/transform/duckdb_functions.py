"""DuckDB functions the dbt project calls, registered on dbt's connection by a dbt-duckdb plugin
(dbt_project/profiles.yml, `plugins:`).

digilead_two_way_hidden(groups, totals, min_cell, closure_steps, rounds): one partition of a staff-group
mart (its group rows and unit totals, each aggregated into a list of structs) -> the group rows its
two-way suppression hides beyond those already hidden, as a list of {los_id, personalekategori}. The
algorithm is pipelines/privacy/two_way.py; macros/two_way_suppression.sql calls it.
"""

from __future__ import annotations

import functools
import threading

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
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
    with _ONE_AT_A_TIME:
        return _hidden_lists(groups, totals, min_cell, closure_steps, rounds)


# DuckDB calls the function from each of its threads at once; they would only take turns holding the GIL, and
# NumPy's brief releases of it make such turns cost far more than the work (a convoy). One call at a time is
# faster, and a partition that two threads meet is computed once.
_ONE_AT_A_TIME = threading.Lock()


def _hidden_lists(
    groups: pa.Array, totals: pa.Array, min_cell: pa.Array, closure_steps: pa.Array, rounds: pa.Array
) -> pa.Array:
    results = []
    for partition_groups, partition_totals, cell, steps, round_limit in zip(
        _partition_rows(groups, {"people": 0, "is_hidden": False}),
        _partition_rows(totals, {"people": 0, "is_published": False}),
        min_cell.to_pylist(),
        closure_steps.to_pylist(),
        rounds.to_pylist(),
        strict=True,
    ):
        hidden = _partition_hidden(partition_groups, partition_totals, cell, steps, round_limit)
        results.append([{"los_id": los_id, "personalekategori": group} for los_id, group in hidden])
    return pa.array(results, type=HIDDEN_ARROW_TYPE)


def _partition_rows(lists: pa.ChunkedArray | pa.ListArray, defaults: dict[str, object]) -> list[tuple[tuple, ...]]:
    """Each list of structs as a tuple of its rows, a row as the tuple of its fields' values (a null one as its
    default); a null list as no rows. Column by column: Arrow makes a Python object per value, not a dict per row."""
    if isinstance(lists, pa.ChunkedArray):
        return [rows for chunk in lists.chunks for rows in _partition_rows(chunk, defaults)]
    structs = lists.values
    columns = [
        (pc.fill_null(values, defaults[field.name]) if field.name in defaults else values).to_pylist()
        for field, values in zip(structs.type, structs.flatten(), strict=True)
    ]
    offsets = lists.offsets.to_pylist()
    return [
        () if is_null else tuple(zip(*(column[start:end] for column in columns), strict=True))
        for start, end, is_null in zip(offsets[:-1], offsets[1:], lists.is_null().to_pylist(), strict=True)
    ]


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
        list(map(UnitTotal._make, totals)),
        list(map(GroupRow._make, groups)),
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
