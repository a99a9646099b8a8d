"""Publishing: the DuckDB serving copy and the optional PostgreSQL target."""

from __future__ import annotations

import os
import uuid

import duckdb
import pytest

from pipelines.warehouse import Warehouse
from pipelines.warehouse.postgres import publish_postgres
from pipelines.warehouse.publish import publish

POSTGRES_URL = os.environ.get("DIGILEAD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def warehouse(tmp_path):
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    with warehouse.connect() as con:
        con.execute("create schema marts")
        con.execute(
            """create table marts.digital_maturity as
               select * from (values ('0751', '2025H1', 'ROOT', 'all', 12::bigint, 20::bigint, 0.6, 3.25, false, date '2025-06-30'),
                                     ('0751', '2025H1', 'SMALL', 'all', 2, 3, 0.667, null, true, date '2025-06-30'))
               t(kommunekode, wave, los_id, competence_area, respondents, headcount, response_rate, mean_score, suppressed, wave_end_date)"""
        )
    return warehouse


def test_the_duckdb_serving_copy_holds_every_mart_and_parquet(warehouse, tmp_path):
    counts = publish(warehouse, tmp_path / "published")
    assert counts == {"digital_maturity": 2}
    with duckdb.connect(str(tmp_path / "published" / "digilead.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.digital_maturity where suppressed").fetchone()[0] == 1
    assert (
        duckdb.execute(f"select count(*) from '{tmp_path}/published/parquet/digital_maturity.parquet'").fetchone()[0]
        == 2
    )
    publish(warehouse, tmp_path / "published")  # replacing an existing copy works too
    assert not list((tmp_path / "published").glob("*.tmp"))


def _postgres_or_skip():
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(POSTGRES_URL, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("DIGILEAD_REQUIRE_POSTGRES"):
            pytest.fail(
                f"PostgreSQL is required here (DIGILEAD_REQUIRE_POSTGRES is set) but {POSTGRES_URL} refused: {error}"
            )
        pytest.skip(
            f"no PostgreSQL at {POSTGRES_URL} ({error}); set DIGILEAD_TEST_POSTGRES_URL to test the Postgres target"
        )


@pytest.mark.postgres
def test_marts_are_published_to_postgres_in_one_swap(warehouse):
    schema = f"marts_test_{uuid.uuid4().hex[:8]}"
    with _postgres_or_skip() as pg:
        try:
            assert publish_postgres(warehouse, POSTGRES_URL, schema=schema) == {"digital_maturity": 2}
            assert publish_postgres(warehouse, POSTGRES_URL, schema=schema) == {"digital_maturity": 2}  # replaces
            rows = pg.execute(
                f'select los_id, respondents, mean_score, suppressed, wave_end_date from "{schema}".digital_maturity order by los_id'
            ).fetchall()
            assert [(r[0], r[1], r[2], r[3], r[4].isoformat()) for r in rows] == [
                ("ROOT", 12, 3.25, False, "2025-06-30"),
                ("SMALL", 2, None, True, "2025-06-30"),
            ]
            types = dict(
                pg.execute(
                    "select column_name, data_type from information_schema.columns where table_schema = %s and table_name = 'digital_maturity'",
                    [schema],
                ).fetchall()
            )
            assert (
                types["respondents"] == "bigint"
                and types["suppressed"] == "boolean"
                and types["wave_end_date"] == "date"
            )
            assert (
                pg.execute(
                    "select count(*) from information_schema.schemata where schema_name = %s", [f"{schema}_incoming"]
                ).fetchone()[0]
                == 0
            )
        finally:
            pg.execute(f'drop schema if exists "{schema}" cascade')
            pg.commit()
