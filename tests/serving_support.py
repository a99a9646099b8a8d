"""Shared by the serving tests: a small hand-made warehouse with documented marts, and PostgreSQL or a skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.serving.docs import ColumnDoc, MartDoc
from pipelines.warehouse import Warehouse

POSTGRES_URL = os.environ.get("DIGILEAD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

# Documentation as the dbt ymls give it (descriptions and meta.label_da), written by hand for these tests.
DOCS = {
    "digital_maturity": MartDoc(
        description="Digital maturity by org unit; it's rolled up.",
        label_da="Digital modenhed",
        columns={
            "kommunekode": ColumnDoc("4-digit municipality code with its leading zero ('0751').", "Kommunekode"),
            "los_id": ColumnDoc("Org unit; the root gives the whole municipality.", "Organisationsenhed"),
            "mean_score": ColumnDoc("Mean of respondent scores; null where suppressed.", "Gennemsnitlig score"),
            "suppressed": ColumnDoc("True where respondents < the minimum cell.", "Diskretioneret"),
        },
    ),
}


def make_warehouse(path: Path, build: int = 1, rows: int = 2) -> Warehouse:
    """marts.digital_maturity (`rows` rows) and marts.dim_org_unit (`rows` + 1 rows), every row marked with
    `build`, so a reader can tell which build it sees and whether it is whole."""
    warehouse = Warehouse(path)
    with warehouse.connect() as con:
        con.execute("create schema if not exists marts")
        con.execute(
            """create or replace table marts.digital_maturity as
               select '0751' as kommunekode, '2025H1' as wave, 'U' || i as los_id, 'all' as competence_area,
                      (10 + i)::bigint as respondents, 20::bigint as headcount,
                      case when i % 2 = 0 then 3.25 end as mean_score, i % 2 = 1 as suppressed,
                      date '2025-06-30' as wave_end_date, ?::integer as build
               from range(?) t(i)""",
            [build, rows],
        )
        con.execute(
            """create or replace table marts.dim_org_unit as
               select 'U' || i as los_id, 'Enhed ' || i as enhedsnavn, ?::integer as build from range(?) t(i)""",
            [build, rows + 1],
        )
    return warehouse


def postgres_or_skip():
    """A connection to the test PostgreSQL; skip when there is none, fail when DIGILEAD_REQUIRE_POSTGRES is set."""
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(POSTGRES_URL, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as error:
        if os.environ.get("DIGILEAD_REQUIRE_POSTGRES"):
            pytest.fail(
                f"PostgreSQL is required here (DIGILEAD_REQUIRE_POSTGRES is set) but {POSTGRES_URL} refused: {error}"
            )
        pytest.skip(
            f"no PostgreSQL at {POSTGRES_URL} ({error}); set DIGILEAD_TEST_POSTGRES_URL to test the PostgreSQL target"
        )


def fresh_database(name: str) -> str:
    """Drop and create a database of the test PostgreSQL server for one test; its URL."""
    with postgres_or_skip() as pg:
        pg.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
            [name],
        )
        pg.execute(f'drop database if exists "{name}"')
        pg.execute(f'create database "{name}"')
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
