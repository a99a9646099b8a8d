"""The copies BI tools read: the serving DuckDB file, Parquet, PostgreSQL, and the marts' column documentation."""
