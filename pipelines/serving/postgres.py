"""Optional second serving target: the marts copied into PostgreSQL (schema `marts`, documentation in `marts_doc`).

Many municipal BI set-ups (Power BI gateways, Superset, Metabase) already talk to PostgreSQL.
When DIGILEAD_POSTGRES_URL is set, every publish also writes the marts there, keeping what BI users built
on them: each table stays the same object and only its contents are swapped (TRUNCATE, then a bulk load)
inside one transaction. Views a BI developer made on a mart (PostgreSQL binds a view to the table, not to its
name), grants to reader roles (`digilead grant-reader`) and comments survive every publish; readers see
the old build or the new one, never a mix. A mart whose columns changed is altered in place.

Rows go through ADBC: DuckDB streams Arrow batches (100,000 rows each) that the ADBC PostgreSQL driver sends
with a binary COPY. No Python loop over rows, memory stays flat, and PostgreSQL parses no text
(benchmarks/postgres_load.py measures it against the former row loop). Statements are composed with
psycopg.sql (quoted identifiers and literals); grant_reader uses psycopg itself.
"""

from __future__ import annotations

from pipelines.serving.docs import DOC_SCHEMA, MartDoc, doc_rows
from pipelines.serving.publish import BATCH_ROWS, DOC_TABLES_DDL, mart_columns
from pipelines.warehouse.duck import Warehouse, sql_identifier

DEPENDENT_OBJECTS_STILL_EXIST = "2BP01"  # PostgreSQL's SQLSTATE when a view still uses what would be dropped
POSTGRES_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}
# the DuckDB type each column is handed over as, so its Arrow type matches the PostgreSQL column (unsigned
# integers as signed or decimal ones, lists and intervals as text); other types go as they are
ARROW_CASTS = {
    "smallint": "smallint",
    "integer": "integer",
    "bigint": "bigint",
    "numeric": "decimal(38, 0)",
    "real": "float",
    "text": "varchar",
}
DOC_TABLES_PG = {name: ddl.replace("varchar", "text") for name, ddl in DOC_TABLES_DDL.items()}


class PostgresPublishError(RuntimeError):
    """A mart could not be published to PostgreSQL; the message says which and why (nothing was changed)."""


def postgres_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    return POSTGRES_TYPES.get(duckdb_type, "text")


class _Session:
    """One ADBC connection with autocommit off: every statement is part of the one publish transaction."""

    def __init__(self, connection):
        self.connection, self.cursor = connection, connection.cursor()

    def execute(self, statement, parameters: list | None = None) -> list[tuple]:
        text = statement if isinstance(statement, str) else statement.as_string(None)
        self.cursor.execute(text, parameters=parameters)
        return self.cursor.fetchall() if self.cursor.description else []


def publish_postgres(
    warehouse: Warehouse, url: str, schema: str = "marts", docs: dict[str, MartDoc] | None = None
) -> dict[str, int]:
    """Swap every mart's contents in PostgreSQL in one transaction; rows per mart."""
    import adbc_driver_postgresql.dbapi as adbc
    from psycopg import sql

    docs = docs or {}
    doc_schema = DOC_SCHEMA if schema == "marts" else f"{schema}_doc"
    counts: dict[str, int] = {}
    with warehouse.connect() as con, adbc.connect(url) as connection:
        pg = _Session(connection)
        columns = mart_columns(con)
        types = {
            (table, column): postgres_type(kind)
            for table, column, kind in con.execute(
                "select table_name, column_name, data_type from information_schema.columns where table_schema = 'marts'"
            ).fetchall()
        }
        try:
            pg.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
            pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(f"{schema}_incoming")))
            for mart, names in columns.items():
                table = sql.Identifier(schema, mart)
                wanted = [(name, types[(mart, name)]) for name in names]
                _ensure_table(pg, schema, mart, wanted)
                pg.execute(sql.SQL("truncate {}").format(table))
                select = ", ".join(
                    f"{sql_identifier(name)}::{ARROW_CASTS[kind]} as {sql_identifier(name)}"
                    if kind in ARROW_CASTS
                    else sql_identifier(name)
                    for name, kind in wanted
                )
                rows = con.sql(f"select {select} from marts.{sql_identifier(mart)}")
                # a streaming reader: DuckDB 2 calls it to_arrow_reader, 1.x fetch_record_batch
                batches = (getattr(rows, "to_arrow_reader", None) or rows.fetch_record_batch)(BATCH_ROWS)
                pg.cursor.adbc_ingest(mart, batches, mode="append", db_schema_name=schema)
                counts[mart] = pg.execute(sql.SQL("select count(*) from {}").format(table))[0][0]
                _comment(pg, schema, mart, names, docs.get(mart, MartDoc()))
            _drop_retired_marts(pg, schema, set(columns))
            _write_doc_tables(pg, doc_schema, docs, columns)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
    return counts


def _dependants(error: Exception) -> str | None:
    """The DETAIL of a PostgreSQL "other objects depend on it" error (which views), else None."""
    if getattr(error, "sqlstate", None) != DEPENDENT_OBJECTS_STILL_EXIST:
        return None
    details = dict(getattr(error, "details", None) or [])
    return (details.get(b"PG_DIAG_MESSAGE_DETAIL") or b"").decode(errors="replace") or str(error)


def _existing_columns(pg: _Session, schema: str, mart: str) -> dict[str, str]:
    return dict(
        pg.execute(
            "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a "
            "join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = $1 and c.relname = $2 and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped "
            "order by a.attnum",
            [schema, mart],
        )
    )


