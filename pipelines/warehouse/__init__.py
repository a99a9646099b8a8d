"""The single writer: the DuckDB warehouse the pipeline loads and dbt builds.

Only one process writes at a time (DuckDB allows one writer or many readers, never both), so BI
tools read the published copy (see `pipelines/serving/`), never this file.
"""

from pipelines.warehouse.duck import LOOKUPS, FileRecord, Warehouse, lookup, sql_identifier, sql_string, utc_now

__all__ = ["LOOKUPS", "FileRecord", "Warehouse", "lookup", "sql_identifier", "sql_string", "utc_now"]
