"""The connection recipes of README "Connecting BI tools", each exercised with the real client library.

DuckDB drivers and SQLAlchemy dialects come from `.venv-bi` (made by `make install` from pyproject's
`bi-client` group: DuckDB 1.0.0, the oldest 1.x, as BI drivers ship it; duckdb-engine; SQLAlchemy in the
working range); pyarrow/pandas and psycopg from the project's venv.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from serving_support import DOCS, fresh_database, make_warehouse

from pipelines.serving.publish import publish

REPO_ROOT = Path(__file__).resolve().parents[1]
BI_PYTHON = REPO_ROOT / ".venv-bi" / "bin" / "python"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bi")
    publish(make_warehouse(root / "warehouse.duckdb", rows=4), root / "published", DOCS)
    return root / "published"


def run_bi_client(script: str, *args: str) -> dict:
    if not BI_PYTHON.exists():
        pytest.fail(f"{BI_PYTHON} is missing: `make install` creates it (the BI client libraries)")
    done = subprocess.run(
        [str(BI_PYTHON), "-c", textwrap.dedent(script), *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_a_duckdb_1x_client_opens_the_serving_file_read_only(published):
    seen = run_bi_client(
        """
        import json, sys, duckdb
        con = duckdb.connect(sys.argv[1], read_only=True)   # the recipe: read_only, the published file
        out = {"version": duckdb.__version__}
        out["tables"] = con.execute("select schema_name || '.' || table_name from duckdb_tables() order by 1").fetchall()
        out["rows"] = con.execute("select count(*) from marts.digital_maturity").fetchone()[0]
        out["comment"] = con.execute(
            "select comment from duckdb_columns() where table_name = 'digital_maturity' and column_name = 'mean_score'"
        ).fetchone()[0]
        out["label"] = con.execute(
            "select label_da from marts_doc.columns where mart = 'digital_maturity' and column_name = 'los_id'"
        ).fetchone()[0]
        try:
            con.execute("delete from marts.digital_maturity")
            out["write"] = "allowed"
        except duckdb.Error as error:
            out["write"] = type(error).__name__
        out["parquet_rows"] = duckdb.execute(
            "select count(*) from read_parquet(?)", [sys.argv[2] + "/digital_maturity.parquet"]
        ).fetchone()[0]
        print(json.dumps(out))
        """,
        str(published / "digilead.duckdb"),
        str(published / "parquet"),
    )
    assert seen["version"].startswith("1.")
    assert [t[0] for t in seen["tables"]] == [
        "marts.digital_maturity",
        "marts.dim_org_unit",
        "marts_doc.columns",
        "marts_doc.tables",
    ]
    assert seen["rows"] == 4 and seen["parquet_rows"] == 4
    assert seen["comment"] == DOCS["digital_maturity"].columns["mean_score"].description
    assert seen["label"] == "Organisationsenhed"
    assert seen["write"] != "allowed", "a BI client could write the serving file"


def test_sqlalchemy_with_duckdb_engine_reflects_and_queries_the_serving_file(published):
    seen = run_bi_client(
        """
        import json, sys
        import sqlalchemy as sa
        engine = sa.create_engine(f"duckdb:///{sys.argv[1]}", connect_args={"read_only": True})  # the recipe
        inspector = sa.inspect(engine)
        table = sa.Table("digital_maturity", sa.MetaData(), schema="marts", autoload_with=engine)
        with engine.connect() as con:
            suppressed = con.execute(sa.select(sa.func.count()).select_from(table).where(table.c.suppressed)).scalar()
        print(json.dumps({
            "sqlalchemy": sa.__version__,
            "schemas": inspector.get_schema_names(),
            "tables": inspector.get_table_names(schema="marts"),
            "columns": {c["name"]: c.get("comment") for c in inspector.get_columns("digital_maturity", schema="marts")},
            "suppressed": suppressed,
        }))
        """,
        str(published / "digilead.duckdb"),
    )
    assert "digilead.marts" in seen["schemas"] and seen["tables"] == ["digital_maturity", "dim_org_unit"]
    assert list(seen["columns"])[:3] == ["kommunekode", "wave", "los_id"]
    assert seen["columns"]["kommunekode"] == DOCS["digital_maturity"].columns["kommunekode"].description
    assert seen["suppressed"] == 2


def test_pyarrow_and_pandas_read_the_parquet_folder_with_its_documentation(published):
    folder = published / "parquet"
    dataset = ds.dataset(folder / "digital_maturity.parquet")
    assert dataset.count_rows() == 4
    assert dataset.schema.field("mean_score").metadata[b"label_da"] == b"Gennemsnitlig score"
    frame = pd.read_parquet(folder / "dim_org_unit.parquet")
    assert list(frame.columns) == ["los_id", "enhedsnavn", "build"] and len(frame) == 5
    every = {path.stem: pq.read_table(path).num_rows for path in sorted(folder.glob("*.parquet"))}
    assert every == {"digital_maturity": 4, "dim_org_unit": 5}


@pytest.mark.postgres
def test_psycopg_as_the_read_only_role_reads_the_postgres_marts(tmp_path, monkeypatch):
    import psycopg

    from pipelines.cli import main
    from pipelines.serving.postgres import publish_postgres

    url = fresh_database("digilead_bi_test")
    publish_postgres(make_warehouse(tmp_path / "warehouse.duckdb", rows=4), url, docs=DOCS)
    monkeypatch.setenv("DIGILEAD_POSTGRES_URL", url)
    monkeypatch.setenv("BI_READER_PASSWORD", "bi-reader-test")
    role = "digilead_bi_reader_test"
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute(f"drop owned by {role} cascade" if _role_exists(pg, role) else "select 1")
        pg.execute(f"drop role if exists {role}")
    try:
        assert main(["grant-reader", role, "--password-env", "BI_READER_PASSWORD"]) == 0
        reader_url = url.replace("postgres@", f"{role}:bi-reader-test@", 1)  # the recipe: the reader's own login
        with psycopg.connect(reader_url) as reader:
            assert reader.execute("select count(*) from marts.digital_maturity").fetchone() == (4,)
            assert reader.execute(
                "select col_description('marts.digital_maturity'::regclass, 1), "
                "(select label_da from marts_doc.tables where mart = 'digital_maturity')"
            ).fetchone() == (DOCS["digital_maturity"].columns["kommunekode"].description, "Digital modenhed")
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                reader.execute("create table marts.mine (x int)")
    finally:
        with psycopg.connect(url, autocommit=True) as pg:
            pg.execute(f"drop owned by {role} cascade")
            pg.execute(f"drop role if exists {role}")


def _role_exists(pg, role: str) -> bool:
    return pg.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone() is not None