def _ensure_table(pg: _Session, schema: str, mart: str, wanted: list[tuple[str, str]]) -> None:
    """Create the mart's table, or bring an existing one to the warehouse's columns without replacing it."""
    from psycopg import sql

    table = sql.Identifier(schema, mart)
    existing = _existing_columns(pg, schema, mart)
    if not existing:
        pg.execute(
            sql.SQL("create table {} ({})").format(
                table,
                sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in wanted),
            )
        )
        return
    changes = [sql.SQL("drop column {}").format(sql.Identifier(name)) for name in existing if name not in dict(wanted)]
    for name, kind in wanted:
        if name not in existing:
            changes.append(sql.SQL("add column {} {}").format(sql.Identifier(name), sql.SQL(kind)))
        elif not _same_type(existing[name], kind):
            changes.append(sql.SQL("alter column {} type {} using null").format(sql.Identifier(name), sql.SQL(kind)))
    if not changes:
        return
    try:
        pg.execute(sql.SQL("alter table {} {}").format(table, sql.SQL(", ").join(changes)))
    except Exception as error:
        if (dependants := _dependants(error)) is None:
            raise
        raise PostgresPublishError(
            f"the columns of mart {schema}.{mart} changed, but objects built on it still use the old ones: "
            f"{dependants}. Drop or change those views (and recreate them after the next publish); nothing was "
            "published."
        ) from error


def _drop_retired_marts(pg: _Session, schema: str, marts: set[str]) -> None:
    """A mart the warehouse no longer has (renamed or retired by a new version) leaves PostgreSQL too."""
    from psycopg import sql

    tables = [r[0] for r in pg.execute("select tablename from pg_tables where schemaname = $1", [schema])]
    for retired in sorted(set(tables) - marts):
        try:
            pg.execute(sql.SQL("drop table {}").format(sql.Identifier(schema, retired)))
        except Exception as error:
            if (dependants := _dependants(error)) is None:
                raise
            raise PostgresPublishError(
                f"mart {schema}.{retired} is no longer built, but objects built on it still use it: {dependants}. "
                "Drop or change those views; nothing was published."
            ) from error


def _same_type(existing: str, wanted: str) -> bool:
    """Does PostgreSQL's name of a column type (format_type) denote the type we would create?"""
    spelled = {
        "time": "time without time zone",
        "timestamp": "timestamp without time zone",
        "timestamptz": "timestamp with time zone",
    }
    return existing == spelled.get(wanted, wanted).replace(", ", ",")


def _comment(pg: _Session, schema: str, mart: str, names: list[str], doc: MartDoc) -> None:
    """COMMENT ON the table and each column: Metabase, Superset and Power BI show them as descriptions."""
    from psycopg import sql

    table = sql.Identifier(schema, mart)
    pg.execute(sql.SQL("comment on table {} is {}").format(table, sql.Literal(doc.description or None)))
    for name in names:
        pg.execute(
            sql.SQL("comment on column {} is {}").format(
                sql.Identifier(schema, mart, name), sql.Literal(doc.column(name).description or None)
            )
        )


def _write_doc_tables(pg: _Session, doc_schema: str, docs: dict[str, MartDoc], columns: dict[str, list[str]]) -> None:
    import pyarrow as pa
    from psycopg import sql

    tables, column_rows = doc_rows(docs, columns)
    pg.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(doc_schema)))
    names = {
        "tables": ["mart", "label_da", "description"],
        "columns": ["mart", "column_name", "position", "label_da", "description"],
    }
    for name, ddl in DOC_TABLES_PG.items():
        pg.execute(sql.SQL("create table if not exists {} (" + ddl + ")").format(sql.Identifier(doc_schema, name)))
        pg.execute(sql.SQL("truncate {}").format(sql.Identifier(doc_schema, name)))
    for name, rows in (("tables", tables), ("columns", column_rows)):
        fields = [pa.field(n, pa.int32() if n == "position" else pa.string()) for n in names[name]]
        data = pa.table({n: [row[i] for row in rows] for i, n in enumerate(names[name])}, schema=pa.schema(fields))
        pg.cursor.adbc_ingest(name, data, mode="append", db_schema_name=doc_schema)


def grant_reader(url: str, role: str, password: str | None = None, schema: str = "marts") -> None:
    """Create or update a read-only role for BI users: it may read the marts and their documentation (also
    marts published later), nothing else; with a password it can log in."""
    import psycopg
    from psycopg import sql

    who = sql.Identifier(role)
    schemas = [schema, DOC_SCHEMA if schema == "marts" else f"{schema}_doc"]
    with psycopg.connect(url) as pg, pg.transaction():
        exists = pg.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
        pg.execute(sql.SQL("create role {} login" if not exists else "alter role {} login").format(who))
        if password:
            pg.execute(sql.SQL("alter role {} password {}").format(who, sql.Literal(password)))
        pg.execute(sql.SQL("alter role {} set default_transaction_read_only = on").format(who))
        database = pg.execute("select current_database()").fetchone()[0]
        pg.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(database), who))
        for name in schemas:
            target = sql.Identifier(name)
            pg.execute(sql.SQL("create schema if not exists {}").format(target))
            pg.execute(sql.SQL("grant usage on schema {} to {}").format(target, who))
            pg.execute(sql.SQL("grant select on all tables in schema {} to {}").format(target, who))
            # marts added by later publishes (created by this same publishing user) are readable too
            pg.execute(
                sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(target, who)
            )
