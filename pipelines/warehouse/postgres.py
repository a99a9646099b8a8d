"""Optional second serving target: the marts copied into PostgreSQL (schema `marts`).

Many municipal BI set-ups (Power BI gateways, Superset, Metabase) already talk to PostgreSQL.
When DIGILEAD_POSTGRES_URL is set, every publish also writes the marts there: into a fresh
schema `marts_incoming`, which replaces `marts` in the same transaction, so dashboards see the
old marts or the new ones, never a mix. Rows are streamed with COPY in batches: memory stays flat.
"""

from __future__ import annotations

from pipelines.warehouse.duck import Warehouse

BATCH_ROWS = 50_000
POSTGRES_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def postgres_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    return POSTGRES_TYPES.get(duckdb_type, "text")


def publish_postgres(warehouse: Warehouse, url: str, schema: str = "marts") -> dict[str, int]:
    import psycopg

    incoming = f"{schema}_incoming"
    counts: dict[str, int] = {}
    with warehouse.connect(read_only=False) as con, psycopg.connect(url) as pg:
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
            ).fetchall()
        ]
        with pg.transaction():
            pg.execute(f'drop schema if exists "{incoming}" cascade')
            pg.execute(f'create schema "{incoming}"')
            for mart in marts:
                columns = con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                    [mart],
                ).fetchall()
                ddl = ", ".join(f'"{name}" {postgres_type(kind)}' for name, kind in columns)
                pg.execute(f'create table "{incoming}"."{mart}" ({ddl})')
                result = con.execute(f"select * from marts.{mart}")
                counts[mart] = 0
                with pg.cursor().copy(f'copy "{incoming}"."{mart}" from stdin') as copy:
                    while rows := result.fetchmany(BATCH_ROWS):
                        for row in rows:
                            copy.write_row(row)
                        counts[mart] += len(rows)
            pg.execute(f'drop schema if exists "{schema}" cascade')
            pg.execute(f'alter schema "{incoming}" rename to "{schema}"')
    return counts
