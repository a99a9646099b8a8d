"""Publishing: the DuckDB serving copy, the Parquet copies and the optional PostgreSQL target."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid

import duckdb
import pyarrow.parquet as pq
import pytest
from serving_support import DOCS, POSTGRES_URL, make_warehouse, postgres_or_skip

from pipelines.serving.postgres import publish_postgres
from pipelines.serving.publish import publish
from pipelines.warehouse import Warehouse


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


# A DIGILEAD_HOME is a path chosen by whoever installs digilead: it must never be read as SQL.
INJECTED = "x' as serving; copy (select 'pwned') to '{target}'; attach ':memory:"


@pytest.mark.parametrize("home_name", ["Borgerservice' filer", "injection"])
def test_a_home_with_quotes_is_a_path_never_sql(tmp_path, home_name):
    pwned = tmp_path / "pwned.csv"
    name = INJECTED.format(target=pwned) if home_name == "injection" else home_name
    home = tmp_path / "homes" / name.lstrip("/")
    warehouse = make_warehouse(home / "warehouse.duckdb")
    counts = publish(warehouse, home / "published", DOCS)
    assert counts == {"digital_maturity": 2, "dim_org_unit": 3}
    assert not pwned.exists(), "a crafted DIGILEAD_HOME ran SQL of its own"
    with duckdb.connect(str(home / "published" / "digilead.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_org_unit").fetchone()[0] == 3
    assert pq.read_table(home / "published" / "parquet" / "digital_maturity.parquet").num_rows == 2


def test_the_column_documentation_reaches_the_serving_file_and_the_parquet_copies(tmp_path):
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb")
    publish(warehouse, tmp_path / "published", DOCS)
    with duckdb.connect(str(tmp_path / "published" / "digilead.duckdb"), read_only=True) as con:
        assert con.execute(
            "select comment from duckdb_tables() where schema_name = 'marts' and table_name = 'digital_maturity'"
        ).fetchone() == ("Digital maturity by org unit; it's rolled up.",)
        comments = dict(
            con.execute(
                "select column_name, comment from duckdb_columns() "
                "where schema_name = 'marts' and table_name = 'digital_maturity'"
            ).fetchall()
        )
        assert comments["kommunekode"] == "4-digit municipality code with its leading zero ('0751')."
        assert comments["mean_score"].startswith("Mean of respondent scores")
        assert comments["wave"] is None  # undocumented columns stay without a comment
        labels = con.execute(
            "select column_name, label_da from marts_doc.columns where mart = 'digital_maturity' order by position"
        ).fetchall()
        assert labels[0] == ("kommunekode", "Kommunekode") and ("suppressed", "Diskretioneret") in labels
        assert [name for name, _ in labels][-1] == "build"  # every published column is listed, in order
        assert con.execute("select label_da from marts_doc.tables where mart = 'digital_maturity'").fetchone() == (
            "Digital modenhed",
        )
    schema = pq.read_schema(tmp_path / "published" / "parquet" / "digital_maturity.parquet")
    field = schema.field("los_id")
    assert field.metadata[b"description"] == b"Org unit; the root gives the whole municipality."
    assert field.metadata[b"label_da"] == b"Organisationsenhed"
    assert schema.metadata[b"label_da"] == b"Digital modenhed"
    frame = pq.read_table(tmp_path / "published" / "parquet" / "digital_maturity.parquet").to_pandas()
    assert len(frame) == 2 and frame["mean_score"].isna().sum() == 1


def test_the_real_marts_documentation_has_a_danish_label_for_every_mart_and_column():
    from pipelines.serving.docs import project_mart_docs

    docs = project_mart_docs()
    assert "digital_maturity" in docs and "training_uptake" in docs
    missing = [
        f"{mart}.{column}" if column else mart
        for mart, doc in docs.items()
        for column in [None, *doc.columns]
        if not (doc.columns[column].label_da if column else doc.label_da)
    ]
    assert not missing, (
        "give each a Danish display name in its dbt_project/models/marts/*.yml, "
        f'`config: {{meta: {{label_da: "..."}}}}` (BI tools show it): {missing}'
    )
    assert docs["digital_maturity"].column("mean_score").description


READER = textwrap.dedent(
    """
    import os, sys, time
    import duckdb, pyarrow.parquet as pq
    published, stop = sys.argv[1], sys.argv[2]
    seen, reads = set(), 0
    while not os.path.exists(stop):
        if not os.path.exists(os.path.join(published, "digilead.duckdb")):
            continue
        con = duckdb.connect(os.path.join(published, "digilead.duckdb"), read_only=True)
        builds = con.execute(
            "select distinct build, (select count(*) from marts.digital_maturity), (select count(*) from marts.dim_org_unit) "
            "from (select build from marts.digital_maturity union all select build from marts.dim_org_unit)"
        ).fetchall()
        con.close()
        assert len(builds) == 1, f"the serving file mixes builds: {builds}"
        build, maturity_rows, org_rows = builds[0]
        assert (maturity_rows, org_rows) == (build * 10, build * 10 + 1), f"build {build} is not whole: {builds}"
        folder = os.path.realpath(os.path.join(published, "parquet"))  # resolved once: one build
        tables = {name: pq.read_table(os.path.join(folder, name + ".parquet")) for name in ("digital_maturity", "dim_org_unit")}
        parquet_builds = {b for t in tables.values() for b in t.column("build").to_pylist()}
        assert len(parquet_builds) == 1, f"the Parquet folder mixes builds: {parquet_builds}"
        (pb,) = parquet_builds
        assert (tables["digital_maturity"].num_rows, tables["dim_org_unit"].num_rows) == (pb * 10, pb * 10 + 1)
        seen |= {build, pb}
        reads += 1
    print(reads, sorted(seen))
    """
)


def test_a_reader_polling_during_repeated_publishes_sees_only_whole_builds(tmp_path):
    published, stop = tmp_path / "published", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for build in range(1, 9):
            warehouse = make_warehouse(tmp_path / "warehouse.duckdb", build=build, rows=build * 10)
            publish(warehouse, published, DOCS)
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, f"the reader failed while builds were published:\n{err[-3000:]}"
    reads, seen = out.split(maxsplit=1)
    assert int(reads) > 0, "the reader never read a build"


def test_superseded_parquet_builds_are_removed_once_no_reader_needs_them(tmp_path, monkeypatch):
    from pipelines.serving import publish as publishing

    published = tmp_path / "published"
    (published / "parquet").mkdir(parents=True)  # a copy from before builds had folders of their own
    (published / "parquet" / "digital_maturity.parquet").write_bytes(b"old")
    monkeypatch.setattr(publishing, "SUPERSEDED_KEPT_S", 0)
    for build in (1, 2, 3):
        publish(make_warehouse(tmp_path / "warehouse.duckdb", build=build), published)
    builds = sorted(p.name for p in published.glob("parquet-*"))
    assert len(builds) == 2, f"the current and the previous build stay, older ones go: {builds}"
    assert (published / "parquet").resolve().name == builds[-1]
    assert pq.read_table(published / "parquet" / "dim_org_unit.parquet").column("build").to_pylist() == [3, 3, 3]


@pytest.mark.postgres
def test_marts_are_published_to_postgres_in_one_swap(warehouse):
    schema = f"marts_test_{uuid.uuid4().hex[:8]}"
    with postgres_or_skip() as pg:
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
            pg.execute(f'drop schema if exists "{schema}_doc" cascade')


@pytest.fixture
def pg_schema():
    """A fresh schema name in the test database (and its documentation schema), dropped afterwards."""
    schema = f"marts_test_{uuid.uuid4().hex[:8]}"
    with postgres_or_skip() as pg:
        yield pg, schema
        for name in (schema, f"{schema}_doc", f"bi_{schema}"):
            pg.execute(f'drop schema if exists "{name}" cascade')


@pytest.mark.postgres
def test_a_bi_view_and_a_reader_grant_survive_two_publishes(tmp_path, pg_schema):
    import psycopg

    from pipelines.serving.postgres import grant_reader

    pg, schema = pg_schema
    role = f"bi_reader_{uuid.uuid4().hex[:8]}"
    warehouse = tmp_path / "warehouse.duckdb"
    publish_postgres(make_warehouse(warehouse, build=1, rows=10), POSTGRES_URL, schema=schema, docs=DOCS)
    # what a BI developer builds: a view in a schema of their own, and a role for the dashboards
    pg.execute(f'create schema "bi_{schema}"')
    pg.execute(
        f'create view "bi_{schema}".maturity_by_build as '
        f'select build, count(*) as units, avg(mean_score) as mean_score from "{schema}".digital_maturity group by build'
    )
    grant_reader(POSTGRES_URL, role, password="reader-test-password", schema=schema)
    try:
        for build in (2, 3):
            counts = publish_postgres(
                make_warehouse(warehouse, build=build, rows=build * 10), POSTGRES_URL, schema=schema, docs=DOCS
            )
            assert counts == {"digital_maturity": build * 10, "dim_org_unit": build * 10 + 1}
        assert pg.execute(f'select build, units from "bi_{schema}".maturity_by_build').fetchall() == [(3, 30)]
        reader_url = POSTGRES_URL.replace("postgres@", f"{role}:reader-test-password@", 1)
        with psycopg.connect(reader_url, connect_timeout=3) as reader:
            assert reader.execute(f'select count(*) from "{schema}".digital_maturity').fetchone() == (30,)
            assert reader.execute(
                f'select label_da from "{schema}_doc".columns where mart = %s and column_name = %s',
                ["digital_maturity", "mean_score"],
            ).fetchone() == ("Gennemsnitlig score",)
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                reader.execute(f'delete from "{schema}".digital_maturity')
        comments = pg.execute(
            "select obj_description(%s::regclass, 'pg_class'), col_description(%s::regclass, 1)",
            [f'"{schema}".digital_maturity'] * 2,
        ).fetchone()
        assert comments == (
            "Digital maturity by org unit; it's rolled up.",
            DOCS["digital_maturity"].columns["kommunekode"].description,
        )
    finally:
        pg.execute(f'drop owned by "{role}" cascade')
        pg.execute(f'drop role if exists "{role}"')


@pytest.mark.postgres
def test_the_postgres_copy_keeps_nulls_empty_text_and_awkward_characters(tmp_path, pg_schema):
    pg, schema = pg_schema
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    values = [None, "", 'semi;colon, "quoted"', "line\nbreak", "Ældreområdet æøå", "back\\slash", "NULL"]
    with warehouse.connect() as con:
        con.execute("create schema marts")
        con.execute("create table marts.texts (position integer, value varchar, score double, day date)")
        con.executemany(
            "insert into marts.texts values (?, ?, ?, ?)",
            [(i, v, None if i % 2 else i / 3, None if i % 3 else "2025-06-30") for i, v in enumerate(values)],
        )
    publish_postgres(warehouse, POSTGRES_URL, schema=schema)
    rows = pg.execute(f'select position, value, score, day is null from "{schema}".texts order by position').fetchall()
    assert [r[1] for r in rows] == values
    assert [r[2] for r in rows] == [None if i % 2 else pytest.approx(i / 3) for i in range(len(values))]
    assert [r[3] for r in rows] == [bool(i % 3) for i in range(len(values))]


@pytest.mark.postgres
def test_a_mart_whose_columns_changed_is_altered_in_place_or_refused_with_a_clear_error(tmp_path, pg_schema):
    from pipelines.serving.postgres import PostgresPublishError

    pg, schema = pg_schema
    path = tmp_path / "warehouse.duckdb"
    publish_postgres(make_warehouse(path), POSTGRES_URL, schema=schema)
    pg.execute(f'create view "{schema}".units as select los_id from "{schema}".dim_org_unit')
    with Warehouse(path).connect() as con:  # a new version of the mart: one column more, one less
        con.execute("alter table marts.digital_maturity add column share_basic double")
        con.execute("alter table marts.digital_maturity drop column headcount")
    publish_postgres(Warehouse(path), POSTGRES_URL, schema=schema)
    columns = [
        r[0]
        for r in pg.execute(
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
            [schema, "digital_maturity"],
        ).fetchall()
    ]
    assert "share_basic" in columns and "headcount" not in columns
    with Warehouse(path).connect() as con:  # a column a user's view uses goes away
        con.execute("alter table marts.dim_org_unit drop column los_id")
    with pytest.raises(PostgresPublishError, match=rf"{schema}\.dim_org_unit"):
        publish_postgres(Warehouse(path), POSTGRES_URL, schema=schema)
    assert pg.execute(f'select count(*) from "{schema}".units').fetchone() == (3,), "the failed publish changed nothing"
    with Warehouse(path).connect() as con:  # a mart retired while a user's view still reads it
        con.execute("drop table marts.dim_org_unit")
    with pytest.raises(PostgresPublishError, match=rf"{schema}\.dim_org_unit is no longer built"):
        publish_postgres(Warehouse(path), POSTGRES_URL, schema=schema)
    pg.execute(f'drop view "{schema}".units')
    assert publish_postgres(Warehouse(path), POSTGRES_URL, schema=schema) == {"digital_maturity": 2}
    assert pg.execute("select count(*) from pg_tables where schemaname = %s", [schema]).fetchone() == (1,)


@pytest.mark.postgres
def test_grant_reader_command_creates_then_updates_a_role(monkeypatch):
    from pipelines.cli import main

    with postgres_or_skip() as pg:
        role = f"bi_cli_{uuid.uuid4().hex[:8]}"
        monkeypatch.setenv("DIGILEAD_POSTGRES_URL", POSTGRES_URL)
        monkeypatch.setenv("BI_PASSWORD", "s3cret'; drop table x; --")
        try:
            assert main(["grant-reader", role, "--password-env", "BI_PASSWORD"]) == 0
            assert main(["grant-reader", role]) == 0  # again: updated, not an error
            granted = pg.execute(
                "select has_schema_privilege(%s, 'marts', 'usage'), has_schema_privilege(%s, 'marts', 'create'), "
                "(select rolcanlogin from pg_roles where rolname = %s)",
                [role, role, role],
            ).fetchone()
            assert granted == (True, False, True)
        finally:
            pg.execute(f'drop owned by "{role}" cascade')
            pg.execute(f'drop role if exists "{role}"')
    monkeypatch.delenv("DIGILEAD_POSTGRES_URL")
    assert main(["grant-reader", "someone"]) == 1  # no PostgreSQL configured: a clear message, exit 1
