"""The single writer: the DuckDB warehouse the pipeline loads and dbt builds.

Only one process writes at a time (DuckDB allows one writer or many readers, never both), so BI
tools read the published copy (see `pipelines/serving/`), never this file. `state.py` owns the
warehouse's bookkeeping (`meta.state`), its clock and its transactions.
"""

from pipelines.warehouse.duck import (
    LOOKUPS,
    FileLoad,
    FileRecord,
    FileState,
    Warehouse,
    current_files,
    lookup,
    sql_identifier,
    sql_string,
)
from pipelines.warehouse.state import transaction, utc_now

__all__ = [
    "LOOKUPS",
    "FileLoad",
    "FileRecord",
    "FileState",
    "Warehouse",
    "current_files",
    "lookup",
    "sql_identifier",
    "sql_string",
    "transaction",
    "utc_now",
]
